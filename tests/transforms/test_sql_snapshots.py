"""The snapshot datasets' derived tables against hand-worked values: session_cost_extremes, task_share_trends,
task_model_movers (and the per-level task_tags / task_tag_models)."""

from __future__ import annotations

import datetime as dt

import pytest

W1, W2, W4 = dt.date(2026, 6, 7), dt.date(2026, 6, 14), dt.date(2026, 6, 28)  # Sundays; W3 (06-21) not captured
AS_OF = dt.datetime(2026, 6, 29, 5)


def cost(wh, window_end, app, turns, model, usd):
    wh.con.execute("INSERT INTO fact_session_cost VALUES (?, 30, ?, ?, ?, ?, ?, ?, 'raw')",
                   [window_end, app, app.title(), turns, model, usd, AS_OF])


def task(wh, day, level, macro, tag, model, position, usage, tokens):
    wh.con.execute("INSERT INTO fact_task_classifications VALUES (?, 7, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, 'raw')",
                   [day, level, macro, tag, model, None if model else (tag or macro), position, usage, tokens, AS_OF])


@pytest.fixture
def costs(wh):
    for window, cells in {
        W1: [("a/x", 0.50), ("b/y", 0.20), ("c/z", 0.90)],
        W2: [("a/x", 0.40), ("b/y", 0.25), ("c/z", 1.20), ("d/w", 0.25)],  # tie at 0.25: 'b/y' first
        W4: [("a/x", 0.10), ("c/z", 2.00)],
    }.items():
        for model, usd in cells:
            cost(wh, window, "claude-code", "10-49-turns", model, usd)
    cost(wh, W2, "claude-code", "1-turn", "a/x", 0.05)
    wh.build()
    return wh


def test_cheapest_and_dearest_with_week_on_week_change(costs):
    got = {(r["window_end_date"], r["turn_range"]): r for r in costs.rows("SELECT * FROM session_cost_extremes")}
    assert len(got) == 4
    w1 = got[(W1, "10-49-turns")]
    assert (w1["models"], w1["cheapest_model"], w1["cheapest_cost_usd"], w1["dearest_model"], w1["dearest_cost_usd"],
            w1["prev_cheapest_cost_usd"], w1["cheapest_change"]) == (3, "b/y", 0.20, "c/z", 0.90, None, None)
    w2 = got[(W2, "10-49-turns")]
    assert (w2["models"], w2["cheapest_model"], w2["cheapest_cost_usd"], w2["prev_cheapest_model"],
            w2["prev_cheapest_cost_usd"]) == (4, "b/y", 0.25, "b/y", 0.20)
    assert w2["cheapest_change"] == pytest.approx(0.25)  # 0.25 / 0.20 - 1
    assert (w2["dearest_model"], w2["dearest_cost_usd"], w2["prev_dearest_model"]) == ("c/z", 1.20, "c/z")
    assert w2["dearest_change"] == pytest.approx(1 / 3)  # 1.20 / 0.90 - 1
    w4 = got[(W4, "10-49-turns")]  # the window 7 days before (06-21) was not captured: no change
    assert (w4["cheapest_model"], w4["cheapest_cost_usd"], w4["dearest_cost_usd"], w4["prev_cheapest_model"],
            w4["cheapest_change"], w4["dearest_change"]) == ("a/x", 0.10, 2.00, None, None, None)
    one = got[(W2, "1-turn")]
    assert (one["turn_order"], one["cheapest_model"], one["dearest_model"], one["prev_cheapest_cost_usd"]) == (
        1, "a/x", "a/x", None)


@pytest.fixture
def tasks(wh):
    d1, d2 = dt.date(2026, 6, 14), dt.date(2026, 6, 21)
    task(wh, d1, "macro", "code", None, None, 1, 0.50, 0.60)
    task(wh, d1, "macro", "data", None, None, 2, 0.30, 0.25)
    task(wh, d2, "macro", "code", None, None, 1, 0.56, 0.58)
    task(wh, d2, "macro", "data", None, None, 2, 0.24, 0.30)
    task(wh, d2 + dt.timedelta(days=1), "macro", "code", None, None, 1, 0.55, 0.57)  # a Monday: no 7-day pair
    for day, models in {d1: [("m/a", 0.5), ("m/b", 0.3), ("m/c", 0.1)],
                        d2: [("m/b", 0.45), ("m/a", 0.40), ("m/d", 0.05)]}.items():
        task(wh, day, "tag", "code", "code:impl", None, 1, 0.3, 0.3)
        for position, (model, share) in enumerate(models, 1):
            task(wh, day, "model", "code", "code:impl", model, position, share, share)
    wh.build()
    return wh


def test_task_share_trends_per_macro_category(tasks):
    rows = {(r["snapshot_date"].isoformat(), r["macro_category"]): r for r in tasks.rows("SELECT * FROM task_share_trends")}
    code = rows[("2026-06-21", "code")]
    assert (code["usage_share"], code["prev_usage_share"], code["prev_token_share"]) == (0.56, 0.50, 0.60)
    assert code["usage_share_change"] == pytest.approx(0.06) and code["token_share_change"] == pytest.approx(-0.02)
    data = rows[("2026-06-21", "data")]
    assert data["usage_share_change"] == pytest.approx(-0.06) and data["token_share_change"] == pytest.approx(0.05)
    assert rows[("2026-06-14", "code")]["prev_usage_share"] is None
    assert rows[("2026-06-22", "code")]["usage_share_change"] is None


def test_models_gaining_and_losing_share_within_a_task(tasks):
    got = {r["model_id"]: (r["movement"], r["tag_usage_share"], r["prev_tag_usage_share"])
           for r in tasks.rows("SELECT * FROM task_model_movers WHERE snapshot_date = DATE '2026-06-21'")}
    assert got == {"m/a": ("losing", 0.40, 0.5), "m/b": ("gaining", 0.45, 0.3), "m/c": ("left", None, 0.1),
                   "m/d": ("entered", 0.05, None)}
    changes = {r["model_id"]: r["usage_share_change"] for r in tasks.rows("SELECT * FROM task_model_movers")}
    assert changes["m/b"] == pytest.approx(0.15) and changes["m/a"] == pytest.approx(-0.10)
    assert changes["m/c"] is None and changes["m/d"] is None
    assert tasks.rows("SELECT count(*) AS n FROM task_model_movers WHERE snapshot_date <> DATE '2026-06-21'") == [{"n": 0}]


def test_per_level_task_tables(tasks):
    assert [(r["tag"], r["usage_share"]) for r in tasks.rows("SELECT * FROM task_tags")] == [
        ("code:impl", 0.3), ("code:impl", 0.3)]
    assert [(r["model_id"], r["position"]) for r in tasks.rows(
        "SELECT * FROM task_tag_models WHERE snapshot_date = DATE '2026-06-21'")] == [("m/b", 1), ("m/a", 2), ("m/d", 3)]

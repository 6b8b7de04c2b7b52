"""The report's snapshot sections (pure): session cost per harness and task shares, with their own citations."""

from __future__ import annotations

import datetime as dt

from transforms.report.snapshots import SnapshotsData, usd, write_snapshots_text

END = dt.date(2026, 6, 21)


def extremes(**overrides) -> dict:
    row = dict(window_end_date=END, app_slug="codex", app_name="Codex", turn_range="1-turn", turn_order=1, models=3,
               cheapest_model="a/x", cheapest_cost_usd=0.0042, cheapest_change=0.25, dearest_model="b/y",
               dearest_cost_usd=1.745, dearest_change=None, window_days=30)
    return {**row, **overrides}


def data(**overrides) -> SnapshotsData:
    cost = [extremes(), extremes(turn_range="50-plus-turns", turn_order=4, cheapest_cost_usd=2.0,
                                              cheapest_change=-0.5, dearest_cost_usd=150.0, dearest_change=0.1),
                         extremes(app_slug="claude-code", app_name="Claude Code")]
    tasks = [dict(label="Code", position=1, usage_share=0.56, token_share=0.6, usage_share_change=0.06,
                  token_share_change=None)]
    movers = [dict(model_id="m/b", tag="code:impl", usage_share_change=0.15),
              dict(model_id="m/a", tag="code:impl", usage_share_change=-0.1)]
    values = dict(session_cost=cost, session_cost_as_of=dt.datetime(2026, 6, 22, 5), tasks=tasks, movers=movers,
                  tasks_as_of=dt.date(2026, 6, 21))
    return SnapshotsData(**{**values, **overrides})


def test_session_cost_has_a_table_per_harness_and_its_citation_with_the_licence():
    text = write_snapshots_text(data()).session_cost
    assert text["window"] == "30 days to 2026-06-21"
    assert [h["name"] for h in text["harnesses"]] == ["Claude Code", "Codex"]
    codex = text["harnesses"][1]["rows"]
    assert [(r["turns"], r["cheapest_usd"], r["cheapest_change"], r["dearest_usd"], r["dearest_change"]) for r in codex] == [
        ("1-turn", "$0.0042", "+25.0%", "$1.75", "–"), ("50-plus-turns", "$2.00", "-50.0%", "$150.00", "+10.0%")]
    assert text["citation"] == ("Source: OpenRouter Data API (openrouter.ai/docs/cookbook/administration/data-api), "
                                "as of 2026-06-22T05:00:00Z. Licensed under CC BY 4.0.")


def test_task_shares_carry_exactly_the_endpoints_citation_and_no_licence():
    text = write_snapshots_text(data()).tasks
    assert text["rows"] == [{"category": "Code", "usage": "56.0%", "usage_change": "+6.0 pts", "tokens": "60.0%",
                             "tokens_change": "–"}]
    assert text["gaining"] == ["m/b in code:impl: +15.0 pts of the tag's requests"]
    assert text["losing"] == ["m/a in code:impl: -10.0 pts of the tag's requests"]
    assert text["citation"] == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-06-21."


def test_a_week_without_a_capture_says_so_and_a_dataset_never_captured_has_no_section():
    text = write_snapshots_text(data(session_cost=[], session_cost_as_of=None, tasks=None, movers=None))
    assert text.session_cost["empty"] == "No session-cost snapshot: none was captured by the end of this week."
    assert text.tasks is None


def test_usd():
    assert [usd(v) for v in (0, 0.0003, 0.05, 1.745, 1234.5)] == ["$0", "$0.0003", "$0.05", "$1.75", "$1,234.50"]

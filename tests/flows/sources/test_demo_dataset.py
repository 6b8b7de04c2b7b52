"""Independent checks of the synthetic demo dataset.

The seed figures (docs/seed-figures.md) are recomputed here from the rows alone, with plain dicts and
ints: weeks, top-9 and country sums are written out in this file, not imported from the pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import pytest

from transforms.responses import MODELS_ENDPOINT, RANKINGS_ENDPOINT

from transforms.windows import Window
from flows.sources.demo import DemoSource
from flows.sources.demo_dataset import (
    DEMO_AS_OF,
    DEMO_FIRST_DAY,
    DEMO_LAST_DAY,
    daily_rows,
    models_payload,
    rankings_payload,
)

CN_AUTHORS = {"qwen", "xiaomi", "stepfun", "minimax", "deepseek", "moonshotai", "z-ai", "tencent",
              "bytedance-seed", "inclusionai"}
US_AUTHORS = {"anthropic", "google", "openai", "x-ai", "meta-llama", "nvidia", "poolside"}
FR_AUTHORS = {"mistralai"}
STEALTH_AUTHORS = {"openrouter"}

WEEK = dt.date(2026, 3, 30)
PREV = dt.date(2026, 3, 23)
QWEN_PLUS = "qwen/qwen3.6-plus-04-02:free"
MIMO_PRO = "xiaomi/mimo-v2-pro-20260318"
HUNTER = "openrouter/hunter-alpha"


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def country(permaslug: str) -> str | None:
    author = permaslug.split("/", 1)[0]
    if author in CN_AUTHORS:
        return "CN"
    if author in US_AUTHORS:
        return "US"
    return None


def top(models: dict[str, int], n: int) -> list[tuple[str, int]]:
    return sorted(models.items(), key=lambda item: (-item[1], item[0]))[:n]


def chart_top9(models: dict[str, int], code: str) -> int:
    return sum(tokens for slug, tokens in top(models, 9) if country(slug) == code)


def growth_pct(current: int, previous: int) -> float:
    return (current - previous) / previous * 100


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return rankings_payload(DEMO_FIRST_DAY, DEMO_LAST_DAY)["data"]


@pytest.fixture(scope="module")
def by_day(rows) -> dict[dt.date, list[dict]]:
    days: dict[dt.date, list[dict]] = defaultdict(list)
    for row in rows:
        days[dt.date.fromisoformat(row["date"])].append(row)
    return dict(days)


@pytest.fixture(scope="module")
def weeks(rows) -> dict[dt.date, dict]:
    """{monday: {"total": int, "models": {permaslug: int}, "days": set}} built from the rows."""
    result: dict[dt.date, dict] = {}
    for row in rows:
        day = dt.date.fromisoformat(row["date"])
        week = result.setdefault(monday(day), {"total": 0, "models": defaultdict(int), "days": set()})
        tokens = int(row["total_tokens"])
        week["total"] += tokens
        week["days"].add(day)
        if row["model_permaslug"] != "other":
            week["models"][row["model_permaslug"]] += tokens
    return result


@pytest.fixture(scope="module")
def leaders(weeks) -> dict[dt.date, str]:
    return {start: top(week["models"], 1)[0][0] for start, week in weeks.items()}


# --- the published figures for the week 2026-03-30 .. 2026-04-05 ---


def test_weeks_are_complete_mondays_to_sundays(weeks):
    assert len(weeks) == 26
    assert min(weeks) == DEMO_FIRST_DAY == dt.date(2025, 10, 6)
    assert DEMO_LAST_DAY == dt.date(2026, 4, 5)
    assert all(len(week["days"]) == 7 for week in weeks.values())


def test_total_and_its_growth(weeks):
    assert weeks[WEEK]["total"] == 27_000_000_000_000
    assert round(growth_pct(weeks[WEEK]["total"], weeks[PREV]["total"]), 1) == 18.9


def test_top_nine_order_and_exact_values(weeks):
    ranked = top(weeks[WEEK]["models"], 9)
    assert [slug for slug, _ in ranked[:6]] == [
        QWEN_PLUS,
        MIMO_PRO,
        "qwen/qwen3.6-plus-preview:free",
        "stepfun/step-3.5-flash:free",
        "minimax/minimax-m2.7-20260318",
        "deepseek/deepseek-v3.2-20251201",
    ]
    assert ranked[0][1] == 4_600_000_000_000
    assert ranked[1][1] == 3_080_000_000_000
    assert ranked[2][1] == 1_640_000_000_000
    assert {slug.split("/")[0] for slug, _ in ranked[6:]} == {"anthropic", "google"}


def test_country_figures_and_growth(weeks):
    cn, us = chart_top9(weeks[WEEK]["models"], "CN"), chart_top9(weeks[WEEK]["models"], "US")
    assert cn == 12_960_000_000_000
    assert us == 3_030_000_000_000
    assert round(growth_pct(cn, chart_top9(weeks[PREV]["models"], "CN")), 2) == 31.48
    assert round(growth_pct(us, chart_top9(weeks[PREV]["models"], "US")), 2) == 0.76


def test_number_one_history(leaders):
    assert leaders[WEEK] == QWEN_PLUS
    assert leaders[PREV] == MIMO_PRO
    assert leaders[dt.date(2026, 3, 16)] == MIMO_PRO
    assert leaders[dt.date(2026, 3, 9)] != MIMO_PRO
    streak, week = 0, PREV
    while leaders.get(week) == MIMO_PRO:
        streak, week = streak + 1, week - dt.timedelta(weeks=1)
    assert streak == 2
    assert QWEN_PLUS not in [leader for start, leader in leaders.items() if start < WEEK]


def test_china_ahead_for_the_fifth_consecutive_week(weeks):
    streak, week = 0, WEEK
    while week in weeks and chart_top9(weeks[week]["models"], "CN") > chart_top9(weeks[week]["models"], "US"):
        streak, week = streak + 1, week - dt.timedelta(weeks=1)
    assert streak == 5
    assert week == dt.date(2026, 2, 23)
    assert chart_top9(weeks[week]["models"], "US") >= chart_top9(weeks[week]["models"], "CN")


def test_earlier_weeks_tell_a_story(weeks, leaders):
    starts = sorted(weeks)
    assert 9e12 <= weeks[starts[0]]["total"] <= 11e12
    for previous, current in zip(starts, starts[1:]):
        assert 0 < growth_pct(weeks[current]["total"], weeks[previous]["total"]) < 20
    assert country(leaders[starts[0]]) == "US"
    assert len(set(leaders.values())) >= 4


def test_dated_slugs_never_appear_before_their_date(by_day):
    first_seen: dict[str, dt.date] = {}
    for day in sorted(by_day):
        for row in by_day[day]:
            first_seen.setdefault(row["model_permaslug"], day)
    dated = {slug: seen for slug, seen in first_seen.items() if re.search(r"-20\d{6}(:|$)", slug)}
    assert len(dated) >= 10
    for slug, seen in dated.items():
        stamp = re.search(r"-(20\d{6})(:|$)", slug).group(1)
        assert seen >= dt.datetime.strptime(stamp, "%Y%m%d").date(), slug
    assert first_seen[MIMO_PRO] == dt.date(2026, 3, 18)
    assert first_seen[QWEN_PLUS] == dt.date(2026, 4, 2)


def test_stealth_model_ranked_before_its_reveal_and_gone_after(by_day, weeks):
    days = {day for day, day_rows in by_day.items() if any(r["model_permaslug"] == HUNTER for r in day_rows)}
    assert days and max(days) <= dt.date(2026, 3, 17)
    assert len({monday(day) for day in days}) >= 2
    assert all(HUNTER not in dict(top(week["models"], 9)) for week in weeks.values())


def test_only_attributed_authors(rows):
    authors = {row["model_permaslug"].split("/")[0] for row in rows if row["model_permaslug"] != "other"}
    assert authors <= CN_AUTHORS | US_AUTHORS | FR_AUTHORS | STEALTH_AUTHORS


# --- the shape of the rows ---


def test_every_day_has_top_50_plus_one_other(by_day):
    assert len(by_day) == 182
    for day, day_rows in by_day.items():
        assert len(day_rows) == 51, day
        assert [r["model_permaslug"] for r in day_rows].count("other") == 1
        assert day_rows[-1]["model_permaslug"] == "other"


def test_other_is_5_to_11_percent_of_each_day(by_day):
    for day, day_rows in by_day.items():
        share = int(day_rows[-1]["total_tokens"]) / sum(int(r["total_tokens"]) for r in day_rows)
        assert 0.05 <= share <= 0.11, (day, share)


def test_rows_follow_the_contract_order(rows):
    def key(row):
        is_other = row["model_permaslug"] == "other"
        return (row["date"], is_other, -int(row["total_tokens"]), row["model_permaslug"])

    assert rows == sorted(rows, key=key)


def test_tokens_are_int64_decimal_strings(rows):
    for row in rows:
        assert set(row) == {"date", "model_permaslug", "total_tokens"}
        assert isinstance(row["total_tokens"], str) and re.fullmatch(r"0|[1-9][0-9]*", row["total_tokens"])
        assert 0 < int(row["total_tokens"]) < 2**63
        if row["model_permaslug"] != "other":
            assert int(row["total_tokens"]) <= 2_000_000_000_000


def test_no_duplicate_day_and_permaslug(rows):
    keys = [(row["date"], row["model_permaslug"]) for row in rows]
    assert len(keys) == len(set(keys))


def test_free_and_paid_variants_ranked_separately(rows):
    slugs = {row["model_permaslug"] for row in rows}
    assert sum(slug.endswith(":free") for slug in slugs) >= 5
    assert any(slug.endswith(":free") and slug.removesuffix(":free") in slugs for slug in slugs)


def test_a_tail_model_drops_out_mid_week_and_comes_back(by_day):
    present = {day: {r["model_permaslug"] for r in day_rows} for day, day_rows in by_day.items()}
    found = []
    for day in sorted(present):
        before, after = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
        if monday(before) == monday(after) and before in present and after in present:
            found += sorted((present[before] & present[after]) - present[day])
    assert found


# --- the payload and the source ---


def test_window_is_clamped_to_the_dataset():
    payload = rankings_payload(dt.date(2025, 1, 1), dt.date(2025, 10, 7))
    assert {row["date"] for row in payload["data"]} == {"2025-10-06", "2025-10-07"}
    assert payload["meta"] == {"as_of": DEMO_AS_OF, "start_date": "2025-10-06", "end_date": "2025-10-07",
                               "version": "v1"}
    tail = rankings_payload(dt.date(2026, 4, 4), dt.date(2026, 5, 31))
    assert {row["date"] for row in tail["data"]} == {"2026-04-04", "2026-04-05"}
    assert (tail["meta"]["start_date"], tail["meta"]["end_date"]) == ("2026-04-04", "2026-04-05")
    assert len(rankings_payload(dt.date(2026, 1, 1), dt.date(2026, 1, 1))["data"]) == 51
    assert rankings_payload(dt.date(2025, 1, 1), dt.date(2025, 9, 30))["data"] == []
    assert rankings_payload(dt.date(2026, 4, 6), dt.date(2026, 4, 30))["data"] == []


def test_deterministic_and_callers_cannot_corrupt_it():
    first = rankings_payload(DEMO_FIRST_DAY, DEMO_LAST_DAY)
    first["data"][0]["total_tokens"] = "1"
    second = rankings_payload(DEMO_FIRST_DAY, DEMO_LAST_DAY)
    assert second["data"][0]["total_tokens"] != "1"
    assert second == rankings_payload(DEMO_FIRST_DAY, DEMO_LAST_DAY)
    assert second["data"] == list(daily_rows())
    assert models_payload() == models_payload()


def test_demo_source_serves_the_payload_as_json_bytes():
    source = DemoSource()
    assert (source.name, source.synthetic, source.last_complete_day()) == ("demo (synthetic)", True, DEMO_LAST_DAY)
    window = Window(dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    response = source.fetch_rankings(window)
    assert response.endpoint == RANKINGS_ENDPOINT
    assert response.params == {"start_date": "2026-03-01", "end_date": "2026-03-30"}
    assert response.window == window and response.status == 200
    assert response.fetched_at.tzinfo is None and response.fetched_at >= before
    assert json.loads(response.body) == rankings_payload(window.start, window.end)

    models = source.fetch_models()
    assert (models.endpoint, models.params) == (MODELS_ENDPOINT, {})
    assert json.loads(models.body) == models_payload()


def test_catalogue_covers_most_ranked_models_but_not_all(rows):
    entries = models_payload()["data"]
    for entry in entries:
        assert set(entry) >= {"id", "canonical_slug", "name", "created", "description", "context_length", "pricing"}
        assert "synthetic" in entry["description"].lower()
        assert not re.search(r"-20\d{6}", entry["id"])
        assert all(re.fullmatch(r"0|0\.[0-9]+|[1-9][0-9]*(\.[0-9]+)?", v) for v in entry["pricing"].values())
    listed = {e["canonical_slug"] + (":" + e["id"].split(":")[1] if ":" in e["id"] else "") for e in entries}
    ranked = {row["model_permaslug"] for row in rows} - {"other"}
    assert 2 <= len(ranked - listed) <= 3
    names = {e["canonical_slug"] + (":" + e["id"].split(":")[1] if ":" in e["id"] else ""): e for e in entries}
    assert names[QWEN_PLUS]["id"] == "qwen/qwen3.6-plus:free"
    assert names[QWEN_PLUS]["name"] == "Qwen: Qwen3.6 Plus (free)"
    assert names[MIMO_PRO]["id"] == "xiaomi/mimo-v2-pro"
    assert names[MIMO_PRO]["name"] == "Xiaomi: MiMo-V2-Pro"
    assert names["qwen/qwen3.6-plus-preview:free"]["name"] == "Qwen: Qwen3.6 Plus Preview (free)"
    assert names["stepfun/step-3.5-flash:free"]["name"] == "StepFun: Step 3.5 Flash (free)"
    assert names["minimax/minimax-m2.7-20260318"]["name"] == "MiniMax: MiniMax M2.7"
    assert names["deepseek/deepseek-v3.2-20251201"]["name"] == "DeepSeek: DeepSeek V3.2"

"""weekly_facet_usage, weekly_facet_model_usage, weekly_facet_country_usage and the facet kinds of
leadership_streaks, against hand-worked figures.

Fixture (weeks of 2026-03-02 and 2026-03-09; the headline has 100 tokens a day, 700 a week):
- modality:tool_calling, every day: qwen/a 30 (CN), openai/g 20 (US), seven unattributed x/m1..7 at 2 each,
  xiaomi/t 1 (CN, 10th: outside the top 9), other 5 → 70 a day, 490 a week, 35 of it `other`.
  Week 2 the same but qwen/a 25 → 65 a day, 455 a week.
- modality:audio: week 1 only, six days (no Sunday) of qwen/a 1: an incomplete week.
- category (ESTIMATES): programming qwen/a 600, openai/g 300, other 100 (week 2: 660, 330, 110);
  roleplay openai/g 200, other 50 (week 2 the same).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.conftest import AS_OF, week

TOOLS = {"qwen/a": 30, "openai/g": 20, **{f"x/m{i}": 2 for i in range(1, 8)}, "xiaomi/t": 1, "other": 5}


def exact(wh, start, facet, value, rows, skip=()):
    for offset in range(7):
        if offset not in skip:
            for slug, tokens in rows.items():
                wh.con.execute("INSERT INTO fact_model_daily_facet VALUES (?, ?, ?, ?, ?, ?, 'raw-test')",
                               [start + dt.timedelta(days=offset), facet, value, slug, tokens, AS_OF])


def estimate(wh, start, facet, value, rows):
    for slug, tokens in rows.items():
        wh.con.execute("INSERT INTO fact_model_weekly_estimate VALUES (?, ?, ?, ?, ?, ?, 'raw-test')",
                       [start, facet, value, slug, tokens, AS_OF])


@pytest.fixture
def facets(wh):
    for author, country in [("qwen", "CN"), ("xiaomi", "CN"), ("openai", "US")]:
        wh.author(author, country)
    for k in (0, 1):
        wh.week(week(k), {"qwen/a": 100}, other=0)
        estimate(wh, week(k), "category", "roleplay", {"openai/g": 200, "other": 50})
    exact(wh, week(0), "modality", "tool_calling", TOOLS)
    exact(wh, week(1), "modality", "tool_calling", {**TOOLS, "qwen/a": 25})
    exact(wh, week(0), "modality", "audio", {"qwen/a": 1}, skip=(6,))
    estimate(wh, week(0), "category", "programming", {"qwen/a": 600, "openai/g": 300, "other": 100})
    estimate(wh, week(1), "category", "programming", {"qwen/a": 660, "openai/g": 330, "other": 110})
    wh.build()
    return wh


def test_weekly_tokens_and_shares_per_facet_value(facets):
    got = {(r["week_start"], r["facet_value"]): r for r in facets.rows("SELECT * FROM weekly_facet_usage")}
    tools0, tools1 = got[(week(0), "tool_calling")], got[(week(1), "tool_calling")]
    assert (tools0["tokens"], tools0["other_tokens"], tools0["is_estimate"], tools0["is_complete"]) == (490, 35, False, True)
    assert tools0["share"] == pytest.approx(0.7) and tools0["wow_growth"] is None
    assert (tools1["tokens"], tools1["share"]) == (455, pytest.approx(0.65))
    assert tools1["wow_growth"] == pytest.approx(-1 / 14)
    audio = got[(week(0), "audio")]
    assert (audio["tokens"], audio["days"], audio["is_complete"], audio["share"]) == (6, 6, False, None)
    prog0, prog1, role0 = got[(week(0), "programming")], got[(week(1), "programming")], got[(week(0), "roleplay")]
    assert (prog0["tokens"], prog0["is_estimate"], prog0["share"]) == (1000, True, pytest.approx(0.8))
    assert (role0["tokens"], role0["share"]) == (250, pytest.approx(0.2))
    assert prog1["share"] == pytest.approx(1100 / 1350) and prog1["wow_growth"] == pytest.approx(0.1)


def test_country_split_on_the_top9_basis(facets):
    rows = facets.rows("SELECT * FROM weekly_facet_country_usage WHERE week_start = ? ORDER BY facet_value, country",
                       [week(0)])
    got = [(r["facet_value"], r["basis"], r["country"], r["tokens"], r["models"]) for r in rows]
    assert got == [
        ("programming", "estimate", "CN", 600, 1),
        ("programming", "estimate", "US", 300, 1),
        ("roleplay", "estimate", "US", 200, 1),
        ("tool_calling", "chart_top9", "CN", 210, 1),  # xiaomi/t is 10th: outside the top 9
        ("tool_calling", "chart_top9", "US", 140, 1),
        ("tool_calling", "chart_top9", "unattributed", 98, 7),
    ]  # audio's week is incomplete: no split
    shares = [r["share"] for r in rows]
    assert shares == pytest.approx([2 / 3, 1 / 3, 1.0, 0.46875, 0.3125, 0.21875])


def test_facet_streaks_say_estimate_and_are_never_certain_on_it(facets):
    rows = facets.rows("SELECT * FROM leadership_streaks WHERE kind LIKE 'facet%' "
                       "ORDER BY kind, scope, subject, week_start")
    got = [(r["kind"], r["scope"], r["basis"], r["week_start"], r["subject"], r["rival"], r["streak_weeks"],
            r["certain_weeks"]) for r in rows]
    assert got == [
        ("facet_country_vs", "category:programming", "estimate", week(0), "CN", "US", 1, 0),
        ("facet_country_vs", "category:programming", "estimate", week(1), "CN", "US", 2, 0),
        ("facet_country_vs", "category:programming", "estimate", week(0), "US", "CN", 0, 0),
        ("facet_country_vs", "category:programming", "estimate", week(1), "US", "CN", 0, 0),
        ("facet_country_vs", "category:roleplay", "estimate", week(0), "CN", "US", 0, 0),
        ("facet_country_vs", "category:roleplay", "estimate", week(1), "CN", "US", 0, 0),
        ("facet_country_vs", "category:roleplay", "estimate", week(0), "US", "CN", 1, 0),
        ("facet_country_vs", "category:roleplay", "estimate", week(1), "US", "CN", 2, 0),
        # CN 210 > US 140, but not beyond 140 + 98 unattributed + 35 `other` = 273: never certain
        ("facet_country_vs", "modality:tool_calling", "chart_top9", week(0), "CN", "US", 1, 0),
        ("facet_country_vs", "modality:tool_calling", "chart_top9", week(1), "CN", "US", 2, 0),
        ("facet_country_vs", "modality:tool_calling", "chart_top9", week(0), "US", "CN", 0, 0),
        ("facet_country_vs", "modality:tool_calling", "chart_top9", week(1), "US", "CN", 0, 0),
        ("facet_top1", "category:programming", "estimate", week(0), "qwen/a", "openai/g", 1, 0),
        ("facet_top1", "category:programming", "estimate", week(1), "qwen/a", "openai/g", 2, 0),
        ("facet_top1", "category:roleplay", "estimate", week(0), "openai/g", None, 1, 0),
        ("facet_top1", "category:roleplay", "estimate", week(1), "openai/g", None, 2, 0),
        # week 1: 210 > 140 + 35 `other`, certain; week 2: 175 is not > 175
        ("facet_top1", "modality:tool_calling", "chart_top9", week(0), "qwen/a", "openai/g", 1, 1),
        ("facet_top1", "modality:tool_calling", "chart_top9", week(1), "qwen/a", "openai/g", 2, 0),
    ]


def test_an_override_attributes_a_facet_model_from_its_effective_week(wh):
    wh.override("stealth/h", "CN", week(1) + dt.timedelta(days=3))
    for k in (0, 1):
        estimate(wh, week(k), "language_type", "programming", {"stealth/h": 10, "other": 1})
    wh.build()
    got = wh.rows("SELECT week_start, country FROM weekly_facet_model_usage ORDER BY week_start")
    assert got == [{"week_start": week(0), "country": "unattributed"}, {"week_start": week(1), "country": "CN"}]

"""leadership_streaks: who leads, for how long, how surely, and what breaks a streak."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from tests.transforms.conftest import reference_weeks, week

A, B, C, D = "openai/a", "xiaomi/b", "qwen/c:free", "anthropic/d"


@pytest.fixture
def seeded(wh):
    for author, country in [("openai", "US"), ("xiaomi", "CN"), ("qwen", "CN"), ("anthropic", "US")]:
        wh.author(author, country)
    wh.week(week(0), {A: 100, B: 90, C: 10, D: 5}, other=2)
    wh.week(week(1), {A: 80, B: 100, C: 10, D: 5}, other=2)
    wh.week(week(2), {A: 80, B: 100, C: 50, D: 5}, other=2)
    wh.week(week(3), {A: 80, B: 90, C: 120, D: 5}, other=2)
    # week 4: B (116 x 6 = 696) is absent on Sunday, when it could have had up to 5: C (700) leads, unsurely
    wh.week(week(4), {A: 80, B: 116, C: 100, D: 5}, other=20, skip=(6,))
    wh.day(week(4) + dt.timedelta(days=6), {A: 80, C: 100, D: 5}, other=20)
    wh.week(week(5), {A: 80, B: 90, C: 120, D: 5}, other=2)
    # week 6 is a gap
    wh.week(week(7), {A: 80, B: 90, C: 120, D: 5}, other=2)
    wh.week(week(8), {A: 80, B: 90, C: 120, D: 5}, other=2, skip=(2,))  # a missing day
    wh.week(week(9), {A: 80, B: 90, C: 120, D: 5}, other=2)
    return wh


def streaks(wh, kind, basis="top50", subject=None, rival=None):
    sql = "SELECT * FROM leadership_streaks WHERE kind = ? AND basis = ?"
    params = [kind, basis]
    if subject:
        sql, params = sql + " AND subject = ? AND rival = ?", params + [subject, rival]
    return wh.rows(sql + " ORDER BY week_start", params)


def test_model_top1(seeded):
    seeded.build()
    got = [(r["week_start"], r["subject"], r["rival"], r["streak_weeks"], r["certain_weeks"], r["streak_start"],
            r["longest_weeks"]) for r in streaks(seeded, "model_top1")]
    assert got == [
        (week(0), A, B, 1, 1, week(0), 1),
        (week(1), B, A, 1, 1, week(1), 1),
        (week(2), B, A, 2, 2, week(1), 2),
        (week(3), C, B, 1, 1, week(3), 1),
        (week(4), C, B, 2, 0, week(3), 2),  # B's upper bound (701) exceeds C's 700
        (week(5), C, B, 3, 1, week(3), 3),
        (week(7), C, B, 1, 1, week(7), 3),  # the gap week broke the streak
        (week(9), C, B, 1, 1, week(9), 3),  # so did the incomplete week 8, which has no row
    ]


def test_author_and_country_top1(seeded):
    seeded.build()
    authors = [(r["week_start"], r["subject"], r["rival"], r["streak_weeks"], r["certain_weeks"])
               for r in streaks(seeded, "author_top1")]
    assert authors[:5] == [
        (week(0), "openai", "xiaomi", 1, 1),
        (week(1), "xiaomi", "openai", 1, 1),
        (week(2), "xiaomi", "openai", 2, 2),
        (week(3), "qwen", "xiaomi", 1, 1),
        (week(4), "qwen", "xiaomi", 2, 0),  # xiaomi's 696 + the week's `other` (140) could exceed 700
    ]
    countries = [(r["week_start"], r["subject"], r["rival"], r["streak_weeks"])
                 for r in streaks(seeded, "country_top1", "chart_top9")]
    assert countries[:3] == [(week(0), "US", "CN", 1), (week(1), "CN", "US", 1), (week(2), "CN", "US", 2)]


def test_china_over_us(seeded):
    seeded.build()
    for basis in ("chart_top9", "top50"):
        got = [(r["week_start"], r["streak_weeks"], r["streak_start"], r["longest_weeks"])
               for r in streaks(seeded, "country_vs", basis, "CN", "US")]
        assert got == [
            (week(0), 0, None, 0),  # one row per complete week, 0 when not ahead
            (week(1), 1, week(1), 1),
            (week(2), 2, week(1), 2),
            (week(3), 3, week(1), 3),
            (week(4), 4, week(1), 4),
            (week(5), 5, week(1), 5),
            (week(7), 1, week(7), 5),
            (week(9), 1, week(9), 5),
        ]
    us = streaks(seeded, "country_vs", "top50", "US", "CN")
    assert [r["streak_weeks"] for r in us] == [1, 0, 0, 0, 0, 0, 0, 0]


def test_a_restated_day_changes_a_streak(seeded):
    seeded.build()
    before = {r["week_start"]: (r["subject"], r["streak_weeks"]) for r in streaks(seeded, "model_top1")}
    seeded.restate(week(1), A, 300)  # A: 80 x 6 + 300 = 780 > B's 700
    seeded.build()
    after = {r["week_start"]: (r["subject"], r["streak_weeks"]) for r in streaks(seeded, "model_top1")}
    assert (before[week(1)], before[week(2)]) == ((B, 1), (B, 2))
    assert (after[week(1)], after[week(2)]) == ((A, 2), (B, 1))


def test_model_top1_matches_brute_force(seeded):
    seeded.build()
    ref = reference_weeks(seeded)
    expected = {}
    for w, r in ref.items():
        if not r.complete:
            continue
        leader = r.ranking()[0]
        streak = 0
        while (prev := ref.get(w - dt.timedelta(weeks=streak))) and prev.complete and prev.ranking()[0] == leader:
            streak += 1
        rival_upper = max(prev_upper for slug, prev_upper in r.upper.items() if slug != leader)
        expected[w] = (leader, r.ranking()[1], streak, r.models[leader] > rival_upper)
    rows = streaks(seeded, "model_top1")
    assert {r["week_start"]: (r["subject"], r["rival"], r["streak_weeks"], r["certain_weeks"] > 0) for r in rows} == expected


def test_every_complete_week_has_one_row_per_series(seeded):
    seeded.build()
    counts = defaultdict(int)
    for r in seeded.rows("SELECT kind, basis, subject, rival, week_start FROM leadership_streaks WHERE kind = 'country_vs'"):
        counts[(r["basis"], r["subject"], r["rival"])] += 1
    # only two countries exist, so the pairs are CN/US and US/CN, on both bases, for the 8 complete weeks
    assert counts == {(b, s, r): 8 for b in ("chart_top9", "top50") for s, r in (("CN", "US"), ("US", "CN"))}


def test_model_kinds_have_scope_all(seeded):
    seeded.build()
    assert {r["scope"] for r in seeded.rows("SELECT DISTINCT scope FROM leadership_streaks")} == {"all"}


def test_app_top1_per_list(wh):
    alpha, beta = 11, 22
    wh.app_list(week(0), [(alpha, "Alpha", 500, 1), (beta, "Beta", 300, 1)])
    wh.app_list(week(1), [(beta, "Beta", 600, 1), (alpha, "Alpha", 400, 1)])
    wh.app_list(week(2), [(beta, "Beta", 700, 1), (alpha, "Alpha", 650, 1)])
    wh.app_list(week(4), [(alpha, "Alpha", 800, 1), (beta, "Beta", 800, 1)])  # week 3 missing; a tie in week 4
    wh.app_list(week(0), [(alpha, "Alpha", 500, 1), (beta, "Beta", 200, 1)], category="coding")
    wh.app_list(week(1), [(alpha, "Alpha", 400, 1)], category="coding")
    wh.app_list(week(1), [(alpha, "Alpha", 400, 1)], category="coding", subcategory="cli-agent")
    wh.app_list(week(1), [(beta, "Beta", 600, 1)], sort="trending")  # only popular lists have leaders
    wh.build()
    got = [(r["scope"], r["week_start"], r["subject"], r["rival"], r["basis"], r["streak_weeks"], r["certain_weeks"],
            r["streak_start"], r["longest_weeks"])
           for r in wh.rows("SELECT * FROM leadership_streaks WHERE kind = 'app_top1' ORDER BY scope, week_start")]
    assert got == [
        ("all", week(0), "11", "22", "popular", 1, 1, week(0), 1),
        ("all", week(1), "22", "11", "popular", 1, 1, week(1), 1),
        ("all", week(2), "22", "11", "popular", 2, 2, week(1), 2),
        ("all", week(4), "11", "22", "popular", 1, 0, week(4), 1),  # the missing week broke it; a tie is not certain
        ("cli-agent", week(1), "11", None, "popular", 1, 1, week(1), 1),
        ("coding", week(0), "11", "22", "popular", 1, 1, week(0), 1),
        ("coding", week(1), "11", None, "popular", 2, 2, week(0), 2),  # alone in the list: certain
    ]

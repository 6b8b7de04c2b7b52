"""weekly_totals (and its helpers daily_totals, weekly_calendar) against hand-made weeks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.conftest import reference_weeks, week


@pytest.fixture
def built(wh):
    wh.week(week(0), {"qwen/a": 10, "openai/b": 5}, other=2)  # 119
    wh.week(week(1), {"qwen/a": 12, "openai/b": 5}, other=3)  # 140
    wh.week(week(2), {"qwen/a": 12, "openai/b": 6}, other=3, skip=(3,))  # missing Thursday: 6 days
    wh.week(week(3), {"qwen/a": 13, "openai/b": 6}, other=3)  # previous week incomplete
    # week(4) is a gap week: nothing loaded
    wh.week(week(5), {"qwen/a": 14, "openai/b": 6}, other=4)  # previous calendar week absent
    wh.week(week(6), {"qwen/a": 15, "openai/b": 6}, other=4, skip=(4, 5, 6))  # the current week, so far
    wh.build()
    return wh


def test_expected_literals(built):
    rows = built.rows("SELECT * FROM weekly_totals ORDER BY week_start")
    got = [(r["week_start"], r["days"], r["is_complete"], r["total_tokens"], r["other_tokens"], r["ranked_tokens"]) for r in rows]
    assert got == [
        (week(0), 7, True, 119, 14, 105),
        (week(1), 7, True, 140, 21, 119),
        (week(2), 6, False, 126, 18, 108),
        (week(3), 7, True, 154, 21, 133),
        (week(5), 7, True, 168, 28, 140),
        (week(6), 4, False, 100, 16, 84),
    ]
    growth = {r["week_start"]: r["wow_growth"] for r in rows}
    assert growth[week(1)] == pytest.approx(140 / 119 - 1)
    assert [growth[w] for w in (week(0), week(2), week(3), week(5), week(6))] == [None] * 5
    assert all(r["as_of"] == dt.datetime(2026, 4, 7, 2, 0) for r in rows)


def test_matches_python_recomputation(built):
    ref = reference_weeks(built)
    rows = built.rows("SELECT * FROM weekly_totals")
    assert {r["week_start"] for r in rows} == set(ref)
    for r in rows:
        w = ref[r["week_start"]]
        prev = ref.get(r["week_start"] - dt.timedelta(weeks=1))
        assert (r["days"], r["is_complete"], r["total_tokens"], r["other_tokens"]) == (len(w.days), w.complete, w.total, w.other)
        assert r["ranked_tokens"] == sum(w.models.values())
        if w.complete and prev is not None and prev.complete:
            assert r["wow_growth"] == pytest.approx(w.total / prev.total - 1)
        else:
            assert r["wow_growth"] is None


def test_calendar_links_only_complete_consecutive_weeks(built):
    cal = {r["week_start"]: r for r in built.rows("SELECT * FROM weekly_calendar")}
    assert cal[week(1)]["prev_week_start"] == week(0)
    assert cal[week(2)]["prev_week_start"] is None  # incomplete itself
    assert cal[week(3)]["prev_week_start"] is None  # previous week incomplete
    assert cal[week(5)]["prev_week_start"] is None  # previous week is a gap
    assert cal[week(5)]["week_end"] == week(5) + dt.timedelta(days=6)
    assert cal[week(5)]["week_no"] - cal[week(3)]["week_no"] == 2


def test_daily_absent_bound_is_lesser_of_floor_and_other(wh):
    wh.day(week(0), {"a/x": 100, "a/y": 7}, other=5)
    wh.day(week(0) + dt.timedelta(days=1), {"a/x": 100, "a/y": 7}, other=9)
    wh.day(week(0) + dt.timedelta(days=2), {"a/x": 100})  # no `other` row: empty long tail
    wh.build()
    got = wh.rows("SELECT date, other_tokens, floor_tokens, absent_max FROM daily_totals ORDER BY date")
    assert [(r["other_tokens"], r["floor_tokens"], r["absent_max"]) for r in got] == [(5, 7, 5), (9, 7, 7), (0, 100, 0)]


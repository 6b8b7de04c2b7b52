"""The one order of every dataset's requests and the UTC days they take, against hand-worked schedules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.datasets.base import FetchPlan, Request
from transforms.request_plan import BACKFILL, WEEKLY, days_needed, order, schedule
from transforms.windows import Window

W = Window(dt.date(2026, 6, 1), dt.date(2026, 6, 7))


def plan(dataset: str, n: int) -> FetchPlan:
    return FetchPlan(dataset, W, W, [Request(dataset, W, (), f"r{i}") for i in range(n)])


def days(runs, **budget):
    return [(s.kind, s.plan.dataset, s.first_day, s.last_day) for s in schedule(runs, **budget)]


def test_weekly_runs_come_first_then_backfills_in_registry_order():
    runs = order([plan("a", 1), plan("b", 2)], [plan("a", 3), plan("b", 4)])
    assert [(k, p.dataset, len(p.requests)) for k, p in runs] == [
        (WEEKLY, "a", 1), (WEEKLY, "b", 2), (BACKFILL, "a", 3), (BACKFILL, "b", 4)]


def test_backfills_leave_the_headroom_and_spill_into_the_next_days():
    # 500 a day, 100 kept: 30 weekly today, then backfills get 400 - 30 = 370 today and 400 on each later day.
    runs = order([plan("rankings-daily", 1), plan("app-rankings", 29)], [plan("rankings-daily", 2), plan("app-rankings", 1000)])
    assert days(runs, used_today=0, per_day=500, headroom=100) == [
        (WEEKLY, "rankings-daily", 0, 0), (WEEKLY, "app-rankings", 0, 0),
        (BACKFILL, "rankings-daily", 0, 0), (BACKFILL, "app-rankings", 0, 2)]  # 368 today, 400 tomorrow, 232
    assert days_needed(schedule(runs, used_today=0, per_day=500, headroom=100)) == 3


def test_a_day_already_spent_past_the_headroom_moves_backfills_to_tomorrow():
    runs = order([plan("w", 10)], [plan("b", 5)])
    # 395 used: the weekly run's 10 fit today (405 <= 500), the backfill's share (400) is spent: tomorrow.
    assert days(runs, used_today=395, per_day=500, headroom=100) == [(WEEKLY, "w", 0, 0), (BACKFILL, "b", 1, 1)]


def test_runs_without_requests_take_no_day_and_a_zero_budget_never_finishes():
    runs = order([plan("w", 0)], [plan("b", 3)])
    assert days(runs, used_today=0, per_day=500, headroom=100) == [(WEEKLY, "w", None, None), (BACKFILL, "b", 0, 0)]
    assert days_needed(schedule(order([plan("w", 0)], []), used_today=0, per_day=500, headroom=0)) == 0
    never = schedule(order([], [plan("b", 3)]), used_today=0, per_day=0, headroom=0)
    assert (never[0].last_day, days_needed(never)) == (None, None)


@given(weekly=st.lists(st.integers(0, 120), max_size=4), backfills=st.lists(st.integers(0, 3000), max_size=4),
       used=st.integers(0, 500), per_day=st.integers(1, 500), share=st.integers(0, 100))
def test_no_day_is_charged_more_than_its_budget(weekly, backfills, used, per_day, share):
    """Replaying the schedule request by request: no day over `per_day`, no backfill request over `per_day - headroom`."""
    headroom = per_day * share // 100
    runs = order([plan(f"w{i}", n) for i, n in enumerate(weekly)], [plan(f"b{i}", n) for i, n in enumerate(backfills)])
    spent: dict[int, int] = {0: used}
    for s in schedule(runs, used_today=used, per_day=per_day, headroom=headroom):
        if not s.requests or s.last_day is None:
            continue
        cap = per_day if s.kind == WEEKLY else per_day - headroom
        left = s.requests
        for day in range(s.first_day, s.last_day + 1):
            take = min(left, max(cap - spent.get(day, 0), 0))
            spent[day] = spent.get(day, 0) + take
            left -= take
        assert left == 0
    assert all(n <= max(per_day, used) for n in spent.values())


@pytest.mark.parametrize("used, expected", [(0, 1), (370, 1), (371, 2)])
def test_the_day_boundary_is_exact(used, expected):
    # backfill cap 400: 30 backfill requests fit today while used + 30 <= 400
    assert days_needed(schedule(order([], [plan("b", 30)]), used_today=used, per_day=500, headroom=100)) == expected

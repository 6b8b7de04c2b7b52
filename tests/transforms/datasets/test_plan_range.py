"""`plan_range`: clamping, refusal of ranges outside the data, and ⌈N / 366⌉ requests per missing run."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.datasets.base import RangeOutsideData, plan_range
from transforms.date_ranges import contiguous_ranges
from transforms.windows import DATASET_FLOOR, Window

D = dt.date.fromisoformat
LAST = D("2026-06-21")


def test_a_year_and_a_half_is_two_requests():
    plan = plan_range(D("2025-01-01"), D("2026-06-21"), last_complete_day=LAST)
    assert plan.windows == [Window(D("2025-01-01"), D("2026-01-01")), Window(D("2026-01-02"), LAST)]
    assert [w.days for w in plan.windows] == [366, 171] and plan.clamped == [] and plan.skipped == 0


def test_end_after_the_last_complete_day_is_clamped_and_said():
    plan = plan_range(D("2026-06-20"), D("2030-01-01"), last_complete_day=LAST)
    assert plan.windows == [Window(D("2026-06-20"), LAST)]
    assert plan.clamped == ["end 2030-01-01 clamped to 2026-06-21, the last complete UTC day"]


def test_start_before_the_floor_is_clamped_and_said():
    plan = plan_range(D("2024-11-01"), D("2025-01-10"), last_complete_day=LAST)
    assert plan.windows == [Window(DATASET_FLOOR, D("2025-01-10"))]
    assert plan.clamped == ["start 2024-11-01 clamped to 2025-01-01, the first day of the dataset"]


@pytest.mark.parametrize("start, end", [(D("2024-01-01"), D("2024-12-31")), (D("2026-06-22"), D("2027-01-01"))])
def test_a_range_entirely_outside_the_data_is_refused(start, end):
    with pytest.raises(RangeOutsideData, match="outside the data"):
        plan_range(start, end, last_complete_day=LAST)


def test_start_after_end_is_refused():
    with pytest.raises(ValueError, match="after end"):
        plan_range(D("2026-06-10"), D("2026-06-09"), last_complete_day=LAST)


def test_held_dates_are_skipped_and_each_missing_run_is_requested_apart():
    have = {D("2026-06-10"), D("2026-06-11")}
    plan = plan_range(D("2026-06-08"), D("2026-06-21"), last_complete_day=LAST, have=have, window_days=5)
    assert plan.windows == [Window(D("2026-06-08"), D("2026-06-09")), Window(D("2026-06-12"), D("2026-06-16")),
                            Window(D("2026-06-17"), LAST)]
    assert plan.skipped == 2
    assert plan_range(D("2026-06-10"), D("2026-06-11"), last_complete_day=LAST, have=have).windows == []


def test_window_days_must_be_between_1_and_366():
    for bad in (0, 367):
        with pytest.raises(ValueError):
            plan_range(D("2026-06-01"), LAST, last_complete_day=LAST, window_days=bad)


dates = st.dates(min_value=D("2024-10-01"), max_value=D("2027-01-31"))


@given(start=dates, span=st.integers(0, 900), last=dates, holes=st.sets(dates, max_size=30),
       window_days=st.integers(1, 366))
def test_windows_tile_the_missing_dates_with_the_fewest_requests(start, span, last, holes, window_days):
    end = start + dt.timedelta(days=span)
    try:
        plan = plan_range(start, end, last_complete_day=last, have=holes, window_days=window_days)
    except RangeOutsideData:
        assert end < DATASET_FLOOR or start > last
        return
    lo, hi = max(start, DATASET_FLOOR), min(end, last)
    missing = [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1) if lo + dt.timedelta(days=i) not in holes]
    assert [day for w in plan.windows for day in w.dates()] == missing
    runs = contiguous_ranges(missing)
    assert plan.requests == sum(math.ceil(((b - a).days + 1) / window_days) for a, b in runs)

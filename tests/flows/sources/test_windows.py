"""`plan_windows`: defaults, clamping and the split of a date range into request windows."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.sources.base import DATASET_FLOOR, Window, plan_windows

D = dt.date.fromisoformat
LAST = D("2026-06-21")


def test_defaults_end_at_last_complete_day_and_start_30_days_before():
    windows = plan_windows(None, None, last_complete_day=LAST)
    assert windows[0].start == D("2026-05-22")
    assert windows[-1].end == LAST
    # 30 days before the end is 31 inclusive days: one full window plus the last day.
    assert windows == [Window(D("2026-05-22"), D("2026-06-20")), Window(LAST, LAST)]


def test_end_is_clamped_to_last_complete_day():
    assert plan_windows(D("2026-06-20"), D("2026-07-31"), last_complete_day=LAST) == [Window(D("2026-06-20"), LAST)]


def test_default_start_follows_the_clamped_end():
    assert plan_windows(None, D("2026-07-31"), last_complete_day=LAST)[0].start == LAST - dt.timedelta(days=30)


def test_start_is_clamped_forward_to_the_dataset_floor():
    windows = plan_windows(D("2024-11-01"), D("2025-01-10"), last_complete_day=LAST)
    assert windows == [Window(DATASET_FLOOR, D("2025-01-10"))]


@pytest.mark.parametrize(
    "start, end",
    [
        (D("2026-06-10"), D("2026-06-09")),  # start after end
        (D("2026-06-22"), None),  # only days not yet complete
        (None, D("2024-12-31")),  # entirely before the dataset
    ],
)
def test_an_empty_range_gives_no_windows(start, end):
    assert plan_windows(start, end, last_complete_day=LAST) == []


def test_exact_multiple_of_window_days_splits_evenly():
    windows = plan_windows(D("2026-01-01"), D("2026-03-01"), last_complete_day=LAST, window_days=30)
    assert windows == [Window(D("2026-01-01"), D("2026-01-30")), Window(D("2026-01-31"), D("2026-03-01"))]
    assert [w.days for w in windows] == [30, 30]


def test_single_day_windows():
    windows = plan_windows(D("2026-06-19"), LAST, last_complete_day=LAST, window_days=1)
    assert [str(w) for w in windows] == ["2026-06-19..2026-06-19", "2026-06-20..2026-06-20", "2026-06-21..2026-06-21"]


def test_window_days_must_be_positive():
    with pytest.raises(ValueError):
        plan_windows(None, None, last_complete_day=LAST, window_days=0)


dates = st.dates(min_value=D("2024-10-01"), max_value=D("2027-01-31"))


@given(start=st.none() | dates, end=st.none() | dates, last=dates, window_days=st.integers(1, 60))
def test_windows_tile_the_clamped_range_exactly(start, end, last, window_days):
    windows = plan_windows(start, end, last_complete_day=last, window_days=window_days)
    want_end = min(end or last, last)
    want_start = max(start or want_end - dt.timedelta(days=30), DATASET_FLOOR)
    covered = [day for w in windows for day in w.dates()]
    span = (want_end - want_start).days + 1
    assert covered == [want_start + dt.timedelta(days=i) for i in range(max(span, 0))]
    assert all(1 <= w.days <= window_days for w in windows)
    assert all(w.days == window_days for w in windows[:-1])

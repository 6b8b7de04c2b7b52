"""The weekly snapshot series status shows: missing weeks between captures (gaps) and since the last (overdue)."""

from __future__ import annotations

import datetime as dt

from warehouse.snapshot_series import expected_week, series_of

D = dt.date


def test_gaps_and_overdue_weeks_against_literal_values():
    sundays = [D(2026, 6, 7), D(2026, 6, 14), D(2026, 6, 28)]  # the week of 06-15 was missed
    series = series_of("session-cost", sundays, today=D(2026, 7, 14))  # a Tuesday: the week to 07-12 is due
    assert (series.snapshots, series.first, series.last) == (3, D(2026, 6, 7), D(2026, 6, 28))
    assert series.gaps == [D(2026, 6, 15)]
    assert series.overdue == [D(2026, 6, 29), D(2026, 7, 6)]


def test_a_sunday_and_a_monday_snapshot_are_two_weeks_and_nothing_is_due_before_its_monday():
    assert expected_week(D(2026, 6, 22)) == D(2026, 6, 15) == expected_week(D(2026, 6, 28))
    series = series_of("task-classifications", [D(2026, 6, 21), D(2026, 6, 22)], today=D(2026, 6, 28))
    assert (series.gaps, series.overdue) == ([], [])
    assert series_of("x", [D(2026, 6, 21)], today=None).overdue == []
    assert series_of("x", [], today=D(2026, 6, 28)).snapshots == 0

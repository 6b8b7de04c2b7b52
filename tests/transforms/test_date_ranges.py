import datetime as dt

from transforms.date_ranges import contiguous_ranges, gaps, missing_dates

D = dt.date


def test_missing_dates_lists_the_days_not_held():
    have = {D(2026, 6, 2), D(2026, 6, 3), D(2026, 6, 9)}
    assert missing_dates(D(2026, 6, 1), D(2026, 6, 4), have) == [D(2026, 6, 1), D(2026, 6, 4)]
    assert missing_dates(D(2026, 6, 2), D(2026, 6, 3), have) == []


def test_contiguous_ranges_collapse_consecutive_days():
    days = [D(2026, 6, 5), D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 2), D(2026, 6, 7), D(2026, 6, 6)]
    assert contiguous_ranges(days) == [(D(2026, 6, 1), D(2026, 6, 2)), (D(2026, 6, 5), D(2026, 6, 7))]
    assert contiguous_ranges([]) == []


def test_gaps_are_the_holes_between_first_and_last():
    days = [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 5), D(2026, 1, 7)]
    assert gaps(days) == [(D(2026, 1, 3), D(2026, 1, 4)), (D(2026, 1, 6), D(2026, 1, 6))]
    assert gaps([D(2026, 1, 1)]) == [] and gaps([]) == []

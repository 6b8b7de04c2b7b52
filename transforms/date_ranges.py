"""Pure date-set arithmetic for backfills and status: which days are missing, and as which ranges."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

DateRange = tuple[dt.date, dt.date]
"""An inclusive (first, last) pair of UTC dates."""


def missing_dates(start: dt.date, end: dt.date, have: Iterable[dt.date]) -> list[dt.date]:
    """Every date of [start, end] not in `have`, ascending."""
    present = set(have)
    days = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in days if day not in present]


def contiguous_ranges(dates: Iterable[dt.date]) -> list[DateRange]:
    """Collapse dates into maximal runs of consecutive days, ascending (duplicates ignored)."""
    ranges: list[DateRange] = []
    for day in sorted(set(dates)):
        if ranges and day == ranges[-1][1] + dt.timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def gaps(dates: Iterable[dt.date]) -> list[DateRange]:
    """The runs of days missing between the first and the last of `dates`."""
    present = sorted(set(dates))
    if not present:
        return []
    return contiguous_ranges(missing_dates(present[0], present[-1], present))

"""Per-day completeness of a rankings-daily answer (pure): which requested days came back empty or short."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from transforms.arrow import pa
from transforms.windows import Window

FULL_DAY_ROWS = 51
"""A complete day: the top 50 models plus the `other` row (every day of 2026-02..08 had exactly this)."""


def day_quality(windows: list[Window], tables: list[pa.Table]) -> tuple[list[dt.date], list[dt.date]]:
    """(empty, short): requested dates with no rows at all, and dates with fewer than 51 rows or no `other` row.

    An empty date is not covered: the next run fetches it again. A short date is loaded, and warned about.
    """
    rows: Counter[dt.date] = Counter()
    others: set[dt.date] = set()
    for table in tables:
        for day, is_other in zip(table["date"].to_pylist(), table["is_other"].to_pylist()):
            rows[day] += 1
            if is_other:
                others.add(day)
    requested = sorted({day for window in windows for day in window.dates()})
    empty = [day for day in requested if not rows[day]]
    short = sorted(day for day in rows if rows[day] < FULL_DAY_ROWS or day not in others)
    return empty, short

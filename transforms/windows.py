"""Time and window vocabulary shared by every layer: the dataset floor, request windows, UTC now.

Pure (no I/O); `utc_now` reads the clock and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DATASET_FLOOR = dt.date(2025, 1, 1)
"""First day of OpenRouter's Data API datasets; earlier start dates are clamped forward."""

MAX_WINDOW_DAYS = 366
"""The longest span one Data API request may cover (both bounds inclusive)."""


@dataclass(frozen=True)
class Window:
    """An inclusive range of UTC dates requested in one call."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @classmethod
    def parse(cls, text: str) -> "Window":
        """The inverse of `str(window)`: 'YYYY-MM-DD..YYYY-MM-DD'."""
        start, end = text.split("..")
        return cls(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def utc_now() -> dt.datetime:
    """Now, as the naive UTC datetime used for every timestamp tokenrank records."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def split_windows(start: dt.date, end: dt.date, window_days: int = MAX_WINDOW_DAYS) -> list[Window]:
    """[start, end] as consecutive windows of at most `window_days` days (none when start > end)."""
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days must be between 1 and {MAX_WINDOW_DAYS}")
    windows: list[Window] = []
    cursor = start
    while cursor <= end:
        stop = min(cursor + dt.timedelta(days=window_days - 1), end)
        windows.append(Window(cursor, stop))
        cursor = stop + dt.timedelta(days=1)
    return windows

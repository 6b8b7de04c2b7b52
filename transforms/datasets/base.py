"""What declaring a dataset means, and the date-range planning every dated dataset shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import pyarrow as pa

from transforms.date_ranges import contiguous_ranges, missing_dates
from transforms.windows import DATASET_FLOOR, MAX_WINDOW_DAYS, Window, split_windows


@dataclass(frozen=True)
class Dataset:
    """One dataset of the Data API, declared in one place.

    `normalize(body, raw_file=…, window_start=…, window_end=…)` is the contract (payload → Arrow);
    `lake_table` is the folder under lake/; `table` and `key` the warehouse table it loads by delete-insert;
    `citation` takes `as_of`; `licensed` says the rows are `/datasets/*` data (CC BY 4.0 when republished).
    """

    name: str
    path: str
    params: tuple[str, ...]
    normalize: Callable[..., pa.Table]
    lake_table: str
    table: str
    key: tuple[str, ...]
    citation: str
    licensed: bool
    schema: pa.Schema = field(repr=False, default=None)

    def cite(self, as_of: str) -> str:
        return self.citation.format(as_of=as_of)


class BadRange(ValueError):
    """A requested date range that cannot be planned (start after end); the message says why."""


class RangeOutsideData(BadRange):
    """A requested date range that lies entirely before the dataset's floor or after its last complete day."""


@dataclass(frozen=True)
class RangePlan:
    """The requests that cover a date range: `windows`, after clamping `requested` to what exists.

    `clamped` lists one line per bound that moved (empty when none did); `skipped` counts the dates left out
    because they are already loaded.
    """

    requested: Window
    effective: Window
    windows: list[Window]
    clamped: list[str]
    skipped: int = 0

    @property
    def requests(self) -> int:
        return len(self.windows)


def plan_range(
    start: dt.date,
    end: dt.date,
    *,
    last_complete_day: dt.date,
    have: set[dt.date] | frozenset[dt.date] = frozenset(),
    window_days: int = MAX_WINDOW_DAYS,
) -> RangePlan:
    """Windows of at most `window_days` days covering every date of [start, end] not in `have`.

    The range is clamped to [DATASET_FLOOR, last_complete_day]; a clamp is reported in `clamped`. A range
    with no day inside that span raises `RangeOutsideData`; `start > end` raises `BadRange`. Each contiguous
    run of missing dates becomes ⌈days / window_days⌉ windows.
    """
    if start > end:
        raise BadRange(f"start {start} is after end {end}")
    if end < DATASET_FLOOR or start > last_complete_day:
        raise RangeOutsideData(
            f"{start}..{end} lies outside the data ({DATASET_FLOOR}..{last_complete_day}): nothing to fetch"
        )
    clamped = []
    first, last = max(start, DATASET_FLOOR), min(end, last_complete_day)
    if first != start:
        clamped.append(f"start {start} clamped to {first}, the first day of the dataset")
    if last != end:
        clamped.append(f"end {end} clamped to {last}, the last complete UTC day")
    todo = missing_dates(first, last, have)
    windows = [w for lo, hi in contiguous_ranges(todo) for w in split_windows(lo, hi, window_days)]
    return RangePlan(Window(start, end), Window(first, last), windows, clamped,
                     skipped=(last - first).days + 1 - len(todo))

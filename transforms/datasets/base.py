"""What declaring a dataset means, and the date-range planning every dated dataset shares.

A dataset is one `Dataset` instance in its own module (`rankings_daily.py`, `app_rankings.py`): the endpoint
and its parameters, the contract (body → Arrow), how validated responses become lake partitions, the lake
folder, the warehouse table and its keys, the restatement table, the request planners and the citation line.
Everything below `flows/` (archive, lake, load, rebuild) works from this declaration alone.

Vocabulary (pure values, no I/O):
- `Request`: one Data API call (endpoint, window, query parameters without the key).
- `FetchPlan`: the requests a run makes, in order, after clamping and skipping what is held.
- `Page`: one validated response (its parameters, rows, `meta.as_of`, archived file id).
- `Partition`: the unit the lake stores and the warehouse reloads: one key's rows from one fetch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Hashable

from transforms.arrow import pa
from transforms.date_ranges import contiguous_ranges, missing_dates
from transforms.windows import DATASET_FLOOR, MAX_WINDOW_DAYS, Window, split_windows


@dataclass(frozen=True)
class Request:
    """One Data API call: `params` are the query (never the key), `label` names it in run logs and errors.
    `window` is None for a snapshot dataset (no date parameters: the request asks for "now")."""

    endpoint: str
    window: Window | None
    params: tuple[tuple[str, str], ...]
    label: str

    @property
    def query(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def what(self) -> str:
        """How errors name the request: endpoint and label, e.g. 'rankings-daily 2026-06-08..2026-06-21'."""
        return f"{self.endpoint} {self.label}"


@dataclass(frozen=True)
class FetchPlan:
    """The requests that cover a range, in the order they are made.

    `requested` is the range asked for, `effective` the part that exists; `clamped` says (one line each) how a
    bound moved; `skipped` counts partitions left out because they are already held. `follow_ups` says which
    requests may add one more (a second page) once their answer is known.
    """

    dataset: str
    requested: Window
    effective: Window
    requests: list[Request]
    clamped: list[str] = field(default_factory=list)
    skipped: int = 0
    follow_ups: str | None = None


@dataclass(frozen=True)
class Page:
    """One validated response: the query it answered, its rows (the dataset's schema), `meta.as_of` (naive UTC)
    and the id of its archived body."""

    params: dict[str, str]
    rows: pa.Table
    as_of: dt.datetime
    raw_file: str


@dataclass(frozen=True)
class Partition:
    """One partition's rows from one fetch: what the lake stores as one file and the warehouse reloads at once.

    `key` is the dataset's partition key (a date for rankings-daily, a tuple for app-rankings); `rows` are sorted
    by the dataset's `sort_by`; `as_of` is the snapshot time (the latest of its pages); `raw_files` the archived
    bodies the rows came from (also for a partition without rows: the API answered, with nothing).
    """

    key: Hashable
    rows: pa.Table
    as_of: dt.datetime
    raw_files: tuple[str, ...]


class BadRange(ValueError):
    """A requested date range that cannot be planned (start after end); the message says why."""


class RangeOutsideData(BadRange):
    """A requested date range that lies entirely before the dataset's floor or after its last complete day."""


@dataclass(frozen=True)
class Dataset:
    """One dataset of the Data API, declared once; a module subclasses it for the behaviour and makes one instance.

    Data: `name` (the endpoint name, used in raw/ and the run log), `path` (under the API base URL), `params`
    (the query parameters it takes), `arrow_schema` (builds `schema`, on first use: the contract's Arrow output,
    the lake's and the warehouse table's columns), `lake_table` (the folder under lake/), `table` and `key` (the warehouse table and its
    primary key), `partition_by` (the columns that identify a partition: the unit of delete-insert), `item`
    (the column that identifies a row inside a partition), `sort_by` (row order inside a partition file),
    `compared` ((column, short name) pairs whose change between snapshots is a restatement, recorded in
    `restatements_table` as old_<short>/new_<short>), `citation` (takes `as_of`), `licensed` (CC BY 4.0
    data), `uses_catalogue` (a run also refreshes the /models catalogue), `snapshot` (the API serves only the
    current snapshot, no date parameters: `transforms.datasets.snapshot`; captured by `capture`, never backfilled).
    `item` may be a tuple of columns when no single column identifies a row.
    """

    name: str
    path: str
    params: tuple[str, ...]
    arrow_schema: Callable[[], pa.Schema] = field(repr=False)
    lake_table: str
    table: str
    key: tuple[str, ...]
    partition_by: tuple[str, ...]
    item: str | tuple[str, ...]
    sort_by: tuple[str, ...]
    compared: tuple[tuple[str, str], ...]
    restatements_table: str
    citation: str
    licensed: bool
    uses_catalogue: bool = False
    snapshot: bool = False

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema `arrow_schema` builds (on first use: `transforms.arrow`)."""
        return self.arrow_schema()

    def cite(self, as_of: str) -> str:
        return self.citation.format(as_of=as_of)

    # --- the contract ------------------------------------------------------------------------------------------
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        """Validate one body answering `params` and return its rows as `schema` (raises `ContractError`)."""
        raise NotImplementedError

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """Validated pages (in fetch order) → partitions in the same order, and (raw_file, reason) for each page
        that breaks a rule spanning pages (it is quarantined; its partition is left out)."""
        raise NotImplementedError

    def partitions_of(self, rows: pa.Table) -> list[Partition]:
        """Partitions from rows alone (datasets whose rows carry their whole partition key)."""
        raise NotImplementedError(f"{self.name}: partitions need the request, use split()")

    # --- partition keys ----------------------------------------------------------------------------------------
    def key_values(self, key: Hashable) -> tuple:
        """The partition key as a tuple of `partition_by` values."""
        return key if len(self.partition_by) > 1 else (key,)

    def partition_name(self, key: Hashable) -> str:
        """The partition's file stem: its values joined by '_' (dates in ISO form)."""
        return "_".join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in self.key_values(key))

    def parse_partition(self, name: str) -> Hashable:
        """The inverse of `partition_name`; ValueError for a name that is not one."""
        parts = name.split("_")
        if len(parts) != len(self.partition_by):
            raise ValueError(f"{name!r} is not a {self.name} partition name")
        values = tuple(dt.date.fromisoformat(p) if pa.types.is_date(self.schema.field(c).type) else p
                       for c, p in zip(self.partition_by, parts))
        return values if len(values) > 1 else values[0]

    # --- raw file names ----------------------------------------------------------------------------------------
    def file_tag(self, params: dict[str, str]) -> str:
        """What a raw file name adds after the window to identify the request ('' when the window suffices)."""
        return ""

    def params_from_tag(self, window: Window | None, tag: str | None) -> dict[str, str]:
        """The query recovered from a raw file name's window and tag (the inverse of `file_tag`)."""
        if window is None:
            return {}
        return {"start_date": window.start.isoformat(), "end_date": window.end.isoformat()}

    # --- planning ----------------------------------------------------------------------------------------------
    def plan_backfill(self, start: dt.date, end: dt.date, *, last_complete_day: dt.date,
                      have: set | frozenset = frozenset(), window_days: int = MAX_WINDOW_DAYS) -> FetchPlan:
        """The requests that fetch every partition of [start, end] not in `have`."""
        raise NotImplementedError

    def plan_weekly(self, end: dt.date, *, last_complete_day: dt.date, lookback_days: int,
                    window_days: int = MAX_WINDOW_DAYS) -> FetchPlan:
        """What the weekly run fetches, ending `end`, re-fetching `lookback_days` so restatements are caught."""
        raise NotImplementedError

    def next_page(self, request: Request, rows: int | None) -> Request | None:
        """A follow-up request once `request` answered with `rows` rows (a second page), else None."""
        return None

    def quality(self, done: list[Request], pages: list[Page]) -> tuple[list[dt.date], list[dt.date]]:
        """(empty, short) dates of a day-grained answer; other datasets record empty partitions instead."""
        return [], []

    def page_mark(self, body: bytes) -> str | None:
        """What every page of one paged fetch must share (session-cost: `meta.window_end_date`); None when the
        dataset's pages need no such check. A page whose mark differs from its first page's means the snapshot
        was refreshed mid-fetch: the run discards the pages and fetches them again from the first."""
        return None

    def notes(self, pages: list[Page]) -> list[str]:
        """One line per thing a run must say about valid answers that stored nothing (e.g. no snapshot published)."""
        return []


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


def window_params(window: Window) -> tuple[tuple[str, str], ...]:
    return (("start_date", window.start.isoformat()), ("end_date", window.end.isoformat()))

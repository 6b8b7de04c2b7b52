"""One run's identity and counters (`RunStats`): what the flows report, `ingest_log` holds and journals keep."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from transforms.windows import utc_now

LOG_COLUMNS = ("run_id", "flow", "source", "window_start", "window_end", "started_at", "finished_at", "raw_files",
               "rows_inserted", "rows_updated", "rows_unchanged", "rows_deleted", "restatements", "status", "error",
               "dataset")
"""`ingest_log`'s columns, in table order."""


@dataclass
class RunStats:
    """A pipeline run (weekly, backfill, rebuild) of one dataset: identity, what it fetched and what it changed.

    Row counts are fact rows of the warehouse (`inserted`/`updated`/`unchanged`/`deleted` in the partitions it
    reloaded, every dataset's); `lake_*` count partitions; `dates_loaded` counts rankings-daily dates reloaded,
    `partitions_loaded` partitions of any dataset. `empty_dates` are requested rankings-daily dates the API
    returned no rows for, `short_dates` dates with fewer than 51 rows or no `other` row; `empty_partitions`
    app-rankings lists answered with no rows (recorded, valid). `requests_planned` counts the planned requests
    (follow-up pages included once known); when the budget stopped the run, `requests_left` of them remain,
    `days_left` days of the daily budget at the current limit.
    """

    run_id: str
    flow: str
    source: str
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    dataset: str | None = None
    started_at: dt.datetime = field(default_factory=utc_now)
    finished_at: dt.datetime | None = None
    requests: int = 0
    raw_files: list[str] = field(default_factory=list)
    lake_written: int = 0
    lake_unchanged: int = 0
    lake_stale: int = 0
    dates_loaded: int = 0
    partitions_loaded: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restatements: int = 0
    empty_dates: list[dt.date] = field(default_factory=list)
    short_dates: list[dt.date] = field(default_factory=list)
    empty_partitions: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    """Responses a backfill quarantined (one line each) while loading the rest; they are planned again."""
    notes: list[str] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)
    """The requests planned, by label (rankings-daily: the window `YYYY-MM-DD..YYYY-MM-DD`); `windows_done`
    those fetched."""
    windows_done: list[str] = field(default_factory=list)
    requests_planned: int = 0
    requests_left: int = 0
    days_left: int | None = None
    stopped_by_budget: bool = False
    resume_command: str | None = None
    report: str | None = None
    status: str = "running"
    error: str | None = None

    def log_row(self) -> list:
        """The run's `ingest_log` row, in `LOG_COLUMNS` order."""
        return [self.run_id, self.flow, self.source, self.window_start, self.window_end, self.started_at,
                self.finished_at, list(self.raw_files), self.inserted, self.updated, self.unchanged, self.deleted,
                self.restatements, self.status, self.error, self.dataset]

    def journal(self) -> dict:
        """The log row as JSON-ready values (ISO dates and times)."""
        return {k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
                for k, v in zip(LOG_COLUMNS, self.log_row())}

    def summary(self) -> dict:
        data = asdict(self)
        return {k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else
                [x.isoformat() for x in v] if k in ("empty_dates", "short_dates") else v for k, v in data.items()}

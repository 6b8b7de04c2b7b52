"""What the warehouse holds, for `tokenrank status`: read from the published copy, so it never waits for a writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from transforms.date_ranges import DateRange, contiguous_ranges, gaps
from transforms.windows import utc_now
from warehouse import db
from warehouse.coverage import DatasetCoverage, dataset_coverage, loaded_dates
from warehouse.paths import Home
from warehouse.published import connect_read_only
from warehouse.raw_archive import RawArchive, RawFile
from warehouse.snapshot_series import SnapshotSeries, snapshot_series

RECENT_RUNS = 5
UNATTRIBUTED_TABLE = "dq_unattributed"


@dataclass
class RunRow:
    run_id: str
    flow: str
    source: str
    dataset: str | None
    window_start: dt.date | None
    window_end: dt.date | None
    finished_at: dt.datetime | None
    status: str
    rows_inserted: int | None
    restatements: int | None
    error: str | None


@dataclass
class Unattributed:
    model_permaslug: str
    days: int
    total_tokens: int


@dataclass
class WarehouseStatus:
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    days_loaded: int = 0
    gaps: list[DateRange] = field(default_factory=list)
    latest_as_of: dt.datetime | None = None
    last_runs: list[RunRow] = field(default_factory=list)
    restatements: int = 0
    restated_dates: int = 0
    last_restatement_as_of: dt.datetime | None = None
    unattributed: list[Unattributed] | None = None
    """None when the derived tables have not been built."""
    quarantined: list[RawFile] = field(default_factory=list)
    """Responses that broke the source contract (raw/quarantine/), oldest first."""
    empty: list[DateRange] = field(default_factory=list)
    """Requested dates the API answered with no rows (fetched again by the next run), as ranges."""
    incomplete: list[dt.date] = field(default_factory=list)
    """Loaded dates with fewer than 51 rows or no `other` row."""
    synthetic: bool = False
    """The home holds the SYNTHETIC demo dataset."""
    datasets: list[DatasetCoverage] = field(default_factory=list)
    """Coverage of every dataset (partitions loaded, empty answers, rows, first and last date)."""
    snapshots: list[SnapshotSeries] = field(default_factory=list)
    """Every weekly snapshot series (session-cost, task classifications, benchmarks per source) with its missing
    weeks: a week not captured cannot be fetched later."""


def read_status(home: Home) -> WarehouseStatus:
    con = connect_read_only(home)
    try:
        status = status_of(con)
    finally:
        con.close()
    status.quarantined = RawArchive(home).quarantined()
    return status


def status_of(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> WarehouseStatus:
    """What the warehouse holds; `today` (default: the UTC date) dates the snapshot series' overdue weeks."""
    dates = loaded_dates(con)
    status = WarehouseStatus(
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        days_loaded=len(dates),
        gaps=gaps(dates),
        latest_as_of=con.execute("SELECT max(as_of) FROM fact_model_daily").fetchone()[0],
    )
    status.last_runs = [
        RunRow(*row)
        for row in con.execute(
            "SELECT run_id, flow, source, dataset, window_start, window_end, finished_at, status, rows_inserted, "
            "restatements, error "
            "FROM ingest_log ORDER BY coalesce(finished_at, started_at) DESC LIMIT ?",
            [RECENT_RUNS],
        ).fetchall()
    ]
    status.restatements, status.restated_dates, status.last_restatement_as_of = con.execute(
        "SELECT count(*), count(DISTINCT date), max(new_as_of) FROM restatements"
    ).fetchone()
    tables = db.table_names(con)
    if "lake_partitions" in tables:
        status.datasets = dataset_coverage(con)
    if "dq_days" in tables:
        status.empty = contiguous_ranges(d for (d,) in con.execute("SELECT date FROM dq_days WHERE status = 'empty'").fetchall())
        status.incomplete = [d for (d,) in con.execute(
            "SELECT date FROM dq_days WHERE status IN ('short', 'no_other') ORDER BY date").fetchall()]
    status.synthetic = bool(con.execute(
        "SELECT count(*) FROM ingest_log WHERE source = 'demo (synthetic)'").fetchone()[0])
    status.snapshots = snapshot_series(con, None if status.synthetic else today or utc_now().date())
    if UNATTRIBUTED_TABLE in tables:
        status.unattributed = [
            Unattributed(*row)
            for row in con.execute(
                f"SELECT model_permaslug, days, total_tokens FROM {UNATTRIBUTED_TABLE} ORDER BY total_tokens DESC, model_permaslug"
            ).fetchall()
        ]
    return status


@dataclass
class WeekRow:
    dataset: str
    week_start: dt.date
    week_end: dt.date
    days: int
    """Days loaded of the week's 7."""
    is_complete: bool
    as_of: dt.datetime | None


def weeks_loaded(home: Home) -> list[WeekRow]:
    """Every week with at least one loaded day, per dataset, newest first (from the published copy)."""
    con = connect_read_only(home)
    try:
        if "weekly_calendar" not in db.table_names(con):
            return []
        rows = con.execute(
            "SELECT 'rankings-daily', week_start, week_end, days, is_complete, as_of FROM weekly_calendar "
            "ORDER BY week_start DESC"
        ).fetchall()
    finally:
        con.close()
    return [WeekRow(*row) for row in rows]

"""Which UTC dates are already held: in the raw archive (what a backfill may skip) and in the warehouse."""

from __future__ import annotations

import datetime as dt

import duckdb

from flows.sources.base import RANKINGS_ENDPOINT
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive


def archived_dates(home: Home, source: str) -> set[dt.date]:
    """Dates covered by an archived rankings response of `source` whose run reached the lake.

    A response counts only once its run is journaled (raw/runs/), so a run that crashed after fetching
    but before writing the lake does not hide its dates from the next backfill. Coverage is the
    requested window (the manifest's `start_date`..`end_date`).
    """
    archive = RawArchive(home)
    committed = {file_id for run in archive.runs() if run.source == source for file_id in run.raw_files}
    dates: set[dt.date] = set()
    for raw in archive.manifest(RANKINGS_ENDPOINT):
        window = raw.window
        if raw.file_id in committed and window is not None:
            dates.update(window.dates())
    return dates


def loaded_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Dates with rows in `fact_model_daily`, ascending."""
    return [day for (day,) in con.execute("SELECT DISTINCT date FROM fact_model_daily ORDER BY date").fetchall()]

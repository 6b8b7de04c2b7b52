"""The ingestion steps shared by the flows and `rebuild`: archive → normalize → (lake + load in `session`).

`load_warehouse` is one DuckDB transaction: fact rows, restatements, the responses' windows, reference data,
dim_model, every derived table and the run's ingest_log row commit together or not at all.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from transforms.contract import ContractError, normalize_catalogue
from transforms.datasets import DATASETS
from transforms.responses import MODELS_ENDPOINT, FetchedResponse
from transforms.windows import utc_now
from warehouse import db
from warehouse.lake import Lake
from warehouse.load import LoadStats, refresh_dim_model, replace_catalogue, replace_origin, sync_fact_from_lake
from warehouse.materialize import materialize
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive, RawFile
from warehouse.reference import load_origin_reference
from warehouse.runs import LOG_COLUMNS, RunStats

__all__ = ["ContractError", "archive_response", "normalize_archived", "normalize_body", "load_warehouse",
           "log_runs", "requested"]


def archive_response(home: Home, response: FetchedResponse, run_id: str) -> RawFile:
    return RawArchive(home).store(response, run_id)


def normalize_body(raw: RawFile, body: bytes) -> pa.Table:
    """Validate one archived body by its endpoint's contract (raises `ContractError`)."""
    if raw.endpoint == MODELS_ENDPOINT:
        return normalize_catalogue(body, raw_file=raw.file_id)
    window = raw.window
    return DATASETS[raw.endpoint].normalize(
        body, raw_file=raw.file_id, window_start=window.start if window else None,
        window_end=window.end if window else None,
    )


def normalize_archived(home: Home, raw: RawFile) -> pa.Table:
    """Validate an archived body; on a contract breach move it to quarantine and re-raise."""
    archive = RawArchive(home)
    try:
        return normalize_body(raw, archive.read_body(raw))
    except ContractError as exc:
        archive.quarantine(raw, str(exc))
        raise


def requested(raws: list[RawFile]) -> list[tuple]:
    """`requested_dates` rows (dataset, date) for validated dataset responses (the catalogue is not a dataset)."""
    return sorted({(r.endpoint, day) for r in raws if r.endpoint in DATASETS and r.window for day in r.window.dates()})


def load_warehouse(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    *,
    requested_dates: list[tuple] = (),
    catalogue: pa.Table | None = None,
    run: RunStats | None = None,
) -> LoadStats:
    """Sync the warehouse with the lake and rebuild what derives from it, in the caller's transaction."""
    stats = sync_fact_from_lake(con, Lake(home))
    if requested_dates:
        con.executemany("INSERT OR IGNORE INTO requested_dates VALUES (?, ?)", list(requested_dates))
    replace_origin(con, load_origin_reference())
    if catalogue is not None:
        replace_catalogue(con, catalogue)
    refresh_dim_model(con)
    materialize(con)
    if run is not None:
        run.dates_loaded, run.inserted, run.updated = len(stats.dates), stats.inserted, stats.updated
        run.unchanged, run.deleted, run.restatements = stats.unchanged, stats.deleted, stats.restatements
    return stats


def log_runs(con: duckdb.DuckDBPyConnection, rows: list[list]) -> None:
    """Insert or replace `ingest_log` rows (values in `LOG_COLUMNS` order; ISO strings are cast)."""
    placeholders = ", ".join("?" for _ in LOG_COLUMNS)
    con.executemany(f"INSERT OR REPLACE INTO ingest_log ({', '.join(LOG_COLUMNS)}) VALUES ({placeholders})", rows)


def connect_writer(home: Home) -> duckdb.DuckDBPyConnection:
    return db.connect(home.warehouse)


def finished(run: RunStats, status: str, error: str | None = None) -> RunStats:
    run.status, run.error, run.finished_at = status, error, utc_now()
    return run

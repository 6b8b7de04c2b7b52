"""The ingestion steps, shared by the flows (as Prefect tasks) and by `rebuild` (replaying the archive).

    archive_response → normalize_archived → write_lake (+ journal) → load_warehouse

Each step is safe to re-run. `load_warehouse` is one DuckDB transaction: fact rows, restatements,
reference data, dim_model, every derived table and the run's ingest_log row commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa

from flows.sources.base import MODELS_ENDPOINT, FetchedResponse, utc_now
from transforms.contract import ContractError, normalize_catalogue, normalize_rankings
from warehouse import db
from warehouse.lake import Lake, LakeWrite
from warehouse.load import LoadStats, refresh_dim_model, replace_catalogue, replace_origin, sync_fact_from_lake
from warehouse.materialize import materialize
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive, RawFile, RunRecord
from warehouse.reference import load_origin_reference

__all__ = ["ContractError", "RunInfo", "archive_response", "normalize_archived", "write_lake", "load_warehouse",
           "derive_tables", "record_failure"]


@dataclass
class RunInfo:
    """Identity of one pipeline run, as written to `ingest_log`."""

    run_id: str
    flow: str
    source: str
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    started_at: dt.datetime = field(default_factory=utc_now)


def archive_response(home: Home, response: FetchedResponse, run_id: str) -> RawFile:
    return RawArchive(home).store(response, run_id)


def normalize_archived(home: Home, raw: RawFile) -> pa.Table:
    """Validate an archived body; on a contract breach move it to quarantine and re-raise."""
    archive = RawArchive(home)
    body = archive.read_body(raw)
    try:
        if raw.endpoint == MODELS_ENDPOINT:
            return normalize_catalogue(body, raw_file=raw.file_id)
        window = raw.window
        return normalize_rankings(
            body,
            raw_file=raw.file_id,
            window_start=window.start if window else None,
            window_end=window.end if window else None,
        )
    except ContractError as exc:
        archive.quarantine(raw, str(exc))
        raise


def write_lake(home: Home, run: RunInfo, rankings: list[pa.Table], raw_files: list[RawFile]) -> LakeWrite:
    """Write the run's validated days to the lake, then journal the run so `rebuild` can replay it."""
    written = Lake(home).write(rankings)
    RawArchive(home).record_run(
        RunRecord(
            run_id=run.run_id,
            flow=run.flow,
            source=run.source,
            committed_at=utc_now().isoformat(timespec="microseconds") + "Z",
            raw_files=[raw.file_id for raw in raw_files],
        )
    )
    return written


def load_warehouse(
    home: Home,
    run: RunInfo,
    *,
    catalogue: pa.Table | None = None,
    raw_files: list[RawFile] = (),
    derive: bool = True,
    log: bool = True,
) -> LoadStats:
    """Sync the warehouse with the lake and rebuild what derives from it, in one transaction."""
    con = db.connect(home.warehouse)
    try:
        with db.transaction(con):
            stats = sync_fact_from_lake(con, Lake(home))
            replace_origin(con, load_origin_reference())
            if catalogue is not None:
                replace_catalogue(con, catalogue)
            refresh_dim_model(con)
            if derive:
                materialize(con)
            if log:
                _log_run(con, run, "success", raw_files=raw_files, stats=stats)
        return stats
    finally:
        con.close()


def derive_tables(home: Home) -> list[str]:
    """Rebuild every derived table from the loaded facts, in one transaction (after loads made with derive=False)."""
    con = db.connect(home.warehouse)
    try:
        with db.transaction(con):
            return materialize(con)
    finally:
        con.close()


def record_failure(home: Home, run: RunInfo, error: BaseException | str) -> None:
    """Log a failed run: its ingest_log row is the only thing a failed run changes in the warehouse."""
    con = db.connect(home.warehouse)
    try:
        with db.transaction(con):
            _log_run(con, run, "failed", error=str(error).splitlines()[0] if str(error) else type(error).__name__)
    finally:
        con.close()


def _log_run(con, run: RunInfo, status: str, *, raw_files=(), stats: LoadStats | None = None, error=None) -> None:
    stats = stats or LoadStats()
    con.execute(
        "INSERT OR REPLACE INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.run_id, run.flow, run.source, run.window_start, run.window_end, run.started_at, utc_now(),
            [raw.file_id for raw in raw_files],
            stats.inserted, stats.updated, stats.unchanged, stats.deleted, stats.restatements, status, error,
        ],
    )

"""The ingestion steps shared by the flows and `rebuild`: archive → validate → partitions (→ lake + load in
`session`), for every dataset of `transforms.datasets` alike.

`load_warehouse` is one DuckDB transaction: every dataset's rows, restatements, the responses' windows,
reference data, dim_model, every derived table and the run's ingest_log row commit together or not at all.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from transforms.contract import ContractError, normalize_catalogue, parse_timestamp
from transforms.datasets import DATASETS
from transforms.datasets.base import Page, Partition
from transforms.responses import MODELS_ENDPOINT, RANKINGS_ENDPOINT, FetchedResponse
from transforms.windows import utc_now
from warehouse import db
from warehouse.lake import Lake
from warehouse.load import (
    LoadStats,
    insert_restatements,
    refresh_dim_model,
    replace_catalogue,
    replace_origin,
    sync_from_lake,
)
from warehouse.materialize import materialize
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive, RawFile, manifest_path
from warehouse.reference import load_origin_reference
from warehouse.runs import LOG_COLUMNS, RunStats

__all__ = ["ContractError", "archive_response", "credit", "normalize_archived", "normalize_body", "load_warehouse",
           "log_runs", "page", "partitions", "requested"]


def archive_response(home: Home, response: FetchedResponse, run_id: str) -> RawFile:
    """Archive one response; in a store home also upload it at once (create-only), so a worker killed before its
    write session publishes loses none of what it fetched."""
    record = RawArchive(home).store(response, run_id)
    if home.store:
        from warehouse.store import Store

        Store(home.store, home.root).upload_raw(record.path, manifest_path(record))
    return record


def normalize_body(raw: RawFile, body: bytes) -> pa.Table:
    """Validate one archived body by its endpoint's contract (raises `ContractError`)."""
    if raw.endpoint == MODELS_ENDPOINT:
        return normalize_catalogue(body, raw_file=raw.file_id)
    return DATASETS[raw.endpoint].normalize(body, raw_file=raw.file_id, params=raw.params)


def normalize_archived(home: Home, raw: RawFile) -> pa.Table:
    """Validate an archived body; on a contract breach move it to quarantine and re-raise."""
    archive = RawArchive(home)
    try:
        return normalize_body(raw, archive.read_body(raw))
    except ContractError as exc:
        archive.quarantine(raw, str(exc))
        raise


def page(raw: RawFile, rows: pa.Table) -> Page:
    """A validated response as the dataset's `split` takes it (`meta.as_of` read back from the manifest)."""
    return Page(dict(raw.params), rows, parse_timestamp(raw.as_of, "meta.as_of"), raw.file_id)


def partitions(home: Home, raws: list[RawFile], tables: list[pa.Table]) -> tuple[list[Partition], list[str]]:
    """The partitions of one dataset's validated responses (in the order of `raws`), and one line per response
    that breaks a rule spanning pages (an app on both pages of a list): it is quarantined, its list left out."""
    if not raws:
        return [], []
    dataset = DATASETS[raws[0].endpoint]
    parts, problems = dataset.split([page(raw, rows) for raw, rows in zip(raws, tables)])
    archive, by_id = RawArchive(home), {raw.file_id: raw for raw in raws}
    for file_id, reason in problems:
        archive.quarantine(by_id[file_id], reason)
    return parts, [reason for _, reason in problems]


def requested(raws: list[RawFile]) -> list[tuple]:
    """`requested_dates` rows (dataset, date) for validated dataset responses (the catalogue is not a dataset)."""
    return sorted({(r.endpoint, day) for r in raws if r.endpoint in DATASETS and r.window for day in r.window.dates()})


def load_warehouse(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    *,
    requested_dates: list[tuple] = (),
    catalogue: pa.Table | None = None,
    restated: dict[str, list[tuple]] | None = None,
    fresh: dict[str, dict] | None = None,
) -> dict[str, LoadStats]:
    """Sync the warehouse with every dataset's lake and rebuild what derives from it, in the caller's transaction
    (the weekly tables only for the weeks the rankings-daily load changed, when they are current otherwise;
    the other derived tables only when a table they read changed: `warehouse.materialize`).

    `restated` adds restatement rows per dataset (a rebuild's, folded from raw) before the derived tables are
    built. `fresh` holds, per dataset, the partitions the session has just written (`LakeWrite.fresh`). Returns the
    load of each dataset (`credit` adds them to the runs that made it).
    """
    fresh = fresh or {}
    stats = {name: sync_from_lake(con, Lake(home, dataset), fresh.get(name)) for name, dataset in DATASETS.items()}
    for name, rows in (restated or {}).items():
        insert_restatements(con, DATASETS[name], rows)
    new_requests = _add_requested(con, list(requested_dates))
    replace_origin(con, load_origin_reference())
    new_catalogue = catalogue is not None and replace_catalogue(con, catalogue)
    refresh = bool(stats[RANKINGS_ENDPOINT].partitions or new_catalogue)  # what dim_model derives from
    renamed = refresh_dim_model(con) if refresh else []
    others = {"lake_partitions": any(s.touched for s in stats.values()), "requested_dates": new_requests,
              "ref_model_catalogue": new_catalogue, "dim_model": refresh}
    changed = ({DATASETS[name].table for name, s in stats.items() if s.partitions}
               | {DATASETS[name].restatements_table for name, s in stats.items() if s.restatements}
               | {DATASETS[name].restatements_table for name, rows in (restated or {}).items() if rows}
               | {table for table, flag in others.items() if flag})
    materialize(con, changed_dates=stats[RANKINGS_ENDPOINT].partitions, changed_models=renamed,
                changed_inputs=changed)
    return stats


def credit(runs: list[RunStats], stats: dict[str, LoadStats]) -> None:
    """Add each dataset's load to the run of that dataset, and a dataset no run fetched (a repair) to the first run
    (`dates_loaded`: rankings-daily dates reloaded)."""
    owners = {run.dataset: run for run in runs}
    for name, load in stats.items():
        run = owners.get(name, runs[0])
        if name == RANKINGS_ENDPOINT:
            run.dates_loaded += len(load.partitions)
        run.partitions_loaded += len(load.partitions)
        run.inserted, run.updated = run.inserted + load.inserted, run.updated + load.updated
        run.unchanged, run.deleted = run.unchanged + load.unchanged, run.deleted + load.deleted
        run.restatements += load.restatements


def _add_requested(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> bool:
    """Record `requested_dates` rows; whether any was new."""
    if not rows:
        return False
    count = "SELECT count(*) FROM requested_dates"
    before = con.execute(count).fetchone()[0]
    db.insert_rows(con, "requested_dates", rows, ignore=True)
    return con.execute(count).fetchone()[0] > before


def log_runs(con: duckdb.DuckDBPyConnection, rows: list[list]) -> None:
    """Insert or replace `ingest_log` rows (values in `LOG_COLUMNS` order; dates and times as objects or ISO
    strings, which the insert casts to the columns' types), all in one statement over an Arrow table: binding every
    value as a parameter cost ~0.5 ms a row, so a rebuild's cost grew with the runs recorded."""
    if not rows:
        return
    columns = {name: pa.array([value.isoformat() if isinstance(value, dt.date) else value for value in values])
               for name, values in zip(LOG_COLUMNS, zip(*rows))}
    con.register("log_rows", pa.table(columns))
    try:
        con.execute(f"INSERT OR REPLACE INTO ingest_log ({', '.join(LOG_COLUMNS)}) SELECT * FROM log_rows")
    finally:
        con.unregister("log_rows")


def connect_writer(home: Home) -> duckdb.DuckDBPyConnection:
    return db.connect(home.warehouse)


def finished(run: RunStats, status: str, error: str | None = None) -> RunStats:
    run.status, run.error, run.finished_at = status, error, utc_now()
    return run

"""Recreate the lake and the warehouse from the raw archive alone, in one pass over it.

The bodies are the truth: every archived body of every dataset (its manifest, or its file name when the
manifest is lost) is validated once, split into partitions as a run splits its responses (`Dataset.split`) and
applied in fetch order by the same rules as incremental loads (`transforms.snapshots`), so the held rows and
every restatement come out as they did run by run; the run history (`ingest_log`) comes from the run journals.
Cost follows the archive's size, not the number of runs.

Built in a staging folder `.rebuild-*` and swapped in (lake, then warehouse) through an intent file, so a
rebuild killed mid-swap is finished by the next writer; a rebuild that would hold fewer dates than the
current warehouse (for any dataset) is refused unless `allow_loss` (a body that cannot be read is reported, by
file).
"""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
import zlib
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from transforms.contract import ContractError
from transforms.datasets import DATASETS, Dataset
from transforms.responses import MODELS_ENDPOINT
from transforms.snapshots import fold
from transforms.windows import utc_now
from warehouse import db
from warehouse.failpoints import failpoint
from warehouse.files import write_atomic
from warehouse.ingest import finished, load_warehouse, log_runs, normalize_body, page, requested
from warehouse.lake import Lake
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive
from warehouse.runs import LOG_COLUMNS, RunStats

STAGING_PREFIX = ".rebuild-"
INTENT_FILE = "rebuild-swap.json"


class RebuildRefused(RuntimeError):
    """The rebuilt warehouse would hold fewer dates than the current one; nothing was swapped in."""


@dataclass
class RebuildResult:
    raw_files: int
    dates: int
    fact_rows: int
    runs: int
    problems: list[str] = field(default_factory=list)
    """One line per file that could not be read or placed (it contributed nothing)."""
    recovered: int = 0
    """Bodies whose manifest was lost, identified from their file name."""


def rebuild(home: Home, *, allow_loss: bool = False, progress=lambda done, total: None) -> RebuildResult:
    """Rebuild `home` from raw/ (call under the writer lock); see the module doc."""
    finish_interrupted_swap(home)
    started = utc_now()
    archive = RawArchive(home)
    bodies = {name: archive.bodies(name) for name in DATASETS}
    problems = [problem for _, found in bodies.values() for problem in found]
    models, more = archive.bodies(MODELS_ENDPOINT)
    problems += more
    total, done = sum(len(raws) for raws, _ in bodies.values()), 0
    held, restated, good = {}, {}, []
    for name, (raws, _) in bodies.items():
        pages = []
        for raw in raws:
            table = _read(archive, raw, problems)
            if table is not None:
                good.append(raw)
                pages.append(page(raw, table))
            done += 1
            progress(done, total)
        parts, broken = DATASETS[name].split(pages)
        problems += [f"{archive.root / _path(raws, file_id)}: breaks the contract ({reason})" for file_id, reason in broken]
        held[name], restated[name] = fold(DATASETS[name], parts)
    catalogue = None
    for raw in reversed(models):
        catalogue = _read(archive, raw, problems)
        if catalogue is not None:
            break
    journals, bad_journals = archive.runs()
    problems += bad_journals

    staging = home.root / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    target = Home(home.root, out=staging)
    try:
        for name, parts in held.items():
            Lake(target, DATASETS[name]).write_partitions(list(parts.values()))
        con = db.connect(target.warehouse)
        try:
            with db.transaction(con):
                load_warehouse(con, target, requested_dates=requested(good), catalogue=catalogue, restated=restated)
                history = {row["run_id"]: [row.get(c) for c in LOG_COLUMNS] for row in _old_history(home)}
                history.update({row["run_id"]: [row.get(c) for c in LOG_COLUMNS] for row in journals})
                run = RunStats(f"rebuild-{uuid.uuid4().hex[:12]}", "rebuild", "raw archive", started_at=started,
                               raw_files=[])
                log_runs(con, list(history.values()) + [finished(run, "success").log_row()])
            fact_rows, dates = con.execute("SELECT count(*), count(DISTINCT date) FROM fact_model_daily").fetchone()
            rebuilt = {name: _partitions(con, ds) for name, ds in DATASETS.items()}
        finally:
            con.close()
        failpoint("rebuild-staged")
        current = _current_partitions(home)
        lost = [name for name, count in current.items() if rebuilt[name] < count]
        if lost and not allow_loss:
            what = ", ".join(f"{rebuilt[name]} {name} partitions, the current warehouse {current[name]}" for name in lost)
            raise RebuildRefused(
                f"the rebuild would hold {what}"
                + (f" ({len(problems)} raw files could not be read: {problems[0]}{' …' if len(problems) > 1 else ''})"
                   if problems else "")
                + "; nothing was changed (use --allow-loss to swap it in anyway)"
            )
        RawArchive(home).record_run(run.journal())
        write_atomic(home.root / INTENT_FILE, json.dumps({"staging": staging.name}).encode())
        failpoint("rebuild-before-swap")
        finish_interrupted_swap(home)
    finally:
        if not (home.root / INTENT_FILE).exists():
            shutil.rmtree(staging, ignore_errors=True)
    recovered = sum(1 for raw in good if not raw.run_id)
    return RebuildResult(raw_files=len(good), dates=dates, fact_rows=fact_rows, runs=len(history), problems=problems,
                         recovered=recovered)


def finish_interrupted_swap(home: Home) -> list[str]:
    """Complete a rebuild's swap that was cut short, and remove staging folders killed rebuilds left.

    Idempotent; call under the writer lock. Returns one line per thing done.
    """
    notes = []
    intent = home.root / INTENT_FILE
    if intent.exists():
        staging = home.root / json.loads(intent.read_text())["staging"]
        staged = Home(home.root, out=staging)
        if staged.lake.exists():
            if home.lake.exists():
                home.lake.rename(staging / "lake.previous")
            staged.lake.rename(home.lake)
        failpoint("rebuild-mid-swap")
        if staged.warehouse.exists():
            staged.warehouse.replace(home.warehouse)
        intent.unlink()
        notes.append("finished swapping in an interrupted rebuild")
    for leftover in home.root.glob(f"{STAGING_PREFIX}*") if home.root.exists() else []:
        shutil.rmtree(leftover, ignore_errors=True)
    return notes


def _read(archive: RawArchive, raw, problems: list[str]) -> pa.Table | None:
    path = archive.root / raw.path
    try:
        return normalize_body(raw, archive.read_body(raw))
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        problems.append(f"{path}: not a readable gzip file ({type(exc).__name__})")
    except ContractError as exc:
        problems.append(f"{path}: breaks the contract ({exc})")
    return None


def _path(raws, file_id: str) -> str:
    return next(raw.path for raw in raws if raw.file_id == file_id)


def _partitions(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> int:
    """Partitions of `dataset` with rows in its table."""
    return con.execute(f"SELECT count(*) FROM (SELECT DISTINCT {', '.join(dataset.partition_by)} FROM {dataset.table})"
                       ).fetchone()[0]


def _old_history(home: Home) -> list[dict]:
    """ingest_log rows of the current warehouse when it can be read (runs whose journal was lost), else none."""
    try:
        con = duckdb.connect(str(home.warehouse), read_only=True)
    except (duckdb.Error, OSError):
        return []
    try:
        cursor = con.execute("SELECT * FROM ingest_log WHERE flow <> 'rebuild'")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


def _current_partitions(home: Home) -> dict[str, int]:
    """Partitions with rows the current warehouse holds per dataset; 0 when it cannot be read (then the rebuild
    is the repair)."""
    counts = dict.fromkeys(DATASETS, 0)
    if not home.warehouse.exists():
        return counts
    try:
        con = duckdb.connect(str(home.warehouse), read_only=True)
    except (duckdb.Error, OSError):
        return counts
    try:
        for name, dataset in DATASETS.items():
            try:
                counts[name] = _partitions(con, dataset)
            except duckdb.Error:
                pass
        return counts
    finally:
        con.close()

"""Recreate the lake and the warehouse from the raw archive alone.

Replays every journaled run, oldest first, through the same steps as the flows (normalize → lake → load),
so restatements come out as they did incrementally; derives once at the end. Built in a staging folder
and swapped in (lake first, then the warehouse file), so a failed rebuild leaves everything as it was.
The run history (`ingest_log`) is carried over from the current warehouse, plus one 'rebuild' row.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass

from flows.sources.base import MODELS_ENDPOINT, utc_now
from warehouse import db
from warehouse.ingest import RunInfo, _log_run, load_warehouse, normalize_archived
from warehouse.lake import Lake
from warehouse.load import LoadStats
from warehouse.materialize import materialize
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive


@dataclass
class RebuildResult:
    runs: int
    raw_files: int
    dates: int
    fact_rows: int


def rebuild(home: Home, *, progress=lambda done, total: None) -> RebuildResult:
    archive = RawArchive(home)
    by_id = {raw.file_id: raw for raw in archive.manifest()}
    runs = archive.runs()
    staging = home.root / f".rebuild-{uuid.uuid4().hex[:8]}"
    target = Home(home.root, out=staging)
    started = utc_now()
    replayed = 0
    try:
        for done, run in enumerate(runs, start=1):
            raws = [by_id[file_id] for file_id in run.raw_files if file_id in by_id]
            rankings = [normalize_archived(home, raw) for raw in raws if raw.endpoint != MODELS_ENDPOINT]
            catalogues = [normalize_archived(home, raw) for raw in raws if raw.endpoint == MODELS_ENDPOINT]
            Lake(target).write(rankings)
            info = RunInfo(run.run_id, run.flow, run.source)
            load_warehouse(target, info, catalogue=catalogues[-1] if catalogues else None, derive=False, log=False)
            replayed += len(raws)
            progress(done, len(runs))
        con = db.connect(target.warehouse)
        try:
            with db.transaction(con):
                _carry_over_history(con, home)
                materialize(con)
                _log_run(con, RunInfo(f"rebuild-{uuid.uuid4().hex[:12]}", "rebuild", "raw archive", started_at=started),
                         "success", stats=LoadStats())
            fact_rows, dates = con.execute("SELECT count(*), count(DISTINCT date) FROM fact_model_daily").fetchone()
        finally:
            con.close()
        _swap_in(home, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RebuildResult(runs=len(runs), raw_files=replayed, dates=dates, fact_rows=fact_rows)


def _carry_over_history(con, home: Home) -> None:
    if not home.warehouse.exists():
        return
    con.execute("ATTACH ? AS previous (READ_ONLY)", [str(home.warehouse)])
    try:
        con.execute("INSERT INTO ingest_log SELECT * FROM previous.ingest_log")
    finally:
        con.execute("DETACH previous")


def _swap_in(home: Home, staged: Home) -> None:
    """Lake first: if we stop between the two steps, the next load repairs the warehouse from the lake."""
    old_lake = staged.out / "lake.previous"
    if home.lake.exists():
        home.lake.rename(old_lake)
    if staged.lake.exists():
        staged.lake.rename(home.lake)
    staged.warehouse.replace(home.warehouse)

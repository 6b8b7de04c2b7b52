"""The ingestion sequence shared by the weekly and backfill flows: fetch → archive → normalize → lake → load."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from prefect import get_run_logger
from prefect.runtime import flow_run

from flows import tasks
from flows.sources.base import RankingsSource, SourceError, Window
from warehouse.ingest import RunInfo
from warehouse.paths import Home


@dataclass
class IngestSummary:
    run_id: str
    source: str
    windows: list[str]
    raw_files: int
    lake_written: int
    dates_loaded: int
    inserted: int
    updated: int
    unchanged: int
    restatements: int


def new_run(flow: str, source: RankingsSource, windows: list[Window]) -> RunInfo:
    run_id = flow_run.get_id() or uuid.uuid4().hex
    return RunInfo(
        run_id=str(run_id),
        flow=flow,
        source=source.name,
        window_start=windows[0].start if windows else None,
        window_end=windows[-1].end if windows else None,
    )


def ingest_windows(home: Home, source: RankingsSource, windows: list[Window], run: RunInfo) -> IngestSummary:
    """Fetch and archive every window, then validate all of them before the lake or warehouse change.

    Any failure logs a 'failed' ingest_log row and re-raises: the warehouse data stay as they were.
    """
    try:
        raws = [tasks.archive(home, tasks.fetch_rankings(source, window), run.run_id) for window in windows]
        catalogue_raw = _fetch_catalogue(home, source, run)
        rankings = [tasks.normalize(home, raw) for raw in raws]
        catalogue = tasks.normalize(home, catalogue_raw) if catalogue_raw else None
        all_raws = raws + ([catalogue_raw] if catalogue_raw else [])
        lake = tasks.write_lake(home, run, rankings, all_raws)
        stats = tasks.load_warehouse(home, run, catalogue, all_raws)
    except Exception as exc:
        tasks.record_failure(home, run, str(exc) or type(exc).__name__)
        raise
    return IngestSummary(
        run_id=run.run_id,
        source=source.name,
        windows=[str(w) for w in windows],
        raw_files=len(all_raws),
        lake_written=len(lake.written),
        dates_loaded=len(stats.dates),
        inserted=stats.inserted,
        updated=stats.updated,
        unchanged=stats.unchanged,
        restatements=stats.restatements,
    )


def _fetch_catalogue(home: Home, source: RankingsSource, run: RunInfo):
    """The catalogue only names models: when it cannot be fetched, keep the last one and carry on."""
    try:
        return tasks.archive(home, tasks.fetch_models(source), run.run_id)
    except SourceError as exc:
        get_run_logger().warning("model catalogue unavailable, keeping the previous names: %s", exc)
        return None

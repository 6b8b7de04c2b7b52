"""The ingestion sequence shared by the weekly and backfill flows: fetch → archive → normalize → lake → load.

Fetching and archiving need no lock (raw files are never overwritten); writing the lake and loading the
warehouse happen under the writer lock, followed by publishing the read-only copy readers use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from prefect import get_run_logger
from prefect.runtime import flow_run

from flows import tasks
from flows.sources.base import FetchedResponse, RankingsSource, SourceError, Window
from warehouse.ingest import RunInfo
from warehouse.paths import Home
from warehouse.request_budget import RequestBudget
from warehouse.writer_lock import WriterBusy, writer_lock


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


def new_run(flow: str, source: RankingsSource, windows: list[Window], run_id: str | None = None) -> RunInfo:
    run_id = run_id or flow_run.get_id() or uuid.uuid4().hex
    return RunInfo(
        run_id=str(run_id),
        flow=flow,
        source=source.name,
        window_start=windows[0].start if windows else None,
        window_end=windows[-1].end if windows else None,
    )


def ingest_windows(
    home: Home,
    source: RankingsSource,
    windows: list[Window],
    run: RunInfo,
    *,
    derive: bool = True,
    with_catalogue: bool = True,
) -> IngestSummary:
    """Fetch and archive every window, then validate all of them before the lake or warehouse change.

    The lake write and the load (one transaction; derived tables too unless `derive` is False) run under
    the writer lock, then the read-only copy is published. Any failure logs a 'failed' ingest_log row
    and re-raises: the warehouse data stay as they were.
    """
    budget = None if source.synthetic else RequestBudget(home)
    try:
        raws = [tasks.archive(home, _fetch_within_budget(source, window, budget), run.run_id) for window in windows]
        catalogue_raw = _fetch_catalogue(home, source, run) if with_catalogue else None
        rankings = [tasks.normalize(home, raw) for raw in raws]
        catalogue = tasks.normalize(home, catalogue_raw) if catalogue_raw else None
        all_raws = raws + ([catalogue_raw] if catalogue_raw else [])
        with writer_lock(home):
            lake = tasks.write_lake(home, run, rankings, all_raws)
            stats = tasks.load_warehouse(home, run, catalogue, all_raws, derive)
            tasks.publish(home)
    except WriterBusy:
        raise  # the warehouse belongs to another run right now: not even a failure row can be written
    except Exception as exc:
        _record_failure(home, run, exc)
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


def _fetch_within_budget(source: RankingsSource, window: Window, budget: RequestBudget | None) -> FetchedResponse:
    """Count the request against the shared daily budget (raises `BudgetSpent` when it is used up).

    A client that retries reports `requests_made`; retries beyond the first request are counted after the fact.
    """
    if budget is None:
        return tasks.fetch_rankings(source, window)
    budget.acquire()
    before = getattr(source, "requests_made", None)
    try:
        return tasks.fetch_rankings(source, window)
    finally:
        after = getattr(source, "requests_made", None)
        if before is not None and after is not None:
            budget.add(after - before - 1)


def _record_failure(home: Home, run: RunInfo, exc: Exception) -> None:
    try:
        with writer_lock(home):
            tasks.record_failure(home, run, str(exc) or type(exc).__name__)
    except WriterBusy as busy:
        get_run_logger().warning("could not log the failed run: %s", busy)


def _fetch_catalogue(home: Home, source: RankingsSource, run: RunInfo):
    """The catalogue only names models: when it cannot be fetched, keep the last one and carry on."""
    try:
        return tasks.archive(home, tasks.fetch_models(source), run.run_id)
    except SourceError as exc:
        get_run_logger().warning("model catalogue unavailable, keeping the previous names: %s", exc)
        return None

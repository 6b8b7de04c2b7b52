"""The weekly and backfill runs as plain functions: plan → fetch → archive → validate → one write session.

One code path for the work: `tokenrank run`/`backfill` call these directly when no Prefect server is
configured (no Prefect import at all), and `flows.weekly`/`flows.backfill` wrap them as Prefect flows for
deployments and for a configured server; `step` then runs each step as a Prefect task. Business rules live
below (transforms/, warehouse/): this module only sequences them.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import uuid
from typing import Callable

from flows.progress import report as report_progress
from flows.sources.base import RankingsSource, SourceError
from flows.sources.registry import make_source
from transforms.contract import ContractError
from transforms.datasets.base import RangePlan, plan_range
from transforms.quality import day_quality
from transforms.windows import MAX_WINDOW_DAYS, Window
from warehouse import ingest, session
from warehouse.coverage import held_dates
from warehouse.failpoints import failpoint
from warehouse.home import check_source
from warehouse.paths import Home
from warehouse.raw_archive import RawFile
from warehouse.request_budget import BudgetSpent
from warehouse.runs import RunStats

Progress = Callable[[int, int, str], None]
"""`(done, total, what)` after each request window (and once more when the load is committed)."""


def step(name: str, fn, *args, **kwargs):
    """Run one step: as a Prefect task inside a Prefect flow run, else as a plain call."""
    if _in_prefect_flow():
        from prefect import task
        from prefect.cache_policies import NONE

        return task(fn, name=name, cache_policy=NONE)(*args, **kwargs)
    return fn(*args, **kwargs)


def log() -> logging.Logger | logging.LoggerAdapter:
    if _in_prefect_flow():
        from prefect import get_run_logger

        return get_run_logger()
    return logging.getLogger("tokenrank")


def _in_prefect_flow() -> bool:
    if "prefect" not in sys.modules:
        return False
    from prefect.context import FlowRunContext

    return FlowRunContext.get() is not None


def run_id() -> str:
    if _in_prefect_flow():
        from prefect.runtime import flow_run

        return str(flow_run.get_id() or uuid.uuid4().hex)
    return uuid.uuid4().hex


def weekly(
    source: str = "openrouter", end_date: dt.date | None = None, lookback_days: int = 14,
    window_days: int = MAX_WINDOW_DAYS, *, home: Home | None = None, progress: Progress | None = None,
) -> RunStats:
    """Re-fetch the `lookback_days` days ending `end_date` (default: the last complete UTC day), so restatements
    are caught; load, derive and publish. Raises `RangeOutsideData` when the range holds no data."""
    if lookback_days < 1:
        raise ValueError("lookback_days must be at least 1")
    src = make_source(source)
    end = end_date or src.last_complete_day()
    plan = plan_range(end - dt.timedelta(days=lookback_days - 1), end, last_complete_day=src.last_complete_day(),
                      window_days=window_days)
    return ingest_plan(home or Home.from_env(), src, plan, "weekly", progress=progress)


def backfill(
    start: dt.date, end: dt.date, refetch: bool = False, source: str = "openrouter",
    window_days: int = MAX_WINDOW_DAYS, *, home: Home | None = None, progress: Progress | None = None,
) -> RunStats:
    """Fetch [start, end]: only the dates the lake lacks unless `refetch`, ≤ `window_days` days per request.

    A finished backfill's rerun makes no request (it still repairs and republishes what a crash left). When the
    daily budget runs out it loads what it fetched and sets `stopped_by_budget` with the command that resumes.
    """
    home = home or Home.from_env()
    src = make_source(source)
    plan = plan_range(start, end, last_complete_day=src.last_complete_day(),
                      have=frozenset() if refetch else held_dates(home), window_days=window_days)
    run = ingest_plan(home, src, plan, "backfill", progress=progress, with_catalogue=bool(plan.windows),
                      partial=True)
    if run.stopped_by_budget:
        run.resume_command = resume_command(plan.effective.end, source, refetch, run, plan)
    return run


def resume_command(end: dt.date, source: str, refetch: bool, run: RunStats, plan: RangePlan) -> str:
    undone = [w for w in plan.windows if str(w) not in run.windows_done]
    first = undone[0].start if undone else plan.effective.start
    parts = ["tokenrank backfill", f"--start {first.isoformat()}", f"--end {end.isoformat()}", f"--source {source}"]
    return " ".join(parts + (["--refetch"] if refetch else []))


def ingest_plan(
    home: Home, src: RankingsSource, plan: RangePlan, flow: str, *, progress: Progress | None = None,
    with_catalogue: bool = True, partial: bool = False,
) -> RunStats:
    """Fetch and archive every planned window, validate them all, then commit them in one write session.

    Any failure records a 'failed' run and re-raises; the warehouse stays as it was. When the daily budget runs
    out, a `partial` run (a backfill) loads what it fetched and sets `stopped_by_budget`; any other run fails.
    """
    logger = log()
    progress = progress or report_progress
    run = RunStats(run_id(), flow, src.name, plan.effective.start, plan.effective.end,
                   windows=[str(w) for w in plan.windows], notes=list(plan.clamped))
    for note in plan.clamped:
        logger.warning("%s", note)
    check_source(home, src.name)
    try:
        raws: list[RawFile] = []
        for index, window in enumerate(plan.windows, start=1):
            try:
                raws.append(step("fetch-and-archive", _fetch, home, src, window, run.run_id))
            except BudgetSpent as exc:
                if not partial:
                    raise
                run.stopped_by_budget = True
                logger.warning("%s: stopping after %d of %d windows", exc, index - 1, len(plan.windows))
                break
            run.windows_done.append(str(window))
            progress(index, len(plan.windows) + 1, f"fetched {window}")
        run.requests = getattr(src, "requests_made", len(raws))
        tables = [step("validate", ingest.normalize_archived, home, raw) for raw in raws]
        catalogue_raw, catalogue = _catalogue(home, src, run) if with_catalogue and not run.stopped_by_budget \
            else (None, None)
        run.raw_files = [raw.file_id for raw in raws] + ([catalogue_raw.file_id] if catalogue_raw else [])
        run.empty_dates, run.short_dates = day_quality([Window.parse(w) for w in run.windows_done], tables)
        step("load", session.commit_run, home, run, tables=tables,
             raws=raws + ([catalogue_raw] if catalogue_raw else []), catalogue=catalogue)
    except Exception as exc:
        unlogged = session.record_failure(home, run, exc)
        if unlogged:
            logger.warning("could not log the failed run: %s", unlogged)
        raise
    progress(len(plan.windows) + 1, len(plan.windows) + 1, "loaded")
    _log_outcome(logger, run)
    return run


def _fetch(home: Home, src: RankingsSource, window: Window, run_id: str) -> RawFile:
    raw = ingest.archive_response(home, src.fetch_rankings(window), run_id)
    failpoint("after-archive")
    log().info("fetched rankings-daily %s: %s rows, as_of %s (%s)", window, raw.rows, raw.as_of, raw.file_id)
    return raw


def _catalogue(home: Home, src: RankingsSource, run: RunStats):
    """The catalogue only names models: when it cannot be fetched or read, keep the last one and carry on."""
    try:
        raw = ingest.archive_response(home, src.fetch_models(), run.run_id)
        return raw, ingest.normalize_archived(home, raw)
    except (SourceError, ContractError) as exc:
        note = f"model catalogue unavailable, keeping the previous names: {session.one_line(exc)}"
        log().warning("%s", note)
        run.notes.append(note)
        return None, None


def _log_outcome(logger, run: RunStats) -> None:
    logger.info("%s run %s: %d request(s), %d dates loaded, %d rows inserted, %d updated, %d restatements",
                run.flow, run.run_id, run.requests, run.dates_loaded, run.inserted, run.updated, run.restatements)
    if run.empty_dates:
        days = ", ".join(d.isoformat() for d in run.empty_dates[:5]) + (" …" if len(run.empty_dates) > 5 else "")
        logger.warning("%d requested date(s) came back with no rows (%s): they will be fetched again next run",
                       len(run.empty_dates), days)
    if run.short_dates:
        days = ", ".join(d.isoformat() for d in run.short_dates[:5]) + (" …" if len(run.short_dates) > 5 else "")
        logger.warning("%d date(s) have fewer than 51 rows or no 'other' row (%s): see dq_days",
                       len(run.short_dates), days)


def write_report(home: Home):
    """The latest complete week's report under reports/ (files); None, with a warning, when there is none yet."""
    from warehouse import published
    from warehouse.report_store import ReportError, latest_complete_week, write_report as write_files

    con = published.connect_read_only(home)  # the copy just published: a concurrent writer cannot block it
    try:
        week = latest_complete_week(con)
        files = write_files(con, home.reports / week.isoformat(), week)
    except ReportError as exc:
        log().warning("no report: %s", exc)
        return None
    finally:
        con.close()
    log().info("report for the week of %s written to %s: %s", files.week_start, files.html_path.parent, files.headline)
    return files


def write_site(home: Home) -> str | None:
    """Redraw the pages of the static site (`home.site`) whose data changed; the index's path, None (with a
    warning) when no week is loaded yet."""
    from warehouse import published
    from warehouse.report_store import ReportError
    from warehouse.site_store import build_site

    con = published.connect_read_only(home)
    try:
        result = build_site(con, home.site)
    except ReportError as exc:
        log().warning("no site: %s", exc)
        return None
    finally:
        con.close()
    log().info("site %s: %d pages drawn, %d unchanged, %d files removed", home.site, len(result.written),
               result.unchanged, len(result.removed))
    return str(result.index_path)

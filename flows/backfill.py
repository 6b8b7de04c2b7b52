"""The backfill flow: fetch a date range window by window, skipping what the raw archive already holds.

Each window is fetched, archived, written to the lake and loaded in its own transaction (derived tables
are left alone), so an interrupted backfill keeps every finished window and a re-run fetches only the
rest; the derived tables are rebuilt once at the end. Requests count against the shared daily budget
(`warehouse.request_budget`): when it is spent the flow stops before the next window, derives what it
loaded, logs the command that resumes it, and completes with `stopped_by_budget` set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows import progress, tasks
from flows.ingest import ingest_windows, new_run
from flows.notify import notify_failure
from flows.secrets import use_secret_block_for_api_key
from flows.sources.base import DATASET_FLOOR, Window, plan_windows
from flows.sources.registry import make_source
from transforms.date_ranges import contiguous_ranges, missing_dates
from warehouse.coverage import archived_dates
from warehouse.paths import Home
from warehouse.request_budget import BudgetSpent, RequestBudget
from warehouse.writer_lock import WriterBusy, writer_lock


@dataclass
class BackfillSummary:
    start: str
    end: str
    source: str
    windows_planned: list[str] = field(default_factory=list)
    windows_done: list[str] = field(default_factory=list)
    dates_loaded: int = 0
    inserted: int = 0
    updated: int = 0
    restatements: int = 0
    stopped_by_budget: bool = False
    resume_command: str | None = None


def plan_backfill(
    start: dt.date,
    end: dt.date,
    *,
    archived: set[dt.date],
    last_complete_day: dt.date,
    refetch: bool = False,
    window_days: int = 30,
) -> list[Window]:
    """Request windows covering [start, end] (clamped to the dataset's floor and the last complete day).

    Without `refetch`, only the dates not in `archived` are planned: each run of missing days becomes
    windows of at most `window_days` days. An empty list means there is nothing to fetch.
    """
    start, end = max(start, DATASET_FLOOR), min(end, last_complete_day)
    if start > end:
        return []
    if refetch:
        return plan_windows(start, end, last_complete_day=last_complete_day, window_days=window_days)
    return [
        window
        for first, last in contiguous_ranges(missing_dates(start, end, archived))
        for window in plan_windows(first, last, last_complete_day=last_complete_day, window_days=window_days)
    ]


def resume_command(start: dt.date, end: dt.date, source: str, refetch: bool) -> str:
    parts = ["tokenrank backfill", f"--start {start.isoformat()}", f"--end {end.isoformat()}", f"--source {source}"]
    return " ".join(parts + (["--refetch"] if refetch else []))


@flow(name="backfill", on_failure=[notify_failure], on_crashed=[notify_failure])
def backfill(start: dt.date, end: dt.date, refetch: bool = False, source: str = "openrouter", window_days: int = 30) -> dict:
    """Fetch and load [start, end]; only the dates the raw archive lacks unless `refetch`."""
    logger = get_run_logger()
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if source == "openrouter":
        use_secret_block_for_api_key()
    src = make_source(source)
    home = Home.from_env()
    windows = plan_backfill(
        start, end, archived=set() if refetch else archived_dates(home, src.name),
        last_complete_day=src.last_complete_day(), refetch=refetch, window_days=window_days,
    )
    summary = BackfillSummary(start=start.isoformat(), end=end.isoformat(), source=src.name,
                              windows_planned=[str(w) for w in windows])
    if not windows:
        logger.info("nothing to fetch: every date of %s..%s is already archived (use refetch to fetch again)", start, end)
        return asdict(summary)
    logger.info("backfill %s..%s: %d window(s) to fetch: %s", start, end, len(windows), ", ".join(summary.windows_planned))
    budget = None if src.synthetic else RequestBudget(home)
    base_id = str(flow_run.get_id() or uuid.uuid4().hex)
    try:
        for index, window in enumerate(windows, start=1):
            if budget is not None and budget.remaining_today() < 1:
                _stop_for_budget(summary, budget, window, end, source, refetch)
                break
            run = new_run("backfill", src, [window], run_id=f"{base_id}-{window.start:%Y%m%d}")
            try:
                done = ingest_windows(home, src, [window], run, derive=False, with_catalogue=index == 1)
            except BudgetSpent:  # another run spent the last of it between our check and the request
                _stop_for_budget(summary, budget, window, end, source, refetch)
                break
            summary.windows_done.append(str(window))
            summary.dates_loaded += done.dates_loaded
            summary.inserted += done.inserted
            summary.updated += done.updated
            summary.restatements += done.restatements
            logger.info(
                "window %d/%d %s done: %d dates loaded, %d rows inserted, %d updated, %d restatements",
                index, len(windows), window, done.dates_loaded, done.inserted, done.updated, done.restatements,
            )
            progress.report(progress.WindowDone(index, len(windows), str(window), done.dates_loaded, done.inserted,
                                                done.restatements))
    except WriterBusy:
        raise
    except Exception:
        if summary.windows_done:  # keep what loaded consistent with its derived tables; a re-run fetches the rest
            logger.error("backfill failed after %d window(s); re-run the same backfill to fetch the rest",
                         len(summary.windows_done))
            _derive_and_publish(home)
        raise
    if summary.windows_done:
        _derive_and_publish(home)
    return asdict(summary)


def _derive_and_publish(home: Home) -> None:
    with writer_lock(home):
        tasks.derive_tables(home)
        tasks.publish(home)


def _stop_for_budget(summary: BackfillSummary, budget: RequestBudget, next_window: Window, end: dt.date,
                     source: str, refetch: bool) -> None:
    summary.stopped_by_budget = True
    summary.resume_command = resume_command(next_window.start, end, source, refetch)
    after = f"window {summary.windows_done[-1]}" if summary.windows_done else "no window"
    get_run_logger().warning(
        "daily request budget (%d) spent after %s; resume with: %s", budget.per_day, after, summary.resume_command
    )

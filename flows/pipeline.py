"""The weekly and backfill runs as plain functions: plan → fetch → archive → validate → one write session.

A run covers one dataset of `transforms.datasets` (`weekly_all` runs the weekly of each in turn); the dataset's
declaration supplies the plan, the follow-up pages, the contract and the partitions, so this module holds no
dataset-specific rule.

One code path for the work: `tokenrank run`/`backfill` call these directly when no Prefect server is
configured (no Prefect import at all), and `flows.weekly`/`flows.backfill` wrap them as Prefect flows for
deployments and for a configured server; `step` then runs each step as a Prefect task. Business rules live
below (transforms/, warehouse/): this module only sequences them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
import uuid
from dataclasses import dataclass
from typing import Callable

from flows.progress import report as report_progress
from flows.sources.base import RankingsSource, SourceError
from flows.sources.registry import make_limiter, make_source
from transforms.contract import ContractError
from transforms import request_plan
from transforms.datasets import DATASETS, Dataset
from transforms.datasets.base import FetchPlan, RangePlan, Request
from transforms.request_plan import ScheduledRun
from transforms.responses import RANKINGS_ENDPOINT
from transforms.windows import MAX_WINDOW_DAYS
from warehouse import ingest, session
from warehouse.coverage import held_partitions
from warehouse.failpoints import failpoint
from warehouse.home import check_source
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive, RawFile
from warehouse.request_budget import BudgetSpent, days_needed
from warehouse.runs import RunStats

Progress = Callable[[int, int, str], None]
"""`(done, total, what)` after each request (and once more when the load is committed)."""


def step(name: str, fn, *args, **kwargs):
    """Run one step: as a Prefect task inside a Prefect flow run, else as a plain call. Its arguments are passed
    `quote`d: Prefect would otherwise visit every element of them (every archived response, every table) looking
    for futures to wait on; a step never receives one."""
    if _in_prefect_flow():
        from prefect import task
        from prefect.cache_policies import NONE
        from prefect.utilities.annotations import quote

        return task(fn, name=name, cache_policy=NONE)(*map(quote, args), **{k: quote(v) for k, v in kwargs.items()})
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


def run_id(dataset: str) -> str:
    """A new run's id: inside a Prefect flow run, its id and the dataset (one flow run makes a run per dataset,
    each with its own ingest_log row); else a random hex."""
    if _in_prefect_flow():
        from prefect.runtime import flow_run

        return f"{flow_run.get_id() or uuid.uuid4().hex}-{dataset}"
    return uuid.uuid4().hex


def weekly(
    source: str = "openrouter", end_date: dt.date | None = None, lookback_days: int = 14,
    window_days: int = MAX_WINDOW_DAYS, *, dataset: str = RANKINGS_ENDPOINT, home: Home | None = None,
    progress: Progress | None = None,
) -> RunStats:
    """One dataset's weekly run, ending `end_date` (default: the last complete UTC day): rankings-daily re-fetches
    the `lookback_days` days, so restatements are caught; app-rankings fetches every list of the week that just
    ended and the overall lists of the weeks before it within the lookback. Load, derive and publish. Raises
    `RangeOutsideData` when the range holds no data."""
    return weekly_all(source, end_date, lookback_days, window_days, datasets=(dataset,), home=home,
                      progress=progress)[0]


def weekly_all(
    source: str = "openrouter", end_date: dt.date | None = None, lookback_days: int = 14,
    window_days: int = MAX_WINDOW_DAYS, *, datasets: tuple[str, ...] | None = None, home: Home | None = None,
    progress: Progress | None = None,
) -> list[RunStats]:
    """`weekly` for each dataset in turn, one run each, all loaded in one write session (so the read-only copy is
    published once); the first failure ends the sequence (what was fetched before it is loaded and published)."""
    if lookback_days < 1:
        raise ValueError("lookback_days must be at least 1")
    home = home or Home.from_env()

    def make_plan(name: str, src: RankingsSource) -> Planned:
        last = src.last_complete_day()
        return src, DATASETS[name].plan_weekly(end_date or last, last_complete_day=last, lookback_days=lookback_days,
                                               window_days=window_days)

    names = [_one(name) for name in datasets or dataset_names(ALL)]
    return fetch_each(home, source, names, make_plan, "weekly", progress=progress)


Planned = tuple[RankingsSource, FetchPlan]


def fetch_each(home: Home, source: str, names: list[str], make_plan: Callable[[str, RankingsSource], Planned],
               flow: str, *, progress: Progress | None = None) -> list[RunStats]:
    """One `flow` run per dataset of `names`, fetched in turn, then all loaded in one write session (`commit`); when
    one fails, what was fetched before it is loaded all the same, and the failure re-raised.

    Every dataset's source and plan (`make_plan(name, source)`) are made before any is fetched: the sources share
    the account's limiter, and all the plans' requests are announced to it at once (`RequestBudget.planned`), so a
    limiter kept on a Prefect server admits them in one batch, not one per dataset. A plan that cannot be made is
    raised at its dataset's turn, so the datasets before it are fetched and loaded as before."""
    limiter = make_limiter(source)
    plans: dict[str, Planned | ValueError] = {}
    for name in names:
        try:
            plans[name] = make_plan(name, make_source(source, limiter=limiter))
        except ValueError as exc:
            plans[name] = exc
    requests = sum(len(planned[1].requests) for planned in plans.values() if not isinstance(planned, ValueError))
    fetched: list[Fetched] = []
    try:
        with limiter.planned(requests) if limiter is not None else contextlib.nullcontext():
            for name in names:
                if isinstance(plans[name], ValueError):
                    raise plans[name]
                src, plan = plans[name]
                fetched.append(fetch_run(home, src, DATASETS[name], plan, flow, progress=progress,
                                         with_catalogue=DATASETS[name].uses_catalogue))
    except Exception:
        if fetched:
            commit(home, fetched, progress=progress)
        raise
    return commit(home, fetched, progress=progress) if fetched else []


def backfill(
    start: dt.date, end: dt.date | None = None, refetch: bool = False, source: str = "openrouter",
    window_days: int = MAX_WINDOW_DAYS, *, dataset: str = RANKINGS_ENDPOINT, home: Home | None = None,
    progress: Progress | None = None,
) -> RunStats:
    """Fetch one dataset over [start, end] (`end` default: the last complete UTC day): only the partitions the
    lake lacks unless `refetch`; rankings-daily in requests of ≤ `window_days` days, app-rankings every list of
    every complete week, overall lists and newest weeks first.

    A finished backfill's rerun makes no request (it still repairs and republishes what a crash left). When the
    daily budget runs out it loads what it fetched, sets `stopped_by_budget`, `requests_left`, `days_left` and
    the command that resumes (for app-rankings: the same command). A response that breaks the contract is
    quarantined and listed in `quarantined`; the rest loads and the next run asks for it again.
    """
    home = home or Home.from_env()
    ds = DATASETS[_one(dataset)]
    src = make_source(source)
    last = src.last_complete_day()
    end = end or last
    plan = ds.plan_backfill(start, end, last_complete_day=last,
                            have=frozenset() if refetch else held_partitions(home, ds), window_days=window_days)
    if getattr(src, "limiter", None) is not None:
        src.limiter.keep_headroom()
    run = ingest_plan(home, src, ds, plan, "backfill", progress=progress,
                      with_catalogue=ds.uses_catalogue and bool(plan.requests), strict=False)
    if run.stopped_by_budget:
        run.resume_command = resume_command(plan.effective.end, source, refetch, run, plan, dataset=dataset)
    return run


def snapshot_names() -> list[str]:
    """The snapshot datasets (no history in the API), in `DATASETS` order."""
    return [name for name, ds in DATASETS.items() if ds.snapshot]


class SnapshotMissing(RuntimeError):
    """The week's last capture did not find the snapshot it should have (`SnapshotDataset.due`): lost for good."""


def capture(
    source: str = "openrouter", *, datasets: tuple[str, ...] | None = None, require_week: bool = False,
    today: dt.date | None = None, home: Home | None = None, progress: Progress | None = None,
) -> list[RunStats]:
    """Store the current snapshot of each snapshot dataset (default: every one): one run each, all loaded in one
    write session.

    A snapshot the lake already holds is not stored again (the capture is then a no-op beyond its requests); a
    changed value for the same snapshot is a restatement. When a dataset's `due(today)` partition (session-cost:
    the window ending last Sunday) is still not held after its run: with `require_week` (the week's last
    capture) raise `SnapshotMissing`, after storing everything else; without it, note it (a later capture tries
    again). `today` (default: the source's last complete day + 1) is the UTC day of the capture; a synthetic
    source replays that day.
    """
    home = home or Home.from_env()
    day = today or make_source(source).last_complete_day() + dt.timedelta(days=1)

    def make_plan(name: str, src: RankingsSource) -> Planned:
        if today is not None and hasattr(src, "on"):  # a synthetic source replays any day; the live API only now
            src = src.on(today)
        return src, DATASETS[name].plan_snapshot(day)

    names = [_one(name) for name in datasets or snapshot_names()]
    runs = fetch_each(home, source, names, make_plan, "capture", progress=progress)
    missing = []
    for run in runs:
        ds = DATASETS[run.dataset]
        wanted, held = ds.due(day), held_partitions(home, ds)
        if wanted is not None and wanted not in held:
            text = (f"{ds.name}: no snapshot {ds.partition_name(wanted)} yet (latest held: "
                    f"{ds.partition_name(max(held)) if held else 'none'})")
            missing.append(text)
            if not require_week:
                log().warning("%s: a later capture tries again", text)
                run.notes.append(f"{text}: a later capture tries again")
    if missing and require_week:
        raise SnapshotMissing(f"{'; '.join(missing)}; this was the week's last capture: the week is missed for good "
                              "(the API keeps no history)")
    return runs


ALL = "all"
"""`--dataset all`: every dataset with a history, in `DATASETS` order (snapshot datasets are `capture`'s)."""


def dataset_names(choice: str) -> list[str]:
    """The datasets a `--dataset` value names ('all': every one but the snapshot datasets, or one dataset's name);
    ValueError for anything else."""
    return [name for name, ds in DATASETS.items() if not ds.snapshot] if choice == ALL else [_one(choice)]


def _one(name: str) -> str:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)} (or {ALL})")
    return name


def backfill_all(
    start: dt.date, end: dt.date | None = None, refetch: bool = False, source: str = "openrouter",
    window_days: int = MAX_WINDOW_DAYS, *, dataset: str = RANKINGS_ENDPOINT, home: Home | None = None,
    progress: Progress | None = None,
) -> list[RunStats]:
    """`backfill` of each dataset `dataset` names ('all': every one, rankings-daily first), sharing the day's
    budget: a run the budget stops ends the sequence, and its `resume_command` continues all of it."""
    runs = []
    home = home or Home.from_env()
    with session.publish_once(home):
        for name in dataset_names(dataset):
            runs.append(backfill(start, end, refetch, source, window_days, dataset=name, home=home, progress=progress))
            if runs[-1].stopped_by_budget:
                if dataset == ALL and not refetch:
                    runs[-1].resume_command = " ".join([
                        "tokenrank backfill", f"--dataset {ALL}", f"--start {start.isoformat()}",
                        *([f"--end {end.isoformat()}"] if end else []), f"--source {source}"])
                break
    return runs


@dataclass(frozen=True)
class NextRuns:
    """What the next runs will fetch (`tokenrank plan`): every dataset's weekly plan and, for a requested range,
    its backfill plans, scheduled on UTC days under the account's budget (`transforms.request_plan`)."""

    source: str
    runs: list[ScheduledRun]
    used_today: int | None
    per_day: int | None
    headroom: int | None

    @property
    def days_needed(self) -> int | None:
        return request_plan.days_needed(self.runs)


def next_runs(
    start: dt.date | None = None, end: dt.date | None = None, *, dataset: str = ALL, source: str = "openrouter",
    lookback_days: int = 14, window_days: int = MAX_WINDOW_DAYS, home: Home | None = None,
) -> NextRuns:
    """Plan, without a request, the next weekly run of every dataset with a history, the next capture of every
    snapshot dataset and (with `start`) a backfill of [start, end] of the datasets `dataset` names, skipping what
    the lake holds."""
    home = home or Home.from_env()
    src = make_source(source)
    last = src.last_complete_day()
    weekly_plans = [DATASETS[name].plan_weekly(last, last_complete_day=last, lookback_days=lookback_days,
                                               window_days=window_days) for name in dataset_names(ALL)]
    captures = [DATASETS[name].plan_snapshot(last + dt.timedelta(days=1)) for name in snapshot_names()]
    backfills = [] if start is None else [
        DATASETS[name].plan_backfill(start, end or last, last_complete_day=last,
                                     have=held_partitions(home, DATASETS[name]), window_days=window_days)
        for name in dataset_names(dataset)]
    runs = request_plan.order(weekly_plans, backfills, captures)
    limiter = getattr(src, "limiter", None)
    if limiter is None:  # the demo's requests cost nothing
        return NextRuns(src.name, [ScheduledRun(kind, plan, 0 if plan.requests else None, 0 if plan.requests else None)
                                   for kind, plan in runs], None, None, None)
    used = limiter.used_today()
    return NextRuns(src.name, request_plan.schedule(runs, used_today=used, per_day=limiter.per_day,
                                                    headroom=limiter.headroom),
                    used, limiter.per_day, limiter.headroom)


def resume_command(end: dt.date, source: str, refetch: bool, run: RunStats, plan: RangePlan | FetchPlan,
                   dataset: str = RANKINGS_ENDPOINT) -> str:
    """The command that continues a backfill the budget stopped: rankings-daily from the first window not
    fetched; other datasets the same range again (their plan skips what is held, newest first)."""
    if dataset == RANKINGS_ENDPOINT:
        windows = plan.windows if isinstance(plan, RangePlan) else [r.window for r in plan.requests]
        undone = [w for w in windows if str(w) not in run.windows_done]
        first = undone[0].start if undone else plan.effective.start
        parts = ["tokenrank backfill", f"--start {first.isoformat()}", f"--end {end.isoformat()}", f"--source {source}"]
    else:
        parts = ["tokenrank backfill", f"--dataset {dataset}", f"--start {plan.requested.start.isoformat()}",
                 f"--end {plan.requested.end.isoformat()}", f"--source {source}"]
    return " ".join(parts + (["--refetch"] if refetch else []))


def ingest_plan(
    home: Home, src: RankingsSource, dataset: Dataset, plan: FetchPlan, flow: str, *,
    progress: Progress | None = None, with_catalogue: bool = True, strict: bool = True,
) -> RunStats:
    """Fetch and archive every planned request (and the follow-up pages their answers call for), validate them
    all, then commit their partitions in one write session.

    `strict`: a response that breaks the contract, or a spent daily budget, fails the run (weekly). Otherwise
    (backfill) a bad response is quarantined, listed in `run.quarantined`, and the rest loads; a spent budget stops
    the fetching and loads what was fetched. Any other failure records a 'failed' run and re-raises; the
    warehouse stays as it was.
    """
    progress = progress or report_progress
    fetched = fetch_run(home, src, dataset, plan, flow, progress=progress, with_catalogue=with_catalogue,
                        strict=strict)
    return commit(home, [fetched], progress=progress)[0]


@dataclass
class Fetched:
    """A run fetched and validated, not yet committed: what `commit` loads."""

    commit: session.Commit
    requests: int
    """Requests of the run (follow-up pages included): the progress total."""


def fetch_run(
    home: Home, src: RankingsSource, dataset: Dataset, plan: FetchPlan, flow: str, *,
    progress: Progress | None = None, with_catalogue: bool = True, strict: bool = True,
) -> Fetched:
    """`ingest_plan`'s fetch, archive and validation, up to the write session; a failure records a 'failed' run
    and re-raises."""
    logger = log()
    progress = progress or report_progress
    queue: list[Request] = list(plan.requests)
    run = RunStats(run_id(dataset.name), flow, src.name, plan.effective.start, plan.effective.end, dataset=dataset.name,
                   windows=[r.label for r in queue], notes=list(plan.clamped), requests_planned=len(queue))
    for note in plan.clamped:
        logger.warning("%s", note)
    check_source(home, src.name)
    limiter = getattr(src, "limiter", None)
    if limiter is not None and queue and flow == "backfill":
        _budget_note(logger, run, plan, limiter)
    try:
        raws, done, valid, tables = step("fetch-and-validate", _fetch_and_validate, home, src, dataset, plan, run,
                                         queue, strict=strict, progress=progress)
        parts, broken = ingest.partitions(home, valid, tables)
        if broken and strict:
            raise ContractError(broken[0])
        run.quarantined += broken
        catalogue_raw, catalogue = _catalogue(home, src, run) if with_catalogue and not run.stopped_by_budget \
            else (None, None)
        run.raw_files = [raw.file_id for raw in raws] + ([catalogue_raw.file_id] if catalogue_raw else [])
        answered = {raw.file_id for raw in valid}
        run.empty_dates, run.short_dates = dataset.quality(
            [r for r, raw in zip(done, raws) if raw.file_id in answered], [ingest.page(r, t) for r, t in zip(valid, tables)])
        run.empty_partitions = [dataset.partition_name(p.key) for p in parts if not p.rows.num_rows]
        for note in dataset.notes([ingest.page(r, t) for r, t in zip(valid, tables)]):
            logger.warning("%s", note)
            run.notes.append(note)
    except Exception as exc:
        _record_failure(logger, home, run, exc)
        raise
    return Fetched(session.Commit(run, {dataset.name: parts}, valid + ([catalogue_raw] if catalogue_raw else []),
                                  catalogue), len(queue))


def commit(home: Home, fetched: list[Fetched], *, progress: Progress | None = None) -> list[RunStats]:
    """Load fetched runs in one write session (`warehouse.session.commit_runs`); a failure records each run as
    'failed' and re-raises, the warehouse as it was."""
    logger = log()
    progress = progress or report_progress
    try:
        step("load", session.commit_runs, home, [f.commit for f in fetched])
    except Exception as exc:
        for f in fetched:
            _record_failure(logger, home, f.commit.run, exc)
        raise
    for f in fetched:
        progress(f.requests + 1, f.requests + 1, "loaded")
        _log_outcome(logger, f.commit.run)
    return [f.commit.run for f in fetched]


def _record_failure(logger, home: Home, run: RunStats, exc: Exception) -> None:
    unlogged = session.record_failure(home, run, exc)
    if unlogged:
        logger.warning("could not log the failed run: %s", unlogged)


def _budget_note(logger, run: RunStats, plan: FetchPlan, limiter) -> None:
    """Say how many UTC days the plan needs at the account's daily budget (a note when more than today)."""
    left_today = limiter.remaining_today()
    days = days_needed(len(plan.requests), left_today, limiter.usable_per_day)
    kept = f", {limiter.reserved} more kept for the weekly runs" if limiter.reserved else ""
    text = (f"{plan.dataset}: {len(plan.requests)} requests planned"
            + (f" ({plan.follow_ups})" if plan.follow_ups else "")
            + f"; {left_today} of today's {limiter.per_day} left{kept}")
    if days is not None and days <= 1:
        logger.info("%s: done today", text)
        return
    note = text + (f": about {days} UTC days; rerun the same command each day (it resumes where it stopped)"
                   if days is not None else ": the daily budget is 0, nothing can be fetched")
    logger.warning("%s", note)
    run.notes.append(note)


def _fetch_and_validate(home: Home, src: RankingsSource, dataset: Dataset, plan: FetchPlan, run: RunStats,
                        queue: list[Request], *, strict: bool, progress: Progress):
    """`_fetch_plan`, then `_validate` what it archived: `(raws, the requests they answered, valid raws, their
    tables)`. One step, not two: a Prefect task costs the flow run ~0.03 s and its server three state events."""
    raws, done = _fetch_plan(home, src, dataset, plan, run, queue, strict=strict, progress=progress)
    run.requests = getattr(src, "requests_made", len(raws))
    return (raws, done, *_validate(home, raws, run, strict=strict))


def _fetch_plan(home: Home, src: RankingsSource, dataset: Dataset, plan: FetchPlan, run: RunStats,
                queue: list[Request], *, strict: bool, progress: Progress) -> tuple[list[RawFile], list[Request]]:
    """Fetch and archive `queue` in order (and the follow-up pages the answers call for; a paged capture whose
    snapshot changed mid-fetch again from its first page): the raw records and the requests they answered.
    A spent budget fails a `strict` run, else ends the fetching with `run.stopped_by_budget` set."""
    logger = log()
    limiter = getattr(src, "limiter", None)
    raws: list[RawFile] = []
    done: list[Request] = []
    paged: list[tuple[Request, str | None]] = []  # the paged fetch in progress: its first request, its mark
    planned = set(plan.requests)
    with limiter.planned(len(queue)) if limiter is not None else contextlib.nullcontext():
        while len(done) < len(queue):
            request = queue[len(done)]
            try:
                raw, mark = _fetch(home, src, request, run.run_id, dataset)
            except BudgetSpent as exc:
                if strict:  # a weekly run is all or nothing
                    raise
                run.stopped_by_budget = True
                run.requests_left = len(queue) - len(done)
                run.days_left = days_needed(run.requests_left, 0, limiter.usable_per_day) if limiter is not None else None
                logger.warning("%s: stopping after %d of %d requests", exc, len(done), len(queue))
                break
            if request in planned or not paged:
                paged = [(request, mark)]
            elif mark != paged[0][1]:
                _refetch(logger, run, queue, done, raws, paged, raw, mark, home)
                continue
            raws.append(raw)
            done.append(request)
            run.windows_done.append(request.label)
            follow_up = dataset.next_page(request, raw.rows)
            if follow_up is not None:
                queue.insert(len(done), follow_up)
                run.windows.insert(len(done), follow_up.label)
                run.requests_planned += 1
            progress(len(done), len(queue) + 1, f"fetched {request.label}")
    return raws, done


def _validate(home: Home, raws: list[RawFile], run: RunStats, *, strict: bool) -> tuple[list[RawFile], list]:
    """Each archived response through its dataset's contract: the valid records and their tables. A response that
    breaks the contract fails a `strict` run, else is listed in `run.quarantined` (the archive quarantined it)."""
    valid, tables = [], []
    for raw in raws:
        try:
            tables.append(ingest.normalize_archived(home, raw))
            valid.append(raw)
        except ContractError as exc:
            if strict:
                raise
            run.quarantined.append(session.one_line(exc))
    return valid, tables


def _fetch(home: Home, src: RankingsSource, request: Request, run_id: str, dataset: Dataset) -> tuple[RawFile, str | None]:
    """Fetch and archive one request: its record and its `Dataset.page_mark`."""
    response = src.fetch(request)
    raw = ingest.archive_response(home, response, run_id)
    failpoint("after-archive")
    log().info("fetched %s: %s rows, as_of %s (%s)", request.what, raw.rows, raw.as_of, raw.file_id)
    return raw, dataset.page_mark(response.body)


MAX_REFETCHES = 3
"""How many times one run fetches a paged snapshot again after a refresh landed mid-fetch before it fails."""


def _refetch(logger, run: RunStats, queue: list[Request], done: list[Request], raws: list[RawFile],
             paged: list[tuple[Request, str | None]], raw: RawFile, mark: str | None, home: Home) -> None:
    """A page disagrees with its capture's first page (the snapshot was refreshed mid-fetch): quarantine the
    capture's pages, so neither this run nor a rebuild uses them, and ask for the capture again from its first
    request. More than `MAX_REFETCHES` refreshes in one run fail it."""
    first, first_mark = paged.pop()
    note = (f"{first.endpoint}: the snapshot changed mid-fetch (window {first_mark} became {mark}): "
            "its pages were discarded and fetched again")
    if sum(1 for line in run.notes if line.startswith(f"{first.endpoint}: the snapshot changed")) >= MAX_REFETCHES:
        raise SourceError(f"{first.endpoint}: the snapshot changed mid-fetch {MAX_REFETCHES + 1} times; giving up")
    start, current = done.index(first), len(done)
    archive = RawArchive(home)
    for stale in raws[start:] + [raw]:
        archive.quarantine(stale, note)
    logger.warning("%s", note)
    run.notes.append(note)
    queue[start:current + 1] = [first]
    del raws[start:], done[start:], run.windows_done[start:]


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
    logger.info("%s %s run %s: %d request(s), %d partitions loaded (%d dates), %d rows inserted, %d updated, "
                "%d restatements", run.flow, run.dataset, run.run_id, run.requests, run.partitions_loaded,
                run.dates_loaded, run.inserted, run.updated, run.restatements)
    if run.empty_dates:
        days = ", ".join(d.isoformat() for d in run.empty_dates[:5]) + (" …" if len(run.empty_dates) > 5 else "")
        logger.warning("%d requested date(s) came back with no rows (%s): they will be fetched again next run",
                       len(run.empty_dates), days)
    if run.short_dates:
        days = ", ".join(d.isoformat() for d in run.short_dates[:5]) + (" …" if len(run.short_dates) > 5 else "")
        logger.warning("%d date(s) have fewer than 51 rows or no 'other' row (%s): see dq_days",
                       len(run.short_dates), days)
    if run.empty_partitions:
        logger.info("%d list(s) came back with no rows (recorded as answered): %s", len(run.empty_partitions),
                    ", ".join(run.empty_partitions[:5]) + (" …" if len(run.empty_partitions) > 5 else ""))
    for line in run.quarantined:
        logger.warning("quarantined (the rest was loaded; the next run asks again): %s", line)


def combined_summary(runs: list[RunStats]) -> dict:
    """The first run's summary (rankings-daily unless the runs started elsewhere), with every run's summary
    under `datasets` (by dataset name)."""
    summary = runs[0].summary()
    summary["datasets"] = {run.dataset: run.summary() for run in runs}
    return summary


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

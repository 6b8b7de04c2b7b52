"""`tokenrank`: run the pipeline and look at what it loaded.

Exit codes: 0 success; 1 the run, query or export failed (also: out of time or memory, nothing published yet,
an unreadable published copy, a backfill that quarantined responses having loaded the rest); 2 bad usage (unknown
option value, a refused query: a write, or access to files, URLs or extensions; an export over an existing file
without --force; a date range outside the data; a home that holds another source); 3 another run is writing the
warehouse (the writer lock wait ran out); 4 the daily request budget is spent (a backfill: re-run the printed
command, or the same one, tomorrow).

Runs execute in this process with no orchestration unless `PREFECT_API_URL` is set: then they run as Prefect
flows against that server (recorded in its UI, with artifacts), exactly as deployments run them.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import datetime as dt
import enum
import gc
import json
import logging
import os
import sys
import threading
import traceback
from importlib import metadata
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table

from transforms.units import format_tokens
from transforms.windows import MAX_WINDOW_DAYS
from warehouse.paths import HOME_ENV, Home, demo_home, is_url

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
EXIT_BUDGET_SPENT = 4

app = typer.Typer(help="Weekly AI-model usage rankings from OpenRouter's public data.", no_args_is_help=True,
                  pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]})
console = Console()
err = Console(stderr=True)

DEMO_BANNER = "[bold yellow]DEMO: these figures are SYNTHETIC, generated in-repo; they are not OpenRouter data.[/]"
DEMO_SOURCE = "demo (synthetic)"


class Source(str, enum.Enum):
    openrouter = "openrouter"
    demo = "demo"


class DatasetChoice(str, enum.Enum):
    all = "all"
    rankings_daily = "rankings-daily"
    app_rankings = "app-rankings"
    rankings_daily_facets = "rankings-daily-facets"
    rankings_weekly_estimates = "rankings-weekly-estimates"


class StatusFormat(str, enum.Enum):
    table = "table"
    json = "json"


_options = {"verbose": False, "home_given": False}


def _print_version(value: bool) -> None:
    if value:
        console.print(f"tokenrank {metadata.version('tokenrank')}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="show every log line (and tracebacks on failure)"),
    home: Optional[str] = typer.Option(None, "--home", help=f"the home to use, a path or s3://bucket/prefix (default ${HOME_ENV} or ./.tokenrank)"),
    demo_home_: bool = typer.Option(False, "--demo", help="use the demo's home (./.tokenrank-demo)"),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help="print the version and exit"),
) -> None:
    """Weekly AI-model usage rankings from OpenRouter's public data."""
    _options["verbose"] = verbose
    _options["home_given"] = home is not None
    if home is not None:
        os.environ[HOME_ENV] = home if is_url(home) else str(Path(home).resolve())
    elif demo_home_:
        os.environ[HOME_ENV] = str(demo_home())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s: %(message)s" if verbose else "%(message)s")
    logging.getLogger("tokenrank.source").setLevel(logging.INFO if verbose else logging.ERROR)


def _prefect_env(quiet: bool = True) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if quiet and not _options["verbose"]:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")


def _through_prefect() -> bool:
    return bool(os.environ.get("PREFECT_API_URL"))


def _fail(exc: BaseException) -> typer.Exit:
    """One line on stderr, the exit code of the README; the traceback only with --verbose."""
    from transforms.datasets.base import BadRange
    from warehouse.home import HomeError, HomeMismatch
    from warehouse.request_budget import BudgetSpent
    from warehouse.writer_lock import WriterBusy

    if _options["verbose"]:
        traceback.print_exception(exc, file=sys.stderr)
    text = str(exc).strip()
    err.print(f"[bold red]error:[/] {text.splitlines()[0] if text else type(exc).__name__}", highlight=False, soft_wrap=True)
    if isinstance(exc, WriterBusy):
        return typer.Exit(EXIT_BUSY)
    if isinstance(exc, BudgetSpent):
        return typer.Exit(EXIT_BUDGET_SPENT)
    if isinstance(exc, (BadRange, HomeMismatch, HomeError)):
        return typer.Exit(EXIT_USAGE)
    return typer.Exit(EXIT_FAILED)


def _print_markdown(text: str) -> None:
    from rich.markdown import Markdown  # markdown-it costs every other command ~0.1 s: only demo and report print it

    console.print(Markdown(text))


def _progress_bar(label: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(f"[bold]{label}[/] {{task.description}}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def _prefect_flow(kind: str):
    """The Prefect flow that runs `kind`. Its import (Prefect's, mostly) makes ~240,000 objects that live as long as
    the process: the cyclic garbage collector is paused while they are made and then told to leave them out of its
    passes (`gc.freeze`), ~0.15 s less for a weekly run."""
    gc.disable()
    try:
        if kind == "weekly":
            from flows.weekly import weekly_rankings as prefect_flow
        elif kind == "capture":
            from flows.capture import capture_snapshots as prefect_flow
        else:
            from flows.backfill import backfill as prefect_flow
    finally:
        gc.freeze()
        gc.enable()
    return prefect_flow


@contextlib.contextmanager
def _without_heartbeats():
    """Prefect settings for a flow run this command starts in its own process: no heartbeat events.

    Heartbeats feed the automations that mark deployment runs whose machine died as Crashed (Prefect's "zombie
    flows"); a run started here ends in the terminal that started it. Each run with them waits for its heartbeat
    thread to wake up at its end (up to 1 s). Deployment runs keep them (`PREFECT_FLOWS_HEARTBEAT_FREQUENCY`)."""
    from prefect.context import SettingsContext, get_settings_context

    context = get_settings_context()
    settings = context.settings
    flows = settings.flows.model_copy(update={"heartbeat_frequency": None})
    with SettingsContext(profile=context.profile, settings=settings.model_copy(update={"flows": flows})):
        yield


def _execute(kind: str, site: bool = True, **params) -> dict:
    """Run the weekly or backfill pipeline (in-process, or as a Prefect flow when a server is configured) with a
    progress bar; known failures end here with one line and their exit code. Returns the combined summary
    (`flows.pipeline.combined_summary`)."""
    from flows import pipeline, progress

    bar = _progress_bar(kind)
    task = bar.add_task("planning…", total=None)

    def advance(done: int, total: int, what: str) -> None:
        bar.update(task, total=total, completed=done, description=what)

    try:
        with bar, progress.listening(advance):
            if _through_prefect():
                _prefect_env()
                prefect_flow = _prefect_flow(kind)
                with _without_heartbeats():
                    return prefect_flow(**params)
            home = Home.from_env()
            if kind == "capture":
                params["datasets"] = tuple(params["datasets"]) if params.get("datasets") else None
                return pipeline.combined_summary(pipeline.capture(**params, home=home))
            if kind == "backfill":
                return pipeline.combined_summary(pipeline.backfill_all(**params, home=home))
            runs = pipeline.weekly_all(**params, home=home)
            files = pipeline.write_report(home)
            for run in runs:
                run.report = str(files.html_path) if files else None
            if site:
                pipeline.write_site(home)
            return pipeline.combined_summary(runs)
    except Exception as exc:
        raise _fail(exc)


def _runs(summary: dict) -> list[dict]:
    return list(summary.get("datasets", {}).values()) or [summary]


def _requests_line(s: dict) -> str:
    if not s["windows"]:
        return "none (nothing to fetch)"
    if len(s["windows"]) <= 3:
        return ", ".join(s["windows"])
    return f"{len(s['windows_done'])} of {len(s['windows'])} ({s['windows'][0]} … {s['windows'][-1]})"


def _units(dataset: str) -> tuple[str, str]:
    """What a run's summary counts for `dataset`: (what is held, one; what was loaded, many)."""
    return {"rankings-daily": ("date", "dates"), "app-rankings": ("list of the weeks", "lists")}.get(
        dataset, ("partition (day or week of a series)", "partitions"))


def _print_summary(summary: dict) -> None:
    for s in _runs(summary):
        table = Table(title=f"Run {s['run_id']} ({s['source']}, {s['dataset']})", show_header=False)
        loaded = (("dates loaded", f"{s['dates_loaded']:,}") if s["dataset"] == "rankings-daily" else
                  (f"{_units(s['dataset'])[1]} loaded", f"{s['partitions_loaded']:,}"
                   + (f" ({len(s['empty_partitions'])} answered empty)" if s["empty_partitions"] else "")))
        rows = [("windows" if s["dataset"] == "rankings-daily" else "requests planned", _requests_line(s)),
                ("requests", f"{s['requests']:,}"),
                ("lake partitions", f"{s['lake_written']:,} written, {s['lake_unchanged']:,} unchanged"),
                loaded,
                ("rows", f"{s['inserted']:,} inserted, {s['updated']:,} updated, {s['unchanged']:,} unchanged"),
                ("restatements", f"{s['restatements']:,}"),
                ("report", s.get("report") or "none (no complete week yet)")]
        for label, value in rows:
            table.add_row(label, value)
        console.print(table)
        for note in s["notes"]:
            err.print(f"[yellow]note:[/] {note}", highlight=False)


def _as_date(value: Optional[dt.datetime]) -> Optional[dt.date]:
    return value.date() if value else None


@app.command()
def demo() -> None:
    """Load the embedded SYNTHETIC demo dataset (26 weeks to 2026-04-05 of daily model rankings and weekly app
    rankings, 8 weekly captures of session cost, task shares and benchmarks) through the full pipeline, into its own home (./.tokenrank-demo, or $TOKENRANK_DEMO_HOME); read it
    with `tokenrank --demo status|query|report`."""
    from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY

    if not _options["home_given"]:
        os.environ[HOME_ENV] = str(demo_home())
    console.print(DEMO_BANNER)
    console.print(f"home: {Home.from_env().root}")
    from flows.sources.demo_snapshots import capture_days
    from warehouse.session import publish_once

    with publish_once(Home.from_env()):  # readers get one copy for all of these, before the weekly run's report
        # every week's lists but the last, which the weekly run below fetches as it would on a Monday
        _execute("backfill", start=DEMO_FIRST_DAY, end=DEMO_LAST_DAY - dt.timedelta(days=7), source="demo",
                 dataset="app-rankings")
        for day in capture_days(DEMO_LAST_DAY):  # the weekly captures of the snapshot datasets, replayed
            _execute("capture", site=False, source="demo", datasets=None, require_week=False, today=day)
    summary = _execute("weekly", site=False, source="demo", end_date=DEMO_LAST_DAY,
                       lookback_days=(DEMO_LAST_DAY - DEMO_FIRST_DAY).days + 1)
    _print_summary(summary)
    if summary.get("report"):
        sections = Path(summary["report"]).with_name("report.md").read_text().split("\n## ")
        shown = [sections[0]] + ["## " + part for part in sections[1:]
                                 if part.startswith(("Apps", "By traffic", "Session cost", "Task shares"))]
        lines = [line for part in shown for line in part.splitlines() if not line.startswith("![")]
        _print_markdown("\n".join(lines))
        console.print(f"Full report: {summary['report']}")
    console.print(DEMO_BANNER)


@app.command()
def run(
    source: Source = typer.Option(Source.openrouter, help="where the data come from"),
    end_date: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="last day to fetch (default: last complete UTC day)"),
    lookback_days: int = typer.Option(14, min=1, help="days re-fetched up to end-date, so restatements are caught"),
    window_days: int = typer.Option(MAX_WINDOW_DAYS, min=1, max=MAX_WINDOW_DAYS, help="days per request"),
    dataset: DatasetChoice = typer.Option(DatasetChoice.all, help="which dataset(s) to fetch"),
) -> None:
    """Run the weekly flow once, now: rankings-daily's last `lookback-days` days and app-rankings' week that just
    ended (plus the overall lists of the week before)."""
    from flows.pipeline import dataset_names

    _print_summary(_execute("weekly", source=source.value, end_date=_as_date(end_date), lookback_days=lookback_days,
                            window_days=window_days, datasets=tuple(dataset_names(dataset.value))))


@app.command()
def capture(
    source: Source = typer.Option(Source.openrouter, help="where the data come from"),
    dataset: Optional[list[str]] = typer.Option(None, help="session-cost, task-classifications or benchmarks "
                                                "(repeatable; default: all three)"),
    require_week: bool = typer.Option(False, "--require-week", help="fail (exit 1) when last Sunday's session-cost "
                                      "window is still not held: the week's last capture"),
) -> None:
    """Store the current snapshot of session cost, task classifications and benchmarks (the API keeps no history
    of them: only what is captured each week exists). A snapshot already held is not stored again."""
    _print_summary(_execute("capture", site=False, source=source.value, datasets=dataset, require_week=require_week))


@app.command()
def backfill(
    start: dt.datetime = typer.Option(..., formats=["%Y-%m-%d"], help="first UTC day (clamped to 2025-01-01)"),
    end: dt.datetime = typer.Option(..., formats=["%Y-%m-%d"], help="last UTC day (clamped to the last complete day)"),
    refetch: bool = typer.Option(False, "--refetch", help="fetch every date again, even those already loaded"),
    source: Source = typer.Option(Source.openrouter, help="where the data come from"),
    window_days: int = typer.Option(MAX_WINDOW_DAYS, min=1, max=MAX_WINDOW_DAYS, help="days per request"),
    dataset: DatasetChoice = typer.Option(DatasetChoice.rankings_daily,
                                          help="which dataset(s): app-rankings takes every complete week overlapping "
                                               "the range, overall lists and newest weeks first"),
) -> None:
    """Fetch and load a date range, skipping what is already loaded; resumable (rerun the same command), within
    the daily request budget (a long app-rankings backfill takes several days: it says how many)."""
    if start > end:
        err.print(f"[bold red]error:[/] --start {start:%Y-%m-%d} is after --end {end:%Y-%m-%d}")
        raise typer.Exit(EXIT_USAGE)
    summary = _execute("backfill", start=start.date(), end=end.date(), refetch=refetch, source=source.value,
                       window_days=window_days, dataset=dataset.value)
    runs = _runs(summary)
    for s in runs:
        for note in s["notes"]:
            err.print(f"[yellow]note:[/] {note}", highlight=False)
        what = _units(s["dataset"])[0]
        if not s["windows"]:
            console.print(f"Nothing to fetch: every {what} of {s['window_start']}..{s['window_end']} is already "
                          f"loaded ({s['dataset']}, 0 requests).")
            continue
        loaded = (f"{s['dates_loaded']} dates loaded" if s["dataset"] == "rankings-daily" else
                  f"{s['partitions_loaded']} {_units(s['dataset'])[1]} loaded ({len(s['empty_partitions'])} answered empty)")
        console.print(f"Backfill {s['window_start']}..{s['window_end']} ({s['source']}, {s['dataset']}): "
                      f"{len(s['windows_done'])}/{len(s['windows'])} requests, {s['requests']} sent, {loaded}, "
                      f"{s['inserted']:,} rows inserted, {s['updated']:,} updated, {s['restatements']:,} restatements.")
    quarantined = [line for s in runs for line in s["quarantined"]]
    for line in quarantined:
        err.print(f"[bold red]quarantined:[/] {line}", highlight=False)
    last = runs[-1]
    if last["stopped_by_budget"]:
        days = f" About {last['days_left']} more UTC day(s) at this budget." if last["days_left"] else ""
        err.print(f"[bold yellow]stopped:[/] the daily request budget is spent.{days} Resume with:\n  "
                  f"{last['resume_command']}")
        raise typer.Exit(EXIT_BUDGET_SPENT)
    if quarantined:
        err.print("[bold red]error:[/] responses that broke the contract were quarantined (the rest is loaded); "
                  "rerun the same command to ask for them again")
        raise typer.Exit(EXIT_FAILED)


@app.command()
def plan(
    start: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="a backfill's first UTC day (none: only the weekly runs)"),
    end: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="a backfill's last UTC day (default: the last complete day)"),
    dataset: DatasetChoice = typer.Option(DatasetChoice.all, help="which dataset(s) the backfill covers"),
    source: Source = typer.Option(Source.openrouter, help="where the data come from"),
    lookback_days: int = typer.Option(14, min=1, help="days the weekly rankings-daily run re-fetches"),
    window_days: int = typer.Option(MAX_WINDOW_DAYS, min=1, max=MAX_WINDOW_DAYS, help="days per request"),
    format: StatusFormat = typer.Option(StatusFormat.table, "--format", "-f", help="json: every field"),
) -> None:
    """What the next runs will fetch, by dataset, and on which UTC days under the shared request budget (weekly
    runs first, then backfills; makes no request)."""
    from flows.pipeline import next_runs

    if start is not None and end is not None and start > end:
        err.print(f"[bold red]error:[/] --start {start:%Y-%m-%d} is after --end {end:%Y-%m-%d}")
        raise typer.Exit(EXIT_USAGE)
    try:
        nxt = next_runs(_as_date(start), _as_date(end), dataset=dataset.value, source=source.value,
                        lookback_days=lookback_days, window_days=window_days)
    except Exception as exc:
        raise _fail(exc) from None
    if format is StatusFormat.json:
        _print_json({"source": nxt.source, "used_today": nxt.used_today, "per_day": nxt.per_day,
                     "headroom": nxt.headroom, "days_needed": nxt.days_needed,
                     "runs": [{"kind": r.kind, "dataset": r.plan.dataset, "requests": r.requests,
                               "start": r.plan.effective.start, "end": r.plan.effective.end,
                               "skipped": r.plan.skipped, "follow_ups": r.plan.follow_ups,
                               "first_day": r.first_day, "last_day": r.last_day, "clamped": r.plan.clamped}
                              for r in nxt.runs]}, indent=2)
        return
    if source is Source.demo:
        console.print(DEMO_BANNER)
    table = Table(show_edge=False, header_style="bold", box=None, padding=(0, 1))
    for name in ("run", "dataset", "requests", "covers", "held", "when"):
        table.add_column(name, justify="right" if name in ("requests", "held") else "left", no_wrap=name != "covers")
    for r in nxt.runs:
        table.add_row(r.kind, r.plan.dataset, f"{r.requests:,}", f"{r.plan.effective.start} .. {r.plan.effective.end}",
                      f"{r.plan.skipped:,}", _when(r))
    console.print(table)
    for r in nxt.runs:
        for note in r.plan.clamped:
            err.print(f"[yellow]note:[/] {r.plan.dataset}: {note}", highlight=False)
        if r.plan.follow_ups and r.requests:
            console.print(f"{r.plan.dataset} ({r.kind}): {r.plan.follow_ups}", highlight=False)
    if nxt.per_day is None:
        console.print("The demo source makes no Data API request: no budget applies.")
        return
    console.print(f"Budget: {nxt.used_today:,} of today's {nxt.per_day:,} requests used (UTC); backfills leave "
                  f"{nxt.headroom:,} of each day for the weekly runs.", highlight=False)
    weekly = sum(r.requests for r in nxt.runs if r.kind != "backfill")
    if weekly > nxt.headroom:
        err.print(f"[yellow]note:[/] the weekly runs and captures need {weekly} requests, more than the "
                  f"{nxt.headroom} backfills leave: raise TOKENRANK_REQUEST_HEADROOM", highlight=False)
    if start is not None:
        days = nxt.days_needed
        backfill = sum(r.requests for r in nxt.runs if r.kind == "backfill")
        when = ("never: the daily budget is 0" if days is None else "nothing to fetch" if not backfill
                else f"about {days} UTC day(s), today included; rerun the same backfill each day: it resumes")
        console.print(f"Backfill: {backfill:,} requests; {when}.", highlight=False)


def _when(r) -> str:
    """'today', 'day 2' or 'days 1–3' (1 = today), '-' for no request, 'never' when the budget never allows it."""
    if not r.requests:
        return "-"
    if r.last_day is None:
        return "never (daily budget 0)"
    if r.first_day == r.last_day:
        return "today" if r.first_day == 0 else f"day {r.first_day + 1}"
    return f"days {r.first_day + 1}–{r.last_day + 1}"


@app.command()
def rebuild(
    allow_loss: bool = typer.Option(False, "--allow-loss", help="swap in a result with fewer dates than the current warehouse"),
) -> None:
    """Recreate the lake and the warehouse from the raw archive alone (holds the writer lock)."""
    from warehouse.session import rebuild_home

    home = Home.from_env()
    if not home.raw.exists():
        err.print(f"[bold red]error:[/] no raw archive under {home.root}: nothing to rebuild from")
        raise typer.Exit(EXIT_FAILED)
    bar = _progress_bar("rebuild")
    task = bar.add_task("reading the raw archive…", total=None)
    try:
        with bar:
            result = rebuild_home(home, allow_loss=allow_loss,
                                  progress=lambda done, total: bar.update(task, total=total, completed=done))
    except Exception as exc:
        raise _fail(exc)
    for problem in result.problems:
        err.print(f"[yellow]skipped:[/] {problem}", highlight=False)
    console.print(
        f"Rebuilt {home.root}: {result.raw_files} raw files ({result.recovered} without a manifest), "
        f"{result.runs} runs in the history, {result.dates} dates, {result.fact_rows:,} fact rows."
    )


@app.command()
def migrate() -> None:
    """Bring a home written by an older tokenrank to the current layout (writers also do it on their own)."""
    from warehouse.session import migrate_home

    home = Home.from_env()
    try:
        done = migrate_home(home)
    except Exception as exc:
        raise _fail(exc)
    console.print("\n".join(done) if done else f"{home.root} is up to date.")


class QueryFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(str, enum.Enum):
    """`warehouse.export.FORMATS` (not imported here: the CLI starts without loading pandas)."""

    csv = "csv"
    parquet = "parquet"
    json = "json"


TABLE_MAX_ROWS = 1000
SQL_HELP = "one SELECT (or WITH … SELECT) statement; - reads it from stdin"
TIMEOUT_HELP = "seconds the query may run, rows streamed included (default: $TOKENRANK_QUERY_TIMEOUT or 30)"
MEMORY_HELP = "memory the query may use, e.g. 2GB (default: $TOKENRANK_QUERY_MEMORY or 1GB)"


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """The reader's known failures as one line on stderr: refused (exit 2) or failed (exit 1)."""
    import duckdb

    from warehouse.published import NothingPublished, unreadable
    from warehouse.query import BadLimit, QueryFailed, QueryRefused

    try:
        yield
    except QueryRefused as exc:
        err.print(f"[bold red]refused:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    except BadLimit as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    except QueryFailed as exc:
        err.print(f"[bold red]query failed:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    except BrokenPipeError:  # `tokenrank query … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0)
    except (NothingPublished, duckdb.Error, OSError) as exc:
        if isinstance(exc, duckdb.Error):  # raised outside a query (status): a damaged block of the copy
            exc = unreadable(exc)
        err.print(f"[bold red]error:[/] {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)


def _sql_arg(sql: str) -> str:
    return sys.stdin.read() if sql == "-" else sql


@app.command()
def query(
    sql: str = typer.Argument(..., help=SQL_HELP),
    format: QueryFormat = typer.Option(QueryFormat.table, "--format", "-f", help="table shows at most 1,000 rows; csv and json stream every row"),
    max_rows: Optional[int] = typer.Option(None, "--max-rows", min=0, help="stop after this many rows (default: 1,000 for table, all for csv/json)"),
    timeout: Optional[float] = typer.Option(None, "--timeout", help=TIMEOUT_HELP),
    memory: Optional[str] = typer.Option(None, "--memory", help=MEMORY_HELP),
) -> None:
    """Run one read-only SELECT on the latest published warehouse; writes and file access are refused (exit code 2).

    In the table format, integer columns named like *tokens* are shown as 12.96T / 3.08B; csv and json keep exact integers.
    """
    from warehouse.query import Limits, QueryFailed, run_query, write_csv, write_json

    with _reading():
        limits = Limits.from_env(timeout, memory)
        with run_query(Home.from_env(), _sql_arg(sql), limits) as rows:
            if format is QueryFormat.table:
                shown = rows.take(TABLE_MAX_ROWS if max_rows is None else max_rows)
                try:
                    cut, note = rows.count_rest(), ""
                except QueryFailed as exc:  # the rows shown are right; only counting the rest failed
                    cut, note = None, f"{len(shown):,} rows shown; the rest were cut, not counted: {exc}"
                table = _result_table(rows.columns, rows.types, shown)
                table.caption = None if cut or note else f"{len(shown):,} row{'s' if len(shown) != 1 else ''}"
                console.print(table)
                if cut:
                    note = (f"{len(shown):,} of {len(shown) + cut:,} rows shown, {cut:,} cut: "
                            "--max-rows N shows more; --format csv or json streams them all")
                if note:
                    console.print(note)
                return
            (write_csv if format is QueryFormat.csv else write_json)(rows, sys.stdout, max_rows)
            sys.stdout.flush()
            if max_rows is not None and rows.take(1):
                err.print(f"stopped after --max-rows {max_rows:,}: the query has more rows")


def _result_table(columns: list[str], types: list[str], rows: list[tuple]) -> Table:
    table = Table(show_edge=False, header_style="bold")
    tokens = [name.lower().find("tokens") >= 0 and kind in ("BIGINT", "HUGEINT", "INTEGER", "UBIGINT")
              for name, kind in zip(columns, types)]
    numeric = [any(t in kind for t in ("INT", "DECIMAL", "DOUBLE", "FLOAT")) for kind in types]
    for name, right in zip(columns, numeric):
        table.add_column(name, justify="right" if right else "left")
    for row in rows:
        table.add_row(*[format_tokens(v) if is_tokens and v is not None else _cell(v) for v, is_tokens in zip(row, tokens)])
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@app.command()
def export(
    table_or_sql: str = typer.Argument(..., metavar="TABLE_OR_SQL", help=f"a table name (all its rows), or {SQL_HELP}"),
    out: Path = typer.Option(..., "--out", "-o", help="the file to write; its licence notice goes beside it as <out>.license.txt"),
    format: Optional[ExportFormat] = typer.Option(None, "--format", "-f", help="default: from the --out extension"),
    force: bool = typer.Option(False, "--force", help="replace --out (and its notice) if it exists"),
    timeout: Optional[float] = typer.Option(None, "--timeout", help=TIMEOUT_HELP),
    memory: Optional[str] = typer.Option(None, "--memory", help=MEMORY_HELP),
) -> None:
    """Write a table or a read-only query result to CSV, Parquet or JSON, with its CC BY 4.0 notice (.license.txt).

    The query runs like `tokenrank query` (same guard, sandbox and limits); the file is written atomically and an
    existing one is only replaced with --force (else exit code 2).
    """
    from warehouse.export import export as export_rows
    from warehouse.query import Limits

    if format is None:
        try:
            format = ExportFormat(out.suffix.lstrip(".").lower())
        except ValueError:
            err.print(f"[bold red]error:[/] cannot tell the format from {out.name!r}: pass --format csv, parquet or json")
            raise typer.Exit(EXIT_USAGE)
    with _reading():
        done = export_rows(Home.from_env(), _sql_arg(table_or_sql), format.value, out, force=force,
                           limits=Limits.from_env(timeout, memory))
    if done.notice.synthetic:
        console.print(DEMO_BANNER)
    console.print(f"wrote {done.rows:,} row{'s' if done.rows != 1 else ''} to {done.path}, "
                  f"its licence notice to {done.sidecar}", soft_wrap=True)


@app.command()
def weeks(
    format: StatusFormat = typer.Option(StatusFormat.table, "--format", "-f", help="json: one object per week"),
) -> None:
    """The weeks loaded (Monday–Sunday UTC), newest first, per dataset: days loaded and whether complete."""
    from warehouse.status import weeks_loaded

    with _reading():
        rows = weeks_loaded(Home.from_env())
    if format is StatusFormat.json:
        _print_json([dataclasses.asdict(r) for r in rows], indent=1)
        return
    table = Table(show_edge=False, header_style="bold")
    for name in ("dataset", "week", "days", "complete", "as_of (UTC)"):
        table.add_column(name, justify="right" if name == "days" else "left")
    for r in rows:
        table.add_row(r.dataset, f"{r.week_start} .. {r.week_end}", f"{r.days}/7", "yes" if r.is_complete else "no",
                      f"{r.as_of:%Y-%m-%d %H:%M}" if r.as_of else "")
    table.caption = f"{len(rows)} week{'s' if len(rows) != 1 else ''}"
    console.print(table)


def _print_json(value, indent: int) -> None:
    """JSON on stdout, dates and times in ISO 8601 (`warehouse.query.json_value`)."""
    from warehouse.query import json_value

    sys.stdout.write(json.dumps(value, default=json_value, indent=indent) + "\n")


def _ranges(ranges) -> str:
    return ", ".join(a.isoformat() if a == b else f"{a}..{b}" for a, b in ranges)


@app.command()
def status(
    format: StatusFormat = typer.Option(StatusFormat.table, "--format", "-f", help="json: every field, dates in ISO 8601"),
) -> None:
    """Dates loaded and gaps, latest as_of, last runs, restatements and unattributed models (read-only)."""
    from warehouse.status import read_status

    with _reading():
        s = read_status(Home.from_env())
    if format is StatusFormat.json:
        _print_json(dataclasses.asdict(s), indent=2)
        return
    if s.synthetic:
        console.print(DEMO_BANNER)
    overview = Table(show_header=False, show_edge=False)
    overview.add_column(style="bold")
    overview.add_column()
    loaded = f"{s.first_date} .. {s.last_date} ({s.days_loaded} days)" if s.days_loaded else "nothing loaded yet"
    overview.add_row("home", str(Home.from_env().root))
    overview.add_row("dates loaded", loaded)
    overview.add_row("gaps", _ranges(s.gaps) or "none")
    if s.empty:
        overview.add_row("empty answers", f"[yellow]{_ranges(s.empty)}[/] (asked for, no rows: fetched again next run)")
    if s.incomplete:
        overview.add_row("short days", f"[yellow]{', '.join(d.isoformat() for d in s.incomplete)}[/] "
                                       "(fewer than 51 rows or no 'other' row)")
    overview.add_row("latest as_of", f"{s.latest_as_of:%Y-%m-%d %H:%M} UTC" if s.latest_as_of else "-")
    overview.add_row("restatements", f"{s.restatements:,} values on {s.restated_dates} dates"
                     + (f" (latest snapshot {s.last_restatement_as_of:%Y-%m-%d %H:%M} UTC)" if s.last_restatement_as_of else ""))
    overview.add_row("quarantined", f"{len(s.quarantined)} bad responses kept in raw/quarantine/"
                     + (f" (latest: {s.quarantined[-1].reason})" if s.quarantined else ""))
    console.print(overview)

    if s.datasets:
        coverage = Table(title="datasets", title_justify="left", show_edge=False, header_style="bold")
        for name in ("dataset", "covers", "partitions", "empty", "rows"):
            coverage.add_column(name, justify="right" if name in ("partitions", "empty", "rows") else "left",
                                no_wrap=True)
        for c in s.datasets:
            coverage.add_row(c.dataset, f"{c.first} .. {c.last}" if c.first else "-", f"{c.partitions:,}",
                             f"{c.empty:,}", f"{c.rows:,}")
        console.print(coverage)
    _print_snapshot_series(s.snapshots)

    runs = Table(title="last runs (UTC)", title_justify="left", show_edge=False, header_style="bold", box=None,
                 padding=(0, 1))
    for name, justify, no_wrap in [("finished", "left", True), ("flow", "left", True), ("dataset", "left", True),
                                   ("window", "left", False), ("status", "left", True), ("rows", "right", True)]:
        runs.add_column(name, justify=justify, no_wrap=no_wrap, min_width=None if no_wrap else 11)
    for r in s.last_runs:
        window = f"{r.window_start} .. {r.window_end}" if r.window_start else ""  # wraps at the spaces
        colour = "green" if r.status == "success" else "red"
        runs.add_row(f"{r.finished_at:%m-%d %H:%M}" if r.finished_at else "", r.flow, r.dataset or "", window,
                     f"[{colour}]{r.status}[/]", _cell(r.rows_inserted))
    console.print(runs)
    for r in s.last_runs:
        if r.error:
            console.print(f"[red]{r.flow} run {r.run_id} failed:[/] {r.error}")

    if s.unattributed is None:
        console.print("unattributed models: derived tables not built yet")
    elif not s.unattributed:
        console.print("unattributed models: none")
    else:
        models = Table(title="unattributed models (map them in transforms/reference/)", title_justify="left",
                       show_edge=False, header_style="bold", min_width=60)
        models.add_column("model")
        models.add_column("days", justify="right")
        models.add_column("tokens", justify="right")
        for m in s.unattributed:
            models.add_row(m.model_permaslug, str(m.days), format_tokens(m.total_tokens))
        console.print(models)


def _print_snapshot_series(series) -> None:
    """The weekly snapshot series; a missing week in bold red (the API keeps no history: it is lost for good)."""
    if not series:
        return
    table = Table(title="weekly snapshots (a week not captured is lost for good)", title_justify="left",
                  show_edge=False, header_style="bold")
    for name in ("series", "captured", "snapshots", "missing weeks"):
        table.add_column(name, justify="right" if name == "snapshots" else "left")
    for c in series:
        missing = [f"{w} (gap)" for w in c.gaps] + [f"{w} (overdue)" for w in c.overdue]
        table.add_row(c.series, f"{c.first} .. {c.last}" if c.first else "never", str(c.snapshots),
                      f"[bold red]{len(missing)}: {', '.join(missing)}[/]" if missing else "[green]none[/]")
    console.print(table)
    lost = sum(len(c.gaps) + len(c.overdue) for c in series)
    if lost:
        err.print(f"[bold red]warning:[/] {lost} snapshot week(s) missing (weeks of their Monday above); the API "
                  "serves only the current snapshot, so a missed week cannot be fetched later", highlight=False)


@contextlib.contextmanager
def _writing_from_published(what: str, target: Path):
    """A read-only connection to the published copy for a command that writes files (`what` to `target`); the
    known failures end in one line and exit code 1."""
    from warehouse.published import NothingPublished, connect_read_only
    from warehouse.report_store import ReportError

    try:
        con = connect_read_only(Home.from_env())
    except NothingPublished as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    try:
        yield con
    except ReportError as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write the {what} to {target}: {exc.strerror or exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    finally:
        con.close()


@app.command()
def report(
    week: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="any day of the week (default: latest complete week)"),
    out: Optional[Path] = typer.Option(None, help="output folder (default: $TOKENRANK_HOME/reports/<week_start>/)"),
    open_: bool = typer.Option(False, "--open", help="open report.html in the default web browser"),
) -> None:
    """Write the weekly report (report.md, self-contained report.html, charts as SVG)."""
    from warehouse.report_store import latest_complete_week, week_of, write_report

    with _writing_from_published("report", out or Home.from_env().reports) as con:
        start = week_of(week.date()) if week else latest_complete_week(con)
        files = write_report(con, out or Home.from_env().reports / start.isoformat(), start)
    _print_markdown(files.artifact_markdown)
    for path in files.paths:
        console.print(f"  wrote {path}")
    if open_:
        _open_in_browser(files.html_path)


@app.command()
def site(
    open_: bool = typer.Option(False, "--open", help="open the site's index.html in the default web browser"),
    force: bool = typer.Option(False, "--force", help="redraw every page, changed or not"),
) -> None:
    """Build the static site under $TOKENRANK_HOME/site/: every week, every model, every country (only what changed)."""
    from warehouse.site_store import build_site

    home = Home.from_env()
    with _writing_from_published("site", home.site) as con:
        result = build_site(con, home.site, force=force)
    console.print(
        f"site: {len(result.written)} pages drawn, {result.unchanged} unchanged, {len(result.removed)} files removed",
        soft_wrap=True,
    )
    console.print(f"  {result.index_path.as_uri()}", soft_wrap=True)
    if open_:
        _open_in_browser(result.index_path)


def _open_in_browser(page: Path) -> None:
    """Open a written page with the `webbrowser` module (a no-op where no browser is known)."""
    import webbrowser

    if not webbrowser.open(page.as_uri()):
        err.print(f"no web browser found: open {page.as_uri()} yourself")


@app.command()
def worker(
    pool: str = typer.Option("tokenrank", help="the Prefect work pool whose runs this worker executes"),
    pid_file: Optional[Path] = typer.Option(None, help="write the worker's process id here, for `kill $(cat PATH)`"),
) -> None:
    """Run a Prefect worker (`prefect worker start`) that stops on one SIGTERM or Ctrl-C, even when started with `&`."""
    from flows.worker import exec_worker

    _prefect_env(quiet=False)  # a worker's log is what its operator reads
    exec_worker(pool, pid_file)


@app.command()
def notifications(
    webhook: Optional[str] = typer.Option(None, envvar="TOKENRANK_NOTIFY_WEBHOOK", show_envvar=True,
                                          help="the URL to POST to (it is stored in a secret block, never printed)"),
) -> None:
    """Make the Prefect server at PREFECT_API_URL POST to WEBHOOK when a deployment run goes Late, is Cancelled or
    Crashed (runs that never start, which the runs' own failure hooks cannot report). Safe to re-run."""
    from flows.notify import AUTOMATION_NAME, WATCHED_FLOWS, WATCHED_STATES, WEBHOOK_BLOCK_NAME, setup_server_notifications

    if not _through_prefect():
        err.print("[bold red]error:[/] set PREFECT_API_URL to the Prefect server the deployments run on", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    if not webhook:
        err.print("[bold red]error:[/] give --webhook URL (or set TOKENRANK_NOTIFY_WEBHOOK)", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    _prefect_env()
    try:
        done = setup_server_notifications(webhook)
    except ValueError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    except Exception as exc:
        raise _fail(exc)
    console.print(f"automation {AUTOMATION_NAME} {'created' if done.created else 'updated'} ({done.automation_id}): "
                  f"deployment runs of {', '.join(WATCHED_FLOWS)} that go {', '.join(WATCHED_STATES)} "
                  f"POST to the webhook in block {WEBHOOK_BLOCK_NAME}", highlight=False)


def entry() -> None:
    """The `tokenrank` command: `app`, then the interpreter's own steps at exit, and the process ends without
    tearing down its modules and objects.

    When the command has returned, the steps that could still do anything run as the interpreter runs them:
    `threading._shutdown` (joins the threads that are not daemons, and drains Prefect's queues of logs and events
    to its server), the `atexit` handlers, then the standard streams are flushed. Tearing down what is left
    (Prefect's, pandas', pyarrow's and DuckDB's modules and objects) writes nothing and took 0.15 s after a weekly
    run, 0.6 s after one through a Prefect server (measured side by side): `os._exit` skips it. Every file is
    written and closed and every warehouse transaction committed before a command returns. An uncaught exception
    exits as usual."""
    try:
        app()
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = EXIT_FAILED
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()

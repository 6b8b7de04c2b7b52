"""`tokenrank`: run the pipeline and look at what it loaded.

Exit codes: 0 success; 1 the run, query or export failed (also: out of time or memory, nothing published yet,
an unreadable published copy); 2 bad usage (unknown option value, a refused query: a write, or access to
files, URLs or extensions; an export over an existing file without --force);
3 another run is writing the warehouse (the writer lock wait ran out); 4 a backfill stopped because the
daily request budget is spent (re-run the printed command, or the same one, tomorrow).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.sources.registry import SOURCES
from transforms.units import format_tokens
from warehouse.paths import Home

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
EXIT_BUDGET_SPENT = 4

app = typer.Typer(help="Weekly AI-model usage rankings from OpenRouter's public data.", no_args_is_help=True,
                  pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]})
console = Console()
err = Console(stderr=True)

DEMO_BANNER = "[bold yellow]DEMO: these figures are SYNTHETIC, generated in-repo; they are not OpenRouter data.[/]"


def _print_version(value: bool) -> None:
    if value:
        console.print(f"tokenrank {metadata.version('tokenrank')}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help="print the version and exit"),
) -> None:
    """Weekly AI-model usage rankings from OpenRouter's public data."""


def _quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _check_source(source: str) -> None:
    if source not in SOURCES:
        err.print(f"[bold red]error:[/] unknown source {source!r}: choose one of {', '.join(SOURCES)}")
        raise typer.Exit(EXIT_USAGE)


def _fail(exc: BaseException) -> typer.Exit:
    """One clear line for the person at the terminal (the flow already logged the details)."""
    from warehouse.writer_lock import WriterBusy

    err.print(f"[bold red]error:[/] {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    if isinstance(exc, WriterBusy):
        return typer.Exit(EXIT_BUSY)
    err.print("The warehouse holds the last committed load; raw responses are kept under raw/ (bad ones in raw/quarantine/).")
    return typer.Exit(EXIT_FAILED)


def _run_weekly(source: str, end_date: Optional[dt.date], lookback_days: int) -> dict:
    _quiet_prefect()
    from flows.weekly import weekly_rankings

    try:
        return weekly_rankings(source=source, end_date=end_date, lookback_days=lookback_days)
    except Exception as exc:
        raise _fail(exc)


def _print_summary(summary: dict) -> None:
    table = Table(title=f"Run {summary['run_id']} ({summary['source']})", show_header=False)
    rows = [("windows", "windows"), ("raw files archived", "raw_files"), ("lake partitions written", "lake_written"),
                       ("dates loaded", "dates_loaded"), ("rows inserted", "inserted"), ("rows updated", "updated"),
                       ("rows unchanged", "unchanged"), ("restatements", "restatements"), ("report", "report")]
    for label, key in rows:
        value = summary[key] or "none (no complete week yet)" if key == "report" else summary[key]
        table.add_row(label, ", ".join(value) if isinstance(value, list) else value if isinstance(value, str) else f"{value:,}")
    console.print(table)


@app.command()
def demo() -> None:
    """Load the embedded SYNTHETIC demo dataset (26 weeks to 2026-04-05) through the full pipeline."""
    from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY

    console.print(DEMO_BANNER)
    console.print(f"TOKENRANK_HOME = {Home.from_env().root}")
    summary = _run_weekly("demo", DEMO_LAST_DAY, (DEMO_LAST_DAY - DEMO_FIRST_DAY).days + 1)
    _print_summary(summary)
    if summary["report"]:
        report_md = Path(summary["report"]).with_name("report.md").read_text()
        story = [line for line in report_md.split("\n## ")[0].splitlines() if not line.startswith("![")]
        console.print(Markdown("\n".join(story)))
        console.print(f"Full report: {summary['report']}")
    console.print(DEMO_BANNER)


@app.command()
def run(
    source: str = typer.Option("openrouter", help=f"one of: {', '.join(SOURCES)}"),
    end_date: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="last day to fetch (default: last complete UTC day)"),
    lookback_days: int = typer.Option(14, min=1, help="days re-fetched up to end-date, so restatements are caught"),
) -> None:
    """Run the weekly flow once, now."""
    _check_source(source)
    _print_summary(_run_weekly(source, end_date.date() if end_date else None, lookback_days))


@app.command()
def backfill(
    start: dt.datetime = typer.Option(..., formats=["%Y-%m-%d"], help="first UTC day (clamped to 2025-01-01)"),
    end: dt.datetime = typer.Option(..., formats=["%Y-%m-%d"], help="last UTC day (clamped to the last complete day)"),
    refetch: bool = typer.Option(False, "--refetch", help="fetch every date again, even those already archived"),
    source: str = typer.Option("openrouter", help=f"one of: {', '.join(SOURCES)}"),
) -> None:
    """Fetch and load a date range window by window, skipping dates already archived; resumable."""
    _check_source(source)
    if start > end:
        err.print(f"[bold red]error:[/] --start {start:%Y-%m-%d} is after --end {end:%Y-%m-%d}")
        raise typer.Exit(EXIT_USAGE)
    _quiet_prefect()
    from flows import progress
    from flows.backfill import backfill as backfill_flow

    bar = Progress(TextColumn("[bold]backfill[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=err)
    task_id = bar.add_task("planning…", total=None)

    def advance(event: progress.WindowDone) -> None:
        bar.update(task_id, total=event.total, completed=event.index,
                   description=f"{event.window}: {event.dates_loaded} dates, {event.inserted:,} rows")

    try:
        with bar, progress.listening(advance):
            summary = backfill_flow(start=start.date(), end=end.date(), refetch=refetch, source=source)
    except Exception as exc:
        raise _fail(exc)
    planned, done = summary["windows_planned"], summary["windows_done"]
    if not planned:
        console.print(f"Nothing to fetch: every date of {summary['start']}..{summary['end']} is already archived (0 requests).")
        return
    console.print(f"Backfill {summary['start']}..{summary['end']} ({summary['source']}): {len(done)}/{len(planned)} windows, "
                  f"{summary['dates_loaded']} dates loaded, {summary['inserted']:,} rows inserted, "
                  f"{summary['updated']:,} updated, {summary['restatements']:,} restatements.")
    if summary["stopped_by_budget"]:
        err.print(f"[bold yellow]stopped:[/] the daily request budget is spent. Resume with:\n  {summary['resume_command']}")
        raise typer.Exit(EXIT_BUDGET_SPENT)


@app.command()
def rebuild() -> None:
    """Recreate the lake and the warehouse from the raw archive alone (holds the writer lock)."""
    from warehouse.published import publish
    from warehouse.rebuild import rebuild as rebuild_home
    from warehouse.writer_lock import WriterBusy, writer_lock

    home = Home.from_env()
    try:
        with writer_lock(home), console.status("replaying the raw archive…") as status:
            result = rebuild_home(home, progress=lambda done, total: status.update(f"replaying run {done}/{total}…"))
            publish(home)
    except WriterBusy as exc:
        raise _fail(exc)
    console.print(
        f"Rebuilt {home.root}: {result.runs} runs, {result.raw_files} raw files replayed, "
        f"{result.dates} dates, {result.fact_rows:,} fact rows."
    )


class QueryFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(str, enum.Enum):
    """`warehouse.export.FORMATS` (not imported here: the CLI starts without loading pandas)."""

    csv = "csv"
    parquet = "parquet"
    json = "json"


class StatusFormat(str, enum.Enum):
    table = "table"
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
def status(
    format: StatusFormat = typer.Option(StatusFormat.table, "--format", "-f", help="json: every field, dates in ISO 8601"),
) -> None:
    """Dates loaded and gaps, latest as_of, last runs, restatements and unattributed models (read-only)."""
    from warehouse.query import json_value
    from warehouse.status import read_status

    with _reading():
        s = read_status(Home.from_env())
    if format is StatusFormat.json:
        sys.stdout.write(json.dumps(dataclasses.asdict(s), default=json_value, indent=2) + "\n")
        return
    overview = Table(show_header=False, show_edge=False)
    overview.add_column(style="bold")
    overview.add_column()
    loaded = f"{s.first_date} .. {s.last_date} ({s.days_loaded} days)" if s.days_loaded else "nothing loaded yet"
    overview.add_row("dates loaded", loaded)
    overview.add_row("gaps", ", ".join(a.isoformat() if a == b else f"{a}..{b}" for a, b in s.gaps) or "none")
    overview.add_row("latest as_of", f"{s.latest_as_of:%Y-%m-%d %H:%M} UTC" if s.latest_as_of else "-")
    overview.add_row("restatements", f"{s.restatements:,} values on {s.restated_dates} dates"
                     + (f" (latest snapshot {s.last_restatement_as_of:%Y-%m-%d %H:%M} UTC)" if s.last_restatement_as_of else ""))
    overview.add_row("quarantined", f"{len(s.quarantined)} bad responses kept in raw/quarantine/"
                     + (f" (latest: {s.quarantined[-1].reason})" if s.quarantined else ""))
    console.print(overview)

    runs = Table(title="last runs (UTC)", title_justify="left", show_edge=False, header_style="bold")
    for name, justify, no_wrap in [("finished", "left", True), ("flow", "left", True), ("source", "left", False),
                                   ("window", "left", False), ("status", "left", True), ("rows", "right", True)]:
        runs.add_column(name, justify=justify, no_wrap=no_wrap, min_width=None if no_wrap else 11)
    for r in s.last_runs:
        window = f"{r.window_start} .. {r.window_end}" if r.window_start else ""  # wraps at the spaces
        colour = "green" if r.status == "success" else "red"
        runs.add_row(f"{r.finished_at:%m-%d %H:%M}" if r.finished_at else "", r.flow, r.source, window,
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


@app.command()
def report(
    week: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="any day of the week (default: latest complete week)"),
    out: Optional[Path] = typer.Option(None, help="output folder (default: $TOKENRANK_HOME/reports/<week_start>/)"),
) -> None:
    """Write the weekly report (report.md, self-contained report.html, charts as PNG)."""
    from warehouse.published import NothingPublished, connect_read_only
    from warehouse.report_store import ReportError, latest_complete_week, week_of, write_report

    home = Home.from_env()
    try:
        con = connect_read_only(home)
    except NothingPublished as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED)
    try:
        start = week_of(week.date()) if week else latest_complete_week(con)
        files = write_report(con, out or home.reports / start.isoformat(), start)
    except ReportError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED)
    finally:
        con.close()
    console.print(Markdown(files.artifact_markdown))
    for path in files.paths:
        console.print(f"  wrote {path}")


if __name__ == "__main__":
    app()

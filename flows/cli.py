"""`tokenrank`: run the pipeline and look at what it loaded.

Exit codes: 0 success; 1 the run or query failed; 2 bad usage (unknown option value, a refused query);
3 another run is writing the warehouse (the writer lock wait ran out); 4 a backfill stopped because the
daily request budget is spent (re-run the printed command, or the same one, tomorrow).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Optional

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


FORMATS = ("table", "csv", "json")


@app.command()
def query(
    sql: str = typer.Argument(..., help="one SELECT (or WITH … SELECT) statement"),
    format: str = typer.Option("table", "--format", "-f", help="table | csv | json"),
) -> None:
    """Run one read-only SELECT on the latest published warehouse; writes are refused (exit code 2).

    In the table format, integer columns named like *tokens* are shown as 12.96T / 3.08B; csv and json keep exact integers.
    """
    from warehouse.published import NothingPublished
    from warehouse.query import QueryRefused, run_query

    if format not in FORMATS:
        err.print(f"[bold red]error:[/] unknown format {format!r}: choose one of {', '.join(FORMATS)}")
        raise typer.Exit(EXIT_USAGE)
    try:
        result = run_query(Home.from_env(), sql)
    except QueryRefused as exc:
        err.print(f"[bold red]refused:[/] {exc}")
        raise typer.Exit(EXIT_USAGE)
    except NothingPublished as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED)
    except Exception as exc:  # a DuckDB error in the query itself: catalog, binder, conversion…
        err.print(f"[bold red]query failed:[/] {str(exc).splitlines()[0]}")
        raise typer.Exit(EXIT_FAILED)
    if format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif format == "json":
        records = [dict(zip(result.columns, row)) for row in result.rows]
        sys.stdout.write(json.dumps(records, default=_json_value, indent=1) + "\n")
    else:
        console.print(_result_table(result))


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _result_table(result) -> Table:
    table = Table(show_edge=False, header_style="bold")
    tokens = [name.lower().find("tokens") >= 0 and kind in ("BIGINT", "HUGEINT", "INTEGER", "UBIGINT")
              for name, kind in zip(result.columns, result.types)]
    numeric = [any(t in kind for t in ("INT", "DECIMAL", "DOUBLE", "FLOAT")) for kind in result.types]
    for name, right in zip(result.columns, numeric):
        table.add_column(name, justify="right" if right else "left")
    for row in result.rows:
        table.add_row(*[format_tokens(v) if is_tokens and v is not None else _cell(v) for v, is_tokens in zip(row, tokens)])
    table.caption = f"{len(result.rows):,} row{'s' if len(result.rows) != 1 else ''}"
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@app.command()
def status() -> None:
    """Dates loaded and gaps, latest as_of, last runs, restatements and unattributed models (read-only)."""
    from warehouse.published import NothingPublished
    from warehouse.status import read_status

    try:
        s = read_status(Home.from_env())
    except NothingPublished as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_FAILED)
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
    open_: bool = typer.Option(False, "--open", help="open report.html in the default web browser"),
) -> None:
    """Write the weekly report (report.md, self-contained report.html, charts as SVG)."""
    from warehouse.published import NothingPublished, connect_read_only
    from warehouse.report_store import ReportError, latest_complete_week, week_of, write_report

    home = Home.from_env()
    try:
        con = connect_read_only(home)
    except NothingPublished as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    try:
        start = week_of(week.date()) if week else latest_complete_week(con)
        target = out or home.reports / start.isoformat()
        files = write_report(con, target, start)
    except ReportError as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write the report to {target}: {exc.strerror or exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    finally:
        con.close()
    console.print(Markdown(files.artifact_markdown))
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
    from warehouse.published import NothingPublished, connect_read_only
    from warehouse.report_store import ReportError
    from warehouse.site_store import build_site

    home = Home.from_env()
    try:
        con = connect_read_only(home)
    except NothingPublished as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    try:
        result = build_site(con, home.site, force=force)
    except ReportError as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write the site to {home.site}: {exc.strerror or exc}", soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    finally:
        con.close()
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


if __name__ == "__main__":
    app()

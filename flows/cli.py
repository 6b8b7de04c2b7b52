"""`tokenrank`: run the pipeline and look at what it loaded."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from flows.sources.registry import SOURCES
from warehouse.paths import Home

app = typer.Typer(help="Weekly AI-model usage rankings from OpenRouter's public data.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)

DEMO_BANNER = "[bold yellow]DEMO: these figures are SYNTHETIC, generated in-repo; they are not OpenRouter data.[/]"


def _quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _run_weekly(source: str, end_date: Optional[dt.date], lookback_days: int) -> dict:
    _quiet_prefect()
    from flows.weekly import weekly_rankings

    try:
        return weekly_rankings(source=source, end_date=end_date, lookback_days=lookback_days)
    except Exception as exc:  # the flow already logged it; one clear line for the person at the terminal
        err.print(f"[bold red]error:[/] {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
        err.print("The warehouse is unchanged; raw responses are kept under raw/ (bad ones in raw/quarantine/).")
        raise typer.Exit(1)


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
    if source not in SOURCES:
        err.print(f"[bold red]error:[/] unknown source {source!r}: choose one of {', '.join(SOURCES)}")
        raise typer.Exit(2)
    _print_summary(_run_weekly(source, end_date.date() if end_date else None, lookback_days))


@app.command()
def rebuild() -> None:
    """Recreate the lake and the warehouse from the raw archive alone."""
    from warehouse.rebuild import rebuild as rebuild_home

    home = Home.from_env()
    with console.status("replaying the raw archive…") as status:
        result = rebuild_home(home, progress=lambda done, total: status.update(f"replaying run {done}/{total}…"))
    console.print(
        f"Rebuilt {home.root}: {result.runs} runs, {result.raw_files} raw files replayed, "
        f"{result.dates} dates, {result.fact_rows:,} fact rows."
    )


@app.command()
def report(
    week: Optional[dt.datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="any day of the week (default: latest complete week)"),
    out: Optional[Path] = typer.Option(None, help="output folder (default: $TOKENRANK_HOME/reports/<week_start>/)"),
) -> None:
    """Write the weekly report (report.md, self-contained report.html, charts as PNG)."""
    from warehouse import db
    from warehouse.report_store import ReportError, latest_complete_week, week_of, write_report

    home = Home.from_env()
    if not home.warehouse.exists():
        err.print(f"[bold red]error:[/] no warehouse at {home.warehouse}: run `tokenrank demo` or `tokenrank run` first")
        raise typer.Exit(1)
    con = db.connect(home.warehouse, read_only=True)
    try:
        start = week_of(week.date()) if week else latest_complete_week(con)
        files = write_report(con, out or home.reports / start.isoformat(), start)
    except ReportError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1)
    finally:
        con.close()
    console.print(Markdown(files.artifact_markdown))
    for path in files.paths:
        console.print(f"  wrote {path}")


if __name__ == "__main__":
    app()

"""Reads one week of the derived tables for the weekly report, and writes the report's files.

All of the report's SQL is here. `write_report` is the entry point of `tokenrank report` and of the
weekly flow's last task; the files it writes are replaced atomically (temp file + rename), so a
reader never sees half a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from transforms.report import ReportData, render
from transforms.report.data import HISTORY_WEEKS
from warehouse.files import write_atomic

MARKDOWN_FILE = "report.md"
HTML_FILE = "report.html"


class ReportError(RuntimeError):
    """No report can be built for the week asked (no complete week yet, the week is not in the tables, or
    the derived tables are missing)."""


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> duckdb.DuckDBPyConnection:
    """`con.execute`, with a missing derived table reported as a `ReportError` that says how to derive it."""
    try:
        return con.execute(sql, params or [])
    except duckdb.CatalogException as exc:
        raise ReportError(
            f"the warehouse lacks a derived table ({str(exc).splitlines()[0]}): "
            "derive them with `tokenrank rebuild` or the next run"
        ) from None


@dataclass(frozen=True)
class ReportFiles:
    """What `write_report` wrote, and what the flow publishes as Prefect artifacts."""

    week_start: dt.date
    markdown_path: Path
    html_path: Path
    chart_paths: dict[str, Path]
    """Chart file name -> path of its PNG."""
    markdown: str
    """The content of report.md (charts linked by relative file name)."""
    artifact_markdown: str
    """The report's Markdown without chart links: the body of the `weekly-report` markdown artifact."""
    top10: pd.DataFrame
    """The week's ranks 1–10 (rank, model, model_permaslug, country, tokens, tokens_T, wow_change, rank_change)."""
    synthetic: bool
    headline: str
    """The week's story in one paragraph."""

    @property
    def paths(self) -> list[Path]:
        return [self.markdown_path, self.html_path, *self.chart_paths.values()]


def latest_complete_week(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The Monday of the latest complete week in weekly_totals; `ReportError` when there is none."""
    (week,) = _query(con, "SELECT max(week_start) FROM weekly_totals WHERE is_complete").fetchone()
    if week is None:
        raise ReportError("no complete week in weekly_totals yet: load at least one full Monday–Sunday week")
    return week


def is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the latest successful ingest came from the demo dataset (source 'demo (synthetic)')."""
    row = con.execute(
        "SELECT source FROM ingest_log WHERE status = 'success' "
        "ORDER BY coalesce(finished_at, started_at) DESC LIMIT 1"
    ).fetchone()
    return row is not None and "synthetic" in row[0]


def load_report_data(con: duckdb.DuckDBPyConnection, week: dt.date, synthetic: bool) -> ReportData:
    """The derived-table rows one week's report is built from (see `ReportData` for each frame)."""
    first = week - dt.timedelta(weeks=HISTORY_WEEKS - 1)
    window = [first, week]

    def frame(sql: str, params: list) -> pd.DataFrame:
        return _query(con, sql, params).df()

    totals = frame(
        "SELECT week_start, days, is_complete, total_tokens, other_tokens, ranked_tokens, wow_growth, as_of "
        "FROM weekly_totals WHERE week_start BETWEEN ? AND ? ORDER BY week_start",
        window,
    )
    if totals.empty or pd.Timestamp(week) not in set(totals["week_start"]):
        raise ReportError(f"week {week} is not in weekly_totals")
    countries = frame(
        "SELECT week_start, basis, country, tokens, tokens_upper, share, wow_growth, models "
        "FROM weekly_country_usage WHERE week_start BETWEEN ? AND ? ORDER BY week_start, basis, tokens DESC",
        window,
    )
    models = frame(
        "SELECT week_start, model_permaslug, author, display_name, country, tokens, tokens_upper, days_in_top50, "
        "rank, share, prev_tokens, wow_growth, prev_rank, rank_change, is_new "
        "FROM weekly_model_usage WHERE week_start = ? ORDER BY rank",
        [week],
    )
    if models.empty:
        raise ReportError(f"week {week} has no rows in weekly_model_usage")
    streaks = frame(
        "SELECT s.week_start, s.kind, s.subject, s.rival, s.basis, s.streak_weeks, s.certain_weeks, "
        "s.streak_start, s.longest_weeks, m.display_name AS subject_name "
        "FROM leadership_streaks s LEFT JOIN dim_model m ON m.model_permaslug = s.subject "
        "WHERE s.week_start BETWEEN ? AND ?",
        [week - dt.timedelta(weeks=1), week],
    )
    # Restated since the report's week began, i.e. after the previous week's report could be written.
    # A figure restated twice counts once: its first old value against its latest new value.
    restated = frame(
        """
        WITH per_day AS (
            SELECT date, model_permaslug,
                   arg_min(coalesce(old_tokens, 0), new_as_of) AS old_tokens,
                   arg_max(coalesce(new_tokens, 0), new_as_of) AS new_tokens
            FROM restatements
            WHERE date < ? AND new_as_of >= ?
            GROUP BY date, model_permaslug
        )
        SELECT date_trunc('week', p.date)::DATE AS week_start, p.model_permaslug,
               CASE WHEN p.model_permaslug = 'other' THEN 'other (models outside the daily top 50)'
                    ELSE coalesce(m.display_name, p.model_permaslug) END AS display_name,
               count(*) AS days, sum(p.old_tokens)::BIGINT AS old_tokens, sum(p.new_tokens)::BIGINT AS new_tokens
        FROM per_day p LEFT JOIN dim_model m USING (model_permaslug)
        GROUP BY ALL
        ORDER BY week_start, model_permaslug
        """,
        [week, week],
    )
    return ReportData(
        week_start=week, totals=totals, countries=countries, models=models, streaks=streaks,
        restated=restated, synthetic=synthetic,
    )


def week_of(day: dt.date) -> dt.date:
    """The Monday of the Monday–Sunday week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def write_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    week: dt.date | None = None,
    synthetic: bool | None = None,
) -> ReportFiles:
    """Write report.md, report.html and one PNG per chart into `out_dir` for one week.

    `week`: any day of the week wanted (default: the latest complete week). `synthetic`: whether the
    data are the demo dataset's (default: detected from the latest successful ingest_log row). Raises
    `ReportError` when the week has no data.
    """
    week = latest_complete_week(con) if week is None else week_of(week)
    synthetic = is_synthetic(con) if synthetic is None else synthetic
    report = render(load_report_data(con, week, synthetic))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_paths = {name: out_dir / name for name in report.charts}
    for name, png in report.charts.items():
        write_atomic(chart_paths[name], png)
    html_path, markdown_path = out_dir / HTML_FILE, out_dir / MARKDOWN_FILE
    write_atomic(html_path, report.html.encode("utf-8"))
    write_atomic(markdown_path, report.markdown.encode("utf-8"))
    return ReportFiles(
        week_start=week, markdown_path=markdown_path, html_path=html_path, chart_paths=chart_paths,
        markdown=report.markdown, artifact_markdown=report.artifact_markdown, top10=report.top10,
        synthetic=synthetic, headline=report.headline,
    )

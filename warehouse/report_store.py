"""Reads weeks of the derived tables for the weekly report and the site, and writes the report's files.

All of the report's SQL is here. `write_report` is the entry point of `tokenrank report` and of the
weekly flow's last task; the files it writes are replaced atomically (temp file + rename), so a
reader never sees half a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from transforms.report import ReportData, render
from transforms.report.data import (
    APP_CATEGORIES, HISTORY_WEEKS, OTHER_AUTHORS, OTHER_COUNTRIES, OUTSIDE, OUTSIDE_TOP50, TOP_APPS, TOP_AUTHORS,
    TRENDING_APPS, UNATTRIBUTED, AppsData, HistoryData, Row, group_by,
)
from transforms.report.text import TOP10_COLUMNS
from warehouse.db import dict_rows
from warehouse.facets_store import load_facets
from warehouse.files import write_atomic
from warehouse.snapshot_report_store import load_snapshots

if TYPE_CHECKING:
    import pandas as pd

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
    """Chart file name -> path of its SVG."""
    markdown: str
    """The content of report.md (charts linked by relative file name)."""
    artifact_markdown: str
    """The report's Markdown without chart links: the body of the `weekly-report` markdown artifact."""
    top10_rows: list[Row]
    """The week's ranks 1–10 (rank, model, model_permaslug, country, tokens, tokens_T, wow_change, rank_change)."""
    synthetic: bool
    headline: str
    """The week's story in one paragraph."""

    @property
    def paths(self) -> list[Path]:
        return [self.markdown_path, self.html_path, *self.chart_paths.values()]

    @property
    def top10(self) -> pd.DataFrame:
        """`top10_rows` as a DataFrame (`rank` and `tokens` int64), for the `weekly-top10` table artifact. pandas
        is imported here only: `tokenrank report` does without it."""
        import pandas as pd

        return pd.DataFrame(self.top10_rows, columns=TOP10_COLUMNS)


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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    """The result of `sql` as rows (column name -> value)."""
    return dict_rows(_query(con, sql, params))


def _per_report_week(rows: list[Row]) -> dict[dt.date, list[Row]]:
    """Rows of a query over several report weeks, by their `report_week` (the column dropped)."""
    grouped: dict[dt.date, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.pop("report_week"), []).append(row)
    return grouped


def _between(rows: list[Row], first: dt.date, last: dt.date) -> list[Row]:
    return [row for row in rows if first <= row["week_start"] <= last]


REPORT_WEEKS = "report_weeks AS (SELECT unnest(?::DATE[]) AS report_week, unnest(?::DATE[]) AS first_week)"
"""The weeks reported on, each with the first week of its history window (parameters: the two lists)."""


def load_report_data(
    con: duckdb.DuckDBPyConnection, week: dt.date, synthetic: bool, history_weeks: int | None = HISTORY_WEEKS
) -> ReportData:
    """The derived-table rows one week's report is built from (see `ReportData` for each table), its facets
    and snapshots included.

    The history tables cover `history_weeks` weeks ending with `week`, or every week up to it when None.
    """
    data = load_reports(con, [week], synthetic, history_weeks)[0]
    return replace(data, facets=load_facets(con, week), snapshots=load_snapshots(con, week))


def load_reports(
    con: duckdb.DuckDBPyConnection, weeks: list[dt.date], synthetic: bool, history_weeks: int | None = HISTORY_WEEKS
) -> list[ReportData]:
    """`load_report_data` for each of `weeks` (Mondays), with one query per table however many weeks there
    are: the site reads every loaded week at once. `ReportError` names the first week that has no data.

    The facets and snapshots sections are left out (None): the site's week pages do not show them."""
    firsts = [dt.date.min if history_weeks is None else week - dt.timedelta(weeks=history_weeks - 1) for week in weeks]
    window = [min(firsts), max(weeks)]
    report_weeks = [weeks, firsts]

    totals = _rows(
        con,
        """
        SELECT t.week_start, t.days, t.is_complete, t.total_tokens, t.other_tokens, t.ranked_tokens, t.wow_growth,
               t.as_of, coalesce(top.tokens, 0)::BIGINT AS top9_tokens,
               (t.total_tokens - coalesce(top.tokens, 0))::BIGINT AS others_tokens
        FROM weekly_totals t
        LEFT JOIN (SELECT week_start, sum(tokens) AS tokens FROM weekly_model_usage WHERE rank <= 9 GROUP BY 1) top
               USING (week_start)
        WHERE t.week_start BETWEEN ? AND ? ORDER BY t.week_start
        """,
        window,
    )
    loaded = {row["week_start"] for row in totals}
    for week in weeks:
        if week not in loaded:
            raise ReportError(f"week {week} is not in weekly_totals")
    countries = _rows(
        con,
        "SELECT week_start, basis, country, tokens, tokens_upper, share, wow_growth, models "
        "FROM weekly_country_usage WHERE week_start BETWEEN ? AND ? ORDER BY week_start, basis, tokens DESC, country",
        window,
    )
    models = group_by(_rows(
        con,
        "SELECT week_start, model_permaslug, author, display_name, country, tokens, tokens_upper, days_in_top50, "
        "rank, share, prev_tokens, wow_growth, prev_rank, rank_change, is_new "
        "FROM weekly_model_usage WHERE list_contains(?::DATE[], week_start) ORDER BY week_start, rank",
        [weeks],
    ), "week_start")
    for week in weeks:
        if week not in models:
            raise ReportError(f"week {week} has no rows in weekly_model_usage")
    streaks = _rows(
        con,
        "SELECT s.week_start, s.kind, s.subject, s.rival, s.basis, s.streak_weeks, s.certain_weeks, "
        "s.streak_start, s.longest_weeks, m.display_name AS subject_name "
        "FROM leadership_streaks s LEFT JOIN dim_model m ON m.model_permaslug = s.subject "
        "WHERE s.week_start BETWEEN ? AND ? ORDER BY s.week_start, s.kind, s.basis, s.subject, s.rival",
        [min(weeks) - dt.timedelta(weeks=1), max(weeks)],
    )
    # Restated since the report's week began, i.e. after the previous week's report could be written.
    # A figure restated twice counts once: its first old value against its latest new value.
    restated = _per_report_week(_rows(
        con,
        f"""
        WITH {REPORT_WEEKS},
        per_day AS (
            SELECT w.report_week, r.date, r.model_permaslug,
                   arg_min(coalesce(r.old_tokens, 0), r.new_as_of) AS old_tokens,
                   arg_max(coalesce(r.new_tokens, 0), r.new_as_of) AS new_tokens
            FROM restatements r JOIN report_weeks w ON r.date < w.report_week AND r.new_as_of >= w.report_week
            GROUP BY w.report_week, r.date, r.model_permaslug
        )
        SELECT p.report_week, date_trunc('week', p.date)::DATE AS week_start, p.model_permaslug,
               CASE WHEN p.model_permaslug = 'other' THEN 'other (models outside the daily top 50)'
                    ELSE coalesce(m.display_name, p.model_permaslug) END AS display_name,
               count(*) AS days, sum(p.old_tokens)::BIGINT AS old_tokens, sum(p.new_tokens)::BIGINT AS new_tokens
        FROM per_day p LEFT JOIN dim_model m USING (model_permaslug)
        GROUP BY ALL
        ORDER BY p.report_week, week_start, model_permaslug
        """,
        report_weeks,
    ))
    top9 = _rows(
        con,
        "SELECT week_start, rank, model_permaslug, display_name, country, tokens FROM weekly_model_usage "
        "WHERE rank <= 9 AND week_start BETWEEN ? AND ? ORDER BY week_start, rank",
        window,
    )
    authors = _per_report_week(_rows(
        con,
        f"""
        WITH {REPORT_WEEKS},
        chosen AS (
            SELECT w.report_week, a.author, a.rank AS position
            FROM weekly_author_usage a JOIN report_weeks w ON a.week_start = w.report_week
            WHERE a.rank <= {TOP_AUTHORS}
        ),
        grouped AS (
            SELECT w.report_week, a.week_start, coalesce(c.position, {OTHER_AUTHORS}) AS position, c.author,
                   sum(a.tokens)::BIGINT AS tokens
            FROM weekly_author_usage a
            JOIN report_weeks w ON a.week_start BETWEEN w.first_week AND w.report_week
            LEFT JOIN chosen c ON c.report_week = w.report_week AND c.author = a.author
            GROUP BY ALL
            UNION ALL
            SELECT w.report_week, t.week_start, {OUTSIDE_TOP50}, NULL, t.other_tokens
            FROM weekly_totals t JOIN report_weeks w ON t.week_start BETWEEN w.first_week AND w.report_week
        )
        SELECT g.report_week, g.week_start, g.position, g.author, g.tokens, g.tokens / t.total_tokens AS share
        FROM grouped g JOIN weekly_totals t USING (week_start)
        ORDER BY g.report_week, g.week_start, g.position
        """,
        report_weeks,
    ))
    country_shares = _per_report_week(_rows(
        con,
        f"""
        WITH {REPORT_WEEKS},
        chosen AS (
            SELECT report_week, 'CN' AS country, 1 AS position FROM report_weeks
            UNION ALL SELECT report_week, 'US', 2 FROM report_weeks
            UNION ALL
            SELECT report_week, country, position FROM (
                SELECT w.report_week, u.country,
                       2 + row_number() OVER (PARTITION BY w.report_week ORDER BY u.tokens DESC, u.country) AS position
                FROM weekly_country_usage u JOIN report_weeks w ON u.week_start = w.report_week
                WHERE u.basis = 'top50' AND u.country NOT IN ('CN', 'US', 'unattributed')
            ) WHERE position <= 4
        ),
        grouped AS (
            SELECT w.report_week, u.week_start,
                   CASE WHEN u.country = 'unattributed' THEN {UNATTRIBUTED}
                        ELSE coalesce(c.position, {OTHER_COUNTRIES}) END AS position,
                   CASE WHEN u.country = 'unattributed' THEN NULL ELSE c.country END AS country,
                   sum(u.tokens)::BIGINT AS tokens
            FROM weekly_country_usage u
            JOIN report_weeks w ON u.week_start BETWEEN w.first_week AND w.report_week
            LEFT JOIN chosen c ON c.report_week = w.report_week AND c.country = u.country
            WHERE u.basis = 'top50'
            GROUP BY ALL
            UNION ALL
            SELECT w.report_week, t.week_start, {OUTSIDE}, NULL, t.other_tokens
            FROM weekly_totals t JOIN report_weeks w ON t.week_start BETWEEN w.first_week AND w.report_week
        )
        SELECT g.report_week, g.week_start, g.position, g.country, g.tokens, g.tokens / t.total_tokens AS share
        FROM grouped g JOIN weekly_totals t USING (week_start)
        ORDER BY g.report_week, g.week_start, g.position
        """,
        report_weeks,
    ))
    # A country with no top-9 model has 0 tokens, and at most what tokens of unknown origin could add
    # (the unattributed row's upper bound), as in leadership_streaks.
    lead = _rows(
        con,
        """
        WITH top9 AS (SELECT * FROM weekly_country_usage WHERE basis = 'chart_top9'),
        sides AS (
            SELECT t.week_start,
                   coalesce(cn.tokens, 0) AS cn, coalesce(cn.tokens_upper, unknown.tokens_upper, 0) AS cn_upper,
                   coalesce(us.tokens, 0) AS us, coalesce(us.tokens_upper, unknown.tokens_upper, 0) AS us_upper
            FROM weekly_totals t
            LEFT JOIN top9 cn ON cn.week_start = t.week_start AND cn.country = 'CN'
            LEFT JOIN top9 us ON us.week_start = t.week_start AND us.country = 'US'
            LEFT JOIN top9 unknown ON unknown.week_start = t.week_start AND unknown.country = 'unattributed'
            WHERE t.week_start BETWEEN ? AND ?
        )
        SELECT week_start, (cn - us)::BIGINT AS lead, (cn - us_upper)::BIGINT AS lead_low,
               (cn_upper - us)::BIGINT AS lead_high
        FROM sides ORDER BY week_start
        """,
        window,
    )
    apps = load_apps(con, weeks)
    previous = {week: week - dt.timedelta(weeks=1) for week in weeks}
    return [
        ReportData(
            week_start=week, totals=_between(totals, first, week), countries=_between(countries, first, week),
            models=models[week], streaks=_between(streaks, previous[week], week), restated=restated.get(week, []),
            top9=_between(top9, first, week), authors=authors.get(week, []),
            country_shares=country_shares.get(week, []), lead=_between(lead, first, week), synthetic=synthetic,
            apps=None if apps is None else apps[week],
        )
        for week, first in zip(weeks, firsts)
    ]


def has_apps(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds any app-rankings row (without one, report and site have no apps)."""
    (count,) = _query(con, "SELECT count(*) FROM (SELECT 1 FROM fact_app_rankings LIMIT 1)").fetchone()
    return count > 0


def load_apps(con: duckdb.DuckDBPyConnection, weeks: list[dt.date]) -> dict[dt.date, AppsData] | None:
    """Each of `weeks`' app rankings (see `AppsData`), one query per table; None when the warehouse holds no app
    row at all."""
    if not has_apps(con):
        return None

    def per_week(sql: str, params: list) -> dict[dt.date, list[Row]]:
        grouped: dict[dt.date, list[Row]] = {week: [] for week in weeks}
        for row in _rows(con, sql, [weeks, *params]):
            grouped[row.pop("week_start")].append(row)
        return grouped

    top10 = per_week(
        "SELECT week_start, rank, app_id, app_name, tokens, requests, share, prev_rank, wow_growth, rank_change, "
        "is_new FROM weekly_app_usage WHERE list_contains(?::DATE[], week_start) AND category = 'all' "
        "AND subcategory = 'all' AND rank <= ? ORDER BY week_start, rank",
        [TOP_APPS],
    )
    leaders = per_week(
        "SELECT s.week_start, s.scope, a.app_id, a.app_name, s.streak_weeks, s.streak_start, s.longest_weeks "
        "FROM leadership_streaks s JOIN dim_app a ON CAST(a.app_id AS VARCHAR) = s.subject "
        "WHERE s.kind = 'app_top1' AND list_contains(?::DATE[], s.week_start) AND list_contains(?, s.scope) "
        "ORDER BY s.week_start, s.scope",
        [list(APP_CATEGORIES)],
    )
    trending = per_week(
        "SELECT f.week_start, f.rank, f.app_id, d.app_name, f.total_tokens "
        "FROM fact_app_rankings f JOIN dim_app d USING (app_id) "
        "WHERE list_contains(?::DATE[], f.week_start) AND f.sort = 'trending' AND f.category = 'all' "
        "AND f.subcategory = 'all' AND f.rank <= ? ORDER BY f.week_start, f.rank",
        [TRENDING_APPS],
    )
    as_of = {row["week_start"]: row["as_of"] for row in _rows(
        con, "SELECT week_start, max(as_of) AS as_of FROM fact_app_rankings "
             "WHERE list_contains(?::DATE[], week_start) GROUP BY week_start", [weeks])}
    return {week: AppsData(top10=top10[week], leaders=leaders[week], trending=trending[week], as_of=as_of.get(week))
            for week in weeks}


def load_history(con: duckdb.DuckDBPyConnection, synthetic: bool) -> HistoryData:
    """Every loaded week of the derived tables, for the site's history pages (see `HistoryData`)."""

    def rows(sql: str) -> list[Row]:
        return _rows(con, sql)

    weeks = rows(
        "SELECT week_start, days, is_complete, total_tokens, wow_growth, as_of FROM weekly_totals ORDER BY week_start"
    )
    models = rows(
        """
        SELECT u.week_start, u.model_permaslug, u.display_name, u.author, u.country, u.tokens, u.tokens_upper,
               u.days_in_top50, u.rank, u.share, u.wow_growth, u.is_new, t.is_complete, t.days, t.as_of
        FROM weekly_model_usage u JOIN weekly_totals t USING (week_start)
        ORDER BY u.model_permaslug, u.week_start
        """
    )
    model_summary = rows(
        """
        SELECT model_permaslug, arg_max(display_name, week_start) AS display_name, arg_max(author, week_start) AS author,
               arg_max(country, week_start) AS country, count(*) AS weeks, min(week_start) AS first_week,
               max(week_start) AS last_week, min(rank) AS best_rank, max(tokens) AS peak_tokens,
               sum(tokens)::BIGINT AS total_tokens
        FROM weekly_model_usage GROUP BY model_permaslug ORDER BY last_week DESC, total_tokens DESC, model_permaslug
        """
    )
    countries = rows(
        """
        SELECT u.week_start, u.country, u.tokens, u.tokens_upper, u.tokens / t.total_tokens AS share,
               coalesce(top.tokens, 0)::BIGINT AS top9_tokens, u.models, u.wow_growth, t.is_complete, t.days, t.as_of
        FROM weekly_country_usage u JOIN weekly_totals t USING (week_start)
        LEFT JOIN weekly_country_usage top
               ON top.week_start = u.week_start AND top.country = u.country AND top.basis = 'chart_top9'
        WHERE u.basis = 'top50'
        ORDER BY u.country, u.week_start
        """
    )
    country_summary = rows(
        """
        WITH latest AS (SELECT max(week_start) AS week_start FROM weekly_totals)
        SELECT u.country, count(*) AS weeks, min(u.week_start) AS first_week, max(u.week_start) AS last_week,
               coalesce(max(u.tokens / t.total_tokens) FILTER (WHERE u.week_start = latest.week_start), 0)
                   AS latest_share,
               sum(u.tokens)::BIGINT AS total_tokens
        FROM weekly_country_usage u JOIN weekly_totals t USING (week_start) CROSS JOIN latest
        WHERE u.basis = 'top50'
        GROUP BY u.country ORDER BY latest_share DESC, total_tokens DESC, u.country
        """
    )
    apps = app_summary = None
    if has_apps(con):
        apps = rows(
            """
            SELECT u.week_start, u.category, u.subcategory, u.app_id, u.rank, u.tokens, u.wow_growth, u.is_new,
                   f.app_name AS published_name, f.as_of
            FROM weekly_app_usage u
            JOIN fact_app_rankings f
              ON f.week_start = u.week_start AND f.sort = 'popular' AND f.category = u.category
             AND f.subcategory = u.subcategory AND f.app_id = u.app_id
            ORDER BY u.app_id, u.week_start, (u.category <> 'all'), u.category, (u.subcategory <> 'all'), u.subcategory
            """
        )
        app_summary = rows(
            """
            SELECT d.app_id, d.app_name, d.names_seen, d.first_seen, d.last_seen,
                   count(u.rank) AS weeks_overall, min(u.rank) AS best_rank
            FROM dim_app d
            LEFT JOIN weekly_app_usage u ON u.app_id = d.app_id AND u.category = 'all' AND u.subcategory = 'all'
            GROUP BY ALL
            ORDER BY d.last_seen DESC, best_rank NULLS LAST, d.app_id
            """
        )
    return HistoryData(weeks=weeks, models=models, model_summary=model_summary, countries=countries,
                       country_summary=country_summary, synthetic=synthetic, apps=apps, app_summary=app_summary)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the Monday–Sunday week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def write_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    week: dt.date | None = None,
    synthetic: bool | None = None,
) -> ReportFiles:
    """Write report.md, report.html and one SVG per chart into `out_dir` for one week.

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
    for name, svg in report.charts.items():
        write_atomic(chart_paths[name], svg)
    html_path, markdown_path = out_dir / HTML_FILE, out_dir / MARKDOWN_FILE
    write_atomic(html_path, report.html.encode("utf-8"))
    write_atomic(markdown_path, report.markdown.encode("utf-8"))
    return ReportFiles(
        week_start=week, markdown_path=markdown_path, html_path=html_path, chart_paths=chart_paths,
        markdown=report.markdown, artifact_markdown=report.artifact_markdown, top10_rows=report.top10,
        synthetic=synthetic, headline=report.headline,
    )

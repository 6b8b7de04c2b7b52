"""What a weekly report is built from: rows of the derived tables, as read by `warehouse.report_store`.

Each table is a list of rows (`Row`: column name -> value) keeping the derived tables' column names. Values
are plain Python, as DuckDB returns them: `week_start` columns hold the Monday (a `datetime.date`) of a
Monday–Sunday UTC week, `as_of` a naive UTC `datetime`; tokens are int, growth is a fraction (0.189); NULL is
None (NULL growth means the previous week is missing or incomplete). No pandas: the report stays quick to load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transforms.report.facets import FacetsData

HISTORY_WEEKS = 26
"""How many weeks, ending with the report's week, the history frames and charts cover."""

TOP_AUTHORS = 8
"""Authors shown by name in the author-share chart: the report week's largest; the rest are grouped."""
OTHER_AUTHORS, OUTSIDE_TOP50 = 9, 10
"""`authors.position` of the grouped rows: the other ranked authors, and the tokens outside the daily top 50."""
OTHER_COUNTRIES, UNATTRIBUTED, OUTSIDE = 5, 6, 7
"""`country_shares.position` of the grouped rows (1 China, 2 the US, 3–4 the report week's next largest)."""

Row = dict[str, Any]
"""One row of a table: column name -> value."""


def missing(value: object) -> bool:
    """A NULL: None, or a float NaN."""
    return value is None or value != value


def group_by(rows: Iterable[Row], column: str) -> dict[Hashable, list[Row]]:
    """`rows` by their value in `column`, in the order each value first appears; rows keep their order."""
    groups: dict[Hashable, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return groups


APP_CATEGORIES = ("coding", "creative", "productivity", "entertainment")
"""The four categories of app-rankings, in the order the report lists their #1."""
TOP_APPS, TRENDING_APPS = 10, 5
"""Apps of the overall popular list in the report's table, and of the overall trending list."""


@dataclass(frozen=True)
class AppsData:
    """The report week's app rankings (app-rankings dataset; tokens are the week's, as published).

    - `top10`: weekly_app_usage rows of the overall popular list (category = subcategory = 'all'),
      rank ≤ `TOP_APPS`, by rank: rank, app_id, app_name, tokens, requests, share, prev_rank, wow_growth,
      rank_change, is_new.
    - `leaders`: per category of `APP_CATEGORIES` with a streak row this week, leadership_streaks
      kind 'app_top1': scope, app_id, app_name (dim_app), streak_weeks, streak_start, longest_weeks.
    - `trending`: fact_app_rankings rows of the overall trending list, rank ≤ `TRENDING_APPS`, by rank:
      rank, app_id, app_name (dim_app), total_tokens.
    - `as_of`: the latest `as_of` of the week's app rows (naive UTC); None when the week has none.
    """

    top10: list[Row]
    leaders: list[Row]
    trending: list[Row]
    as_of: dt.datetime | None

    @property
    def empty(self) -> bool:
        """The week has no app rows at all."""
        return self.as_of is None


@dataclass(frozen=True)
class ReportData:
    """The inputs of one weekly report.

    - `totals`: weekly_totals rows of the history window, by week_start, plus `top9_tokens` and `others_tokens`.
    - `countries`: weekly_country_usage rows of the history window, both bases ('chart_top9', 'top50').
    - `models`: weekly_model_usage rows of the report's week (all ranked models), by rank.
    - `streaks`: leadership_streaks rows of the report's week and the one before, plus `subject_name`
      (dim_model.display_name of the subject, NULL when the subject is not a model).
    - `restated`: per (week_start, model_permaslug) of a week before the report's week, the figures
      restated since that week began: `display_name`, `days` restated, `old_tokens` (first value seen in
      that period) and `new_tokens` (latest), both summed over the restated days.
    - `top9`: weekly_model_usage rows of ranks 1–9 of every week of the history window (week_start, rank,
      model_permaslug, display_name, country, tokens); `totals.top9_tokens` is their sum and
      `totals.others_tokens` the rest of the week's total (other ranked models and `other`).
    - `authors`: per week of the window, the token share (of the week's total, `other` included) of the
      report week's `TOP_AUTHORS` largest authors (`position` = their rank that week, `author`), then
      `OTHER_AUTHORS` (every other ranked author) and `OUTSIDE_TOP50` (the `other` rows); columns
      week_start, position, author (NULL for the groups), tokens, share. Shares of a week sum to 1.
    - `country_shares`: the same by maker's country over all ranked models: `position` 1 China, 2 the US,
      3–4 the report week's next largest countries, then `OTHER_COUNTRIES`, `UNATTRIBUTED`, `OUTSIDE`;
      columns week_start, position, country (NULL for the groups), tokens, share.
    - `lead`: per week of the window, China minus the US on the top-9 basis (week_start, lead,
      lead_low, lead_high): the lower bound of one minus the upper bound of the other, and vice versa.
    - `synthetic`: the data come from the demo dataset, not from OpenRouter.
    - `apps`: the week's app rankings; None when the warehouse holds no app rows at all (the report then
      has no Apps section).
    - `facets`: the week's facet figures (`transforms.report.facets.FacetsData`); None when no facet row is
      loaded (no facets section).

    The history tables are ordered by week_start (top9 then by rank, authors and country_shares by position).
    """

    week_start: dt.date
    totals: list[Row]
    countries: list[Row]
    models: list[Row]
    streaks: list[Row]
    restated: list[Row]
    top9: list[Row]
    authors: list[Row]
    country_shares: list[Row]
    lead: list[Row]
    synthetic: bool
    apps: AppsData | None = None
    facets: FacetsData | None = None
    snapshots: object | None = None
    """`transforms.report.snapshots.SnapshotsData` of the week; None when no snapshot dataset was ever captured."""

    @property
    def previous_week(self) -> dt.date:
        return self.week_start - dt.timedelta(days=7)

    @cached_property
    def weeks(self) -> list[dt.date]:
        """The weeks of the history window, oldest first (the report's week last)."""
        return [row["week_start"] for row in self.totals]

    @cached_property
    def week_totals(self) -> Row:
        """The report week's weekly_totals row."""
        return next(row for row in self.totals if row["week_start"] == self.week_start)

    @cached_property
    def is_complete(self) -> bool:
        """All 7 days of the report's week are loaded (only complete weeks are compared and have streaks)."""
        return bool(self.week_totals["is_complete"])

    @cached_property
    def previous_totals(self) -> Row | None:
        """The weekly_totals row of the calendar week before the report's, None when no day of it is loaded."""
        return next((row for row in self.totals if row["week_start"] == self.previous_week), None)

    @cached_property
    def ranked(self) -> list[Row]:
        """`models` by rank."""
        return sorted(self.models, key=lambda row: row["rank"])

    def country_rows(self, basis: str) -> dict[str, Row]:
        """The report week's weekly_country_usage rows of one basis, by country."""
        return {row["country"]: row for row in self.countries
                if row["week_start"] == self.week_start and row["basis"] == basis}

    def streak(self, kind: str, week: dt.date | None = None, **match: str) -> Row | None:
        """The leadership_streaks row of `kind` for `week` (default: the report's) whose columns equal `match`."""
        week = self.week_start if week is None else week
        return next((row for row in self.streaks
                     if row["kind"] == kind and row["week_start"] == week
                     and all(row[column] == value for column, value in match.items())), None)


@dataclass(frozen=True)
class HistoryData:
    """Every loaded week, for the site's index and its per-model and per-country pages (rows, as `ReportData`).

    - `weeks`: weekly_totals rows (week_start, days, is_complete, total_tokens, wow_growth, as_of), by week.
    - `models`: every weekly_model_usage row (week_start, model_permaslug, display_name, author, country,
      tokens, tokens_upper, days_in_top50, rank, share, wow_growth, is_new) plus the week's `is_complete`,
      `days` and `as_of`; by model_permaslug, then week_start.
    - `model_summary`: one row per model ever ranked: display_name, author, country (of its latest
      week), weeks (ranked in), first_week, last_week, best_rank, peak_tokens, total_tokens; the latest
      ranked first, then by total_tokens descending.
    - `countries`: per (week, country) with ranked models: `tokens` and `tokens_upper` over all ranked
      models (the top50 basis), `share` of the week's total (`other` included), `top9_tokens` (the
      chart_top9 basis, 0 when none of its models was in the top 9), `models`, `wow_growth` (top50
      basis), plus the week's `is_complete`, `days` and `as_of`; by country, then week_start.
    - `country_summary`: one row per country: weeks, first_week, last_week, latest_share (its share in
      the latest loaded week, 0 when absent), total_tokens; the largest latest share first.
    - `apps`: every weekly_app_usage row (every popular list) plus the name published on that row
      (`published_name`, fact_app_rankings.app_name) and `as_of`, by app_id then week_start; None when no
      app is loaded.
    - `app_summary`: one row per app of dim_app: app_id, app_name, names_seen (a list), first_seen,
      last_seen, weeks_overall (weeks in the overall popular list), best_rank (there; NULL when never).
    """

    weeks: list[Row]
    models: list[Row]
    model_summary: list[Row]
    countries: list[Row]
    country_summary: list[Row]
    synthetic: bool
    apps: list[Row] | None = None
    app_summary: list[Row] | None = None

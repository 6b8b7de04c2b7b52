"""What a weekly report is built from: rows of the derived tables, as read by `warehouse.report_store`.

Every frame keeps the derived tables' column names; `week_start` columns hold the Monday of a
Monday–Sunday UTC week (pandas Timestamps). Tokens are int64, growth is a fraction (0.189), NULL
growth means the previous week is missing or incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

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
    - `as_of`: the latest `as_of` of the week's app rows; None when the week has none.
    """

    top10: pd.DataFrame
    leaders: pd.DataFrame
    trending: pd.DataFrame
    as_of: pd.Timestamp | None

    @property
    def empty(self) -> bool:
        """The week has no app rows at all."""
        return self.as_of is None


@dataclass(frozen=True)
class ReportData:
    """The inputs of one weekly report.

    - `totals`: weekly_totals rows of the history window, by week_start.
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
    """

    week_start: dt.date
    totals: pd.DataFrame
    countries: pd.DataFrame
    models: pd.DataFrame
    streaks: pd.DataFrame
    restated: pd.DataFrame
    top9: pd.DataFrame
    authors: pd.DataFrame
    country_shares: pd.DataFrame
    lead: pd.DataFrame
    synthetic: bool
    apps: AppsData | None = None
    facets: FacetsData | None = None
    snapshots: object | None = None
    """`transforms.report.snapshots.SnapshotsData` of the week; None when no snapshot dataset was ever captured."""

    @property
    def week(self) -> pd.Timestamp:
        """`week_start` as a Timestamp, comparable with the frames' `week_start` columns."""
        return pd.Timestamp(self.week_start)

    @property
    def previous_week(self) -> pd.Timestamp:
        return self.week - pd.Timedelta(days=7)

    @cached_property
    def week_totals(self) -> pd.Series:
        """The report week's weekly_totals row."""
        return self.totals.loc[self.totals["week_start"] == self.week].iloc[0]

    @cached_property
    def is_complete(self) -> bool:
        """All 7 days of the report's week are loaded (only complete weeks are compared and have streaks)."""
        return bool(self.week_totals["is_complete"])

    @cached_property
    def previous_totals(self) -> pd.Series | None:
        """The weekly_totals row of the calendar week before the report's, None when no day of it is loaded."""
        rows = self.totals.loc[self.totals["week_start"] == self.previous_week]
        return None if rows.empty else rows.iloc[0]

    def country_rows(self, basis: str) -> pd.DataFrame:
        """The report week's weekly_country_usage rows of one basis, indexed by country."""
        rows = self.countries[(self.countries["week_start"] == self.week) & (self.countries["basis"] == basis)]
        return rows.set_index("country")

    def streak(self, kind: str, week: pd.Timestamp | None = None, **match: str) -> pd.Series | None:
        """The leadership_streaks row of `kind` for `week` (default: the report's) whose columns equal `match`."""
        week = self.week if week is None else week
        rows = self.streaks[(self.streaks["kind"] == kind) & (self.streaks["week_start"] == week)]
        for column, value in match.items():
            rows = rows[rows[column] == value]
        return None if rows.empty else rows.iloc[0]


@dataclass(frozen=True)
class HistoryData:
    """Every loaded week, for the site's index and its per-model and per-country pages.

    - `weeks`: weekly_totals rows (week_start, days, is_complete, total_tokens, wow_growth, as_of).
    - `models`: every weekly_model_usage row (week_start, model_permaslug, display_name, author, country,
      tokens, tokens_upper, days_in_top50, rank, share, wow_growth, is_new) plus the week's `is_complete`,
      `days` and `as_of`.
    - `model_summary`: one row per model ever ranked: display_name, author, country (of its latest
      week), weeks (ranked in), first_week, last_week, best_rank, peak_tokens, total_tokens.
    - `countries`: per (week, country) with ranked models: `tokens` and `tokens_upper` over all ranked
      models (the top50 basis), `share` of the week's total (`other` included), `top9_tokens` (the
      chart_top9 basis, 0 when none of its models was in the top 9), `models`, `wow_growth` (top50
      basis), plus the week's `is_complete`, `days` and `as_of`.
    - `country_summary`: one row per country: weeks, first_week, last_week, latest_share (its share in
      the latest loaded week, 0 when absent), total_tokens.
    - `apps`: every weekly_app_usage row (every popular list) plus the name published on that row
      (`published_name`, fact_app_rankings.app_name) and `as_of`; empty when no app is loaded.
    - `app_summary`: one row per app of dim_app: app_id, app_name, names_seen (a list), first_seen,
      last_seen, weeks_overall (weeks in the overall popular list), best_rank (there; NULL when never).
    """

    weeks: pd.DataFrame
    models: pd.DataFrame
    model_summary: pd.DataFrame
    countries: pd.DataFrame
    country_summary: pd.DataFrame
    synthetic: bool
    apps: pd.DataFrame | None = None
    app_summary: pd.DataFrame | None = None

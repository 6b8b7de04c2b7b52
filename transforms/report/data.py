"""What a weekly report is built from: rows of the derived tables, as read by `warehouse.report_store`.

Every frame keeps the derived tables' column names; `week_start` columns hold the Monday of a
Monday–Sunday UTC week (pandas Timestamps). Tokens are int64, growth is a fraction (0.189), NULL
growth means the previous week is missing or incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

HISTORY_WEEKS = 26
"""How many weeks, ending with the report's week, the history frames and charts cover."""


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
    - `synthetic`: the data come from the demo dataset, not from OpenRouter.
    """

    week_start: dt.date
    totals: pd.DataFrame
    countries: pd.DataFrame
    models: pd.DataFrame
    streaks: pd.DataFrame
    restated: pd.DataFrame
    synthetic: bool

    @property
    def week(self) -> pd.Timestamp:
        """`week_start` as a Timestamp, comparable with the frames' `week_start` columns."""
        return pd.Timestamp(self.week_start)

    @property
    def previous_week(self) -> pd.Timestamp:
        return self.week - pd.Timedelta(days=7)

    @property
    def week_totals(self) -> pd.Series:
        """The report week's weekly_totals row."""
        return self.totals.loc[self.totals["week_start"] == self.week].iloc[0]

    @property
    def is_complete(self) -> bool:
        """All 7 days of the report's week are loaded (only complete weeks are compared and have streaks)."""
        return bool(self.week_totals["is_complete"])

    @property
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

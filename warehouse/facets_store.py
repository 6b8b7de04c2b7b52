"""The report's facet figures of one week, read from the warehouse (`transforms.report.facets.FacetsData`)."""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms.datasets import DATASETS
from transforms.report.data import Row
from transforms.report.facets import ESTIMATE_DATASET, EXACT_DATASET, FacetsData
from warehouse.db import dict_rows


def load_facets(con: duckdb.DuckDBPyConnection, week: dt.date) -> FacetsData | None:
    """The week's facet country shares, traffic shares and CN/US streaks; None when no facet row is loaded at all
    (the report then has no facets section)."""
    as_of = {name: con.execute(f"SELECT max(as_of) FROM {DATASETS[name].table}").fetchone()[0]
             for name in (EXACT_DATASET, ESTIMATE_DATASET)}
    if all(stamp is None for stamp in as_of.values()):
        return None

    def rows(sql: str) -> list[Row]:
        return dict_rows(con.execute(sql, [week]))

    return FacetsData(
        countries=rows("SELECT facet, facet_value, basis, country, tokens, share FROM weekly_facet_country_usage "
                       "WHERE week_start = ? ORDER BY ALL"),
        usage=rows("SELECT facet, facet_value, is_estimate, tokens, share FROM weekly_facet_usage "
                   "WHERE week_start = ? ORDER BY ALL"),
        streaks=rows("SELECT scope, subject, rival, basis, streak_weeks FROM leadership_streaks "
                     "WHERE kind = 'facet_country_vs' AND week_start = ? AND streak_weeks > 0 ORDER BY scope"),
        as_of=as_of,
    )

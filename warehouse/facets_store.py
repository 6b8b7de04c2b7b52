"""The report's facet figures of one week, read from the warehouse (`transforms.report.facets.FacetsData`)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from transforms.datasets import DATASETS
from transforms.report.facets import ESTIMATE_DATASET, EXACT_DATASET, FacetsData


def load_facets(con: duckdb.DuckDBPyConnection, week: dt.date) -> FacetsData | None:
    """The week's facet country shares, traffic shares and CN/US streaks; None when no facet row is loaded at all
    (the report then has no facets section)."""
    as_of = {name: con.execute(f"SELECT max(as_of) FROM {DATASETS[name].table}").fetchone()[0]
             for name in (EXACT_DATASET, ESTIMATE_DATASET)}
    if all(stamp is None for stamp in as_of.values()):
        return None

    def frame(sql: str) -> pd.DataFrame:
        return con.execute(sql, [week]).df()

    return FacetsData(
        countries=frame("SELECT facet, facet_value, basis, country, tokens, share FROM weekly_facet_country_usage "
                        "WHERE week_start = ? ORDER BY ALL"),
        usage=frame("SELECT facet, facet_value, is_estimate, tokens, share FROM weekly_facet_usage "
                    "WHERE week_start = ? ORDER BY ALL"),
        streaks=frame("SELECT scope, subject, rival, basis, streak_weeks FROM leadership_streaks "
                      "WHERE kind = 'facet_country_vs' AND week_start = ? AND streak_weeks > 0 ORDER BY scope"),
        as_of={name: None if stamp is None else pd.Timestamp(stamp) for name, stamp in as_of.items()},
    )

"""Which UTC dates are held: in the lake (what a backfill may skip) and in the warehouse.

Coverage is per date and comes from rows actually written: a date the API answered with no rows has no lake
partition, so the next run asks for it again. A partition written but not yet loaded (a run killed between
the two) still counts: every write session loads it first.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from warehouse.lake import Lake
from warehouse.paths import Home


def held_dates(home: Home) -> set[dt.date]:
    """Dates with a lake partition (one directory scan)."""
    return set(Lake(home).signatures())


def loaded_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Dates with rows in `fact_model_daily`, ascending."""
    return [day for (day,) in con.execute("SELECT DISTINCT date FROM fact_model_daily ORDER BY date").fetchall()]

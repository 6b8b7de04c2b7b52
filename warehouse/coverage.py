"""What each dataset holds: in the lake (what a backfill may skip) and in the warehouse (what status shows).

Coverage comes from partitions actually written: a rankings-daily date the API answered with no rows has no
lake partition, so the next run asks for it again; an app-rankings list answered with no rows is a partition
without rows (a valid answer, not asked again). A partition written but not yet loaded (a run killed between
the two) still counts: every write session loads it first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Hashable

import duckdb

from transforms.datasets import DATASETS, Dataset
from warehouse.lake import Lake
from warehouse.paths import Home


def held_partitions(home: Home, dataset: Dataset) -> set[Hashable]:
    """Keys of the dataset's lake partitions (one directory scan); for a store home, also those in the store that
    this machine's folder has not pulled yet (one listing), so a backfill never asks for what another machine
    already fetched."""
    held = set(Lake(home, dataset).signatures())
    if home.store:
        from warehouse.lake import SUFFIX
        from warehouse.store import Store

        for name in Store(home.store, home.root).file_names(f"lake/{dataset.lake_table}"):
            if name.endswith(SUFFIX) and not name.startswith("."):
                try:
                    held.add(dataset.parse_partition(name.removesuffix(SUFFIX)))
                except ValueError:
                    continue
    return held


def held_dates(home: Home) -> set[dt.date]:
    """Dates with a rankings-daily lake partition (one directory scan)."""
    return set(Lake(home).signatures())


def loaded_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Dates with rows in `fact_model_daily`, ascending."""
    return [day for (day,) in con.execute("SELECT DISTINCT date FROM fact_model_daily ORDER BY date").fetchall()]


@dataclass(frozen=True)
class DatasetCoverage:
    """One dataset's loaded partitions: `partitions` (`empty` of them answered with no rows), `rows` in its
    table, the `first`/`last` date covered (the week's Monday for app-rankings) and the latest `as_of`."""

    dataset: str
    partitions: int
    empty: int
    rows: int
    first: dt.date | None
    last: dt.date | None
    latest_as_of: dt.datetime | None


def dataset_coverage(con: duckdb.DuckDBPyConnection) -> list[DatasetCoverage]:
    """Coverage of every dataset from `lake_partitions` (any connection: the published copy for readers)."""
    out = []
    for name, dataset in DATASETS.items():
        first_column = dataset.partition_by[0]
        partitions, empty, latest = con.execute(
            "SELECT count(*), count(*) FILTER (rows = 0), max(as_of) FROM lake_partitions WHERE dataset = ?", [name]
        ).fetchone()
        rows, first, last = con.execute(
            f"SELECT count(*), min({first_column}), max({first_column}) FROM {dataset.table}").fetchone()
        out.append(DatasetCoverage(name, partitions, empty, rows, first, last, latest))
    return out

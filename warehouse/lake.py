"""The Parquet lake: one file per UTC date, `lake/rankings_daily/YYYY-MM-DD.parquet`.

The file holds one date's rows from one response (`RANKINGS_SCHEMA`, `date` column included, sorted by
permaslug); the layout has no hive keys, so pandas, polars, pyarrow and DuckDB read the folder as it is.
A newer fetch replaces a file atomically; a fetch with the same rows and as_of leaves it (and its
raw_file) alone, and an older snapshot never replaces a newer one. The raw archive keeps every version.

Incremental reads: `signatures()` lists (size, mtime_ns) per date with one directory scan, no file read;
the loader re-reads only the dates whose signature changed since it last loaded them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.contract import RANKINGS_SCHEMA
from transforms.snapshots import STALE, UNCHANGED, verdict
from warehouse.files import temp_path_beside
from warehouse.paths import Home

SUFFIX = ".parquet"


@dataclass
class LakeWrite:
    written: list[dt.date] = field(default_factory=list)
    unchanged: list[dt.date] = field(default_factory=list)
    stale: list[dt.date] = field(default_factory=list)
    """Dates whose partition already holds a newer snapshot (as_of) than the one offered."""


class Lake:
    def __init__(self, home: Home):
        self.root = home.rankings_lake

    def partition(self, day: dt.date) -> Path:
        return self.root / f"{day.isoformat()}{SUFFIX}"

    def signatures(self) -> dict[dt.date, tuple[int, int]]:
        """(size, mtime_ns) of every partition, keyed by date: one directory scan, no file opened."""
        found: dict[dt.date, tuple[int, int]] = {}
        try:
            entries = os.scandir(self.root)
        except FileNotFoundError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(SUFFIX) and not name.startswith("."):
                    try:
                        day = dt.date.fromisoformat(name.removesuffix(SUFFIX))
                    except ValueError:
                        continue
                    stat = entry.stat()
                    found[day] = (stat.st_size, stat.st_mtime_ns)
        return found

    def dates(self) -> list[dt.date]:
        return sorted(self.signatures())

    def read(self, day: dt.date) -> pa.Table | None:
        path = self.partition(day)
        return pq.read_table(path, schema=RANKINGS_SCHEMA) if path.exists() else None

    def read_many(self, days: list[dt.date]) -> pa.Table:
        """The rows of the given dates (missing partitions skipped), as one table."""
        tables = [t for t in (self.read(day) for day in days) if t is not None]
        return pa.concat_tables(tables) if tables else RANKINGS_SCHEMA.empty_table()

    def write(self, tables: list[pa.Table]) -> LakeWrite:
        """Write every date in `tables` (later tables win for a date they share), by `transforms.snapshots` rules."""
        result = LakeWrite()
        by_date: dict[dt.date, pa.Table] = {}
        for table in tables:
            for day in pc.unique(table["date"]).to_pylist():
                by_date[day] = table.filter(pc.equal(table["date"], pa.scalar(day, pa.date32())))
        for day, rows in sorted(by_date.items()):
            rows = rows.sort_by("model_permaslug")
            outcome = verdict(self.read(day), rows)
            if outcome == UNCHANGED:
                result.unchanged.append(day)
                continue
            if outcome == STALE:
                result.stale.append(day)
                continue
            path = self.partition(day)
            tmp = temp_path_beside(path)
            pq.write_table(rows, tmp)
            tmp.replace(path)
            result.written.append(day)
        return result


"""The Parquet lake: one file per UTC date, `lake/rankings_daily/date=YYYY-MM-DD/part.parquet`.

A partition holds one date's rows from one response (`RANKINGS_SCHEMA`, sorted by permaslug). A newer
fetch replaces it atomically; a fetch with the same rows and as_of leaves it (and its raw_file) alone,
and an older snapshot never replaces a newer one. The raw archive keeps every version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.contract import RANKINGS_SCHEMA
from warehouse.files import temp_path_beside
from warehouse.paths import Home

PARTITION_FILE = "part.parquet"


@dataclass
class LakeWrite:
    written: list[dt.date] = field(default_factory=list)
    unchanged: list[dt.date] = field(default_factory=list)
    stale: list[dt.date] = field(default_factory=list)
    """Dates whose partition already holds a newer snapshot (as_of) than the one offered."""


class Lake:
    def __init__(self, home: Home):
        self.root = home.rankings_lake

    def partition(self, day: dt.date):
        return self.root / f"date={day.isoformat()}" / PARTITION_FILE

    def glob(self) -> str:
        return str(self.root / "date=*" / PARTITION_FILE)

    def dates(self) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(p.parent.name.removeprefix("date=")) for p in self.root.glob(f"date=*/{PARTITION_FILE}"))

    def read(self, day: dt.date) -> pa.Table | None:
        path = self.partition(day)
        return pq.read_table(path, schema=RANKINGS_SCHEMA) if path.exists() else None

    def write(self, tables: list[pa.Table]) -> LakeWrite:
        """Write every date in `tables` (later tables win for a date they share)."""
        result = LakeWrite()
        by_date: dict[dt.date, pa.Table] = {}
        for table in tables:
            for day in pc.unique(table["date"]).to_pylist():
                by_date[day] = table.filter(pc.equal(table["date"], pa.scalar(day, pa.date32())))
        for day, rows in sorted(by_date.items()):
            rows = rows.sort_by("model_permaslug")
            current = self.read(day)
            if current is not None:
                if _same_snapshot(current, rows):
                    result.unchanged.append(day)
                    continue
                if current["as_of"][0].as_py() > rows["as_of"][0].as_py():
                    result.stale.append(day)
                    continue
            path = self.partition(day)
            tmp = temp_path_beside(path)
            pq.write_table(rows, tmp)
            tmp.replace(path)
            result.written.append(day)
        return result


def _same_snapshot(a: pa.Table, b: pa.Table) -> bool:
    return a.drop_columns(["raw_file"]).equals(b.drop_columns(["raw_file"]))

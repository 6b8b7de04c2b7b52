"""`tokenrank export`: a table or a query result to a CSV, JSON or Parquet file, with its licence notice.

`export` writes one table or one read-only query result (through the same guard and sandbox as `tokenrank
query`) to a file, atomically (temp file + rename), and never over an existing file unless `force`. Beside
it goes `<out>.license.txt`, the notice republished OpenRouter data must carry (CC BY 4.0): the citation
line with the latest `as_of` in the warehouse, the licence, and a SYNTHETIC warning when the rows come from
the demo dataset. A Parquet file carries the same notice in its key-value metadata (`source`, `license`,
`synthetic`).

Rows stream through in batches (CSV and JSON as `tokenrank query` writes them, Parquet from Arrow batches):
an export of any size holds one batch in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from transforms.report.text import CITATION, format_as_of
from warehouse.files import create_atomic, fsync_path, temp_path_beside, write_atomic
from warehouse.paths import Home
from warehouse.query import Limits, QueryRefused, Rows, run_query, translated_errors, write_csv, write_json
from warehouse.report_store import is_synthetic

LICENCE = "Licensed under CC BY 4.0."
SYNTHETIC = ("SYNTHETIC: these rows come from tokenrank's demo dataset, generated in-repo; "
             "they describe no real usage and are not OpenRouter data.")
SIDECAR_SUFFIX = ".license.txt"
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FORMATS = ("csv", "parquet", "json")


@dataclass(frozen=True)
class Notice:
    """What republished rows must say: the citation (with the latest as_of), the licence, synthetic or not."""

    as_of: dt.datetime | None
    synthetic: bool

    @property
    def citation(self) -> str:
        return CITATION.format(as_of=format_as_of(self.as_of) if self.as_of else "(no data loaded)")

    def lines(self) -> list[str]:
        return [self.citation, LICENCE] + ([SYNTHETIC] if self.synthetic else [])

    def parquet_metadata(self) -> dict[str, str]:
        return {"source": self.citation, "license": LICENCE} | ({"synthetic": SYNTHETIC} if self.synthetic else {})


@dataclass(frozen=True)
class Exported:
    path: Path
    sidecar: Path
    rows: int
    notice: Notice


def write_parquet(rows: Rows, path: Path, metadata: dict[str, str]) -> int:
    """The rows as Parquet with DuckDB's types (dates, timestamps, decimals) and `metadata` as key-value pairs."""
    schema, batches = rows.arrow()
    written = 0
    with pq.ParquetWriter(path, schema.with_metadata(metadata)) as writer:
        for batch in batches:
            writer.write_batch(batch)
            written += batch.num_rows
    return written


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def as_sql(table_or_sql: str) -> str:
    """A bare name is a table (or view): all its rows; anything else is SQL, checked like any query."""
    if TABLE_NAME.match(table_or_sql.strip()):
        return f'SELECT * FROM "{table_or_sql.strip()}"'
    return table_or_sql


def export(home: Home, table_or_sql: str, fmt: str, out: Path, *, force: bool = False,
           limits: Limits | None = None) -> Exported:
    """Write a table or a read-only query result to `out` in `fmt` (one of `FORMATS`), with its licence notice beside it.

    Raises `QueryRefused` (also when `out` or its sidecar exists and not `force`), `QueryFailed`,
    `published.NothingPublished` / `PublishedUnreadable`, and OSError when `out` cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    sidecar = sidecar_of(out)
    if not force:
        for existing in (out, sidecar):
            if existing.exists() or existing.is_symlink():
                raise _exists(existing)
    tmp = temp_path_beside(out)
    try:
        with run_query(home, as_sql(table_or_sql), limits) as rows:
            with rows.side_cursor() as cursor, translated_errors(rows.limits):  # the copy the rows come from
                (as_of,) = cursor.execute("SELECT max(as_of) FROM fact_model_daily").fetchone()
                notice = Notice(as_of=as_of, synthetic=is_synthetic(cursor))
            if fmt == "parquet":
                count = write_parquet(rows, tmp, notice.parquet_metadata())
            else:
                with tmp.open("w", encoding="utf-8", newline="") as handle:
                    count = (write_csv if fmt == "csv" else write_json)(rows, handle)
        fsync_path(tmp)
        text = ("\n".join(notice.lines()) + "\n").encode()
        # the notice lands first: a crash in between leaves a notice without data, never data without one
        if force:
            write_atomic(sidecar, text)
            os.replace(tmp, out)
        else:
            _create(sidecar, lambda: create_atomic(sidecar, text))
            try:
                _create(out, lambda: os.link(tmp, out))  # never replaces a file created while the rows streamed
            except QueryRefused:
                sidecar.unlink()
                raise
    finally:
        tmp.unlink(missing_ok=True)
    return Exported(path=out, sidecar=sidecar, rows=count, notice=notice)


def _exists(path: Path) -> QueryRefused:
    return QueryRefused(f"{path} exists: choose another --out, or pass --force to replace it")


def _create(path: Path, create) -> None:
    try:
        create()
    except FileExistsError:
        raise _exists(path) from None


"""DuckDB connections and the one-transaction rule."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb


STORAGE_VERSION = "v1.1.0"
"""The oldest DuckDB storage format the warehouse files keep to: DuckDB 1.1 and every later version read it."""
COMPATIBLE_HEADER = 64
"""The storage version number DuckDB writes in the header of a file in `STORAGE_VERSION`."""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writable connection creates it (in `STORAGE_VERSION`) and brings its base tables
    to `schema.sql` (applied again only when the file changed since it was last applied: `schema_applied`)."""
    config = {}
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            config["storage_compatibility_version"] = STORAGE_VERSION
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    if not read_only:
        try:
            _apply_schema(con)
        except BaseException:
            con.close()
            raise
    return con


@functools.cache
def _schema() -> tuple[str, str]:
    """schema.sql and its sha256."""
    text = resources.files("warehouse").joinpath("schema.sql").read_text()
    return text, hashlib.sha256(text.encode()).hexdigest()


def _apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    text, sha = _schema()
    with contextlib.suppress(duckdb.CatalogException):  # a warehouse made before schema_applied existed
        if con.execute("SELECT sha256 FROM schema_applied").fetchall() == [(sha,)]:
            return
    with transaction(con):
        con.execute(text)
        con.execute("DELETE FROM schema_applied")
        con.execute("INSERT INTO schema_applied VALUES (?)", [sha])


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: COMMIT when the block succeeds, ROLLBACK (and re-raise) when it fails."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()
    return [name for (name,) in rows]


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list, *, replace: bool = False,
                ignore: bool = False) -> None:
    """Insert rows (sequences in the table's column order) through one Arrow scan: `executemany` costs a
    statement per row. `replace` makes it INSERT OR REPLACE, `ignore` INSERT OR IGNORE."""
    if not rows:
        return
    import pyarrow as pa  # here, not at the top: readers (query, status) open connections without needing it

    names = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    con.register("insert_rows_arrow", pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)}))
    try:
        con.execute(f"INSERT {'OR REPLACE ' if replace else 'OR IGNORE ' if ignore else ''}INTO {table} "
                    "SELECT * FROM insert_rows_arrow")
    finally:
        con.unregister("insert_rows_arrow")


def storage_header(path: Path) -> int | None:
    """The storage version number in a DuckDB file's header (`COMPATIBLE_HEADER` for `STORAGE_VERSION`), or None
    when the file is not a DuckDB database."""
    with open(path, "rb") as file:
        head = file.read(20)
    return int.from_bytes(head[12:20], "little") if len(head) == 20 and head[8:12] == b"DUCK" else None


def dict_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    """An executed query's result as rows (column name -> value, NULL as None), without pandas."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]

"""DuckDB connections and the one-transaction rule."""

from __future__ import annotations

import contextlib
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writable connection creates it and the base tables when missing."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        con.execute(resources.files("warehouse").joinpath("schema.sql").read_text())
    return con


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


def dict_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    """An executed query's result as rows (column name -> value, NULL as None), without pandas."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]

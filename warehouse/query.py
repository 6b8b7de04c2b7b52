"""Read-only SQL for people: `tokenrank query` runs one SELECT on the published copy, nothing else.

Two guards: the statement is classified by DuckDB's own parser (`duckdb.extract_statements`) and anything
but a single SELECT (WITH …, FROM …, VALUES, DESCRIBE, SHOW and SUMMARIZE are SELECTs to DuckDB) is
refused before it runs; and the connection is opened read-only, so even a statement that slipped through
could not write.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse.paths import Home
from warehouse.published import connect_read_only

ALLOWED = {duckdb.StatementType.SELECT}


class QueryRefused(ValueError):
    """The SQL is not a single read-only SELECT; the message says why."""


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple]


def check_read_only(sql: str) -> str:
    """Return the one SELECT statement in `sql`, or raise `QueryRefused` naming what was found."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"not valid SQL: {str(exc).splitlines()[0]}") from None
    if not statements:
        raise QueryRefused("no SQL statement given")
    if len(statements) > 1:
        raise QueryRefused(f"one statement at a time ({len(statements)} given)")
    kind = statements[0].type
    if kind not in ALLOWED:
        raise QueryRefused(f"read-only: {kind.name} statements are refused; only SELECT (WITH …) queries run here")
    return statements[0].query


def run_query(home: Home, sql: str) -> QueryResult:
    """Run one read-only SELECT against the newest published copy of the warehouse."""
    statement = check_read_only(sql)
    con = connect_read_only(home)
    try:
        cursor = con.execute(statement)
        description = cursor.description or []
        rows = cursor.fetchall()
    finally:
        con.close()
    return QueryResult(columns=[d[0] for d in description], types=[str(d[1]) for d in description], rows=rows)

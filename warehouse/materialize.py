"""Build the derived tables (`transforms/sql/*.sql`) inside the warehouse, in dependency order.

Each SQL file holds one plain SELECT; the table it builds is named after the file. A file depends on
another when it names that file's table (comments and string literals ignored); the order is a
topological sort, alphabetical among tables that are ready together, and a cycle is an error.

Transactions are the caller's: `materialize` neither begins nor commits one, so the load and the
rebuild of every derived table can share a single transaction and readers never see a half-built set.
"""

from __future__ import annotations

import re
from graphlib import CycleError, TopologicalSorter
from importlib.resources import files

import duckdb

SQL_PACKAGE = "transforms"
SQL_FOLDER = "sql"

_COMMENT_OR_STRING = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class DerivedTableCycleError(ValueError):
    """The derived-table SQL files reference each other in a cycle."""


def derived_sql() -> dict[str, str]:
    """Every derived table's SELECT, keyed by table name (the file name without `.sql`)."""
    folder = files(SQL_PACKAGE).joinpath(SQL_FOLDER)
    return {
        entry.name.removesuffix(".sql"): entry.read_text(encoding="utf-8").strip().rstrip(";")
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    }


def dependency_order(sql_by_table: dict[str, str]) -> list[str]:
    """Table names ordered so each comes after every derived table its SQL references."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for table in sorted(sql_by_table):
        names = {name.lower() for name in _IDENTIFIER.findall(_COMMENT_OR_STRING.sub(" ", sql_by_table[table]))}
        sorter.add(table, *sorted(other for other in sql_by_table if other != table and other.lower() in names))
    try:
        sorter.prepare()
    except CycleError as err:
        raise DerivedTableCycleError(f"derived tables depend on each other in a cycle: {' -> '.join(err.args[1])}") from err
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def derived_tables() -> list[str]:
    """Names of the derived tables in the order `materialize` builds them."""
    return dependency_order(derived_sql())


def build_table(con: duckdb.DuckDBPyConnection, table: str, select: str) -> None:
    """(Re)create one derived table from its SELECT, on the caller's connection and transaction."""
    con.execute(f"CREATE OR REPLACE TABLE {table} AS\n{select}")


def materialize(con: duckdb.DuckDBPyConnection) -> list[str]:
    """`CREATE OR REPLACE TABLE <name> AS <select>` for every derived table, in dependency order.

    Runs on the caller's connection and inside the caller's transaction, if any: it never begins,
    commits or rolls back. Returns the table names in the order they were built.
    """
    sql_by_table = derived_sql()
    order = dependency_order(sql_by_table)
    for table in order:
        build_table(con, table, sql_by_table[table])
    return order

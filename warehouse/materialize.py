"""Build the derived tables (`transforms/sql/*.sql`) inside the warehouse, in dependency order.

Each SQL file holds one plain SELECT; the table it builds is named after the file. A file depends on
another when it names that file's table (comments and string literals ignored); the order is a
topological sort, alphabetical among tables that are ready together, and a cycle is an error.

Transactions are the caller's: `materialize` neither begins nor commits one, so the load and the
rebuild of every derived table can share a single transaction and readers never see a half-built set.

Incremental builds: a load tells `materialize` which dates and models it changed. The weekly tables
(`WEEKLY`) are then recomputed only for the weeks that can have changed, by running their own SQL over
the facts of those weeks and the week before each (temporary views shadow the full tables for the
duration) and replacing those weeks' rows; every other derived table is rebuilt whole (they span all
history but read the small weekly tables, or the app tables). `derived_state` keeps a fingerprint of the SQL
files, of `WEEKLY` and of dim_origin: when it differs from the last build's, everything is rebuilt whole. A load
names the base tables it changed: only the derived tables that read one of them (directly or through another
derived table) are rebuilt, so a finished backfill's rerun rebuilds nothing and a snapshot capture only its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import re
from graphlib import CycleError, TopologicalSorter
from importlib.resources import files
from typing import Iterable

import duckdb

SQL_PACKAGE = "transforms"
SQL_FOLDER = "sql"

_COMMENT_OR_STRING = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


WEEKLY = frozenset({"daily_totals", "weekly_calendar", "weekly_totals", "model_weekly_origin", "weekly_model_usage",
                    "weekly_author_usage", "weekly_country_usage"})
"""Derived tables with a `week_start` column whose rows of week W depend only on the facts of weeks W-1 and W,
on dim_origin and on dim_model's display names (tests/transforms/test_sql_incremental.py holds them to it)."""

WEEKLY_INPUTS = frozenset({"fact_model_daily", "dim_origin", "dim_model"})
"""The base tables a weekly table may read; one that reads anything else is rebuilt whole."""


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


@functools.lru_cache(maxsize=256)  # every load asks again for the same few dozen files
def referenced_names(sql: str) -> frozenset[str]:
    """Every identifier in `sql` (lower case), comments and string literals ignored."""
    return frozenset(name.lower() for name in _IDENTIFIER.findall(_COMMENT_OR_STRING.sub(" ", sql)))


def dependency_order(sql_by_table: dict[str, str]) -> list[str]:
    """Table names ordered so each comes after every derived table its SQL references."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for table in sorted(sql_by_table):
        names = referenced_names(sql_by_table[table])
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


def materialize(con: duckdb.DuckDBPyConnection, *, changed_dates: Iterable[dt.date] | None = None,
                changed_models: Iterable[str] = (), changed_inputs: Iterable[str] | None = None) -> list[str]:
    """Build every derived table, in dependency order, on the caller's connection and inside the caller's
    transaction, if any: it never begins, commits or rolls back. Returns the table names in build order.

    Without `changed_dates` every table is rebuilt whole. With them (the rankings-daily dates whose fact rows the
    load changed, possibly none) and `changed_models` (permaslugs whose dim_model display name changed), the
    weekly tables are recomputed only for the weeks those touch and the week after each (see the module doc);
    the result is the same, table for table. With `changed_dates`, `changed_inputs` (the base tables the load
    changed; None: any may have) limits the rest to the tables that read one of them or a table rebuilt before
    them: a table built from the same fingerprint whose inputs did not change is kept as it is.
    """
    sql_by_table = derived_sql()
    order = dependency_order(sql_by_table)
    fingerprint = _fingerprint(con, sql_by_table)
    weekly = _weekly(con, sql_by_table, order)
    stale = set(order)
    if not (changed_dates is not None and _built_from(con, fingerprint, order)):
        weekly = []
    else:
        changed = set(changed_inputs or ())
        if weeks := _affected_weeks(con, changed_dates, changed_models):
            _rebuild_weeks(con, weekly, sql_by_table, weeks)
            changed |= set(weekly)
        if changed_inputs is not None:
            stale = _reading(sql_by_table, order, changed)
    for table in order:
        if table not in weekly and table in stale:
            build_table(con, table, sql_by_table[table])
    con.execute("DELETE FROM derived_state")
    con.execute("INSERT INTO derived_state VALUES (?)", [fingerprint])
    return order


def _reading(sql_by_table: dict[str, str], order: list[str], changed: set[str]) -> set[str]:
    """The derived tables whose SQL reads a table in `changed`, directly or through another derived table."""
    stale: set[str] = set()
    for table in order:
        if referenced_names(sql_by_table[table]) & (changed | stale):
            stale.add(table)
    return stale


def _fingerprint(con: duckdb.DuckDBPyConnection, sql_by_table: dict[str, str]) -> str:
    origin = con.execute("SELECT * FROM dim_origin ORDER BY scope, key").fetchall()
    text = json.dumps({"sql": sql_by_table, "weekly": sorted(WEEKLY), "dim_origin": origin}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _built_from(con: duckdb.DuckDBPyConnection, fingerprint: str, order: list[str]) -> bool:
    """Whether every derived table exists and was last built from the same SQL, `WEEKLY` and dim_origin."""
    state = con.execute("SELECT fingerprint FROM derived_state").fetchall()
    tables = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()}
    return state == [(fingerprint,)] and set(order) <= tables


def _weekly(con: duckdb.DuckDBPyConnection, sql_by_table: dict[str, str], order: list[str]) -> list[str]:
    """The `WEEKLY` tables (in build order) whose SQL reads only weekly tables and `WEEKLY_INPUTS`."""
    known = {name.lower() for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    known |= set(sql_by_table)
    weekly: list[str] = []
    for table in order:
        reads = (referenced_names(sql_by_table[table]) & known) - {table}
        if table in WEEKLY and reads <= WEEKLY_INPUTS | set(weekly):
            weekly.append(table)
    return weekly


def _affected_weeks(con: duckdb.DuckDBPyConnection, dates: Iterable[dt.date], models: Iterable[str]) -> list[dt.date]:
    """Mondays of the weeks whose weekly rows can have changed: those of `dates`, those in which `models` were
    ranked, and the week after each (its comparisons with the previous week)."""
    weeks = {day - dt.timedelta(days=day.weekday()) for day in dates}
    if models := sorted(models):
        weeks |= {week for (week,) in con.execute(
            "SELECT DISTINCT CAST(date_trunc('week', date) AS DATE) FROM fact_model_daily "
            "WHERE model_permaslug IN (SELECT unnest(?::VARCHAR[]))", [models]).fetchall()}
    return sorted(weeks | {week + dt.timedelta(weeks=1) for week in weeks})


def _rebuild_weeks(con: duckdb.DuckDBPyConnection, weekly: list[str], sql_by_table: dict[str, str],
                   weeks: list[dt.date]) -> None:
    """Recompute `weeks` of the weekly tables: their SQL over a view of the facts of those weeks and the week
    before each, into temporary tables that shadow the full ones, whose rows of `weeks` then replace the old."""
    database = con.execute("SELECT current_database()").fetchone()[0]
    stored = f'"{database}".main'
    days = sorted({week + dt.timedelta(days=k) for week in weeks for k in range(-7, 7)})
    con.execute("CREATE OR REPLACE TEMP TABLE derive_weeks AS SELECT unnest(?::DATE[]) AS week_start", [weeks])
    con.execute("CREATE OR REPLACE TEMP TABLE derive_days AS SELECT unnest(?::DATE[]) AS date", [days])
    con.execute(f"CREATE OR REPLACE TEMP VIEW fact_model_daily AS SELECT * FROM {stored}.fact_model_daily "
                f"WHERE date BETWEEN DATE '{days[0]}' AND DATE '{days[-1]}' AND date IN (SELECT date FROM derive_days)")
    try:
        for table in weekly:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS\n{sql_by_table[table]}")
        for table in weekly:
            con.execute(f"DELETE FROM {stored}.{table} WHERE week_start IN (SELECT week_start FROM derive_weeks)")
            con.execute(f"INSERT INTO {stored}.{table} BY NAME SELECT * FROM temp.main.{table} "
                        "WHERE week_start IN (SELECT week_start FROM derive_weeks)")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction drops them at its rollback anyway
            _drop_shadows(con, weekly)
        raise
    _drop_shadows(con, weekly)


def _drop_shadows(con: duckdb.DuckDBPyConnection, weekly: list[str]) -> None:
    """Drop the temporary objects of `_rebuild_weeks`, so the full tables are what every later query reads."""
    for table in reversed(weekly):
        con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
    con.execute("DROP VIEW IF EXISTS temp.main.fact_model_daily")
    con.execute("DROP TABLE IF EXISTS temp.main.derive_weeks")
    con.execute("DROP TABLE IF EXISTS temp.main.derive_days")

"""Read-only SQL for people: `tokenrank query` and `tokenrank export` run one SELECT on the published copy.

Three guards, so SQL sees the warehouse and nothing else and cannot change it:
1. the statement is classified by DuckDB's own parser (`duckdb.extract_statements`): anything but a single
   SELECT (WITH …, FROM …, VALUES, DESCRIBE, SHOW and SUMMARIZE are SELECTs to DuckDB) is refused before it
   runs; and its syntax tree (`json_serialize_sql`) must hold only SELECT nodes, which refuses a
   data-modifying CTE or subquery (`WITH d AS (DELETE … RETURNING *) SELECT …`);
2. the connection is sandboxed (`published.connect_read_only`): files, URLs, COPY, ATTACH and extensions
   are off and the configuration is locked; what it still refuses comes back as `QueryRefused`;
3. the copy is attached READ_ONLY, so a write that slipped past both would fail in the engine.

Every query runs under `Limits`: a time limit over the whole query, streaming of its rows included
(DuckDB's `max_execution_time`: an interrupt from a timer thread is lost when it arrives between two
fetches), and a memory limit with no spilling to disk. Rows are fetched in batches, never all at once.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, TextIO

import duckdb

from warehouse.paths import Home
from warehouse.published import ALIAS, connect_read_only

if TYPE_CHECKING:  # pyarrow is loaded by DuckDB when Arrow output is asked for; `tokenrank query` starts without it
    import pyarrow as pa

ALLOWED = {duckdb.StatementType.SELECT}
READ_NODES = {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"}
"""Query-node types of a read: anything else in the tree (DELETE_QUERY_NODE, INSERT_QUERY_NODE, …) is a write."""
BATCH_ROWS = 10_000
TIMEOUT_ENV, MEMORY_ENV = "TOKENRANK_QUERY_TIMEOUT", "TOKENRANK_QUERY_MEMORY"
MEMORY_FORMAT = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)


class QueryRefused(ValueError):
    """The SQL is not a single read-only SELECT over the warehouse; the message says why. CLI exit code 2."""


class QueryFailed(RuntimeError):
    """The query ran and failed: an unknown table, a type error, the time or the memory limit. Exit code 1."""


class BadLimit(ValueError):
    """A limit setting (environment variable or option) is not a valid value. Exit code 2."""


@dataclass(frozen=True)
class Limits:
    """What one query may use: `timeout` seconds of wall time (rows streamed included), `memory` (DuckDB units)."""

    timeout: float = 30.0
    memory: str = "1GB"

    @classmethod
    def from_env(cls, timeout: float | None = None, memory: str | None = None) -> "Limits":
        """Options win over `TOKENRANK_QUERY_TIMEOUT` / `TOKENRANK_QUERY_MEMORY`, which win over the defaults."""
        if timeout is None:
            raw = os.environ.get(TIMEOUT_ENV) or str(cls.timeout)
            try:
                timeout = float(raw)
            except ValueError:
                raise BadLimit(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
        if not timeout > 0:
            raise BadLimit(f"the query time limit must be more than 0 seconds (got {timeout:g})")
        memory = memory or os.environ.get(MEMORY_ENV) or cls.memory
        if not MEMORY_FORMAT.match(memory):
            raise BadLimit(f"the query memory limit {memory!r} is not a size such as 512MB or 2GB")
        return cls(timeout=timeout, memory=memory.strip())

    def settings(self) -> dict[str, object]:
        return {"memory_limit": self.memory, "max_execution_time": max(1, round(self.timeout * 1000))}


def check_read_only(sql: str) -> str:
    """Return the one read-only SELECT statement in `sql`, or raise `QueryRefused` naming what was found."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"not valid SQL: {_first_line(exc)}") from None
    if not statements:
        raise QueryRefused("no SQL statement given")
    if len(statements) > 1:
        raise QueryRefused(f"one statement at a time ({len(statements)} given)")
    kind = statements[0].type
    if kind not in ALLOWED:
        raise QueryRefused(f"read-only: {kind.name} statements are refused; only SELECT (WITH …) queries run here")
    statement = statements[0].query
    writes = sorted(_query_nodes(_syntax_tree(statement)) - READ_NODES)
    if writes:
        found = ", ".join(node.removesuffix("_QUERY_NODE").removesuffix("_NODE") for node in writes)
        raise QueryRefused(f"read-only: {found} inside a query is refused; only SELECT (WITH …) queries run here")
    return statement


def _syntax_tree(statement: str) -> dict:
    con = duckdb.connect(":memory:", config={"enable_external_access": False, "autoload_known_extensions": False})
    try:
        (serialized,) = con.execute("SELECT json_serialize_sql(?)", [statement]).fetchone()
    finally:
        con.close()
    tree = json.loads(serialized)
    if tree.get("error"):  # fail closed: what cannot be inspected does not run
        raise QueryRefused(f"read-only: this statement cannot be checked ({tree.get('error_message')})")
    return tree


def _query_nodes(tree) -> set[str]:
    """Every query-node type (`…_NODE`) anywhere in a serialized statement."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            kind = item.get("type")
            if isinstance(kind, str) and kind.endswith("_NODE"):
                found.add(kind)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class Rows:
    """A running query: `columns` and `types` now, the rows streamed in batches (each row a tuple)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, cursor: duckdb.DuckDBPyConnection, limits: Limits):
        self._con = con
        self._cursor = cursor
        self.limits = limits
        description = cursor.description or []
        self.columns = [d[0] for d in description]
        self.types = [str(d[1]) for d in description]

    def batches(self, size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
        while True:
            with translated_errors(self.limits):
                batch = self._cursor.fetchmany(size)
            if not batch:
                return
            yield batch

    def take(self, n: int) -> list[tuple]:
        """Up to `n` rows from where the stream is."""
        with translated_errors(self.limits):
            return self._cursor.fetchmany(n) if n > 0 else []

    def count_rest(self) -> int:
        """Count the rows not yet fetched without holding them (as Arrow batches, which is fast; none left, the
        usual case, needs no Arrow: pyarrow costs a short query a quarter of a second to import)."""
        with translated_errors(self.limits):
            if self._cursor.fetchone() is None:
                return 0
        return 1 + sum(batch.num_rows for batch in self.arrow()[1])

    def arrow(self, size: int = BATCH_ROWS * 10) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """The rows not yet fetched, as Arrow record batches with DuckDB's types (dates, decimals, …)."""
        with warnings.catch_warnings():  # "an extra copy of the rows": one batch at a time, as wanted here
            warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
            with translated_errors(self.limits):
                reader = self._cursor.to_arrow_reader(size)

        def batches() -> Iterator[pa.RecordBatch]:
            while True:
                with translated_errors(self.limits):
                    try:
                        batch = reader.read_next_batch()
                    except StopIteration:
                        return
                yield batch

        return reader.schema, batches()

    @contextlib.contextmanager
    def side_cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Another cursor on the same published copy, for a lookup while the rows stream."""
        cursor = self._con.cursor()
        try:
            with translated_errors(self.limits):
                cursor.execute(f"USE {ALIAS}")
            yield cursor
        finally:
            cursor.close()


@contextlib.contextmanager
def run_query(home: Home, sql: str, limits: Limits | None = None) -> Iterator[Rows]:
    """Run one read-only SELECT on the newest published copy; the connection closes when the block ends.

    Raises `QueryRefused`, `QueryFailed`, and `published.NothingPublished` / `PublishedUnreadable`.
    """
    statement = check_read_only(sql)
    limits = limits or Limits.from_env()
    con = connect_read_only(home, limits.settings())
    try:
        with translated_errors(limits):
            cursor = con.execute(statement)
        yield Rows(con, cursor, limits)
    finally:
        con.close()


@contextlib.contextmanager
def translated_errors(limits: Limits) -> Iterator[None]:
    """DuckDB's errors (raised as DuckDB exceptions or, through Arrow, as OSError) as one-line query errors."""
    try:
        yield
    except (duckdb.Error, OSError) as exc:
        raise _translate(exc, limits) from None


def _translate(exc: Exception, limits: Limits) -> Exception:
    message = _first_line(exc)
    if isinstance(exc, duckdb.InterruptException) or message.startswith("INTERRUPT Error"):
        return QueryFailed(f"the query ran out of time: stopped after {limits.timeout:g} s "
                           f"(raise it with --timeout or {TIMEOUT_ENV})")
    if isinstance(exc, duckdb.OutOfMemoryException) or message.startswith("Out of Memory Error"):
        return QueryFailed(f"the query needs more than its memory limit of {limits.memory} "
                           f"(raise it with --memory or {MEMORY_ENV}): {message}")
    if isinstance(exc, duckdb.PermissionException) or message.startswith("Permission Error"):
        return QueryRefused(f"queries see the warehouse and nothing else: files, URLs and extensions are off ({message})")
    if "read-only mode" in message:
        return QueryRefused(f"read-only: the published copy cannot be changed ({message})")
    if isinstance(exc, duckdb.Error):
        return QueryFailed(message)
    return exc


def write_csv(rows: Rows, out: TextIO, max_rows: int | None = None) -> int:
    """A header line, then the rows; exact values (integers in full, dates ISO). Returns the rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows.columns)
    written = 0
    for batch in _batches(rows, max_rows):
        writer.writerows(batch)
        written += len(batch)
    return written


def write_json(rows: Rows, out: TextIO, max_rows: int | None = None) -> int:
    """A JSON array of objects, one per line (column -> value; dates ISO). Returns the rows written."""
    out.write("[")
    written = 0
    for batch in _batches(rows, max_rows):
        for row in batch:
            out.write(("\n" if not written else ",\n") + json.dumps(dict(zip(rows.columns, row)), default=json_value))
            written += 1
    out.write("\n]\n")
    return written


def json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _batches(rows: Rows, max_rows: int | None) -> Iterator[list[tuple]]:
    if max_rows is None:
        yield from rows.batches()
        return
    left = max_rows
    while left > 0:
        batch = rows.take(min(BATCH_ROWS, left))
        if not batch:
            return
        left -= len(batch)
        yield batch


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

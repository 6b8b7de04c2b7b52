"""warehouse.db: bulk inserts (one statement for many rows) and their conflict modes."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse import db

D1, D2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (dataset VARCHAR NOT NULL, date DATE NOT NULL, note VARCHAR, "
                       "PRIMARY KEY (dataset, date))")
    yield connection
    connection.close()


def rows(con) -> list[tuple]:
    return con.execute("SELECT * FROM t ORDER BY dataset, date").fetchall()


def test_rows_go_in_column_order_and_none_is_null(con):
    db.insert_rows(con, "t", [("a", D1, None), ("b", D2, "x")])
    db.insert_rows(con, "t", [])
    assert rows(con) == [("a", D1, None), ("b", D2, "x")]


def test_a_held_key_is_an_error_kept_or_replaced(con):
    db.insert_rows(con, "t", [("a", D1, "old")])
    with pytest.raises(duckdb.ConstraintException):
        db.insert_rows(con, "t", [("a", D1, "new"), ("a", D2, "new")])
    db.insert_rows(con, "t", [("a", D1, "new"), ("a", D2, "new")], ignore=True)
    assert rows(con) == [("a", D1, "old"), ("a", D2, "new")]
    db.insert_rows(con, "t", [("a", D1, "newer")], replace=True)
    assert rows(con) == [("a", D1, "newer"), ("a", D2, "new")]

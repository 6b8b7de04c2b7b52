"""warehouse.db: the schema a writer applies, bulk inserts (one statement for many rows) and their conflict modes."""

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


def test_a_writer_applies_schema_sql_once_and_again_when_it_changed(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = db.connect(path)
    applied = con.execute("SELECT sha256 FROM schema_applied").fetchall()
    con.execute("DROP TABLE requested_dates")  # unseen while schema.sql is the one applied: it is not read again
    con.close()
    con = db.connect(path)
    assert con.execute("SELECT sha256 FROM schema_applied").fetchall() == applied
    assert "requested_dates" not in db.table_names(con)
    con.execute("DROP TABLE schema_applied")  # a warehouse from before the record (or another schema.sql)
    con.close()
    con = db.connect(path)
    assert "requested_dates" in db.table_names(con)
    assert con.execute("SELECT sha256 FROM schema_applied").fetchall() == applied
    con.close()

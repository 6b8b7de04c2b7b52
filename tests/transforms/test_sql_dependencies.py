"""warehouse.materialize: the build order found from the SQL files, and how it runs in a transaction."""

from __future__ import annotations

import re

import pytest

from tests.transforms.conftest import seed_country_weeks
from warehouse.materialize import DerivedTableCycleError, dependency_order, derived_sql, derived_tables

TABLES = {"daily_totals", "weekly_calendar", "model_weekly_origin", "weekly_totals", "weekly_model_usage",
          "weekly_author_usage", "weekly_country_usage", "leadership_streaks", "growth_rates", "dq_unattributed",
          "dq_days", "dim_app", "weekly_app_usage", "app_top10_runs", "dq_app_weeks"}
TABLES |= {"weekly_facet_model_usage", "weekly_facet_usage", "weekly_facet_country_usage"}
TABLES |= {"session_cost_extremes", "task_tags", "task_tag_models", "task_share_trends", "task_model_movers"}


def test_every_sql_file_is_a_table_built_after_what_it_reads():
    order = derived_tables()
    assert set(order) == TABLES and len(order) == len(TABLES)
    position = {name: i for i, name in enumerate(order)}
    for later, earlier in [("weekly_calendar", "daily_totals"), ("weekly_model_usage", "model_weekly_origin"),
                           ("weekly_model_usage", "weekly_totals"), ("weekly_country_usage", "weekly_model_usage"),
                           ("leadership_streaks", "weekly_country_usage"), ("leadership_streaks", "weekly_author_usage"),
                           ("growth_rates", "weekly_country_usage"), ("dq_unattributed", "model_weekly_origin"),
                           ("weekly_app_usage", "dim_app"), ("app_top10_runs", "dim_app"),
                           ("weekly_facet_usage", "weekly_totals"),
                           ("weekly_facet_country_usage", "weekly_facet_model_usage"),
                           ("leadership_streaks", "weekly_facet_country_usage")]:
        assert position[earlier] < position[later]


def test_each_file_is_one_pure_select():
    for name, sql in derived_sql().items():
        code = re.sub(r"--[^\n]*", "", sql).strip()
        assert re.match(r"(?i)(WITH|SELECT)\b", code), name
        assert ";" not in code, name
        assert not re.search(r"(?i)\b(INSERT|UPDATE|DELETE|COPY|ATTACH|CREATE|read_\w+)\b", code), name


def test_order_ignores_comments_and_strings_and_is_stable():
    sql = {
        "b": "SELECT * FROM a -- mentions c",
        "a": "SELECT 'c' AS label FROM base",
        "c": "SELECT * FROM b JOIN a USING (x)",
    }
    assert dependency_order(sql) == ["a", "b", "c"]


def test_a_cycle_is_an_error():
    with pytest.raises(DerivedTableCycleError, match="cycle"):
        dependency_order({"a": "SELECT * FROM b", "b": "SELECT * FROM c", "c": "SELECT * FROM a"})


def test_runs_inside_the_callers_transaction(wh):
    seed_country_weeks(wh)
    wh.con.execute("BEGIN TRANSACTION")
    assert wh.build() == derived_tables()
    wh.con.execute("ROLLBACK")  # would fail had materialize committed
    built = {r["table_name"] for r in wh.rows("SELECT table_name FROM duckdb_tables()")}
    assert not built & TABLES


def test_rebuilding_is_idempotent_and_tokens_are_int64(wh):
    seed_country_weeks(wh)
    wh.build()
    first = {t: sorted(map(repr, wh.con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
    wh.build()
    assert first == {t: sorted(map(repr, wh.con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
    columns = wh.rows("SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE column_name LIKE '%tokens%'")
    wrong = [(c["table_name"], c["column_name"], c["data_type"]) for c in columns
             if c["table_name"] in TABLES and c["data_type"] != "BIGINT"]
    assert not wrong

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.ops_helpers import load_days
from warehouse import published
from warehouse.paths import Home
from warehouse.query import QueryRefused, check_read_only

runner = CliRunner()


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("INSERT INTO fact_model_daily SELECT * FROM fact_model_daily", "INSERT"),
        ("DROP TABLE fact_model_daily", "DROP"),
        ("ATTACH 'other.duckdb' AS other", "ATTACH"),
        ("COPY fact_model_daily TO 'out.csv'", "COPY"),
        ("COPY (SELECT 1) TO 'out.parquet' (FORMAT parquet)", "COPY"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("SET threads = 1", "SET"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("UPDATE dim_model SET display_name = 'x'", "UPDATE"),
        ("DELETE FROM ingest_log", "DELETE"),
    ],
)
def test_writes_are_refused_by_statement_type(sql, kind):
    with pytest.raises(QueryRefused, match=f"{kind} statements are refused"):
        check_read_only(sql)


def test_one_select_at_a_time():
    assert check_read_only("WITH t AS (SELECT 1 AS a) SELECT a FROM t") == "WITH t AS (SELECT 1 AS a) SELECT a FROM t"
    with pytest.raises(QueryRefused, match="one statement at a time"):
        check_read_only("SELECT 1; DROP TABLE fact_model_daily")
    with pytest.raises(QueryRefused, match="not valid SQL"):
        check_read_only("SELEC 1")


@pytest.fixture
def loaded(home):
    load_days(Home.from_env())
    published.publish(Home.from_env())
    return home


@pytest.mark.parametrize("sql", ["INSERT INTO dim_model VALUES ('a','b',current_date,current_date)", "DROP TABLE fact_model_daily",
                                 "ATTACH ':memory:' AS m", "COPY fact_model_daily TO 'x.csv'"])
def test_cli_refuses_writes_with_exit_code_2(loaded, sql):
    result = runner.invoke(app, ["query", sql])
    assert result.exit_code == 2
    assert "refused" in result.output


def test_cli_query_formats(loaded):
    sql = "SELECT model_permaslug, sum(total_tokens) AS total_tokens FROM fact_model_daily WHERE NOT is_other GROUP BY 1 ORDER BY 2 DESC"
    table = runner.invoke(app, ["query", sql])
    assert table.exit_code == 0, table.output
    assert "13.8T" in table.output and "9.24T" in table.output  # 3 days x 4.6T, 3 x 3.08T
    as_json = json.loads(runner.invoke(app, ["query", sql, "--format", "json"]).output)
    assert as_json[0] == {"model_permaslug": "qwen/qwen3.6-plus-04-02:free", "total_tokens": 13800000000000}
    as_csv = runner.invoke(app, ["query", sql, "--format", "csv"]).output.splitlines()
    assert as_csv[:2] == ["model_permaslug,total_tokens", "qwen/qwen3.6-plus-04-02:free,13800000000000"]


def test_cli_query_errors_exit_1(loaded):
    result = runner.invoke(app, ["query", "SELECT * FROM no_such_table"])
    assert result.exit_code == 1 and "query failed" in result.output


def test_cli_status_shows_gaps_and_runs(loaded):
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "2026-03-30 .. 2026-04-02 (3 days)" in result.output
    assert "2026-04-01" in result.output  # the gap
    assert "success" in result.output
    assert "0 bad responses kept in raw/quarantine/" in result.output


def test_cli_status_names_the_latest_quarantined_response(loaded):
    from transforms.windows import Window
    from tests.helpers import response
    from warehouse.raw_archive import RawArchive

    archive = RawArchive(Home.from_env())
    archive.quarantine(archive.store(response(b"<html/>", Window(dt.date(2026, 4, 3), dt.date(2026, 4, 3))), "r9"),
                       "body is HTML, not JSON")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("│", " ").split())  # the table may wrap a long cell
    assert "1 bad responses kept in raw/quarantine/ (latest: body is HTML, not JSON)" in text


def test_cli_rebuild_takes_the_writer_lock_and_publishes(loaded, monkeypatch):
    from warehouse.writer_lock import writer_lock

    home = Home.from_env()
    before = published.current(home)
    monkeypatch.setenv("TOKENRANK_WRITER_LOCK_TIMEOUT", "0.2")
    with writer_lock(home):
        busy = runner.invoke(app, ["rebuild"])
    assert busy.exit_code == 3 and "another tokenrank run is writing" in busy.output
    assert published.current(home) == before
    done = runner.invoke(app, ["rebuild"])
    assert done.exit_code == 0, done.output
    assert published.current(home) != before
    assert runner.invoke(app, ["query", "SELECT count(*) FROM fact_model_daily", "-f", "csv"]).output.splitlines()[1] == "9"

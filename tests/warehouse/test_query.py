import datetime as dt
import json
import subprocess

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import REPO
from tests.warehouse.ops_helpers import copy_loaded
from warehouse import published
from warehouse.paths import Home
from warehouse.query import BadLimit, Limits, QueryRefused, check_read_only

runner = CliRunner()


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("INSERT INTO fact_model_daily SELECT * FROM fact_model_daily", "INSERT"),
        ("DROP TABLE fact_model_daily", "DROP"),
        ("ATTACH 'other.duckdb' AS other", "ATTACH"),
        ("DETACH warehouse", "DETACH"),
        ("COPY fact_model_daily TO 'out.csv'", "COPY"),
        ("COPY (SELECT 1) TO 'out.parquet' (FORMAT parquet)", "COPY"),
        ("EXPORT DATABASE 'dump'", "EXPORT"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("CREATE TEMP TABLE t AS SELECT 1", "CREATE"),
        ("SET threads = 1", "SET"),
        ("SET enable_external_access = true", "SET"),
        ("RESET lock_configuration", "SET"),
        ("USE memory", "SET"),
        ("PRAGMA enable_external_access", "PRAGMA"),
        ("CALL pragma_version()", "CALL"),
        ("CHECKPOINT", "CALL"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("UPDATE dim_model SET display_name = 'x'", "UPDATE"),
        ("DELETE FROM ingest_log", "DELETE"),
    ],
)
def test_writes_are_refused_by_statement_type(sql, kind):
    with pytest.raises(QueryRefused, match=f"{kind} statements are refused"):
        check_read_only(sql)


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("WITH d AS (DELETE FROM ingest_log RETURNING *) SELECT * FROM d", "DELETE"),
        ("WITH d AS (INSERT INTO dim_origin VALUES ('x', 'US') RETURNING *) SELECT count(*) FROM d", "INSERT"),
        ("WITH d AS (UPDATE dim_model SET display_name = 'x' RETURNING *) SELECT * FROM d", "UPDATE"),
        ("WITH d AS (COPY fact_model_daily TO 'out.csv') SELECT 1", "COPY"),
        ("SELECT (WITH d AS (DELETE FROM ingest_log RETURNING 1 AS n) SELECT count(*) FROM d)", "DELETE"),
        ("SELECT * FROM (WITH d AS (DELETE FROM ingest_log RETURNING *) SELECT * FROM d) UNION ALL SELECT * FROM ingest_log",
         "DELETE"),
        ("SELECT 1 WHERE EXISTS (WITH a AS (SELECT 1), d AS (DELETE FROM restatements RETURNING *) SELECT * FROM d)", "DELETE"),
    ],
)
def test_a_write_inside_a_select_is_refused(sql, kind):
    with pytest.raises(QueryRefused, match=f"{kind} inside a query is refused"):
        check_read_only(sql)


@pytest.mark.parametrize("sql", [
    "WITH t AS (SELECT 1 AS a) SELECT a FROM t",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
    "SELECT 1 UNION SELECT 2 EXCEPT SELECT 3",
    "FROM fact_model_daily SELECT date",
    "SHOW TABLES", "DESCRIBE fact_model_daily", "SUMMARIZE fact_model_daily", "VALUES (1, 2)",
])
def test_reads_pass_the_guard(sql):
    assert check_read_only(sql) == sql


def test_one_select_at_a_time():
    with pytest.raises(QueryRefused, match="one statement at a time"):
        check_read_only("SELECT 1; DROP TABLE fact_model_daily")
    with pytest.raises(QueryRefused, match="not valid SQL"):
        check_read_only("SELEC 1")


def test_limits_come_from_options_then_environment(monkeypatch):
    assert Limits.from_env() == Limits(timeout=30.0, memory="1GB")
    monkeypatch.setenv("TOKENRANK_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("TOKENRANK_QUERY_MEMORY", "256MB")
    assert Limits.from_env() == Limits(timeout=2.5, memory="256MB")
    assert Limits.from_env(timeout=7, memory="2GB") == Limits(timeout=7, memory="2GB")
    assert Limits(timeout=2.5, memory="256MB").settings() == {"memory_limit": "256MB", "max_execution_time": 2500}
    for name, value in [("TOKENRANK_QUERY_TIMEOUT", "soon"), ("TOKENRANK_QUERY_TIMEOUT", "0"), ("TOKENRANK_QUERY_MEMORY", "lots")]:
        monkeypatch.setenv(name, value)
        with pytest.raises(BadLimit):
            Limits.from_env()
        monkeypatch.delenv(name)


@pytest.fixture
def loaded(home, tmp_path_factory):
    copy_loaded(home, tmp_path_factory)
    return home


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("sql", ["INSERT INTO dim_model VALUES ('a','b',current_date,current_date)", "DROP TABLE fact_model_daily",
                                 "ATTACH ':memory:' AS m", "COPY fact_model_daily TO 'x.csv'",
                                 "WITH d AS (DELETE FROM fact_model_daily RETURNING *) SELECT count(*) FROM d",
                                 "SELECT * FROM fact_model_daily; DELETE FROM fact_model_daily"])
def test_cli_refuses_writes_with_exit_code_2(loaded, sql):
    result = runner.invoke(app, ["query", sql])
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith("refused:")
    assert runner.invoke(app, ["query", "SELECT count(*) FROM fact_model_daily", "-f", "csv"]).stdout == "count_star()\n9\n"


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_text('/proc/self/environ')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM read_blob('/proc/self/environ')",
    "SELECT * FROM read_json('/etc/passwd')",
    "SELECT * FROM read_parquet('{lake}/*/*.parquet')",
    "SELECT * FROM parquet_metadata('{lake}/date=2026-03-30/part.parquet')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/secrets.csv')",
    "SELECT * FROM 'https://example.com/data.parquet'",
    "SELECT * FROM duckdb_extensions()",
])
def test_queries_see_the_warehouse_and_nothing_else(loaded, monkeypatch, sql):
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-query-sandbox-canary")
    result = runner.invoke(app, ["query", sql.format(lake=Home.from_env().rankings_lake), "-f", "csv"])
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr).startswith("refused: queries see the warehouse and nothing else")
    assert result.stdout == ""
    assert "canary" not in result.output and "root:" not in result.output


def test_a_file_name_as_a_table_is_just_an_unknown_table(loaded):
    result = runner.invoke(app, ["query", "SELECT * FROM '/etc/passwd'"])  # no replacement scan without file access
    assert result.exit_code == 1
    assert one_line(result.stderr) == "query failed: Catalog Error: Table with name /etc/passwd does not exist!"


def test_the_reader_connection_is_sandboxed_and_locked(loaded):
    con = published.connect_read_only(Home.from_env())
    try:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', "
            "'autoload_known_extensions', 'autoinstall_known_extensions', 'access_mode')").fetchall())
        assert settings == {"enable_external_access": "false", "lock_configuration": "true", "access_mode": "automatic",
                            "autoload_known_extensions": "false", "autoinstall_known_extensions": "false"}
        with pytest.raises(Exception, match="configuration has been locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(Exception, match="read-only"):
            con.execute("DELETE FROM fact_model_daily")  # the copy itself is attached READ_ONLY
        assert con.execute("SELECT count(*) FROM fact_model_daily").fetchone() == (9,)
    finally:
        con.close()


def test_cli_query_formats(loaded):
    sql = "SELECT model_permaslug, sum(total_tokens) AS total_tokens FROM fact_model_daily WHERE NOT is_other GROUP BY 1 ORDER BY 2 DESC"
    table = runner.invoke(app, ["query", sql])
    assert table.exit_code == 0, table.output
    assert "13.8T" in table.output and "9.24T" in table.output  # 3 days x 4.6T, 3 x 3.08T
    assert "2 rows" in table.output
    as_json = json.loads(runner.invoke(app, ["query", sql, "--format", "json"]).output)
    assert as_json == [{"model_permaslug": "qwen/qwen3.6-plus-04-02:free", "total_tokens": 13800000000000},
                       {"model_permaslug": "xiaomi/mimo-v2-pro-20260318", "total_tokens": 9240000000000}]
    as_csv = runner.invoke(app, ["query", sql, "--format", "csv"]).output.splitlines()
    assert as_csv == ["model_permaslug,total_tokens", "qwen/qwen3.6-plus-04-02:free,13800000000000",
                      "xiaomi/mimo-v2-pro-20260318,9240000000000"]
    empty = runner.invoke(app, ["query", "SELECT 1 AS a WHERE false", "--format", "json"])
    assert json.loads(empty.stdout) == []


def test_cli_query_format_is_a_choice(loaded):
    result = runner.invoke(app, ["query", "SELECT 1", "--format", "xml"])
    assert result.exit_code == 2 and "xml" in result.output


def test_cli_query_reads_sql_from_stdin(loaded):
    result = runner.invoke(app, ["query", "-", "-f", "csv"], input="SELECT count(DISTINCT date) AS days\nFROM fact_model_daily\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "days\n3\n"


def test_cli_table_format_caps_rows_and_says_how_many_were_cut(loaded):
    result = runner.invoke(app, ["query", "SELECT * FROM range(20000000)"])  # counted, not held or printed
    assert result.exit_code == 0, result.output
    assert " 999 " in result.stdout and " 1,000 " not in result.stdout
    assert "1,000 of 20,000,000 rows shown, 19,999,000 cut" in " ".join(result.stdout.split())
    capped = runner.invoke(app, ["query", "SELECT * FROM range(5)", "--max-rows", "2"])
    assert "2 of 5 rows shown, 3 cut" in " ".join(capped.stdout.split())
    endless = runner.invoke(app, ["query", "SELECT * FROM range(1000000000000)", "--timeout", "1"])
    assert endless.exit_code == 0, endless.output
    assert " 999 " in endless.stdout
    assert ("1,000 rows shown; the rest were cut, not counted: the query ran out of time: stopped after 1 s"
            in " ".join(endless.stdout.split()))


def test_cli_csv_and_json_stream_every_row_unless_capped(loaded):
    as_csv = runner.invoke(app, ["query", "SELECT range AS n FROM range(25000)", "-f", "csv"])  # more than one batch
    assert as_csv.stdout.splitlines() == ["n"] + [str(n) for n in range(25000)]
    as_json = runner.invoke(app, ["query", "SELECT range AS n FROM range(25000)", "-f", "json"])
    assert json.loads(as_json.stdout) == [{"n": n} for n in range(25000)]
    capped = runner.invoke(app, ["query", "SELECT range AS n FROM range(25000)", "-f", "csv", "--max-rows", "3"])
    assert capped.exit_code == 0
    assert capped.stdout == "n\n0\n1\n2\n"
    assert "stopped after --max-rows 3" in capped.stderr


def test_cli_query_time_limit_is_one_line_exit_1(loaded, monkeypatch):
    result = runner.invoke(app, ["query", "SELECT count(*) FROM range(1000000000000)", "--timeout", "0.5"])
    assert result.exit_code == 1
    assert one_line(result.stderr) == ("query failed: the query ran out of time: stopped after 0.5 s "
                                       "(raise it with --timeout or TOKENRANK_QUERY_TIMEOUT)")
    monkeypatch.setenv("TOKENRANK_QUERY_TIMEOUT", "0.5")
    streaming = runner.invoke(app, ["query", "SELECT * FROM range(1000000000000)", "-f", "csv"])  # stops mid-stream
    assert streaming.exit_code == 1
    assert one_line(streaming.stderr).startswith("query failed: the query ran out of time: stopped after 0.5 s")


def test_cli_query_memory_limit_is_one_line_exit_1(loaded, monkeypatch):
    monkeypatch.setenv("TOKENRANK_QUERY_MEMORY", "64MB")
    result = runner.invoke(app, ["query", "SELECT list(range) FROM range(100000000)"])
    assert result.exit_code == 1
    assert one_line(result.stderr).startswith("query failed: the query needs more than its memory limit of 64MB")


def test_cli_query_bad_limit_is_usage_error(loaded):
    result = runner.invoke(app, ["query", "SELECT 1", "--memory", "plenty"])
    assert result.exit_code == 2
    assert one_line(result.stderr) == "error: the query memory limit 'plenty' is not a size such as 512MB or 2GB"


def test_cli_query_errors_exit_1(loaded):
    result = runner.invoke(app, ["query", "SELECT * FROM no_such_table"])
    assert result.exit_code == 1 and one_line(result.stderr).startswith("query failed: Catalog Error")


def test_query_piped_into_head_ends_quietly(loaded):
    shell = f"{REPO}/.venv/bin/tokenrank query 'SELECT * FROM range(1000000)' -f csv | head -2"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60)
    assert done.stdout == "range\n0\n"
    assert done.stderr == "" and done.returncode in (0, 141)


def test_cli_version():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"tokenrank {version('tokenrank')}\n"


def test_cli_status_shows_gaps_and_runs(loaded):
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "2026-03-30 .. 2026-04-02 (3 days)" in result.output
    assert "2026-04-01" in result.output  # the gap
    assert "success" in result.output
    assert "0 bad responses kept in raw/quarantine/" in result.output


def test_cli_status_as_json(loaded):
    result = runner.invoke(app, ["status", "--format", "json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert (status["first_date"], status["last_date"], status["days_loaded"]) == ("2026-03-30", "2026-04-02", 3)
    assert status["gaps"] == [["2026-04-01", "2026-04-01"]]
    assert status["latest_as_of"] == "2026-04-06T02:00:00"
    assert [(r["run_id"], r["status"], r["rows_inserted"]) for r in status["last_runs"]] == [("r1", "success", 9)]
    assert dt.datetime.fromisoformat(status["last_runs"][0]["finished_at"])
    assert status["quarantined"] == [] and status["restatements"] == 0
    assert runner.invoke(app, ["status", "--format", "yaml"]).exit_code == 2


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

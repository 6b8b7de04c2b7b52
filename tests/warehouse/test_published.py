import os
import subprocess
import sys
import shutil
import textwrap

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import REPO
from tests.warehouse.ops_helpers import DAYS, load_days
from warehouse import db, published
from warehouse.paths import Home
from warehouse.query import run_query

runner = CliRunner()


def test_publish_swaps_current_and_keeps_two_copies(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    copies = [published.publish(home) for _ in range(3)]
    assert published.current(home) == copies[-1]
    assert os.readlink(home.published / published.CURRENT) == copies[-1].name  # relative: the home can move
    assert sorted(home.published.glob("warehouse-*.duckdb")) == copies[1:]
    assert sorted(p.name for p in home.published.iterdir()) == sorted([published.CURRENT] + [c.name for c in copies[1:]])
    con = published.connect_read_only(home)
    try:
        assert con.execute("SELECT count(DISTINCT date) FROM fact_model_daily").fetchone()[0] == 3
    finally:
        con.close()


def test_nothing_published_is_a_clear_error(tmp_path):
    with pytest.raises(published.NothingPublished, match="nothing loaded yet: run tokenrank demo"):
        published.connect_read_only(Home(tmp_path))


def test_readers_never_open_the_warehouse_itself(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    shutil.rmtree(home.published)  # loaded, but no copy for readers
    with pytest.raises(published.NothingPublished, match="nothing loaded yet"):
        published.connect_read_only(home)


def test_ensure_published_gives_readers_a_copy_before_the_first_load(tmp_path):
    home = Home(tmp_path)
    first = published.ensure_published(home)  # no warehouse yet: created empty, then published
    assert published.current(home) == first and home.warehouse.exists()
    with run_query(home, "SELECT count(*) FROM fact_model_daily") as rows:
        assert rows.take(5) == [(0,)]
    assert published.ensure_published(home) == first  # a readable copy is kept as it is
    first.write_bytes(b"not a database")
    repaired = published.ensure_published(home)
    assert repaired != first and published.current(home) == repaired


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM fact_model_daily").fetchone()[0], flush=True)
    time.sleep(30)
    """
)


def test_a_reader_holding_the_published_copy_never_blocks_the_writer(tmp_path):
    home = Home(tmp_path)
    load_days(home, DAYS[:1])
    published.publish(home)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(home.published / published.CURRENT)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "3"  # 3 rows of one day, and the file stays open
        load_days(home, DAYS, run_id="r2")  # the writer loads…
        published.publish(home)  # …and publishes twice, deleting the copy the reader has open
        published.publish(home)
        with run_query(home, "SELECT count(*) FROM fact_model_daily") as rows:
            assert rows.take(1) == [(9,)]
    finally:
        reader.kill()
        reader.wait()


WRITER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM fact_model_daily")
    print("holding", flush=True)
    time.sleep(30)
    """
)


def test_a_query_during_a_running_load_reads_the_last_published_state(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    published.publish(home)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(home.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException):  # the writer's process owns the warehouse file…
            duckdb.connect(str(home.warehouse), read_only=True)
        with run_query(home, "SELECT count(*) AS n FROM fact_model_daily") as rows:  # …readers use the copy
            assert rows.take(5) == [(9,)]
    finally:
        writer.kill()
        writer.wait()


def test_the_published_copy_is_in_a_storage_format_duckdb_1_1_reads(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    copy = published.publish(home)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{copy}' AS copy (READ_ONLY)")
        (tags,) = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'copy'").fetchone()
    finally:
        con.close()
    assert tags["storage_version"] == "v1.0.0+"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_status_on_a_corrupt_published_copy_is_one_line_exit_1(home, damage):
    load_days(Home.from_env())
    path = published.publish(Home.from_env())
    data = path.read_bytes()
    path.write_bytes({"garbage": os.urandom(len(data)), "truncated": data[: len(data) // 3], "empty": b""}[damage])
    for command in (["status"], ["status", "-f", "json"], ["query", "SELECT 1"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, (command, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: the published copy") and "the next run, backfill or rebuild publishes a fresh one" in line


def test_status_on_a_copy_damaged_anywhere_fails_in_one_line(home):
    load_days(Home.from_env())
    path = published.publish(Home.from_env())
    intact = path.read_bytes()
    for tenth in range(1, 10):
        at = len(intact) * tenth // 10
        path.write_bytes(intact[:at] + bytes(range(256)) * 64 + intact[at + 256 * 64:])
        result = runner.invoke(app, ["status"])
        assert result.exit_code in (0, 1), (tenth, result.output)  # a block status does not read may be damaged
        if result.exit_code:
            (line,) = result.stderr.strip().splitlines()
            assert line.startswith("error: the published copy"), line


@pytest.fixture(scope="session", params=["duckdb==1.1.3", "duckdb<2"], ids=["duckdb-1.1", "duckdb-1.x-latest"])
def duckdb1_python(request):
    """A Python with a DuckDB 1.x wheel from PyPI, in a venv cached under .venv/ (`make clean` removes it)."""
    version = request.param
    venv = REPO / ".venv" / f"reader-{version.replace('==', '-').replace('<', 'lt')}"
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        uv = REPO / ".venv" / "bin" / "uv"
        subprocess.run([str(uv), "venv", "-q", "--allow-existing", "--python", sys.executable, str(venv)], check=True)
        subprocess.run([str(uv), "pip", "install", "-q", "--python", str(python), version], check=True, timeout=300)
        (venv / ".installed").touch()
    return python


OLD_READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(duckdb.__version__)
    print(con.execute("SELECT count(*), count(DISTINCT date), sum(total_tokens) FROM fact_model_daily").fetchone())
    print(len(con.execute("SHOW TABLES").fetchall()))
    """
)


def test_a_duckdb_1x_client_opens_the_published_copy(tmp_path, duckdb1_python):
    home = Home(tmp_path)
    load_days(home)
    published.publish(home)
    done = subprocess.run([str(duckdb1_python), "-c", OLD_READER, str(home.published / published.CURRENT)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    version, counts, tables = done.stdout.splitlines()
    assert version.startswith("1.")
    assert counts == "(9, 3, 23043000000000)"  # 3 days x (4.6T + 3.08T + 1B other)
    assert int(tables) >= 6


def test_a_warehouse_in_the_copy_format_is_published_byte_for_byte_and_an_older_one_is_rewritten(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    assert db.storage_header(home.warehouse) == db.COMPATIBLE_HEADER  # made in the published format
    copy = published.publish(home)
    assert copy.read_bytes() == home.warehouse.read_bytes()
    newer = tmp_path / "newer.duckdb"  # what an older tokenrank made: DuckDB's newest format
    con = duckdb.connect(str(newer))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    assert db.storage_header(newer) != db.COMPATIBLE_HEADER
    published._copy_database(newer, tmp_path / "rewritten.duckdb")
    assert db.storage_header(tmp_path / "rewritten.duckdb") == db.COMPATIBLE_HEADER

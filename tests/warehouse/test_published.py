import os
import subprocess
import sys
import textwrap

import duckdb
import pytest

from tests.warehouse.ops_helpers import load_days
from warehouse import published
from warehouse.paths import Home
from warehouse.query import run_query


def test_publish_swaps_current_and_keeps_two_copies(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    copies = [published.publish(home) for _ in range(3)]
    assert published.current(home) == copies[-1]
    assert os.readlink(home.published / published.CURRENT) == copies[-1].name  # relative: the home can move
    assert sorted(home.published.glob("warehouse-*.duckdb")) == copies[1:]
    con = published.connect_read_only(home)
    try:
        assert con.execute("SELECT count(DISTINCT date) FROM fact_model_daily").fetchone()[0] == 3
    finally:
        con.close()


def test_nothing_published_is_a_clear_error(tmp_path):
    with pytest.raises(published.NothingPublished, match="load data first"):
        published.connect_read_only(Home(tmp_path))


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
        result = run_query(home, "SELECT count(*) AS n FROM fact_model_daily")  # …readers use the copy
        assert result.rows == [(9,)]
    finally:
        writer.kill()
        writer.wait()

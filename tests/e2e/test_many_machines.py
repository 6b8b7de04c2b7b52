"""End to end across "machines": PostgreSQL, a Prefect server on it, an S3 endpoint (moto) and two process workers
with their own working folders (worker A crashes mid-write), one store home, the fake OpenRouter's real limits;
then a reader in a third folder queries the published copy."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FAKE_TODAY
from tests.e2e.workers import BIN, REPO, cli, remove_workspace, start_worker, stop, wait_for
from tests.fake_openrouter import APPS_PATH, RANKINGS_PATH, FakeOpenRouter, synthetic_rows
from tests.helpers import snapshot
from tests.s3_server import new_bucket, s3_server
from tests.servers import postgres_server, prefect_server
from tests.warehouse.test_shared_limits import most_in_any_window
from warehouse.paths import Home
from warehouse.rebuild import rebuild
from warehouse.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.waits]

PER_MINUTE = 3
"""The clients' shared per-minute limit: binding on these 5 requests, 4 of them asked for within seconds (the fake
allows its real 30). Its 71 s window (a minute, `SAFETY_SECONDS`, `LAG_SECONDS`) outlasts the killed writer's 60 s
lease, so both waits are one."""
BUDGET = 40


def test_two_workers_one_store_one_writer_one_request_budget(tmp_path, monkeypatch):
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    rows = synthetic_rows(FAKE_TODAY - dt.timedelta(days=14), days=14)
    key = f"sk-or-v1-e2e-{os.urandom(8).hex()}"
    with postgres_server() as database, prefect_server(database, tmp_path / "prefect") as prefect_env, \
            s3_server() as s3_env, FakeOpenRouter(rows, today=FAKE_TODAY, key=key) as api:
        url = new_bucket(s3_env)
        for name, value in s3_env.items():  # this process checks the store too
            monkeypatch.setenv(name, value)
        env = {**os.environ, **prefect_env, **s3_env, "TOKENRANK_HOME": url, "OPENROUTER_BASE_URL": api.url,
               "OPENROUTER_API_KEY": key, "TOKENRANK_REQUESTS_PER_MINUTE": str(PER_MINUTE),
               "TOKENRANK_DAILY_REQUEST_BUDGET": str(BUDGET), "TOKENRANK_WRITER_LOCK_TIMEOUT": "900",
               "TOKENRANK_WRITER_LEASE_SECONDS": "60", "TOKENRANK_STATE_DIR": str(tmp_path / "state"), "PWD": str(REPO)}
        with temporary_settings(updates={PREFECT_API_URL: prefect_env["PREFECT_API_URL"]}):
            with get_client(sync_client=True) as client:  # the pool and its queues (the CLI is tested elsewhere)
                client.create_work_pool(WorkPoolCreate(name="tokenrank", type="process"), overwrite=True)
                for queue in ("a", "b"):
                    client.create_work_queue(name=queue, work_pool_name="tokenrank")
        a = start_worker("a", tmp_path / "a", {**env, "TOKENRANK_FAILPOINT": "after-lake"})  # dies mid-write
        b = start_worker("b", tmp_path / "b", env)
        try:
            cli("prefect", "deploy", "--all", "--no-prompt", env=env)  # while the workers start
            with temporary_settings(updates={PREFECT_API_URL: prefect_env["PREFECT_API_URL"]}):
                backfill = lambda start, end, queue, days: run_deployment(  # noqa: E731
                    "backfill/backfill", timeout=0, work_queue_name=queue,
                    parameters={"start": start, "end": end, "window_days": days})
                first = backfill("2026-06-08", "2026-06-11", "a", 2)  # 2 requests
                assert not wait_for(first.id, timeout=600).state.is_completed()  # killed holding the writer slot
                stop(a, signal.SIGKILL)  # ... and its machine is gone
                remove_workspace(first.id)
                # the other worker redoes the killed run's days and more (2 requests) and runs the week (1): within
                # the minute of the killed run's 2, so 2 of these 3 wait for the shared window, and both wait for
                # the dead writer's lease to run out before they write
                second = backfill("2026-06-08", "2026-06-14", "b", 4)
                weekly = run_deployment("weekly-rankings/weekly-rankings", timeout=0, work_queue_name="b",
                                        parameters={"end_date": "2026-06-21", "lookback_days": 7,
                                                    "datasets": ["rankings-daily"]})
                for run in (second, weekly):
                    done = wait_for(run.id, timeout=900)
                    assert done.state.is_completed(), (done.state, (tmp_path / "b" / "worker.log").read_text()[-3000:])
                with get_client(sync_client=True) as client:
                    log = client.read_variable_by_name(f"tokenrank-requests-{_account(key)}").value
        finally:
            stop(a, signal.SIGKILL)
            stop(b)

        # the fake never saw more than the shared limits allow, and every request was charged to one shared log
        arrivals = sorted(r.at for r in api.requests if r.path in (RANKINGS_PATH, APPS_PATH))
        assert len(arrivals) == 5 > PER_MINUTE and most_in_any_window(arrivals, 60.0) <= PER_MINUTE <= 30
        assert len(arrivals) <= BUDGET and sum(log["days"].values()) == len(arrivals)

        # one warehouse: versions published one after the other, equal to what one machine builds from the same
        # responses (the store's raw archive), table for table
        store = Store(url, tmp_path / "check")
        versions = store.versions()
        assert versions == list(range(versions[0], versions[0] + len(versions)))
        final = tmp_path / "final.duckdb"
        store.fs.get_file(store.key(f"warehouse/v{versions[-1]:010d}.duckdb"), str(final))
        single = Home(tmp_path / "single")
        store.fs.get(store.key("raw"), str(single.raw), recursive=True)
        rebuild(single)
        assert tables(final) == tables(single.warehouse)
        con = duckdb.connect(str(final), read_only=True)
        assert con.execute("SELECT count(DISTINCT date), count(*) FROM fact_model_daily").fetchone() == (14, 714)
        con.close()

        # a reader on a third machine queries the published copy from the store
        reader = tmp_path / "c"
        reader.mkdir()
        query = subprocess.run(
            [str(BIN / "tokenrank"), "query", "SELECT count(DISTINCT date) AS days, count(*) AS rows FROM fact_model_daily",
             "--format", "csv"], cwd=reader, env={**env, "TOKENRANK_CACHE": str(reader / "cache")},
            capture_output=True, text=True, timeout=120)
        assert query.returncode == 0, query.stderr
        assert query.stdout.splitlines() == ["days,rows", "14,714"]
        shutil.rmtree(tmp_path / "check", ignore_errors=True)


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows with the raw file ids blanked: the killed worker's bodies are in the store (uploaded as
    fetched) but were never loaded, so a rebuild may name its fetch where the live runs name the refetch."""
    return snapshot(path, blank_raw_files=True)


def _account(key: str) -> str:
    from warehouse.shared_limits import account_id

    return account_id(key)

"""End to end: a real Prefect server, the `tokenrank` process pool, `prefect deploy` of both profiles (prefect.yaml
and the multi-machine prefect-multi.yaml), a process worker, the weekly-rankings and backfill deployments against
the fake OpenRouter, then `tokenrank query`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import DEPLOYMENTS_GROUP
from tests.e2e.workers import REPO, cli, start_worker, stop, wait_for
from warehouse.shared_limits import LOG_PREFIX, account_id


pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEPLOYMENTS_GROUP)]


def processes_with(marker: str) -> list[int]:
    """Our processes whose environment carries `marker` (the test's TOKENRANK_HOME)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_deploy_run_weekly_then_backfill_then_query(prefect_server, fake_openrouter, tmp_path):
    """Both deployment profiles on one pool, served by one worker in an empty folder (its machine): the weekly run
    from prefect.yaml (runs the clone `prefect deploy` ran in), then the backfill from prefect-multi.yaml (runs the
    git clone its `pull` section makes, not the folder it was deployed from), then `tokenrank query`."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments import run_deployment

    home = os.environ["TOKENRANK_HOME"]
    origin = tmp_path / "tokenrank.git"  # the team's git server, holding this checkout as main
    subprocess.run(["git", "clone", "--quiet", "--bare", str(REPO), str(origin)], check=True)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    subprocess.run(["git", "-C", str(origin), "update-ref", "refs/heads/main", head.stdout.strip()], check=True)
    env = {**prefect_server["env"], "TOKENRANK_HOME": home, "OPENROUTER_BASE_URL": fake_openrouter.url,
           "OPENROUTER_API_KEY": fake_openrouter.key, "PWD": str(REPO), "TOKENRANK_GIT_URL": f"file://{origin}",
           # this test's budget state and lifted per-minute limit
           "TOKENRANK_STATE_DIR": os.environ["TOKENRANK_STATE_DIR"],
           "TOKENRANK_REQUESTS_PER_MINUTE": os.environ["TOKENRANK_REQUESTS_PER_MINUTE"],
           # the pull step's `pip install -r requirements.lock`: the lock pins every package, all installed here, so
           # pip need not resolve their dependencies again (~10 s of CPU, ~4 s without)
           "PIP_NO_DEPS": "1"}
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="tokenrank", type="process"), overwrite=True)
    anywhere = tmp_path / "prefect-anywhere.yaml"  # the multi-machine backfill under a name of its own
    anywhere.write_text((REPO / "prefect-multi.yaml").read_text().replace("- name: backfill\n",
                                                                        "- name: backfill-anywhere\n"))

    machine = tmp_path / "machine"
    worker = start_worker("default", machine, env, query_seconds=1)  # starts while we deploy
    try:
        cli("prefect", "deploy", "--all", "--no-prompt", env=env)
        cli("prefect", "deploy", "--name", "backfill-anywhere", "--no-prompt", "--prefect-file", str(anywhere), env=env)
        weekly = run_deployment("weekly-rankings/weekly-rankings", timeout=0,  # one dataset: the path is the test
                                parameters={"end_date": "2026-06-21", "lookback_days": 7, "datasets": ["rankings-daily"]})
        weekly = wait_for(weekly.id)
        assert weekly.state.is_completed(), (weekly.state, (machine / "worker.log").read_text()[-3000:])
        assert {r.params["start_date"] for r in fake_openrouter.rankings_requests()} == {"2026-06-15"}

        backfill = run_deployment("backfill/backfill-anywhere", timeout=0,
                                  parameters={"start": "2026-06-08", "end": "2026-06-21"})
        backfill = wait_for(backfill.id, timeout=300)
        assert backfill.state.is_completed(), (backfill.state, (machine / "worker.log").read_text()[-3000:])
        windows = [(r.params["start_date"], r.params["end_date"]) for r in fake_openrouter.rankings_requests()
                   if set(r.params) == {"start_date", "end_date"}]  # not the facet datasets' filtered requests
        assert windows == [("2026-06-15", "2026-06-21"), ("2026-06-08", "2026-06-14")]  # only what was missing
    finally:
        stop(worker)

    with get_client(sync_client=True) as client:
        steps = client.read_deployment(backfill.deployment_id).pull_steps
    assert [next(iter(step)) for step in steps] == ["prefect.deployments.steps.git_clone",
                                                   "prefect.deployments.steps.pip_install_requirements"]
    assert all(str(REPO) not in str(step) for step in steps)  # nothing points at the folder it was deployed from
    query = cli("tokenrank", "query", "SELECT count(DISTINCT date) AS days, count(*) AS rows FROM fact_model_daily",
                "--format", "csv", env=env)
    assert query.stdout.splitlines() == ["days,rows", "14,714"]
    # the workers' runs charged every request to the account's log on the server, named without the key
    with get_client(sync_client=True) as client:
        log = client.read_variable_by_name(f"{LOG_PREFIX}{account_id(fake_openrouter.key)}").value
    assert sum(log["days"].values()) == len(fake_openrouter.rankings_requests()) == 2
    key = fake_openrouter.key.encode()
    assert not [p for p in prefect_server["home"].rglob("*") if p.is_file() and key in p.read_bytes()]
    deadline = time.monotonic() + 10
    while processes_with(f"TOKENRANK_HOME={home}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(f"TOKENRANK_HOME={home}") == [], "stray processes left behind"

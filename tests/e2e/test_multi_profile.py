"""The multi-machine deployment profile (prefect-multi.yaml): a worker in an empty folder runs a deployment from
the git clone its `pull` section makes, not from the folder `prefect deploy` ran in."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import DEPLOYMENTS_GROUP
from tests.e2e.test_deployments import REPO, cli, wait_for
from tests.e2e.test_many_machines import start_worker, stop

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(DEPLOYMENTS_GROUP)]


def test_a_worker_anywhere_runs_the_clone_its_pull_step_makes(prefect_server, fake_openrouter, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments import run_deployment

    origin = tmp_path / "tokenrank.git"  # the team's git server, holding this checkout as main
    subprocess.run(["git", "clone", "--quiet", "--bare", str(REPO), str(origin)], check=True)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    subprocess.run(["git", "-C", str(origin), "update-ref", "refs/heads/main", head.stdout.strip()], check=True)
    env = {**prefect_server["env"], "TOKENRANK_HOME": os.environ["TOKENRANK_HOME"],
           "TOKENRANK_STATE_DIR": os.environ["TOKENRANK_STATE_DIR"], "OPENROUTER_BASE_URL": fake_openrouter.url,
           "OPENROUTER_API_KEY": fake_openrouter.key, "TOKENRANK_GIT_URL": f"file://{origin}",
           "TOKENRANK_REQUESTS_PER_MINUTE": os.environ["TOKENRANK_REQUESTS_PER_MINUTE"],
           # the pull step's `pip install -r requirements.lock`: the lock pins every package, all installed here, so
           # pip need not resolve their dependencies again (~10 s of CPU, ~4 s without)
           "PIP_NO_DEPS": "1"}
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="tokenrank-anywhere", type="process"), overwrite=True)
    profile = (REPO / "prefect-multi.yaml").read_text().replace("name: tokenrank\n", "name: tokenrank-anywhere\n")
    (tmp_path / "prefect-anywhere.yaml").write_text(profile)
    worker = start_worker("default", tmp_path / "machine", env, pool="tokenrank-anywhere")  # starts while we deploy
    try:
        cli("prefect", "deploy", "--name", "backfill", "--no-prompt", "--prefect-file",
            str(tmp_path / "prefect-anywhere.yaml"), "--pool", "tokenrank-anywhere", env=env)
        run = run_deployment("backfill/backfill", timeout=0, parameters={"start": "2026-06-08", "end": "2026-06-14"})
        run = wait_for(run.id, timeout=300)
        assert run.state.is_completed(), (run.state, (tmp_path / "machine" / "worker.log").read_text()[-3000:])
    finally:
        stop(worker)
    with get_client(sync_client=True) as client:
        steps = client.read_deployment(run.deployment_id).pull_steps
    assert [next(iter(step)) for step in steps] == ["prefect.deployments.steps.git_clone",
                                                   "prefect.deployments.steps.pip_install_requirements"]
    assert all(str(REPO) not in str(step) for step in steps)  # nothing points at the folder it was deployed from
    query = cli("tokenrank", "query", "SELECT count(DISTINCT date) FROM fact_model_daily", "--format", "csv", env=env)
    assert query.stdout.splitlines()[1] == "7"

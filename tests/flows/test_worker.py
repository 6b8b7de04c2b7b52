"""`tokenrank worker`, started in the background from a script as the README says, stops on one SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.worker import worker_command

pytestmark = pytest.mark.flow
BIN = Path(sys.executable).parent
POOL = "tokenrank-signals"


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper has stopped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_worker_command_runs_prefect_with_this_interpreter():
    assert worker_command("tokenrank") == [sys.executable, "-m", "prefect", "worker", "start", "--pool", "tokenrank"]


def test_a_background_worker_stops_on_one_sigterm(prefect_server, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"), overwrite=True)
    pid_file, log = tmp_path / "run" / "worker.pid", tmp_path / "worker.log"
    env = {**prefect_server["env"], "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    # A non-interactive shell starts `&` jobs with SIGINT ignored: that is what made one SIGTERM not enough.
    subprocess.run(["bash", "-c", f"tokenrank worker --pool {POOL} --pid-file {pid_file} > {log} 2>&1 &"],
                   env=env, check=True, timeout=30)
    pid = None
    try:
        assert wait_until(lambda: pid_file.exists() and "started!" in log.read_text(), 120), log.read_text()
        pid = int(pid_file.read_text())
        assert Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:4] == [b"-m", b"prefect", b"worker"]
        os.kill(pid, signal.SIGTERM)
        assert wait_until(lambda: not alive(pid), 30), f"worker {pid} still running after one SIGTERM:\n{log.read_text()}"
        assert "stopped!" in log.read_text()
    finally:
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGKILL)

"""What the end-to-end tests share: this venv's commands run from the repo, process workers in folders of their own
(their machines), and a flow run's end."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def cli(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def start_worker(queue: str, folder: Path, env: dict, pool: str = "tokenrank",
                 query_seconds: int = 2) -> subprocess.Popen:
    """A process worker of `pool` polling `queue` every `query_seconds` (Prefect's default is 10), in its own working
    folder (its machine)."""
    folder.mkdir(parents=True)
    return subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--work-queue", queue], cwd=folder,
        env={**env, "TOKENRANK_CACHE": str(folder / "cache"), "PREFECT_WORKER_QUERY_SECONDS": str(query_seconds)},
        stdout=open(folder / "worker.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def remove_workspace(flow_run_id) -> None:
    """The temp folders the killed worker made for a flow run (its working folder and the workspace supervisor's):
    nothing is left to remove them, and each run of the suite would leave both in the temp folder."""
    for record in Path(tempfile.gettempdir()).glob("prefect-workspace-attempt-*/supervisor.json"):
        with contextlib.suppress(OSError, ValueError):
            supervisor = json.loads(record.read_text())
            if supervisor.get("flow_run_id") == str(flow_run_id):
                if Path(supervisor.get("workspace_root", "")).name.endswith("prefect"):
                    shutil.rmtree(supervisor["workspace_root"], ignore_errors=True)
                shutil.rmtree(record.parent, ignore_errors=True)


def wait_for(flow_run_id, timeout: float = 180):
    """The flow run once its state is final, looked up once a second: each look costs the server ~12 ms of CPU
    and this process ~3 ms, and the end-to-end tests wait minutes."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + timeout
        while True:
            run = client.read_flow_run(flow_run_id)
            if run.state and run.state.is_final():
                return run
            assert time.monotonic() < deadline, f"flow run {flow_run_id} still {run.state.name} after {timeout} s"
            time.sleep(1)

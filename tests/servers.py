"""Servers the multi-machine tests start for themselves, each on a free loopback port in a temp dir:
PostgreSQL (skipped with the reason when its binaries are absent) and a Prefect server on it."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conftest import free_port


def postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: on the PATH, or Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists():
            return Path(folder)
    return None


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server's commands as the `postgres` user there."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (trust auth, database `prefect`); yields its SQLAlchemy URL."""
    folder = postgres_bin()
    if folder is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found; .ci/run installs them")
    root = Path(tempfile.mkdtemp(prefix="tokenrank-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    run = lambda *cmd: subprocess.run(_as_postgres([str(c) for c in cmd]), check=True, capture_output=True)  # noqa: E731
    try:
        run(folder / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        run(folder / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        run(folder / "createdb" if (folder / "createdb").exists() else "createdb",
            "-h", "127.0.0.1", "-p", port, "-U", "postgres", "prefect")
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
    finally:
        subprocess.run(_as_postgres([str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def prefect_server(database_url: str, home: Path) -> Iterator[dict[str, str]]:
    """`prefect server start` on a free loopback port with its database at `database_url`; yields the environment
    that points a process at it (PREFECT_API_URL, PREFECT_HOME, quiet settings)."""
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false",
           "PREFECT_API_DATABASE_CONNECTION_URL": database_url,
           "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": "1",  # a dead writer's expired lease goes at once
           # services the tests never use, each a loop costing CPU: no schedules turned into runs, no Late marks, no
           # automations, no offline workers, no cancellations or pauses to clean up
           **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in (
               "SCHEDULER", "LATE_RUNS", "TRIGGERS", "FOREMAN", "CANCELLATION_CLEANUP", "PAUSE_EXPIRATIONS")}}
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port",
             str(port), "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if requests.get(f"{env['PREFECT_API_URL']}/health", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"prefect server did not start; see {home / 'server.log'}")
                time.sleep(0.5)
            yield {k: env[k] for k in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_SERVER_ANALYTICS_ENABLED",
                                       "DO_NOT_TRACK")}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

"""Suite-wide fixtures: an isolated TOKENRANK_HOME per test, quiet Prefect, and the real-data samples."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.pop("PREFECT_API_URL", None)  # a server the caller has configured is not the tests' (`prefect_server`)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TOKENRANK_SHARED") or REPO.parent / "shared")
"""../shared beside the clone; `TOKENRANK_SHARED` points elsewhere (e.g. from a git worktree)."""
SAMPLES = SHARED / "samples" / "openrouter"
SAMPLE_FILE = SAMPLES / "rankings-daily_2026-06-08_2026-06-21.json"
APP_SAMPLE_FILE = SAMPLES / "app-rankings_weekly-windows.json"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh TOKENRANK_HOME for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("TOKENRANK_HOME", str(path))
    monkeypatch.setenv("TOKENRANK_DEMO_HOME", str(tmp_path / "demo-home"))
    monkeypatch.setenv("TOKENRANK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    return path


@pytest.fixture(scope="session")
def sample_payload() -> dict:
    """Two real weeks of rankings-daily (CC BY 4.0 OpenRouter data), read from ../shared, never copied."""
    if not SAMPLE_FILE.exists():
        pytest.skip(f"real OpenRouter sample not found at {SAMPLE_FILE} (../shared is absent)")
    return json.loads(SAMPLE_FILE.read_text())


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SHARED_ENV = "TOKENRANK_TEST_SHARED"
"""A folder the run's processes share (the pytest process, or xdist's controller, makes it; its workers inherit
it): the session's Prefect server is recorded there, so every worker uses the one server."""
_SERVER_RECORD = "prefect-server.json"
_server_started_here: subprocess.Popen | None = None
DEPLOYMENTS_GROUP = "prefect-deployments"
"""The xdist group of the tests that change what every client of the session's server shares (the `tokenrank`
pools' deployments, the failure-notification automation): `--dist loadgroup` runs them one after the other."""


_shared_made_here: str | None = None


def pytest_configure(config):
    global _shared_made_here
    if not hasattr(config, "workerinput") and SHARED_ENV not in os.environ:
        _shared_made_here = os.environ[SHARED_ENV] = tempfile.mkdtemp(prefix="tokenrank-tests-")
        os.environ.setdefault("PREFECT_API_SSL_CERT_FILE", _one_ca_bundle(Path(_shared_made_here)))


def pytest_collection_modifyitems(config, items):
    """The tests marked `waits` first, then the tests of xdist groups, then the rest, each in collection order: xdist
    hands out work in that order (`make test` turns off its default of handing out the largest xdist groups first),
    and neither a test that waits a minute or two nor a group (one worker runs its tests one after another: the
    s3-store group takes ~17 s) must start late and be the last one running while the other workers are idle."""
    items.sort(key=lambda item: (item.get_closest_marker("waits") is None,
                                 item.get_closest_marker("xdist_group") is None))


def _one_ca_bundle(folder: Path) -> str:
    """A CA file holding one certificate. Every Prefect client loads its CA file into a new SSL context (~60 ms CPU
    for certifi's ~150 certificates, several times per request the shared request log admits); the tests' servers
    are plain http on loopback, so no certificate is ever checked."""
    import certifi

    bundle, end = Path(certifi.where()).read_text(), "-----END CERTIFICATE-----"
    path = folder / "one-ca.pem"
    path.write_text(bundle[bundle.index("-----BEGIN CERTIFICATE-----"):bundle.index(end) + len(end)] + "\n")
    return str(path)


def pytest_unconfigure(config):
    """The process that made the shared folder stops the server a worker started in it, and removes the folder."""
    global _shared_made_here
    if _shared_made_here is None:
        return
    record = Path(_shared_made_here, _SERVER_RECORD)
    if record.exists():
        _stop_server(json.loads(record.read_text())["pid"])
    shutil.rmtree(_shared_made_here, ignore_errors=True)
    os.environ.pop(SHARED_ENV, None)
    _shared_made_here = None


def _start_server(prefect_home: Path) -> dict:
    """`prefect server start` on a free loopback port, its database and log in `prefect_home`; returns its URL,
    home and pid once it answers."""
    global _server_started_here
    import requests

    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    prefect_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_database(), prefect_home / "prefect.db")  # its default database, so no migrations
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_API_URL": url, "PREFECT_SERVER_API_HOST": "127.0.0.1",
           "PREFECT_SERVER_API_PORT": str(port), "PREFECT_UI_ENABLED": "false",
           # a dead writer's expired lease is revoked within 5 s, not 15 s (each look costs CPU all run long)
           "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": "5",
           # loops no test uses (each costs CPU all run long): deployments' schedules made into runs, offline
           # workers, cancellations and pauses to clean up; Late runs and automations stay (tests/flows/test_notify.py)
           **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in (
               "SCHEDULER", "FOREMAN", "CANCELLATION_CLEANUP", "PAUSE_EXPIRATIONS")}}
    with open(prefect_home / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port",
             str(port), "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    _server_started_here = proc
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return {"url": url, "home": str(prefect_home), "pid": proc.pid}
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"prefect server did not start; see {prefect_home / 'server.log'}")
        time.sleep(0.25)


def _migrated_database() -> Path:
    """An empty Prefect database with every migration applied, made once per Prefect version in the temp folder and
    copied by later runs: migrating a new SQLite database costs ~11 s of the server's start."""
    import sqlite3

    import prefect

    path = Path(tempfile.gettempdir(), f"tokenrank-tests-prefect-{prefect.__version__}.db")
    if not path.exists():
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            subprocess.run([str(Path(sys.executable).with_name("prefect")), "server", "database", "upgrade", "-y"],
                           env={**os.environ, "PREFECT_HOME": tmp}, check=True, capture_output=True, timeout=300)
            con = sqlite3.connect(Path(tmp, "prefect.db"))
            con.execute("VACUUM INTO ?", (str(Path(tmp, "migrated.db")),))  # one self-contained file, no WAL
            con.close()
            os.replace(Path(tmp, "migrated.db"), path)  # atomic: a concurrent run copies a whole file or makes its own
    return path


def _stop_server(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if _server_started_here is not None and _server_started_here.pid == pid:
        try:
            _server_started_here.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)
            _server_started_here.wait()
        return
    deadline = time.monotonic() + 30  # a worker started it: not our child, so watch it go
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def prefect_server_process():
    """One real `prefect server` on loopback for the whole run, shared by every xdist worker (its URL, home and
    the environment that points a process at it): the first worker that needs it starts it; the run's end stops it.

    Nothing points at it by itself: `prefect_server` (per test) or `use_prefect_server` (per fixture) does, so
    every other test runs as a user without a server does (`tokenrank run` in-process, no PREFECT_API_URL).
    Tests share it: look up what a test made by its own ids, never by counting everything on the server.
    """
    from filelock import FileLock

    shared = Path(os.environ[SHARED_ENV])
    record = shared / _SERVER_RECORD
    with FileLock(str(shared / "prefect-server.lock")):
        if not record.exists():
            record.write_text(json.dumps(_start_server(shared / "prefect-home")))
    server = json.loads(record.read_text())
    home = Path(server["home"])
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": server["url"],
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    return {"url": server["url"], "home": home, "env": env}


@contextlib.contextmanager
def use_prefect_server(server: dict):
    """Point this process at `server` (PREFECT_API_URL, PREFECT_HOME) for the block, then send what Prefect still
    buffers for it and restore what was."""
    saved = {k: os.environ.get(k) for k in ("PREFECT_API_URL", "PREFECT_HOME")}
    os.environ.update(PREFECT_API_URL=server["url"], PREFECT_HOME=str(server["home"]))
    # Prefect reads its settings when first imported: point already-loaded settings at this server too.
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: server["url"]}):
            try:
                yield server
            finally:
                _drain_prefect_clients()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def prefect_server(prefect_server_process, monkeypatch):
    """The session's Prefect server, configured (PREFECT_API_URL, PREFECT_HOME) for this test only.

    The flows this process runs keep the account's request log on this machine (`RequestBudget`): the log on the
    server (`warehouse.shared_limits.SharedRequestBudget`) costs several round trips per request, so it is
    tested where it matters: on its own (tests/warehouse/test_shared_limits.py) and in the deployments' worker
    processes (tests/e2e), which this does not reach.
    """
    from warehouse import request_budget

    monkeypatch.setattr(request_budget, "request_limiter", request_budget.RequestBudget)
    with use_prefect_server(prefect_server_process):
        yield prefect_server_process


def _drain_prefect_clients() -> None:
    """Send queued logs and events while the server is still configured and up; otherwise they go nowhere, or the
    exit hangs retrying a dead server."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=10)


FAKE_TODAY = dt.date(2026, 6, 22)
"""The fake OpenRouter's UTC today: its last completed day is 2026-06-21, the sample's last day."""


@pytest.fixture(scope="session")
def app_samples() -> list[dict]:
    """Seven real app-rankings responses with their queries (CC BY 4.0 OpenRouter data), read from ../shared."""
    if not APP_SAMPLE_FILE.exists():
        pytest.skip(f"real OpenRouter app-rankings samples not found at {APP_SAMPLE_FILE} (../shared is absent)")
    return json.loads(APP_SAMPLE_FILE.read_text())


LIFTED_PER_MINUTE = 10_000
"""The per-minute limit tests run under (client limiter and fake server), so a weekly run of both datasets
(~30 requests) never waits a minute; the limits themselves are tested with small numbers."""


@pytest.fixture
def fake_openrouter(home, monkeypatch):
    """A running fake OpenRouter (tests/fake_openrouter.py) serving 51 synthetic rows/day for 2026-06-08..21 and no
    app rankings (every list answers empty) unless given (`fake_openrouter.set_apps(...)`).

    `OPENROUTER_BASE_URL`/`OPENROUTER_API_KEY` point at it (set after `home` clears any real key). For the real rows: `fake_openrouter.load(sample_payload)`.
    The per-minute limits are lifted (`LIFTED_PER_MINUTE`); the daily budget is the real one (500).
    """
    from tests.fake_openrouter import FakeOpenRouter, synthetic_rows

    rows = synthetic_rows(FAKE_TODAY - dt.timedelta(days=14), days=14)
    # a key of its own: with a Prefect server the account's request log is shared by key (warehouse.shared_limits)
    key = f"sk-or-v1-test-{os.urandom(8).hex()}"
    with FakeOpenRouter(rows, today=FAKE_TODAY, rate_limit=LIFTED_PER_MINUTE, key=key) as server:
        monkeypatch.setenv("OPENROUTER_BASE_URL", server.url)
        monkeypatch.setenv("OPENROUTER_API_KEY", server.key)
        monkeypatch.setenv("TOKENRANK_REQUESTS_PER_MINUTE", str(LIFTED_PER_MINUTE))
        yield server

"""Suite-wide fixtures: an isolated TOKENRANK_HOME per test, quiet Prefect, and the real-data samples."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
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


PREFECT_GROUP = "prefect"
"""The xdist group of every test that uses the session's Prefect server: `make test` (`-n 2 --dist loadgroup`)
runs them all on one worker, so one server starts per run."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Put every test that reaches the Prefect server (directly or through a fixture) in `PREFECT_GROUP`; tryfirst
    so xdist's loadgroup, which reads the mark in the same hook, sees it."""
    for item in items:
        if "prefect_server_process" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(PREFECT_GROUP))


@pytest.fixture(scope="session")
def prefect_server_process(tmp_path_factory):
    """One real `prefect server` on loopback for the whole session (its URL, home, env and process).

    Nothing points at it by itself: `prefect_server` (per test) or `use_prefect_server` (per fixture) does, so
    every other test runs as a user without a server does (`tokenrank run` in-process, no PREFECT_API_URL).
    """
    import subprocess
    import sys
    import time

    import requests

    prefect_home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_API_URL": url, "PREFECT_SERVER_API_HOST": "127.0.0.1",
           "PREFECT_SERVER_API_PORT": str(port), "PREFECT_UI_ENABLED": "false"}
    log = open(prefect_home / "server.log", "wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"prefect server did not start; see {prefect_home / 'server.log'}")
        time.sleep(0.25)
    try:
        yield {"url": url, "home": prefect_home, "env": env, "process": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


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
def prefect_server(prefect_server_process):
    """The session's Prefect server, configured (PREFECT_API_URL, PREFECT_HOME) for this test only."""
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

"""Suite-wide fixtures: an isolated TOKENRANK_HOME per test, quiet Prefect, and the real-data samples."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "samples" / "openrouter"
SAMPLE_FILE = SAMPLES / "rankings-daily_2026-06-08_2026-06-21.json"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh TOKENRANK_HOME for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("TOKENRANK_HOME", str(path))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    return path


@pytest.fixture(scope="session")
def sample_payload() -> dict:
    """Two real weeks of rankings-daily (CC BY 4.0 OpenRouter data), read from ../shared, never copied."""
    if not SAMPLE_FILE.exists():
        pytest.skip(f"real OpenRouter sample not found at {SAMPLE_FILE} (../shared is absent)")
    return json.loads(SAMPLE_FILE.read_text())


FAKE_TODAY = dt.date(2026, 6, 22)
"""The fake OpenRouter's UTC today: its last completed day is 2026-06-21, the sample's last day."""


@pytest.fixture
def fake_openrouter(monkeypatch):
    """A running fake OpenRouter (tests/fake_openrouter.py) serving 51 synthetic rows/day for 2026-06-08..21.

    `OPENROUTER_BASE_URL`/`OPENROUTER_API_KEY` point at it. For the real rows: `fake_openrouter.load(sample_payload)`.
    """
    from tests.fake_openrouter import FakeOpenRouter, synthetic_rows

    rows = synthetic_rows(FAKE_TODAY - dt.timedelta(days=14), days=14)
    with FakeOpenRouter(rows, today=FAKE_TODAY) as server:
        monkeypatch.setenv("OPENROUTER_BASE_URL", server.url)
        monkeypatch.setenv("OPENROUTER_API_KEY", server.key)
        yield server

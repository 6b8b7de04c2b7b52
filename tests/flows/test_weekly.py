"""The weekly run, whole, against the fake OpenRouter on loopback: in-process (as `tokenrank run` runs it without
a Prefect server), and through the Prefect flow on the session's real server where orchestration matters."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from typer.testing import CliRunner

from tests.helpers import snapshot
from warehouse.paths import Home

END = dt.date(2026, 6, 21)


@pytest.fixture
def weekly():
    from flows import pipeline

    return lambda **params: pipeline.weekly(**params).summary()


def fact_summary(home) -> tuple:
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*), count(DISTINCT date), sum(total_tokens) FROM fact_model_daily").fetchone()
    finally:
        con.close()


def test_weekly_run_loads_the_real_sample_exactly_and_reruns_identically(home, fake_openrouter, sample_payload, weekly):
    fake_openrouter.load(sample_payload)
    summary = weekly(source="openrouter", end_date=END, lookback_days=14)
    expected_tokens = sum(int(r["total_tokens"]) for r in sample_payload["data"])
    assert fact_summary(home) == (714, 14, expected_tokens)
    assert (summary["dates_loaded"], summary["inserted"], len(summary["raw_files"]), summary["requests"]) == (14, 714, 2, 1)
    assert [r.params for r in fake_openrouter.rankings_requests()] == [{"start_date": "2026-06-08", "end_date": "2026-06-21"}]
    before = snapshot(Home(home).warehouse)
    again = weekly(source="openrouter", end_date=END, lookback_days=14)
    assert (again["dates_loaded"], again["inserted"], again["updated"]) == (0, 0, 0)
    assert snapshot(Home(home).warehouse) == before


def test_restated_days_are_caught_by_the_lookback(home, fake_openrouter, weekly):
    from tests.fake_openrouter import synthetic_rows

    rows = synthetic_rows(dt.date(2026, 6, 8), days=14)
    fake_openrouter.set_rows(rows)
    weekly(source="openrouter", end_date=END, lookback_days=14)
    target = next(r for r in rows if r["date"] == "2026-06-20" and r["model_permaslug"] != "other")
    target["total_tokens"] = str(int(target["total_tokens"]) + 1_000)
    fake_openrouter.set_rows(rows)
    fake_openrouter.as_of = "2026-06-23T02:00:00Z"
    summary = weekly(source="openrouter", end_date=END, lookback_days=7)
    assert summary["restatements"] == 1 and summary["updated"] == 1
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    restated = con.execute("SELECT model_permaslug, new_tokens - old_tokens FROM restatements").fetchall()
    con.close()
    assert restated == [(target["model_permaslug"], 1_000)]


@pytest.mark.parametrize(
    "fault, opts, message",
    [
        ("status", {"code": 401}, "OPENROUTER_API_KEY is missing or invalid"),
        ("status", {"code": 400, "message": "bad window"}, "2026-06-15..2026-06-21"),
        ("html", {}, "body is HTML"),
        ("version", {}, "meta.version is 'v2'"),
        ("tokens_overflow", {}, "does not fit in int64"),
    ],
)
def test_faults_fail_the_run_clearly_and_leave_the_warehouse_as_it_was(home, fake_openrouter, weekly, fault, opts, message):
    weekly(source="openrouter", end_date=dt.date(2026, 6, 14), lookback_days=7)
    before = snapshot(Home(home).warehouse)
    fake_openrouter.inject(fault, **opts)
    with pytest.raises(Exception) as info:
        weekly(source="openrouter", end_date=END, lookback_days=7)
    assert message in str(info.value) and fake_openrouter.key not in str(info.value)
    assert snapshot(Home(home).warehouse) == before


@pytest.mark.parametrize(
    "fault, opts",
    [("status", {"code": 429, "retry_after": "1"}), ("status", {"code": 429}), ("status", {"code": 500}),
     ("status", {"code": 502}), ("status", {"code": 503}), ("timeout", {"seconds": 3}), ("reset", {})],
)
def test_transient_faults_are_retried_and_the_run_succeeds(home, fake_openrouter, weekly, monkeypatch, fault, opts):
    monkeypatch.setenv("TOKENRANK_HTTP_TIMEOUT", "1")
    fake_openrouter.inject(fault, **opts)
    summary = weekly(source="openrouter", end_date=END, lookback_days=7)
    assert summary["inserted"] == 7 * 51
    assert len(fake_openrouter.rankings_requests()) == 2


def test_cli_run_prints_what_it_loaded_and_exits_nonzero_on_failure(home, fake_openrouter):
    from flows.cli import app

    result = CliRunner().invoke(app, ["run", "--end-date", "2026-06-21", "--lookback-days", "7"])
    assert result.exit_code == 0, result.output
    assert "dates loaded" in result.output and "357" in result.output
    fake_openrouter.inject("status", code=403)
    failed = CliRunner().invoke(app, ["run", "--end-date", "2026-06-21", "--lookback-days", "7"])
    assert failed.exit_code == 1 and "OPENROUTER_API_KEY is missing or invalid" in failed.output


@pytest.mark.flow
def test_with_a_server_the_command_runs_the_prefect_flow_and_the_key_is_never_written_anywhere(
    home, fake_openrouter, prefect_server
):
    """`tokenrank run` with PREFECT_API_URL runs the weekly-rankings flow on the server. The command ends its
    process without the interpreter's teardown (`flows.cli.entry`): what Prefect still queues when the flow returns
    (its last log line, "Finished in state Completed()", and its task runs' last events) reaches the server first.
    A run the command starts sends no heartbeats (`flows.cli._without_heartbeats`)."""
    import os
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path

    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId, TaskRunFilter, TaskRunFilterFlowRunId

    from flows.weekly import weekly_rankings as weekly
    from tests.helpers import warehouse_rows

    fake_openrouter.inject("status", code=401)
    with pytest.raises(Exception):
        weekly(source="openrouter", end_date=END, lookback_days=7)
    command = [str(Path(sys.executable).with_name("tokenrank")), "--verbose", "run", "--end-date", "2026-06-21",
               "--lookback-days", "7"]
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "INFO"}  # what --verbose sends, whatever an earlier test set
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # the run the command logged is a completed weekly-rankings flow run on the server (its run ids start with its id)
    [(run_id,)] = warehouse_rows("SELECT run_id FROM ingest_log WHERE dataset = 'rankings-daily' AND status = 'success'")
    flow_run_id = uuid.UUID(run_id.removesuffix("-rankings-daily"))
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        assert client.read_flow(flow_run.flow_id).name == "weekly-rankings" and flow_run.state.is_completed()
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    assert any(log.message.startswith("Finished in state Completed") for log in logs), [log.message for log in logs]
    only = TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))
    deadline = time.monotonic() + 60  # the server records task runs from their events, a moment later
    while True:
        with get_client(sync_client=True) as client:
            states = [task.state_name for task in client.read_task_runs(task_run_filter=only)]
        if (states and set(states) == {"Completed"}) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert states and set(states) == {"Completed"}, states
    assert flow_run_events(flow_run_id, until="prefect.flow-run.Completed") == [], "heartbeats were sent"
    key = fake_openrouter.key.encode()
    files = [p for p in Home(home).root.rglob("*") if p.is_file()]
    assert files and not [p for p in files if key in p.read_bytes()]
    assert not [p for p in prefect_server["home"].rglob("*") if p.is_file() and key in p.read_bytes()]


def flow_run_events(flow_run_id, *, until: str, prefix: str = "prefect.flow-run.heartbeat") -> list[str]:
    """The names of the flow run's events that start with `prefix`, read once the server has stored its event
    `until` (the server stores events a moment after they arrive, in the order they were sent)."""
    import time

    from prefect import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    def named(name: str) -> EventFilter:
        return EventFilter(resource=EventResourceFilter(id=[f"prefect.flow-run.{flow_run_id}"]),
                           event=EventNameFilter(prefix=[name]))

    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while not client.read_events(named(until), limit=1).events:
            assert time.monotonic() < deadline, f"no {until} event in 60 s"
            time.sleep(0.5)
        return [event.event for event in client.read_events(named(prefix), limit=50).events]

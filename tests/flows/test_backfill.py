"""The backfill flow against the fake OpenRouter and the session's Prefect server."""

from __future__ import annotations

import datetime as dt
import threading

import duckdb
import pytest
from typer.testing import CliRunner

from flows import pipeline, progress
from flows.cli import app
from flows.pipeline import resume_command
from transforms.datasets.base import plan_range
from warehouse.runs import RunStats
from warehouse import published
from warehouse.paths import Home
from warehouse.writer_lock import WriterBusy, writer_lock

D = dt.date
FIRST, LAST = D(2026, 6, 8), D(2026, 6, 21)  # what the fake serves


def test_resume_command_starts_at_the_first_window_not_fetched():
    plan = plan_range(FIRST, LAST, last_complete_day=LAST, window_days=5)
    run = RunStats("r", "backfill", "openrouter", windows_done=[str(plan.windows[0])])
    assert resume_command(LAST, "openrouter", True, run, plan) == (
        "tokenrank backfill --start 2026-06-13 --end 2026-06-21 --source openrouter --refetch")


def rankings_windows(server) -> list[tuple[str, str]]:
    return [(r.params["start_date"], r.params["end_date"]) for r in server.rankings_requests()]


def loaded_dates(home: Home) -> int:
    con = published.connect_read_only(home)
    try:
        return con.execute("SELECT count(DISTINCT date) FROM fact_model_daily").fetchone()[0]
    finally:
        con.close()


def backfill(**params) -> dict:
    return pipeline.backfill(**params).summary()


def test_one_request_covers_up_to_366_days(fake_openrouter):
    summary = backfill(start=FIRST, end=LAST)
    assert rankings_windows(fake_openrouter) == [("2026-06-08", "2026-06-21")] and summary["requests"] == 1


def test_interrupted_backfill_resumes_and_a_finished_one_makes_no_request(fake_openrouter):
    home = Home.from_env()

    def crash_after_first_window(done: int, total: int, what: str) -> None:
        raise RuntimeError("killed after the first window")

    with progress.listening(crash_after_first_window), pytest.raises(RuntimeError, match="killed"):
        backfill(start=FIRST, end=LAST, window_days=5)
    assert rankings_windows(fake_openrouter) == [("2026-06-08", "2026-06-12")]
    assert not home.lake.exists()  # nothing half-loaded; the response is kept in raw/

    summary = backfill(start=FIRST, end=LAST, window_days=5)
    assert summary["windows_done"] == ["2026-06-08..2026-06-12", "2026-06-13..2026-06-17", "2026-06-18..2026-06-21"]
    assert loaded_dates(home) == 14

    before = len(fake_openrouter.requests)
    summary = backfill(start=FIRST, end=LAST, window_days=5)
    assert summary["windows"] == [] and len(fake_openrouter.requests) == before  # not even the catalogue

    backfill(start=D(2026, 6, 20), end=LAST, refetch=True)
    assert rankings_windows(fake_openrouter)[-1] == ("2026-06-20", "2026-06-21")


def test_daily_budget_stops_cleanly_and_says_how_to_resume(fake_openrouter, monkeypatch):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "2")
    monkeypatch.setenv("TOKENRANK_REQUEST_HEADROOM", "0")  # backfills may use the whole budget here
    summary = backfill(start=FIRST, end=LAST, window_days=3)
    assert summary["stopped_by_budget"] and summary["windows_done"] == ["2026-06-08..2026-06-10", "2026-06-11..2026-06-13"]
    assert summary["resume_command"] == "tokenrank backfill --start 2026-06-14 --end 2026-06-21 --source openrouter"
    assert len(fake_openrouter.rankings_requests()) == 2
    assert loaded_dates(Home.from_env()) == 6

    result = CliRunner().invoke(app, ["backfill", "--start", "2026-06-08", "--end", "2026-06-21"])
    assert result.exit_code == 4  # still spent today: nothing fetched, the command to resume is printed
    assert "resume with" in result.output.lower() and "--start 2026-06-14" in result.output
    assert len(fake_openrouter.rankings_requests()) == 2


def test_a_second_writer_waits_for_the_first(fake_openrouter, monkeypatch):
    home = Home.from_env()
    monkeypatch.setenv("TOKENRANK_WRITER_LOCK_TIMEOUT", "1")
    with writer_lock(home):  # another run is writing: this one gives up after 1 s, having changed nothing
        with pytest.raises(WriterBusy, match="another tokenrank run is writing"):
            backfill(start=FIRST, end=D(2026, 6, 9))
    assert not home.warehouse.exists() and not home.lake.exists()

    monkeypatch.setenv("TOKENRANK_WRITER_LOCK_TIMEOUT", "60")
    held, release = threading.Event(), threading.Event()

    def first_writer() -> None:
        with writer_lock(home):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=first_writer)
    thread.start()
    held.wait(5)
    threading.Timer(1.5, release.set).start()
    summary = backfill(start=FIRST, end=D(2026, 6, 9))  # waits for the first writer, then loads
    thread.join()
    assert summary["windows_done"] == ["2026-06-08..2026-06-09"]
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(DISTINCT date) FROM fact_model_daily").fetchone()[0] == 2
    finally:
        con.close()


@pytest.mark.flow
def test_the_prefect_flow_runs_the_same_backfill_and_leaves_a_summary_artifact(prefect_server, fake_openrouter):
    from prefect import get_client

    from flows.backfill import backfill as backfill_flow

    summary = backfill_flow(start=FIRST, end=LAST)
    assert summary["requests"] == 1 and summary["dates_loaded"] == 14
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
    assert any(a.key == "backfill-summary" and "| 1/1 | 1 | 14 |" in a.data for a in artifacts)
    assert any(a.key == "backfill-progress" and a.data == 100.0 for a in artifacts)


def test_a_weekly_run_that_meets_a_spent_budget_fails_with_exit_code_4(fake_openrouter, monkeypatch):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "0")
    result = CliRunner().invoke(app, ["run", "--end-date", "2026-06-21"])
    assert result.exit_code == 4 and "daily request budget (0) spent" in result.output
    assert fake_openrouter.rankings_requests() == []

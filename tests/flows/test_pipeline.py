"""The pipeline's promises about what it loads: per-date coverage, honest warnings, one home per source, clamped
ranges, an optional catalogue — against the fake OpenRouter on loopback, in-process (no Prefect)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from transforms.datasets.base import RangeOutsideData
from warehouse.home import HomeMismatch
from warehouse.paths import Home

D = dt.date
FIRST, LAST = D(2026, 6, 8), D(2026, 6, 21)
BIN = Path(sys.executable).parent


def published_rows(home: Home, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home.published / "current.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("fault, opts, empty", [
    ("drop_last_days", {"days": 2}, [D(2026, 6, 20), D(2026, 6, 21)]),
    ("empty_data", {}, [FIRST + dt.timedelta(days=i) for i in range(14)]),
])
def test_days_a_200_lacks_are_recorded_and_fetched_again(home, fake_openrouter, fault, opts, empty):
    fake_openrouter.inject(fault, **opts)
    run = pipeline.backfill(FIRST, LAST)
    assert run.empty_dates == empty
    home = Home.from_env()
    assert published_rows(home, "SELECT date FROM dq_days WHERE status = 'empty' ORDER BY date") == [(d,) for d in empty]
    status = CliRunner().invoke(app, ["status"])
    assert f"empty answers │ {empty[0]}..{empty[-1]}" in status.output, status.output
    again = pipeline.backfill(FIRST, LAST)
    assert [(r.params["start_date"], r.params["end_date"]) for r in fake_openrouter.rankings_requests()][-1] == (
        empty[0].isoformat(), empty[-1].isoformat())
    assert again.empty_dates == [] and again.dates_loaded == len(empty)
    assert published_rows(home, "SELECT count(*) FROM dq_days WHERE status <> 'ok'") == [(0,)]
    assert pipeline.backfill(FIRST, LAST).windows == []


def test_a_short_day_is_loaded_recorded_and_warned_about(home, fake_openrouter, caplog):
    fake_openrouter.inject("short_day", rows=10)
    run = pipeline.backfill(FIRST, LAST)
    assert run.short_dates == [FIRST] and run.dates_loaded == 14
    assert "fewer than 51 rows" in caplog.text
    assert published_rows(Home.from_env(), "SELECT date, rows, has_other, status FROM dq_days WHERE status <> 'ok'") == [
        (FIRST, 10, False, "short")]


def test_a_malformed_catalogue_is_warned_about_and_the_run_goes_on(home, fake_openrouter):
    fake_openrouter.inject("truncated_json", endpoint="models")
    run = pipeline.backfill(FIRST, LAST)
    assert run.dates_loaded == 14 and any("model catalogue unavailable" in n for n in run.notes)
    assert len(list((Path(home) / "raw/quarantine").glob("models_*.json.gz"))) == 1


def test_synthetic_and_real_data_never_share_a_home(home, fake_openrouter):
    pipeline.backfill(D(2026, 3, 30), D(2026, 4, 5), source="demo")
    with pytest.raises(HomeMismatch, match="holds demo \\(synthetic\\) data; it will not take openrouter rows"):
        pipeline.backfill(FIRST, LAST)
    assert fake_openrouter.requests == []  # refused before any request
    result = CliRunner().invoke(app, ["run", "--end-date", "2026-06-21"])
    assert result.exit_code == 2 and "use another home" in result.output


def test_the_demo_has_its_own_home(tmp_path, home, monkeypatch):
    monkeypatch.setenv("TOKENRANK_DEMO_HOME", str(tmp_path / "demo"))
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Apps" in result.output and "Kilo Code" in result.output  # the report's Apps section is shown
    assert "Session cost" in result.output and "Task shares" in result.output  # and the snapshot sections
    assert not Path(home).exists() and (tmp_path / "demo/home.json").exists()
    query = CliRunner().invoke(app, ["--demo", "query", "SELECT count(DISTINCT date) FROM fact_model_daily"])
    assert "182" in query.output
    status = CliRunner().invoke(app, ["--demo", "status"])
    assert status.output.startswith("DEMO: these figures are SYNTHETIC") and "182 days" in status.output
    series = CliRunner().invoke(app, ["--demo", "status", "-f", "json"])
    assert {(s["series"], s["snapshots"]) for s in json.loads(series.output)["snapshots"]} >= {
        ("session-cost", 8), ("task-classifications", 8)}


def test_ranges_outside_the_data_are_refused_and_partial_ones_clamped(home, fake_openrouter):
    with pytest.raises(RangeOutsideData):
        pipeline.backfill(D(2024, 1, 1), D(2024, 12, 31))
    refused = CliRunner().invoke(app, ["run", "--end-date", "2030-01-01", "--lookback-days", "3"])
    assert refused.exit_code == 2 and "outside the data" in refused.output
    clamped = CliRunner().invoke(app, ["backfill", "--start", "2024-12-30", "--end", "2025-01-02"])
    assert clamped.exit_code == 0 and "start 2024-12-30 clamped to 2025-01-01" in clamped.output
    assert [r.params for r in fake_openrouter.rankings_requests()] == [{"start_date": "2025-01-01", "end_date": "2025-01-02"}]



def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    return subprocess.run([str(BIN / "tokenrank"), *args], env={**full, **(env or {})}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("fault, opts, code, message", [
    ("status", {"code": 401}, 1, "OPENROUTER_API_KEY is missing or invalid"),
    ("html", {}, 1, "body is HTML"),
])
def test_a_failed_run_prints_one_line_and_its_exit_code(home, fake_openrouter, fault, opts, code, message):
    fake_openrouter.inject(fault, **opts)
    result = cli("run", "--end-date", "2026-06-21", "--lookback-days", "3")
    assert result.returncode == code and result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and fake_openrouter.key not in result.stderr
    verbose = cli("--verbose", "run", "--end-date", "2026-06-21", "--lookback-days", "3")
    assert verbose.returncode == 0  # the fault was used up: details and the run log are behind --verbose


def test_a_missing_key_is_one_line(home, fake_openrouter):
    result = cli("run", "--end-date", "2026-06-21", env={"OPENROUTER_API_KEY": ""})
    assert result.returncode == 1 and result.stderr.strip().count("\n") == 0
    assert "OPENROUTER_API_KEY is missing" in result.stderr


def test_without_a_prefect_server_a_run_never_imports_prefect(home, fake_openrouter):
    code = ("import sys; from flows.cli import app\n"
            "try: app(['run', '--end-date', '2026-06-21', '--lookback-days', '2'])\n"
            "except SystemExit as e: assert not e.code, e.code\n"
            "print('prefect' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"  # no temporary API server, none left behind


def test_status_shows_coverage_per_dataset(home, fake_openrouter):
    pipeline.backfill(FIRST, LAST)
    result = CliRunner().invoke(app, ["status"])
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "rankings-daily │ 2026-06-08 .. 2026-06-21 │ 14 │ 0 │ 714" in lines, result.output
    assert "app-rankings │ - │ 0 │ 0 │ 0" in lines


def test_a_run_of_every_dataset_is_one_write_session_that_publishes_once(home, fake_openrouter, monkeypatch):
    from warehouse import published, session

    copies, sessions = [], []
    real, real_writing = published.publish, session.writing
    monkeypatch.setattr(published, "publish", lambda h: copies.append(h) or real(h))
    monkeypatch.setattr(session, "writing", lambda h: sessions.append(h) or real_writing(h))
    pipeline.weekly_all(end_date=LAST, lookback_days=7)
    first = len(copies)  # the empty warehouse's first copy, then the run's
    assert first == 2 and len(sessions) == 1
    runs = pipeline.weekly_all(end_date=LAST, lookback_days=7)
    assert len(runs) == len(pipeline.dataset_names("all")) > 1 and len(copies) == first + 1 and len(sessions) == 2
    logged = published_rows(Home(home), "SELECT dataset, status FROM ingest_log WHERE run_id IN "
                                        f"({', '.join(repr(run.run_id) for run in runs)}) ORDER BY dataset")
    assert logged == sorted((run.dataset, "success") for run in runs)  # one run, one row each


def test_a_run_announces_every_datasets_requests_to_the_account_limiter_at_once(home, fake_openrouter, monkeypatch):
    """The datasets of a weekly run share the account's limiter and announce all their planned requests before the
    first is made (`RequestBudget.planned`): a limiter kept on a Prefect server admits them in one batch. What is
    not used is given back once, after the last dataset's fetch."""
    from flows.sources.registry import make_source
    from transforms.datasets import DATASETS
    from warehouse import request_budget

    calls = []

    class Recording(request_budget.RequestBudget):
        def expect(self, requests):
            calls.append(f"expect {requests}")

        def give_back(self):
            calls.append("give back")

        def acquire(self):
            calls.append("acquire")
            return super().acquire()

    monkeypatch.setattr(request_budget, "request_limiter", Recording)
    runs = pipeline.weekly_all(end_date=LAST, lookback_days=7)
    last = make_source("openrouter").last_complete_day()
    planned = sum(len(DATASETS[name].plan_weekly(LAST, last_complete_day=last, lookback_days=7).requests)
                  for name in pipeline.dataset_names("all"))
    made = sum(run.requests for run in runs)
    assert len(runs) > 1 and made >= planned > len(runs)
    assert calls == [f"expect {planned}"] + ["acquire"] * made + ["expect 0", "give back"]
    calls.clear()
    fake_openrouter.inject("status", code=400, endpoint="app-rankings")  # not retried: the run fails mid-way
    with pytest.raises(Exception, match="400"):
        pipeline.weekly_all(end_date=LAST, lookback_days=7)
    assert calls[0] == f"expect {planned}" and calls[-2:] == ["expect 0", "give back"]  # given back all the same
    assert calls.count("give back") == 1


def test_a_failed_dataset_ends_the_run_and_what_ran_before_it_is_published(home, fake_openrouter):
    fake_openrouter.inject("status", code=400, endpoint="app-rankings")  # not retried: the weekly run fails
    with pytest.raises(Exception, match="400"):
        pipeline.weekly_all(end_date=LAST, lookback_days=7)
    assert published_rows(Home(home), "SELECT count(DISTINCT date) FROM fact_model_daily") == [(7,)]

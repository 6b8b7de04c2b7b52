"""`tokenrank plan` against the fake OpenRouter: it makes no request, its counts are the requests the backfill then
makes, and a backfill leaves the day's headroom for the weekly runs."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from tests.fake_openrouter import synthetic_apps, synthetic_rows

D = dt.date


@pytest.fixture
def apps_fake(fake_openrouter):
    fake_openrouter.set_apps(*synthetic_apps(D(2026, 5, 25), weeks=4, apps=30))
    return fake_openrouter


def plan_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["plan", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_makes_no_request_and_counts_what_the_backfill_makes(apps_fake):
    planned = plan_json("--start", "2026-06-08", "--end", "2026-06-21")
    backfills = {r["dataset"]: r for r in planned["runs"] if r["kind"] == "backfill"}
    assert {d: r["requests"] for d, r in backfills.items()} == {"rankings-daily": 1, "app-rankings": 2 * 26}
    assert [r["kind"] for r in planned["runs"]] == ["weekly", "weekly", "backfill", "backfill"]
    assert (planned["per_day"], planned["headroom"], planned["used_today"], planned["days_needed"]) == (500, 100, 0, 1)
    assert apps_fake.requests == []

    runs = pipeline.backfill_all(D(2026, 6, 8), D(2026, 6, 21), dataset="all")
    assert [r.requests for r in runs] == [1, 52] == [len(apps_fake.rankings_requests()), len(apps_fake.app_requests())]

    again = plan_json("--start", "2026-06-08", "--end", "2026-06-21")
    assert {r["dataset"]: (r["requests"], r["skipped"]) for r in again["runs"] if r["kind"] == "backfill"} == {
        "rankings-daily": (0, 14), "app-rankings": (0, 2 * 25)}  # partitions held: 25 lists a week
    assert again["used_today"] == 53 and again["days_needed"] == 1


def test_plan_prints_the_days_a_long_backfill_takes(apps_fake, monkeypatch):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "50")
    monkeypatch.setenv("TOKENRANK_REQUEST_HEADROOM", "20")
    result = CliRunner().invoke(app, ["plan", "--start", "2026-06-01", "--end", "2026-06-21", "--dataset", "app-rankings"])
    assert result.exit_code == 0, result.output
    # weekly runs 1 + 29 = 30 today (of 50); backfill 3 weeks x 26 = 78 at 30 a day: 0 today (30 used), 30, 30, 18
    assert re.search(r"backfill +app-rankings +78 +2026-06-01\.\.2026-06-21 +0 +days 2–4", result.output)
    assert "Backfill: 78 requests; about 4 UTC day(s)" in result.output
    assert "weekly runs need 30 requests, more than the 20" in result.output
    assert apps_fake.requests == []


def test_a_backfill_stops_at_the_headroom_and_the_weekly_run_still_fits(apps_fake, monkeypatch):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "30")
    monkeypatch.setenv("TOKENRANK_REQUEST_HEADROOM", "5")
    stopped = pipeline.backfill(D(2026, 6, 1), D(2026, 6, 21), dataset="app-rankings")
    assert stopped.stopped_by_budget and stopped.requests == 25 == len(apps_fake.app_requests())
    assert any("5 more kept for the weekly runs" in note for note in stopped.notes)
    weekly = pipeline.weekly(end_date=D(2026, 6, 21), lookback_days=7)
    assert weekly.requests == 1 and len(apps_fake.rankings_requests()) == 1


def test_plan_on_the_demo_needs_no_budget(home):
    result = CliRunner().invoke(app, ["plan", "--source", "demo", "--start", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and "no budget applies" in result.output


def test_plan_refuses_a_reversed_range(home):
    result = CliRunner().invoke(app, ["plan", "--start", "2026-06-21", "--end", "2026-06-01"])
    assert result.exit_code == 2 and "is after" in result.output


def test_a_60_day_backfill_of_every_dataset_keeps_the_limits_and_makes_exactly_the_planned_requests(
        fake_openrouter, monkeypatch):
    """At the real 30 a minute, on a clock shared by the client's limiter and the fake (sleeping advances it)."""
    from warehouse import request_budget
    from tests.helpers import FakeTime

    start, end = D(2026, 4, 23), D(2026, 6, 21)  # 60 days
    fake_openrouter.set_rows(synthetic_rows(start, days=60))
    fake_openrouter.set_apps(*synthetic_apps(D(2026, 4, 6), weeks=11, apps=30))
    clock = FakeTime(dt.datetime(2026, 6, 22, 6, tzinfo=dt.UTC).timestamp())
    fake_openrouter.clock = clock.clock
    fake_openrouter.rate_limit = 30
    monkeypatch.setenv("TOKENRANK_REQUESTS_PER_MINUTE", "30")
    real = request_budget.RequestBudget
    monkeypatch.setattr(request_budget, "RequestBudget", lambda **kw: real(clock=clock.clock, sleep=clock.sleep, **kw))

    planned = plan_json("--start", start.isoformat(), "--end", end.isoformat())
    backfills = [r for r in planned["runs"] if r["kind"] == "backfill"]
    assert [r["dataset"] for r in backfills] == list(pipeline.DATASETS) and planned["days_needed"] == 1
    runs = pipeline.backfill_all(start, end, dataset="all")
    data_api = [r for r in fake_openrouter.requests if "/datasets/" in r.path]
    assert [r.requests for r in runs] == [r["requests"] for r in backfills]
    assert len(data_api) == sum(r["requests"] for r in backfills) == len(fake_openrouter.accepted_at)  # no 429
    times = fake_openrouter.accepted_at
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) <= 30
    assert len(data_api) <= 500 - 100  # one UTC day, the headroom untouched
    assert clock.now - times[0] >= 60 * (len(data_api) // 30 - 1)  # it really was paced

    again = pipeline.backfill_all(start, end, dataset="all")
    assert [r.requests for r in again] == [0] * len(again)
    assert len([r for r in fake_openrouter.requests if "/datasets/" in r.path]) == len(data_api)

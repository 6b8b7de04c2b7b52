"""app-rankings runs against the fake OpenRouter, in-process: the backfill makes exactly the planned requests and
a rerun none; the day's budget (ours, or the server's) stops it cleanly and the next day's run resumes; the
weekly run refreshes the week before; a bad response is quarantined and the rest loads."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from tests.fake_openrouter import synthetic_apps
from tests.helpers import warehouse_rows as fact

D = dt.date
EIGHT_WEEKS = (D(2026, 4, 27), D(2026, 6, 21))  # the fake's last complete day is Sunday 2026-06-21
TWO_WEEKS = (D(2026, 6, 8), D(2026, 6, 21))
APPS = "app-rankings"


@pytest.fixture
def apps_fake(fake_openrouter):
    """The fake serving 30 apps for the 11 weeks from 2026-04-06 (3 weeks of history for trending)."""
    fake_openrouter.set_apps(*synthetic_apps(D(2026, 4, 6), weeks=11, apps=30))
    return fake_openrouter


def backfill(span, **params) -> dict:
    return pipeline.backfill(*span, dataset=APPS, **params).summary()


def test_an_8_week_backfill_makes_exactly_the_planned_requests_and_its_rerun_none(apps_fake):
    summary = backfill(EIGHT_WEEKS)
    sent = apps_fake.app_requests()
    assert summary["requests_planned"] == 8 * 26 == summary["requests"] == len(sent)
    assert {(r.params["start_date"], r.params["end_date"]) for r in sent} == {
        ((EIGHT_WEEKS[0] + dt.timedelta(weeks=k)).isoformat(), (EIGHT_WEEKS[0] + dt.timedelta(weeks=k, days=6)).isoformat())
        for k in range(8)}
    assert summary["partitions_loaded"] == 8 * 25 and not summary["stopped_by_budget"]
    assert fact("SELECT count(*) FROM lake_partitions WHERE dataset = ?", [APPS]) == [(200,)]
    assert fact("SELECT count(*), count(DISTINCT app_id) FROM fact_app_rankings WHERE sort = 'popular' "
                "AND category = 'all'") == [(8 * 30, 30)]
    again = backfill(EIGHT_WEEKS)
    assert (again["requests"], again["windows"]) == (0, []) and len(apps_fake.app_requests()) == len(sent)
    assert not apps_fake.rankings_requests() and not [r for r in apps_fake.requests if r.path.endswith("/models")]


def test_a_full_filtered_list_gets_its_second_page(apps_fake):
    rows, _ = synthetic_apps(D(2026, 5, 18), weeks=5, apps=120)
    apps_fake.set_apps(rows, {1000 + i: ("cli-agent",) for i in range(120)})  # 120 apps in one subcategory
    summary = backfill(TWO_WEEKS)
    assert summary["requests"] == summary["requests_planned"] == 2 * (26 + 2) == len(apps_fake.app_requests())
    second = [r.params for r in apps_fake.app_requests() if r.params["offset"] == "100"]
    assert {(p["start_date"], p.get("category"), p.get("subcategory"), p["sort"]) for p in second} == {
        (w, c, s, "popular") for w in ("2026-06-08", "2026-06-15")
        for c, s in ((None, None), ("coding", None), (None, "cli-agent"))}
    assert fact("SELECT subcategory, max(rank), count(*) FROM fact_app_rankings WHERE week_start = ? AND "
                "sort = 'popular' AND category = 'coding' GROUP BY 1 ORDER BY 1", [D(2026, 6, 15)]) == [
        ("all", 120, 120), ("cli-agent", 120, 120)]


def test_the_days_budget_stops_the_backfill_and_the_next_days_run_resumes(apps_fake, monkeypatch, tmp_path):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "30")
    monkeypatch.setenv("TOKENRANK_REQUEST_HEADROOM", "0")  # backfills may use the whole budget here
    summary = backfill(TWO_WEEKS)
    assert summary["stopped_by_budget"] and summary["requests"] == 30 == len(apps_fake.app_requests())
    assert (summary["requests_left"], summary["days_left"]) == (22, 1)
    assert summary["resume_command"] == ("tokenrank backfill --dataset app-rankings --start 2026-06-08 "
                                         "--end 2026-06-21 --source openrouter")
    assert any("52 requests planned" in note and "about 2 UTC days" in note for note in summary["notes"])
    assert summary["partitions_loaded"] == 4 + 24  # both weeks' overall lists first, then the newest week's
    assert fact("SELECT split_part(partition, '_', 1), count(*) FROM lake_partitions WHERE dataset = ? "
                "GROUP BY 1 ORDER BY 1", [APPS]) == [("2026-06-08", 3), ("2026-06-15", 25)]

    result = CliRunner().invoke(app, ["backfill", "--dataset", APPS, "--start", "2026-06-08", "--end", "2026-06-21"])
    assert result.exit_code == 4 and "About 1 more UTC day" in result.output and "--dataset app-rankings" in result.output
    assert len(apps_fake.app_requests()) == 30  # still today: not one more request

    monkeypatch.setenv("TOKENRANK_STATE_DIR", str(tmp_path / "next-day-state"))  # a fresh day's budget
    resumed = backfill(TWO_WEEKS)
    assert not resumed["stopped_by_budget"] and resumed["requests"] == 22 == len(apps_fake.app_requests()) - 30
    assert fact("SELECT count(*) FROM lake_partitions WHERE dataset = ?", [APPS]) == [(50,)]


def test_a_list_cut_between_its_two_pages_is_fetched_again_whole(apps_fake, monkeypatch, tmp_path):
    monkeypatch.setenv("TOKENRANK_DAILY_REQUEST_BUDGET", "4")
    monkeypatch.setenv("TOKENRANK_REQUEST_HEADROOM", "0")  # backfills may use the whole budget here
    summary = backfill(TWO_WEEKS)  # 06-15 popular (2 pages) and trending, then 06-08 popular's first page
    assert summary["requests"] == 4 and summary["partitions_loaded"] == 2
    monkeypatch.setenv("TOKENRANK_STATE_DIR", str(tmp_path / "next-day-state"))
    monkeypatch.delenv("TOKENRANK_DAILY_REQUEST_BUDGET")
    resumed = backfill(TWO_WEEKS)
    assert resumed["requests"] == 52 - 4 + 1
    assert resumed["windows"][:2] == ["2026-06-08..2026-06-14 popular all", "2026-06-08..2026-06-14 popular all offset 100"]


def test_the_servers_daily_limit_is_shared_by_both_datasets_and_stops_cleanly(apps_fake):
    apps_fake.daily_limit = 5
    pipeline.weekly(end_date=D(2026, 6, 21), lookback_days=7)  # one rankings-daily request counts too
    summary = backfill((D(2026, 6, 15), D(2026, 6, 21)))
    assert summary["stopped_by_budget"] and len(apps_fake.app_requests()) == 5  # 4 accepted, the 5th refused
    assert summary["partitions_loaded"] == 3 and "tokenrank backfill --dataset app-rankings" in summary["resume_command"]
    apps_fake.today += dt.timedelta(days=1)  # the server's next day (5 more requests); the data still end 06-21
    resumed = backfill((D(2026, 6, 15), D(2026, 6, 21)))
    assert resumed["windows_done"][0] == "2026-06-15..2026-06-21 popular creative"  # where it stopped
    assert resumed["stopped_by_budget"] and resumed["partitions_loaded"] == 5
    apps_fake.today += dt.timedelta(days=1)
    apps_fake.daily_limit = 500
    last = backfill((D(2026, 6, 15), D(2026, 6, 21)))
    assert not last["stopped_by_budget"] and last["requests"] == 26 - 4 - 5
    assert len(apps_fake.app_requests()) == 5 + 6 + 17  # each day's refused request is asked again the next


def test_the_fakes_minute_limit_is_shared_by_both_datasets(apps_fake):
    import requests

    apps_fake.rate_limit = 3
    headers = {"Authorization": f"Bearer {apps_fake.key}"}
    week = {"start_date": "2026-06-15", "end_date": "2026-06-21"}
    statuses = [requests.get(f"{apps_fake.url}/datasets/{path}", params=week, headers=headers, timeout=5).status_code
                for path in ("rankings-daily", "app-rankings", "rankings-daily", "app-rankings")]
    assert statuses == [200, 200, 200, 429]


def test_the_weekly_run_fetches_the_week_that_ended_and_restates_the_week_before(apps_fake):
    runs = pipeline.weekly_all(end_date=D(2026, 6, 21), lookback_days=14)
    assert [r.dataset for r in runs][:2] == ["rankings-daily", APPS] and runs[1].requests == 26 + 3
    assert {r.params["start_date"] for r in apps_fake.app_requests() if r.params.get("category") or
            r.params.get("subcategory")} == {"2026-06-15"}
    rows, members = synthetic_apps(D(2026, 4, 6), weeks=11, apps=30)
    for row in rows:
        if row["app_id"] == 1003 and row["date"] == "2026-06-10":
            row["tokens"] += 5_000
    apps_fake.set_apps(rows, members)
    apps_fake.as_of = "2026-06-23T02:00:00Z"
    again = pipeline.weekly(end_date=D(2026, 6, 21), lookback_days=14, dataset=APPS)
    assert again.restatements >= 1
    restated = fact("SELECT week_start, sort, category, new_tokens - old_tokens FROM app_restatements "
                    "WHERE app_id = 1003 AND sort = 'popular'")
    assert restated == [(D(2026, 6, 8), "popular", "all", 5_000)]


def test_a_response_that_breaks_the_contract_is_quarantined_and_the_rest_loads(apps_fake):
    apps_fake.inject("rank_gap", endpoint=APPS)  # the first request: 06-15 popular overall, first page
    summary = backfill((D(2026, 6, 15), D(2026, 6, 21)))
    assert len(summary["quarantined"]) == 1 and "expected 2: ranks are contiguous" in summary["quarantined"][0]
    assert summary["partitions_loaded"] == 24  # every list but popular overall (its second page waits for the first)
    again = backfill((D(2026, 6, 15), D(2026, 6, 21)))
    assert again["requests"] == 2 and again["partitions_loaded"] == 1 and not again["quarantined"]

    apps_fake.inject("duplicate_app", endpoint=APPS)
    result = CliRunner().invoke(app, ["backfill", "--dataset", APPS, "--start", "2026-06-08", "--end", "2026-06-14"])
    assert result.exit_code == 1 and "quarantined" in result.output and "rerun the same command" in result.output


def test_cli_dataset_all_backfills_both_and_run_prints_both(apps_fake):
    result = CliRunner().invoke(app, ["backfill", "--dataset", "all", "--start", "2026-06-15", "--end", "2026-06-21"])
    assert result.exit_code == 0, result.output
    assert "(openrouter, rankings-daily): 1/1 requests" in result.output
    assert "(openrouter, app-rankings): 26/26 requests" in result.output and "25 lists loaded" in result.output
    again = CliRunner().invoke(app, ["backfill", "--dataset", "all", "--start", "2026-06-15", "--end", "2026-06-21"])
    assert again.exit_code == 0 and again.output.count("Nothing to fetch") == 2
    run = CliRunner().invoke(app, ["run", "--end-date", "2026-06-21", "--lookback-days", "7"])
    assert run.exit_code == 0, run.output
    assert "rankings-daily)" in run.output and "app-rankings)" in run.output and "lists loaded" in run.output

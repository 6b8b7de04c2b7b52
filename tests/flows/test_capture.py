"""Capturing the snapshot datasets against the fake OpenRouter, in-process: the whole session-cost snapshot in
pages of 500, a snapshot already held stored once, a changed value restated, a null window stored as nothing, a
refresh mid-fetch discarded and fetched again, the week's last capture failing when the week is missing, a bad
body quarantined, and a rebuild from raw/ equal to the captures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from tests import fake_snapshots
from tests.helpers import warehouse_rows as fact
from transforms.contract import ContractError
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive
from warehouse.session import rebuild_home

MONDAY = dt.date(2026, 6, 22)  # the fake's today
SUNDAY = dt.date(2026, 6, 21)


def paths(fake) -> list[tuple[str, dict]]:
    return [(r.path.removeprefix("/api/v1/"), r.params) for r in fake.requests]


def test_a_capture_stores_every_snapshot_and_a_second_one_stores_nothing(fake_openrouter):
    runs = pipeline.capture(today=MONDAY)
    assert [(r.dataset, r.requests, r.lake_written, r.inserted) for r in runs] == [
        ("session-cost", 2, 1, 660), ("task-classifications", 1, 1, 28), ("benchmarks", 3, 3, 15)]
    assert paths(fake_openrouter)[:2] == [("datasets/session-cost", {"limit": "500", "offset": "0"}),
                                          ("datasets/session-cost", {"limit": "500", "offset": "500"})]
    assert [p for p in paths(fake_openrouter)[3:]] == [("benchmarks", {"source": s}) for s in fake_snapshots.SOURCES]
    assert not runs[0].notes  # the window ending last Sunday is held
    assert fact("SELECT window_end_date, window_days, count(*), count(DISTINCT app_slug) FROM fact_session_cost "
                "GROUP BY ALL") == [(SUNDAY, 30, 660, 5)]
    assert fact("SELECT level, count(*) FROM fact_task_classifications GROUP BY 1 ORDER BY 1") == [
        ("macro", 4), ("model", 18), ("tag", 6)]
    assert fact("SELECT source, count(*), count(score), min(citation) FROM fact_benchmarks GROUP BY 1 ORDER BY 1") == [
        (s, 5, 0 if s == "artificial-analysis" else 5, fake_snapshots.CITATIONS[s]) for s in fake_snapshots.SOURCES]
    again = pipeline.capture(today=MONDAY)
    assert [(r.lake_written, r.lake_unchanged, r.inserted, r.updated, r.restatements) for r in again] == [
        (0, 1, 0, 0, 0), (0, 1, 0, 0, 0), (0, 3, 0, 0, 0)]
    assert fact("SELECT count(*) FROM fact_session_cost") == [(660,)]


def test_a_changed_value_for_the_same_window_is_a_restatement(fake_openrouter):
    pipeline.capture(datasets=("session-cost",), today=MONDAY)
    snapshot = fake_snapshots.synthetic_session_cost(SUNDAY)
    old = snapshot["data"][0]["median_session_cost_usd"]
    snapshot["data"][0]["median_session_cost_usd"] = 9.5
    snapshot["meta"]["as_of"] = "2026-06-22T11:00:00Z"
    fake_openrouter.snapshots.session_cost = snapshot
    [run] = pipeline.capture(datasets=("session-cost",), today=MONDAY)
    assert (run.restatements, run.updated) == (1, 1)
    cell = snapshot["data"][0]
    assert fact("SELECT app_slug, turn_range, model_permaslug, old_cost, new_cost FROM session_cost_restatements") == [
        (cell["app_slug"], cell["turn_range"], cell["model_permaslug"], old, 9.5)]


def test_no_published_snapshot_stores_nothing_and_says_so(fake_openrouter):
    fake_openrouter.snapshots.session_cost = fake_snapshots.no_session_cost()
    [run] = pipeline.capture(datasets=("session-cost",), today=MONDAY)
    assert run.requests == 1 and run.lake_written == 0
    assert run.notes[0] == "session-cost: no snapshot is published (window_end_date is null): nothing stored"
    assert run.notes[1] == ("session-cost: no snapshot 2026-06-21 yet (latest held: none): a later capture tries "
                            "again")
    assert fact("SELECT count(*) FROM fact_session_cost") == [(0,)]
    with pytest.raises(pipeline.SnapshotMissing, match="the week is missed for good"):
        pipeline.capture(datasets=("session-cost",), today=MONDAY + dt.timedelta(days=1), require_week=True)


def test_a_refresh_mid_fetch_discards_the_pages_and_fetches_them_again(fake_openrouter):
    fake_openrouter.snapshots.session_cost = fake_snapshots.synthetic_session_cost(SUNDAY - dt.timedelta(days=7))
    fake_openrouter.snapshots.refresh_after(1, fake_snapshots.synthetic_session_cost(SUNDAY))
    [run] = pipeline.capture(datasets=("session-cost",), today=MONDAY)
    assert run.requests == 4  # page 1 (old), page 2 (new: discarded with page 1), then both pages again
    assert run.notes == ["session-cost: the snapshot changed mid-fetch (window 2026-06-14 became 2026-06-21): "
                         "its pages were discarded and fetched again"]
    assert fact("SELECT window_end_date, count(*) FROM fact_session_cost GROUP BY 1") == [(SUNDAY, 660)]
    quarantined = RawArchive(Home.from_env()).quarantined()
    assert len(quarantined) == 2 and {q.endpoint for q in quarantined} == {"session-cost"}
    assert len(RawArchive(Home.from_env()).manifest("session-cost")) == 2


def test_the_weeks_last_capture_passes_when_the_week_is_held(fake_openrouter):
    runs = pipeline.capture(today=MONDAY + dt.timedelta(days=1), require_week=True)
    assert [r.status for r in runs] == ["success"] * 3


def test_a_body_that_breaks_the_contract_fails_the_capture_and_is_quarantined(fake_openrouter):
    fake_openrouter.inject("share_out_of_range", endpoint="task-classifications")
    with pytest.raises(ContractError, match="usage_share 1.5"):
        pipeline.capture(datasets=("task-classifications",), today=MONDAY)
    assert [q.endpoint for q in RawArchive(Home.from_env()).quarantined()] == ["task-classifications"]
    [journal], _ = RawArchive(Home.from_env()).runs()  # no warehouse yet: the failed run is journaled
    assert (journal["flow"], journal["status"], journal["dataset"]) == ("capture", "failed", "task-classifications")


def test_a_rebuild_from_raw_equals_the_captures(fake_openrouter):
    pipeline.capture(today=MONDAY)
    snapshot = fake_snapshots.synthetic_session_cost(SUNDAY)
    snapshot["data"][3]["median_session_cost_usd"] = 7.25
    snapshot["meta"]["as_of"] = "2026-06-22T11:00:00Z"
    fake_openrouter.snapshots.session_cost = snapshot
    pipeline.capture(datasets=("session-cost",), today=MONDAY)
    tables = ("fact_session_cost", "session_cost_restatements", "fact_task_classifications", "fact_benchmarks",
              "session_cost_extremes", "task_share_trends")
    before = {t: sorted(fact(f"SELECT * FROM {t}"), key=repr) for t in tables}
    rebuild_home(Home.from_env())
    assert {t: sorted(fact(f"SELECT * FROM {t}"), key=repr) for t in tables} == before
    assert len(before["session_cost_restatements"]) == 1


def test_tokenrank_capture_and_status_show_the_series(fake_openrouter):
    result = CliRunner().invoke(app, ["capture"])
    assert result.exit_code == 0, result.output
    status = CliRunner().invoke(app, ["status", "--format", "json"])
    series = {s["series"]: s for s in json.loads(status.output)["snapshots"]}
    assert set(series) == {"session-cost", "task-classifications", "benchmarks artificial-analysis",
                           "benchmarks design-arena", "benchmarks openrouter"}
    assert (series["session-cost"]["first"], series["session-cost"]["snapshots"]) == ("2026-06-21", 1)


def test_the_weekly_report_has_the_snapshot_sections_with_their_citations(fake_openrouter):
    pipeline.capture(today=MONDAY)
    pipeline.weekly(end_date=SUNDAY, lookback_days=14)
    files = pipeline.write_report(Home.from_env())
    markdown = files.html_path.with_name("report.md").read_text()
    assert "## Session cost" in markdown and "### Claude Code" in markdown and "## Task shares" in markdown
    assert ("Source: OpenRouter Data API (openrouter.ai/docs/cookbook/administration/data-api), as of "
            "2026-06-22T05:00:00Z. Licensed under CC BY 4.0.") in markdown
    assert "Source: OpenRouter (openrouter.ai/rankings), as of 2026-06-21.\n" in markdown
    assert "id=\"session-cost\"" in files.html_path.read_text()

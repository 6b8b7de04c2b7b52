"""app-rankings on disk (no Prefect): the seven real responses load exactly, name changes reach dim_app, an empty
answer is recorded, restatements, quarantine, and rebuild from raw equals the incremental result."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pytest

from tests.helpers import snapshot
from transforms.contract import ContractError
from transforms.datasets.app_rankings import DATASET, page_request
from transforms.responses import APPS_ENDPOINT, FetchedResponse
from transforms.windows import Window
from warehouse import ingest
from warehouse.coverage import held_partitions
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive
from warehouse.rebuild import rebuild
from warehouse.runs import RunStats
from warehouse.session import commit_run, record_failure

CATEGORY_OF = {"personal-agent": "productivity", "cli-agent": "coding", "cloud-agent": "coding",
               "ide-extension": "coding"}  # written out here, independently of the dataset's taxonomy
WEEK = Window(dt.date(2026, 9, 21), dt.date(2026, 9, 27))


def sample_response(sample: dict) -> FetchedResponse:
    query = {k: str(v) for k, v in sample["request"]["query"].items()}
    fetched = dt.datetime.fromisoformat(sample["fetched_at"]).astimezone(dt.timezone.utc).replace(tzinfo=None)
    window = Window(dt.date.fromisoformat(query["start_date"]), dt.date.fromisoformat(query["end_date"]))
    return FetchedResponse(APPS_ENDPOINT, query, json.dumps(sample["response"]).encode(), fetched, window=window)


def run_app(home: Home, run_id: str, responses: list[FetchedResponse]) -> RunStats:
    """What a run does: archive, validate, split into lists, one write session."""
    run = RunStats(run_id, "backfill", "test", dataset=APPS_ENDPOINT)
    raws = [ingest.archive_response(home, r, run_id) for r in responses]
    try:
        tables = [ingest.normalize_archived(home, raw) for raw in raws]
        parts, broken = ingest.partitions(home, raws, tables)
        if broken:
            raise ContractError(broken[0])
        return commit_run(home, run, partitions={APPS_ENDPOINT: parts}, raws=raws)
    except Exception as exc:
        record_failure(home, run, exc)
        raise


def query(home: Home, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


_loaded: list[Home] = []


@pytest.fixture
def loaded(tmp_path, tmp_path_factory, app_samples) -> Home:
    """The seven real responses, each loaded by its own run in the order they were fetched: loaded once per process,
    copied into each test's home (a home holds no absolute path)."""
    if not _loaded:
        _loaded.append(Home(tmp_path_factory.mktemp("apps-loaded")))
        for i, sample in enumerate(sorted(app_samples, key=lambda s: s["fetched_at"])):
            run_app(_loaded[0], f"r{i}", [sample_response(sample)])
    shutil.copytree(_loaded[0].root, tmp_path, symlinks=True, dirs_exist_ok=True)
    return Home(tmp_path)


def test_the_seven_real_responses_load_exactly(loaded, app_samples):
    expected = {}
    for sample in sorted(app_samples, key=lambda s: s["fetched_at"]):  # a later fetch of a list replaces it
        q = sample["request"]["query"]
        key = (dt.date.fromisoformat(q["start_date"]), q["subcategory"])
        expected[key] = {(key[0], dt.date.fromisoformat(q["end_date"]), q["sort"], CATEGORY_OF[q["subcategory"]],
                          q["subcategory"], row["rank"], row["app_id"], row["app_name"], int(row["total_tokens"]),
                          row["total_requests"]) for row in sample["response"]["data"]}
    rows = query(loaded, "SELECT week_start, week_end, sort, category, subcategory, rank, app_id, app_name, "
                         "total_tokens, total_requests FROM fact_app_rankings")
    assert len(rows) == 5 + 53 + 78 + 30 + 10 == len(set(rows))
    assert set(rows) == set().union(*expected.values())
    lists = query(loaded, "SELECT partition, rows FROM lake_partitions WHERE dataset = 'app-rankings' ORDER BY 1")
    assert lists == [("2025-01-06_popular_productivity_personal-agent", 0), ("2025-06-02_popular_coding_cli-agent", 5),
                     ("2026-09-21_popular_coding_cli-agent", 78), ("2026-09-21_popular_coding_cloud-agent", 30),
                     ("2026-09-21_popular_coding_ide-extension", 10),
                     ("2026-09-21_popular_productivity_personal-agent", 53)]


def test_name_changes_are_recorded_in_dim_app_and_the_key_is_the_app_id(loaded, app_samples):
    first, second = [s for s in app_samples if s["request"]["query"]["subcategory"] == "personal-agent"
                     and s["request"]["query"]["start_date"] == "2026-09-21"]
    old = {r["app_id"]: r["app_name"] for r in first["response"]["data"]}
    new = {r["app_id"]: r["app_name"] for r in second["response"]["data"]}
    renamed = sorted(app for app in old if old[app] != new[app])
    assert len(renamed) == 4
    dim = {app: (name, names) for app, name, names in query(loaded, "SELECT app_id, app_name, names_seen FROM dim_app")}
    assert {app: dim[app] for app in renamed} == {app: (new[app], [old[app], new[app]]) for app in renamed}
    assert len([app for app, (name, _) in dim.items() if name == "pi"]) == 3
    restated = query(loaded, "SELECT app_id, old_tokens = new_tokens, old_requests = new_requests, old_name, new_name "
                             "FROM app_restatements ORDER BY app_id")
    assert restated == [(app, True, True, old[app], new[app]) for app in renamed]
    ((apps,),) = query(loaded, "SELECT count(*) FROM dim_app")
    all_ids = {row["app_id"] for s in app_samples for row in s["response"]["data"]}
    assert apps == len(all_ids)


def test_an_empty_answer_is_a_held_list_that_is_not_asked_again(loaded):
    have = held_partitions(loaded, DATASET)
    empty = (dt.date(2025, 1, 6), "popular", "productivity", "personal-agent")
    assert empty in have
    plan = DATASET.plan_backfill(dt.date(2025, 1, 6), dt.date(2025, 1, 12), last_complete_day=dt.date(2026, 9, 28),
                                 have=have)
    assert plan.skipped == 1 and not [r for r in plan.requests if r.query.get("subcategory") == "personal-agent"]
    assert query(loaded, "SELECT week_start, lists, empty_lists, rows FROM dq_app_weeks ORDER BY 1")[0] == (
        dt.date(2025, 1, 6), 1, 1, 0)


def test_rebuild_from_raw_equals_the_incremental_warehouse(loaded, tmp_path):
    incremental = snapshot(loaded.warehouse)
    lists = query(loaded, "SELECT dataset, partition, rows, as_of, raw_files FROM lake_partitions ORDER BY 1, 2")
    assert incremental["app_restatements"] and incremental["fact_app_rankings"]
    rebuild(loaded)
    assert snapshot(loaded.warehouse) == incremental
    assert query(loaded, "SELECT dataset, partition, rows, as_of, raw_files FROM lake_partitions ORDER BY 1, 2") == lists
    for manifest in (tmp_path / "raw").rglob("app-rankings_*.manifest.json"):  # the bodies alone identify them
        manifest.unlink()
    shutil.rmtree(loaded.lake)
    loaded.warehouse.unlink()
    result = rebuild(loaded)
    assert result.recovered == 7
    assert snapshot(loaded.warehouse) == incremental


def body(week: Window, rows: list[tuple[int, str, int, int]], as_of: str, first_rank: int = 1) -> bytes:
    data = [{"rank": first_rank + i, "app_id": app, "app_name": name, "total_tokens": str(tokens),
             "total_requests": requests} for i, (app, name, tokens, requests) in enumerate(rows)]
    meta = {"as_of": as_of, "start_date": week.start.isoformat(), "end_date": week.end.isoformat(), "version": "v1"}
    return json.dumps({"data": data, "meta": meta}).encode()


def response(request, payload: bytes, minute: int) -> FetchedResponse:
    return FetchedResponse(APPS_ENDPOINT, request.query, payload, dt.datetime(2026, 9, 29, 3, minute), window=request.window)


def overall_pages(rows: list[tuple], as_of: str, minute: int) -> list[FetchedResponse]:
    first, second = (page_request(WEEK, "popular", offset=o) for o in (0, 100))
    return [response(first, body(WEEK, rows[:100], as_of), minute),
            response(second, body(WEEK, rows[100:], as_of, first_rank=101), minute + 1)]


def test_a_refetch_restates_tokens_requests_and_apps_that_left_or_joined(tmp_path):
    home = Home(tmp_path)
    apps = [(1000 + i, f"App {i}", 10**12 - i * 10**9, 5000 - i) for i in range(120)]
    stats = run_app(home, "r1", overall_pages(apps, "2026-09-29T03:00:00Z", 0))
    assert (stats.inserted, stats.partitions_loaded, stats.restatements) == (120, 1, 0)
    again = run_app(home, "r2", overall_pages(apps, "2026-09-29T03:00:00Z", 5))
    assert (again.inserted, again.updated, again.partitions_loaded) == (0, 0, 0)  # same snapshot: nothing changes
    restated = [(1000, "App 0", 10**12 + 7, 5001)] + apps[1:119] + [(2000, "Newcomer", 1, 1)]
    stats = run_app(home, "r3", overall_pages(restated, "2026-09-29T04:00:00Z", 10))
    assert (stats.inserted, stats.updated, stats.deleted, stats.restatements) == (1, 1, 1, 3)
    rows = query(home, "SELECT app_id, old_tokens, new_tokens, old_requests, new_requests, old_name, new_name, "
                       "old_as_of, new_as_of FROM app_restatements ORDER BY app_id")
    t3, t4 = dt.datetime(2026, 9, 29, 3), dt.datetime(2026, 9, 29, 4)
    assert rows == [(1000, 10**12, 10**12 + 7, 5000, 5001, "App 0", "App 0", t3, t4),
                    (1119, 10**12 - 119 * 10**9, None, 4881, None, "App 119", None, t3, t4),
                    (2000, None, 1, None, 1, None, "Newcomer", t3, t4)]


def test_an_app_on_both_pages_is_quarantined_and_nothing_loads(tmp_path):
    home = Home(tmp_path)
    apps = [(1000 + i, f"App {i}", 10**12 - i * 10**9, 5000 - i) for i in range(101)]
    pages = overall_pages(apps[:100] + [(1000, "App 0", 1, 1)], "2026-09-29T03:00:00Z", 0)
    with pytest.raises(ContractError, match="app_id 1000 is on both pages of popular all/all"):
        run_app(home, "r1", pages)
    [moved] = RawArchive(home).quarantined()
    assert moved.params["offset"] == "100" and "moved between the two requests" in moved.reason
    assert not home.warehouse.exists() and not home.lake.exists()
    assert [(run["run_id"], run["status"]) for run in RawArchive(home).runs()[0]] == [("r1", "failed")]

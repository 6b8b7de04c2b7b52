"""The snapshot datasets' contracts and partitions (pure): session-cost, task-classifications, benchmarks."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests import fake_snapshots
from transforms.contract import ContractError, peek_meta
from transforms.datasets import DATASETS
from transforms.datasets.base import Page
from transforms.datasets.session_cost import normalize_session_cost

COST = DATASETS["session-cost"]
TASKS = DATASETS["task-classifications"]
BENCH = DATASETS["benchmarks"]
SUNDAY = dt.date(2026, 6, 21)


def body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def cost_pages(snapshot: dict, limit: int = 500) -> list[Page]:
    pages, offset = [], 0
    while True:
        part = {"data": snapshot["data"][offset:offset + limit], "meta": snapshot["meta"]}
        params = {"limit": str(limit), "offset": str(offset)}
        rows = COST.normalize(body(part), raw_file=f"f{offset}", params=params)
        pages.append(Page(params, rows, dt.datetime(2026, 6, 22, 5), f"f{offset}"))
        if len(part["data"]) < limit:
            return pages
        offset += limit


def test_a_whole_capture_is_one_partition_keyed_by_its_window():
    parts, problems = COST.split(cost_pages(fake_snapshots.synthetic_session_cost(SUNDAY)))
    assert problems == [] and [(p.key, p.rows.num_rows, p.raw_files) for p in parts] == [(SUNDAY, 660, ("f0", "f500"))]
    assert COST.partition_name(SUNDAY) == "2026-06-21" and COST.parse_partition("2026-06-21") == SUNDAY


def test_a_capture_cut_short_or_mixing_windows_is_not_a_partition():
    pages = cost_pages(fake_snapshots.synthetic_session_cost(SUNDAY))
    assert COST.split(pages[:1]) == ([], [])  # the second page never came
    later = cost_pages(fake_snapshots.synthetic_session_cost(SUNDAY + dt.timedelta(days=7)))
    parts, problems = COST.split([pages[0], later[1]])
    assert parts == [] and "2026-06-21, 2026-06-28 (a refresh landed mid-fetch)" in problems[0][1]


def test_a_null_window_stores_nothing_and_is_noted():
    empty = COST.normalize(body(fake_snapshots.no_session_cost()), raw_file="f", params={"limit": "500"})
    page = Page({"limit": "500", "offset": "0"}, empty, dt.datetime(2026, 6, 22), "f")
    assert COST.split([page]) == ([], [])
    assert COST.notes([page]) == ["session-cost: no snapshot is published (window_end_date is null): nothing stored"]


@pytest.mark.parametrize("change, message", [
    (lambda p: p["meta"].update(window_days=None), "both null or neither"),
    (lambda p: p["meta"].update(window_end_date=None, window_days=None), "rows but no window_end_date"),
    (lambda p: p["data"][0].update(median_session_cost_usd=-1), "is not a non-negative number"),
    (lambda p: p["data"][0].update(median_session_cost_usd=True), "is not a non-negative number"),
    (lambda p: p["data"].append(dict(p["data"][0])), "repeats an earlier cell"),
    (lambda p: p["meta"].update(version="v2"), "meta.version is 'v2'"),
    (lambda p: p["meta"].pop("window_days"), "missing window_days"),
])
def test_session_cost_contract(change, message):
    payload = fake_snapshots.synthetic_session_cost(SUNDAY)
    payload["data"] = payload["data"][:3]
    change(payload)
    with pytest.raises(ContractError, match=message):
        normalize_session_cost(body(payload), raw_file="f", params={"limit": "500"})


def test_more_rows_than_the_limit_break_the_contract():
    payload = fake_snapshots.synthetic_session_cost(SUNDAY)
    with pytest.raises(ContractError, match="660 rows for limit 100"):
        normalize_session_cost(body(payload), raw_file="f", params={})


def test_task_classifications_long_form_and_its_manifest_as_of():
    payload = fake_snapshots.synthetic_tasks(SUNDAY)
    assert peek_meta(body(payload)) == ("2026-06-21", 6)
    rows = TASKS.normalize(body(payload), raw_file="f", params={"window": "7d"})
    tag = [r for r in rows.to_pylist() if r["level"] == "tag"][0]
    assert (tag["tag"], tag["macro_category"], tag["position"], tag["usage_share"], tag["category_usage_share"]) == (
        "code:general_impl", "code", 1, 0.3, 0.6)
    model = [r for r in rows.to_pylist() if r["level"] == "model" and r["tag"] == "code:general_impl"]
    assert [(m["model_id"], m["usage_share"]) for m in model] == [("lab0/model-00", 0.5), ("lab1/model-01", 0.3),
                                                                 ("lab2/model-02", 0.1)]
    assert rows["as_of"][0].as_py() == dt.datetime(2026, 6, 21) and rows["snapshot_date"][0].as_py() == SUNDAY
    payload["data"]["classifications"][0]["models"][0]["tag_usage_share"] = 0.8
    with pytest.raises(ContractError, match="models' tag_usage_share sum to 1.200000, more than 1"):
        TASKS.normalize(body(payload), raw_file="f", params={})


def test_benchmarks_keep_common_columns_the_rest_as_json_and_each_items_citation():
    as_of = dt.datetime(2026, 6, 22, 3)
    items = fake_snapshots.synthetic_benchmarks(as_of)
    items[1]["citation"] = "Source: an item's own line."
    payload = {"data": items[:3], "meta": {"as_of": "2026-06-22T03:00:00Z", "citation": None, "model_count": 1,
                                           "source": None, "source_url": None, "task_type": None, "version": "v1"}}
    with pytest.raises(ContractError, match="item 0 \\(lab0/model-00\\) has no citation"):
        BENCH.normalize(body(payload), raw_file="f", params={})
    payload["meta"]["citation"] = "Source: the meta line."
    rows = BENCH.normalize(body(payload), raw_file="f", params={}).to_pylist()
    assert [(r["source"], r["benchmark"], r["score"], r["citation"], r["item_key"]) for r in rows] == [
        ("artificial-analysis", None, None, "Source: the meta line.", "lab0/model-00||0"),
        ("openrouter", "gpqa_diamond", 0.8, "Source: an item's own line.", "lab0/model-00|gpqa_diamond|0"),
        ("design-arena", "website", 1300.0, "Source: the meta line.", "lab0/model-00|website|0")]
    assert json.loads(rows[0]["item_json"])["intelligence_index"] == 70.0
    assert "accuracy" not in json.loads(rows[1]["item_json"]) and rows[0]["snapshot_date"] == dt.date(2026, 6, 22)
    with pytest.raises(ContractError, match="item 0 source 'artificial-analysis' is not 'openrouter'"):
        BENCH.normalize(body(payload), raw_file="f", params={"source": "openrouter"})


def test_snapshot_datasets_plan_now_and_never_backfill():
    plan = COST.plan_snapshot(dt.date(2026, 6, 22))
    assert [r.query for r in plan.requests] == [{"limit": "500", "offset": "0"}]
    assert [r.query for r in BENCH.plan_snapshot(dt.date(2026, 6, 22)).requests] == [
        {"source": s} for s in fake_snapshots.SOURCES]
    nothing = TASKS.plan_backfill(dt.date(2025, 1, 1), dt.date(2026, 6, 21), last_complete_day=dt.date(2026, 6, 21))
    assert nothing.requests == [] and "no history in the API" in nothing.clamped[0]
    assert COST.next_page(plan.requests[0], 500).query == {"limit": "500", "offset": "500"}
    assert COST.next_page(plan.requests[0], 499) is None


def test_raw_file_tags_round_trip():
    for ds, params in ((COST, {"limit": "500", "offset": "500"}), (TASKS, {"window": "7d"}),
                       (BENCH, {"source": "design-arena"})):
        assert ds.params_from_tag(None, ds.file_tag(params)) == params

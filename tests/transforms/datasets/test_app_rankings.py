"""app-rankings: the contract (every check, one clear line each), the real samples, the planners and how pages
become lists."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from transforms.contract import ContractError
from transforms.datasets.app_rankings import (
    app_rankings_schema,
    DATASET,
    FILTERED,
    OVERALL,
    normalize_app_rankings,
    page_request,
)
from transforms.datasets.base import Page, RangeOutsideData
from transforms.windows import Window

D = dt.date.fromisoformat
WEEK = Window(D("2026-06-15"), D("2026-06-21"))
AS_OF = "2026-06-22T02:00:00.123Z"


def params(sort="popular", offset=0, limit=100, week=WEEK, **scope) -> dict[str, str]:
    return {"start_date": week.start.isoformat(), "end_date": week.end.isoformat(), "sort": sort, **scope,
            "limit": str(limit), "offset": str(offset)}


def rows(n: int, first_rank: int = 1, tokens: int = 10**12) -> list[dict]:
    return [{"rank": first_rank + i, "app_id": 5000 + first_rank + i, "app_name": f"App {first_rank + i}",
             "total_tokens": str(tokens - i * 10**9), "total_requests": 1000 - i} for i in range(n)]


def body(data: list[dict], week: Window = WEEK, **meta) -> dict:
    return {"data": data, "meta": {"as_of": AS_OF, "start_date": week.start.isoformat(),
                                   "end_date": week.end.isoformat(), "version": "v1", **meta}}


def parse(payload: dict | bytes, query: dict | None = None) -> pa.Table:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return normalize_app_rankings(raw, raw_file="f1", params=query or params())


# --- the contract ----------------------------------------------------------------------------------------------


def test_a_good_body_becomes_a_typed_table_with_its_list():
    table = parse(body(rows(2)), params(subcategory="cli-agent"))
    assert table.schema == app_rankings_schema()
    assert table.to_pylist()[0] == {
        "week_start": WEEK.start, "week_end": WEEK.end, "sort": "popular", "category": "coding",
        "subcategory": "cli-agent", "rank": 1, "app_id": 5001, "app_name": "App 1", "total_tokens": 10**12,
        "total_requests": 1000, "as_of": dt.datetime(2026, 6, 22, 2, 0, 0, 123000), "raw_file": "f1"}
    overall = parse(body(rows(1)))
    assert (overall["category"][0].as_py(), overall["subcategory"][0].as_py()) == ("all", "all")
    category = parse(body(rows(1)), params(category="creative"))
    assert (category["category"][0].as_py(), category["subcategory"][0].as_py()) == ("creative", "all")


def test_empty_data_and_short_pages_are_valid():
    assert parse(body([])).num_rows == 0
    assert parse(body(rows(3, first_rank=101)), params(offset=100)).num_rows == 3
    assert parse(body([]), params(sort="trending")).num_rows == 0


def test_trending_rows_need_not_be_in_token_order():
    data = rows(2)
    data[0]["total_tokens"], data[1]["total_tokens"] = "5", "9"
    assert parse(body(data), params(sort="trending"))["total_tokens"].to_pylist() == [5, 9]


def broken(mutate, query: dict | None = None, data: list[dict] | None = None) -> str:
    payload = body(rows(3) if data is None else data)
    mutate(payload)
    with pytest.raises(ContractError) as info:
        parse(payload, query)
    message = str(info.value)
    assert message.startswith("f1: ") and "\n" not in message
    return message


def _set(path, value):
    def mutate(payload):
        target = payload
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return mutate


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (_set(["meta", "version"], "v2"), "meta.version is 'v2'"),
        (_set(["meta", "start_date"], "2026-06-14"), "meta window 2026-06-14..2026-06-21 does not echo the requested 2026-06-15..2026-06-21"),
        (_set(["meta", "end_date"], "2026-06-22"), "does not echo"),
        (_set(["meta", "extra"], 1), "meta keys drifted from the v1 contract: unexpected extra"),
        (_set(["extra"], 1), "response keys drifted"),
        (_set(["data", 0, "category"], "coding"), "row 0 keys drifted from the v1 contract: unexpected category"),
        (lambda p: p["data"][1].pop("total_requests"), "row 1 keys drifted from the v1 contract: missing total_requests"),
        (_set(["data", 1, "rank"], 3), "row 1 has rank 3, expected 2: ranks are contiguous from offset+1 (1)"),
        (_set(["data", 0, "rank"], 0), "row 0 has rank 0, expected 1"),
        (_set(["data", 0, "rank"], "1"), "row 0 rank '1' is not an integer"),
        (_set(["data", 0, "rank"], True), "row 0 rank True is not an integer"),
        (_set(["data", 2, "total_tokens"], "1000000000001"), "row 2 (rank 3, app_id 5003) has more tokens"),
        (_set(["data", 0, "total_tokens"], "1.5e12"), "row 0 (rank 1, app_id 5001) total_tokens '1.5e12' is not a non-negative decimal-integer string"),
        (_set(["data", 0, "total_tokens"], "-5"), "is not a non-negative decimal-integer string"),
        (_set(["data", 0, "total_tokens"], 10**12), "is not a non-negative decimal-integer string"),
        (_set(["data", 0, "total_tokens"], str(2**63)), "does not fit in int64"),
        (_set(["data", 0, "total_requests"], -1), "row 0 (rank 1, app_id 5001) total_requests -1 is outside 0.."),
        (_set(["data", 0, "total_requests"], 1.5), "total_requests 1.5 is not an integer"),
        (_set(["data", 0, "total_requests"], "12"), "total_requests '12' is not an integer"),
        (_set(["data", 0, "total_requests"], 2**63), "is outside 0..9223372036854775807"),
        (_set(["data", 1, "app_id"], 5001), "row 1 (rank 2, app_id 5001) repeats the app_id of rank 1"),
        (_set(["data", 0, "app_id"], "5001"), "row 0 app_id '5001' is not an integer"),
        (_set(["data", 0, "app_name"], None), "app_name None is not a string"),
        (_set(["data"], {"rank": 1}), "data is dict, expected a list"),
    ],
)
def test_every_breach_is_one_line_naming_the_file_and_the_row(mutate, expected):
    assert expected in broken(mutate)


def test_trending_ranks_are_assumed_contiguous_and_a_gap_says_so():
    message = broken(_set(["data", 2, "rank"], 4), params(sort="trending"))
    assert "row 2 has rank 4, expected 3: trending ranks are assumed contiguous too" in message


def test_a_second_page_starts_at_offset_plus_one():
    assert "row 0 has rank 1, expected 101" in broken(lambda p: None, params(offset=100))


def test_more_rows_than_the_limit_and_a_window_that_is_not_a_week_are_refused():
    assert "3 rows for limit 2" in broken(lambda p: None, params(limit=2))
    monday_to_monday = Window(D("2026-06-15"), D("2026-06-22"))
    payload = body(rows(1), week=monday_to_monday)
    with pytest.raises(ContractError, match="window 2026-06-15..2026-06-22 is not a Monday–Sunday week"):
        parse(payload, params(week=monday_to_monday))


def test_not_json_is_described():
    with pytest.raises(ContractError, match="f1: body is HTML"):
        parse(b"<!DOCTYPE html><html></html>")


def test_the_seven_real_responses_pass_and_keep_every_value(app_samples):
    counts = []
    for sample in app_samples:
        query = {k: str(v) for k, v in sample["request"]["query"].items()}
        table = parse(sample["response"], query)
        data = sample["response"]["data"]
        counts.append(table.num_rows)
        assert table.select(["rank", "app_id", "app_name", "total_requests"]).to_pylist() == [
            {k: row[k] for k in ("rank", "app_id", "app_name", "total_requests")} for row in data]
        assert table["total_tokens"].to_pylist() == [int(row["total_tokens"]) for row in data]
        assert set(table["category"].to_pylist()) <= {"coding", "productivity"}
    assert counts == [0, 5, 53, 53, 78, 30, 10]


# --- planning --------------------------------------------------------------------------------------------------

LAST = D("2026-06-21")  # a Sunday


def test_a_complete_week_is_26_requests_overall_lists_and_newest_weeks_first():
    plan = DATASET.plan_backfill(D("2026-04-27"), LAST, last_complete_day=LAST)
    assert len(plan.requests) == 8 * 26 and plan.effective == Window(D("2026-04-27"), LAST) and plan.clamped == []
    labels = [r.label for r in plan.requests]
    assert labels[:4] == ["2026-06-15..2026-06-21 popular all", "2026-06-15..2026-06-21 popular all offset 100",
                          "2026-06-15..2026-06-21 trending all", "2026-06-08..2026-06-14 popular all"]
    assert all(label.split(" ")[2] == "all" for label in labels[: 8 * 3])
    assert labels[8 * 3] == "2026-06-15..2026-06-21 popular coding"
    assert labels[8 * 3 + 4] == "2026-06-15..2026-06-21 popular coding/cli-agent"
    assert labels[-1] == "2026-04-27..2026-05-03 trending entertainment"
    assert plan.requests[8 * 3 + 4].query == {"start_date": "2026-06-15", "end_date": "2026-06-21", "sort": "popular",
                                              "subcategory": "cli-agent", "limit": "100", "offset": "0"}
    assert len(OVERALL) + len(FILTERED) == 25


def test_held_lists_are_skipped_and_counted():
    have = {(D("2026-06-15"), "popular", "all", "all"), (D("2026-06-15"), "trending", "coding", "all")}
    plan = DATASET.plan_backfill(D("2026-06-15"), LAST, last_complete_day=LAST, have=have)
    assert len(plan.requests) == 26 - 3 and plan.skipped == 2


def test_weeks_are_clamped_to_the_data_and_a_range_without_a_complete_week_is_refused():
    plan = DATASET.plan_backfill(D("2024-12-01"), D("2025-01-10"), last_complete_day=LAST)
    assert plan.effective == Window(D("2025-01-06"), D("2025-01-12"))
    assert plan.clamped == ["start 2024-12-01 clamped to 2025-01-06, the first whole week of the dataset"]
    plan = DATASET.plan_backfill(D("2026-06-10"), D("2026-06-25"), last_complete_day=D("2026-06-23"))
    assert plan.effective == Window(D("2026-06-08"), LAST)
    assert plan.clamped == ["end 2026-06-25 clamped to 2026-06-21, the Sunday of the last complete week"]
    with pytest.raises(RangeOutsideData, match="no complete Monday–Sunday week"):
        DATASET.plan_backfill(D("2026-06-22"), D("2026-06-24"), last_complete_day=D("2026-06-24"))


def test_the_weekly_plan_is_the_week_that_ended_plus_the_overall_lists_of_the_week_before():
    plan = DATASET.plan_weekly(LAST, last_complete_day=LAST, lookback_days=14)
    assert len(plan.requests) == 26 + 3
    weeks = {(r.window.start.isoformat(), r.label.split(" ")[2]) for r in plan.requests}
    assert ("2026-06-08", "all") in weeks and not any(w == "2026-06-08" and s != "all" for w, s in weeks)
    midweek = DATASET.plan_weekly(D("2026-06-24"), last_complete_day=D("2026-06-24"), lookback_days=1)
    assert len(midweek.requests) == 26 and {r.window for r in midweek.requests} == {WEEK}


def test_a_full_filtered_page_calls_for_the_second_and_overall_pages_are_planned_already():
    first = page_request(WEEK, "popular", "coding")
    assert DATASET.next_page(first, 100).query["offset"] == "100"
    assert DATASET.next_page(first, 99) is None
    assert DATASET.next_page(DATASET.next_page(first, 100), 100) is None  # rank 200 is the deepest
    assert DATASET.next_page(page_request(WEEK, "popular"), 100) is None
    assert DATASET.next_page(page_request(WEEK, "trending", "coding"), 100).label == \
        "2026-06-15..2026-06-21 trending coding offset 100"


def test_file_tags_and_partition_names_round_trip():
    request = page_request(WEEK, "popular", "coding", "cli-agent")
    tag = DATASET.file_tag(request.query)
    assert tag == "popular.coding.cli-agent.0.100"
    assert DATASET.params_from_tag(WEEK, tag) == request.query
    key = (WEEK.start, "popular", "coding", "cli-agent")
    assert DATASET.partition_name(key) == "2026-06-15_popular_coding_cli-agent"
    assert DATASET.parse_partition("2026-06-15_popular_coding_cli-agent") == key


# --- pages → lists ---------------------------------------------------------------------------------------------


def page(query: dict, n: int, first_rank: int = 1, raw: str = "r", as_of=dt.datetime(2026, 6, 22, 2)) -> Page:
    return Page(query, parse(body(rows(n, first_rank)), query), as_of, raw)


def test_pages_become_whole_lists_only():
    overall_1, overall_2 = page(params(), 100, raw="o1"), page(params(offset=100), 40, 101, raw="o2")
    short = page(params(category="coding"), 12, raw="c1")
    full_alone = page(params(category="creative"), 100, raw="k1")
    orphan = page(params(category="legal", offset=100), 3, 101, raw="x")
    parts, problems = DATASET.split([overall_1, short, full_alone, overall_2, orphan])
    assert problems == []
    assert [(p.key[1:], p.rows.num_rows, p.raw_files) for p in parts] == [
        (("popular", "coding", "all"), 12, ("c1",)), (("popular", "all", "all"), 140, ("o1", "o2"))]
    assert parts[1].rows["rank"].to_pylist() == list(range(1, 141))
    alone, _ = DATASET.split([overall_1])
    assert alone == []  # popular overall always has its second page: without it the list is not whole


def test_an_app_on_both_pages_leaves_the_list_out_and_names_the_second_page():
    first = page(params(), 100, raw="p1")
    second_rows = rows(2, first_rank=101)
    second_rows[0]["app_id"] = 5001
    second = Page(params(offset=100), parse(body(second_rows), params(offset=100)), dt.datetime(2026, 6, 22, 3), "p2")
    parts, problems = DATASET.split([first, second])
    assert parts == [] and [raw for raw, _ in problems] == ["p2"]
    assert "app_id 5001 is on both pages of popular all/all for the week of 2026-06-15" in problems[0][1]


def test_a_new_first_page_starts_the_list_afresh():
    parts, _ = DATASET.split([page(params(), 100, raw="a1"), page(params(), 100, raw="b1"),
                              page(params(offset=100), 1, 101, raw="b2")])
    assert [p.raw_files for p in parts] == [("b1", "b2")]


def test_the_snapshot_time_of_a_list_is_its_latest_page():
    late = dt.datetime(2026, 6, 22, 5)
    parts, _ = DATASET.split([page(params(), 100, raw="a"), page(params(offset=100), 0, 101, raw="b", as_of=late)])
    assert parts[0].as_of == late and parts[0].rows.num_rows == 100


"""rankings-daily-facets and rankings-weekly-estimates: planning (one request per facet value and window), file
and partition names that carry the filter, and the contract (the weekly assumption is checked)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from transforms.contract import ContractError
from transforms.datasets import DATASETS
from transforms.datasets.base import Page, RangeOutsideData
from transforms.datasets.facets import EXACT, FACETS, SAMPLED
from transforms.datasets.rankings_estimates import DATASET as ESTIMATES
from transforms.datasets.rankings_facets import DATASET as FACETS_DS
from transforms.windows import Window

D = dt.date
LAST = D(2026, 6, 21)  # a Sunday


def body(rows, start, end, as_of="2026-06-22T02:00:00Z"):
    return json.dumps({"data": rows, "meta": {"as_of": as_of, "start_date": start, "end_date": end,
                                              "version": "v1"}}).encode()


def test_both_are_registered_after_the_unfiltered_datasets():
    assert list(DATASETS)[2:4] == ["rankings-daily-facets", "rankings-weekly-estimates"]  # snapshot datasets follow
    assert FACETS_DS.path == ESTIMATES.path == "datasets/rankings-daily"


def test_exact_backfill_is_one_request_per_facet_value_and_window_and_skips_what_is_held():
    plan = FACETS_DS.plan_backfill(D(2025, 6, 1), LAST, last_complete_day=LAST)
    assert len(plan.requests) == 10 * 2  # 386 days: two windows of ≤ 366 per value
    assert plan.requests[0].query == {"start_date": "2025-06-01", "end_date": "2026-06-01", "modality": "text"}
    assert plan.requests[-1].query == {"start_date": "2026-06-02", "end_date": "2026-06-21", "context_bucket": "10M"}
    have = {(D(2026, 6, d), "modality", "audio") for d in range(1, 22)}
    plan = FACETS_DS.plan_backfill(D(2026, 6, 1), LAST, last_complete_day=LAST, have=have)
    assert len(plan.requests) == 9 and plan.skipped == 21
    assert "audio" not in {r.query.get("modality") for r in plan.requests}
    weekly = FACETS_DS.plan_weekly(LAST, last_complete_day=LAST, lookback_days=14)
    assert [str(r.window) for r in weekly.requests] == ["2026-06-08..2026-06-21"] * 10


def test_estimates_ask_for_whole_weeks_with_period_week_at_most_52_a_request():
    plan = ESTIMATES.plan_backfill(D(2025, 6, 4), D(2026, 6, 20), last_complete_day=D(2026, 6, 20))
    # every complete week overlapping the range: from the week of 2025-06-04 to the last complete one
    assert plan.clamped == ["end 2026-06-20 clamped to 2026-06-14, the Sunday of the last complete week"]
    assert plan.effective == Window(D(2025, 6, 2), D(2026, 6, 14))  # 54 weeks
    assert [str(r.window) for r in plan.requests[:2]] == ["2025-06-02..2026-05-31", "2026-06-01..2026-06-14"]
    assert len(plan.requests) == 14 * 2
    assert plan.requests[0].query == {"start_date": "2025-06-02", "end_date": "2026-05-31", "category": "programming",
                                      "period": "week"}
    early = ESTIMATES.plan_backfill(D(2024, 12, 1), D(2025, 1, 12), last_complete_day=LAST)
    assert early.clamped == ["start 2024-12-01 clamped to 2025-01-06, the first whole week of the dataset"]
    have = {(D(2026, 6, 8), "category", "legal")}
    plan = ESTIMATES.plan_backfill(D(2026, 6, 1), LAST, last_complete_day=LAST, have=have)
    legal = [str(r.window) for r in plan.requests if r.query.get("category") == "legal"]
    assert legal == ["2026-06-01..2026-06-07", "2026-06-15..2026-06-21"] and plan.skipped == 1
    weekly = ESTIMATES.plan_weekly(D(2026, 6, 24), last_complete_day=D(2026, 6, 24), lookback_days=14)
    assert {str(r.window) for r in weekly.requests} == {"2026-06-08..2026-06-21"} and len(weekly.requests) == 14
    with pytest.raises(RangeOutsideData):
        ESTIMATES.plan_backfill(D(2026, 6, 16), D(2026, 6, 20), last_complete_day=D(2026, 6, 20))


@pytest.mark.parametrize("dataset, facets", [(FACETS_DS, EXACT), (ESTIMATES, SAMPLED)])
def test_file_tags_and_partition_names_carry_every_filter_value_and_come_back(dataset, facets):
    window = Window(D(2026, 6, 8), D(2026, 6, 14))
    for facet, values in facets.items():
        for value in values:
            query = {"start_date": "2026-06-08", "end_date": "2026-06-14", facet: value,
                     **({"period": "week"} if dataset is ESTIMATES else {})}
            tag = dataset.file_tag(query)
            assert all(c.isdigit() or c.islower() or c in ".-" for c in tag) and "." in tag
            assert dataset.params_from_tag(window, tag) == query
            key = (window.start, facet, value)
            name = dataset.partition_name(key)
            assert "/" not in name and name.count("_") == 2 and dataset.parse_partition(name) == key
    assert FACETS_DS.file_tag({"modality": "image_output"}) == "modality.image-output"
    assert ESTIMATES.file_tag({"category": "marketing/seo", "period": "week"}) == "category.marketing--seo.week"
    with pytest.raises(ValueError):
        FACETS_DS.parse_partition("2026-06-08_modality_video")


def test_exact_rows_are_tagged_with_their_facet_and_days_up_to_the_last_with_rows_are_partitions():
    params = {"start_date": "2026-06-08", "end_date": "2026-06-11", "modality": "tool_calling"}
    rows = FACETS_DS.normalize(body([{"date": "2026-06-08", "model_permaslug": "qwen/a", "total_tokens": "7"},
                                     {"date": "2026-06-10", "model_permaslug": "qwen/a", "total_tokens": "8"}],
                                    "2026-06-08", "2026-06-11"), raw_file="f1", params=params)
    assert rows.to_pylist()[0] == {"date": D(2026, 6, 8), "facet": "modality", "facet_value": "tool_calling",
                                   "model_permaslug": "qwen/a", "total_tokens": 7,
                                   "as_of": dt.datetime(2026, 6, 22, 2), "raw_file": "f1"}
    parts, problems = FACETS_DS.split([Page(params, rows, dt.datetime(2026, 6, 22, 2), "f1")])
    # 06-09 answered empty between days with rows: recorded; 06-11, after the last day with rows: asked again
    assert [(p.key[0], p.rows.num_rows) for p in parts] == [(D(2026, 6, 8), 1), (D(2026, 6, 9), 0),
                                                             (D(2026, 6, 10), 1)]
    assert FACETS_DS.split([Page(params, rows.slice(0, 0), dt.datetime(2026, 6, 22, 2), "f2")]) == ([], [])
    with pytest.raises(ContractError, match="filters by"):
        FACETS_DS.normalize(body([], "2026-06-08", "2026-06-09"), raw_file="f2",
                            params={"start_date": "2026-06-08", "end_date": "2026-06-09"})


WEEK = {"start_date": "2026-06-01", "end_date": "2026-06-14", "category": "programming", "period": "week"}


def test_estimates_hold_mondays_only_and_quarantine_a_date_that_is_not_one():
    good = body([{"date": "2026-06-01", "model_permaslug": "qwen/a", "total_tokens": "9"},
                 {"date": "2026-06-08", "model_permaslug": "qwen/a", "total_tokens": "8"}], "2026-06-01", "2026-06-14")
    rows = ESTIMATES.normalize(good, raw_file="f", params=WEEK)
    assert rows.column_names[0] == "week_start" and rows["week_start"].to_pylist() == [D(2026, 6, 1), D(2026, 6, 8)]
    tuesday = body([{"date": "2026-06-02", "model_permaslug": "qwen/a", "total_tokens": "9"}], "2026-06-01",
                   "2026-06-14")
    with pytest.raises(ContractError, match="2026-06-02 is a Tuesday"):
        ESTIMATES.normalize(tuesday, raw_file="f", params=WEEK)
    for params, reason in [({**WEEK, "period": "day"}, "period=day"), ({**WEEK, "start_date": "2026-06-02"},
                                                                        "not whole Monday–Sunday weeks"),
                           ({**WEEK, "modality": "text"}, "filters by")]:
        with pytest.raises(ContractError, match=reason):
            ESTIMATES.normalize(good, raw_file="f", params=params)
    too_many = [{"date": "2026-06-01", "model_permaslug": f"lab/m{i}", "total_tokens": str(100 - i)} for i in range(52)]
    with pytest.raises(ContractError, match="more than 51 rows"):  # the top 50 is per bucket
        ESTIMATES.normalize(body(too_many, "2026-06-01", "2026-06-14"), raw_file="f", params=WEEK)


def test_facet_values_are_the_contracts():
    assert sum(len(v) for v in EXACT.values()) == 10 and sum(len(v) for v in SAMPLED.values()) == 14
    assert set(FACETS) == {"modality", "context_bucket", "category", "language_type"}


def test_split_by_groups_each_date_sorted_by_model_across_chunks():
    import pyarrow as pa

    from transforms.datasets.rankings_facets import split_by

    def chunk(rows):
        return pa.table({"date": pa.array([d for d, _ in rows], pa.date32()), "model_permaslug": [m for _, m in rows]})

    rows = pa.concat_tables([chunk([(D(2026, 6, 2), "b/y"), (D(2026, 6, 1), "b/x")]),
                             chunk([(D(2026, 6, 2), "a/z"), (D(2026, 6, 3), "c/w"), (D(2026, 6, 1), "a/x")])])
    groups = split_by(rows, "date")
    assert {day: group["model_permaslug"].to_pylist() for day, group in groups.items()} == {
        D(2026, 6, 1): ["a/x", "b/x"], D(2026, 6, 2): ["a/z", "b/y"], D(2026, 6, 3): ["c/w"]}
    assert list(groups) == [D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 3)]
    assert split_by(rows.slice(0, 0), "date") == {}

"""Independent checks of the synthetic demo facets: every served body passes the facet datasets' contracts,
each facet value is a part of the demo's traffic, sampled values come in Monday buckets, and the source serves
them through the same interface (labelled synthetic)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from flows.sources.demo import DemoSource
from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY, daily_rows
from flows.sources.demo_facets import facet_payload
from transforms.datasets.facets import EXACT, SAMPLED
from transforms.datasets.rankings_estimates import DATASET as ESTIMATES
from transforms.datasets.rankings_facets import DATASET as FACETS
from transforms.windows import Window

ALL = Window(DEMO_FIRST_DAY, DEMO_LAST_DAY)


def day_totals() -> Counter:
    totals: Counter = Counter()
    for row in daily_rows():
        totals[row["date"]] += int(row["total_tokens"])
    return totals


def test_exact_values_are_valid_daily_rankings_within_the_days_traffic():
    totals = day_totals()
    for request in FACETS.plan_backfill(ALL.start, ALL.end, last_complete_day=DEMO_LAST_DAY).requests:
        source = DemoSource().fetch(request)
        rows = FACETS.normalize(source.body, raw_file="f", params=source.params)
        sums: Counter = Counter()
        for row in rows.to_pylist():
            sums[row["date"].isoformat()] += row["total_tokens"]
        assert set(sums) == set(totals) and all(0 < sums[day] < totals[day] for day in sums)


def test_sampled_values_are_weekly_estimates_dated_by_their_monday():
    for request in ESTIMATES.plan_backfill(ALL.start, ALL.end, last_complete_day=DEMO_LAST_DAY).requests:
        source = DemoSource().fetch(request)
        rows = ESTIMATES.normalize(source.body, raw_file="f", params=source.params)
        weeks = sorted(set(rows["week_start"].to_pylist()))
        assert weeks == [DEMO_FIRST_DAY + dt.timedelta(weeks=k) for k in range(26)]
    assert len(ESTIMATES.plan_backfill(ALL.start, ALL.end, last_complete_day=DEMO_LAST_DAY).requests) == sum(
        len(v) for v in SAMPLED.values())


def test_chinese_models_lead_tool_calling_in_the_synthetic_story():
    body = facet_payload({"start_date": "2026-03-30", "end_date": "2026-04-05", "modality": "tool_calling"})
    tokens: Counter = Counter()
    for row in body["data"]:
        if row["model_permaslug"] != "other":
            tokens[row["model_permaslug"].split("/")[0]] += int(row["total_tokens"])
    assert tokens.most_common(1)[0][0] in {"qwen", "xiaomi"}
    assert body["meta"]["as_of"] == "2026-04-06T02:00:00Z" and len(EXACT["modality"]) == 5
    assert json.loads(DemoSource().fetch(FACETS.plan_weekly(DEMO_LAST_DAY, last_complete_day=DEMO_LAST_DAY,
                                                            lookback_days=1).requests[0]).body)["data"]

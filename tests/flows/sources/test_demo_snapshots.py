"""The demo's synthetic snapshots: valid by the contracts, one snapshot per replayed week, labelled synthetic."""

from __future__ import annotations

import datetime as dt
import json

from flows.sources.demo import DemoSource
from flows.sources.demo_dataset import DEMO_LAST_DAY
from flows.sources.demo_snapshots import CITATIONS, capture_days
from transforms.datasets import DATASETS


def test_eight_weekly_captures_each_with_its_own_valid_snapshots():
    days = capture_days(DEMO_LAST_DAY)
    assert days[0] == dt.date(2026, 2, 16) and days[-1] == dt.date(2026, 4, 6) and len(days) == 8
    assert all(d.weekday() == 0 for d in days)
    windows, task_days = set(), set()
    for day in days:
        source = DemoSource().on(day)
        for name in ("session-cost", "task-classifications", "benchmarks"):
            ds = DATASETS[name]
            for request in ds.plan_snapshot(day).requests:
                fetched = source.fetch(request)
                rows = ds.normalize(fetched.body, raw_file="f", params=fetched.params)
                if name == "session-cost":
                    windows.add(rows["window_end_date"][0].as_py())
                    assert json.loads(fetched.body)["meta"]["window_end_date"] == (day - dt.timedelta(days=1)).isoformat()
                elif name == "task-classifications":
                    task_days.add(rows["snapshot_date"][0].as_py())
                else:
                    assert set(rows["citation"].to_pylist()) == {CITATIONS[request.query["source"]]}
    assert len(windows) == len(task_days) == 8
    assert all("SYNTHETIC" in line for line in CITATIONS.values())


def test_the_whole_session_cost_snapshot_needs_two_pages_of_500():
    source, request = DemoSource(), DATASETS["session-cost"].plan_snapshot(dt.date(2026, 4, 6)).requests[0]
    first = json.loads(source.fetch(request).body)["data"]
    follow = DATASETS["session-cost"].next_page(request, len(first))
    assert len(first) == 500 and 0 < len(json.loads(source.fetch(follow).body)["data"]) < 500

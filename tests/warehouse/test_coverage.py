"""What each dataset holds, for backfills (the lake) and for status (the warehouse)."""

from __future__ import annotations

import datetime as dt

import duckdb

from tests.warehouse.ops_helpers import DAYS, load_days
from tests.warehouse.test_app_ingest import WEEK, body, response, run_app
from transforms.datasets.app_rankings import DATASET, page_request
from warehouse.coverage import dataset_coverage, held_dates, held_partitions
from warehouse.paths import Home


def test_coverage_per_dataset(tmp_path):
    home = Home(tmp_path)
    load_days(home)
    coding, legal = page_request(WEEK, "popular", "coding"), page_request(WEEK, "popular", "productivity", "legal")
    run_app(home, "a1", [response(coding, body(WEEK, [(7, "Seven", 70, 7), (8, "Eight", 60, 6)], "2026-09-29T03:00:00Z"), 0),
                         response(legal, body(WEEK, [], "2026-09-29T03:00:00Z"), 1)])
    assert held_dates(home) == set(DAYS)
    assert held_partitions(home, DATASET) == {(WEEK.start, "popular", "coding", "all"),
                                              (WEEK.start, "popular", "productivity", "legal")}
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        got = {c.dataset: c for c in dataset_coverage(con)}
    finally:
        con.close()
    assert (got["rankings-daily"].partitions, got["rankings-daily"].empty, got["rankings-daily"].rows) == (3, 0, 9)
    assert (got["rankings-daily"].first, got["rankings-daily"].last) == (DAYS[0], DAYS[-1])
    apps = got["app-rankings"]
    assert (apps.partitions, apps.empty, apps.rows, apps.first, apps.last) == (2, 1, 2, WEEK.start, WEEK.start)
    assert apps.latest_as_of == dt.datetime(2026, 9, 29, 3)

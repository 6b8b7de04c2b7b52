"""dq_app_weeks: lists loaded per week (of 25), how many answered empty, rows and the latest snapshot."""

from __future__ import annotations

import datetime as dt

from tests.transforms.conftest import week

T0, T1 = dt.datetime(2026, 4, 7, 2), dt.datetime(2026, 4, 8, 2)


def test_lists_per_week_from_the_loaded_partitions(wh):
    def partition(dataset, name, rows, as_of=T0):
        wh.con.execute("INSERT INTO lake_partitions VALUES (?, ?, ?, ?, ['raw'], 1, 1)", [dataset, name, rows, as_of])

    for i in range(25):
        partition("app-rankings", f"{week(0)}_popular_x{i}_all", 0 if i < 2 else 10, T1 if i == 7 else T0)
    partition("app-rankings", f"{week(1)}_popular_all_all", 150)
    partition("app-rankings", f"{week(1)}_trending_all_all", 0)
    partition("rankings-daily", f"{week(1)}", 51)
    wh.build()
    got = [(r["week_start"], r["lists"], r["empty_lists"], r["rows"], r["is_complete"], r["as_of"])
           for r in wh.rows("SELECT * FROM dq_app_weeks ORDER BY week_start")]
    assert got == [(week(0), 25, 2, 230, True, T1), (week(1), 2, 1, 150, False, T0)]

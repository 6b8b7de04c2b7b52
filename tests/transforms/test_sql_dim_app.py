"""dim_app: one row per app_id, its latest name and every name it was published under."""

from __future__ import annotations

import datetime as dt

from tests.transforms.conftest import week

T0, T1 = dt.datetime(2026, 4, 7, 2), dt.datetime(2026, 4, 7, 3)


def test_latest_name_first_and_last_week_and_the_names_seen(wh):
    wh.app_list(week(0), [(11, "Z Code", 500, 1), (22, "pi", 300, 1)], as_of=T1)
    wh.app_list(week(0), [(33, "pi", 200, 1)], sort="trending", as_of=T0)
    wh.app_list(week(3), [(11, "ZCode", 700, 1), (22, "pi", 100, 1)], as_of=T1)  # same snapshot time, later week
    wh.app_list(week(1), [(11, "Zed", 50, 1)], sort="trending", as_of=T0)
    # a later fetch of week 0's coding list renamed app 33: the old name survives only as a restatement
    wh.app_list(week(0), [(33, "pi agent", 200, 1)], category="coding", as_of=T1)
    wh.con.execute("INSERT INTO app_restatements VALUES (?, 'popular', 'coding', 'all', 33, 200, 200, 1, 1, 'pi', "
                   "'pi agent', ?, ?, 'raw-old', 'raw-new')", [week(0), T0, T1])
    wh.build()
    got = {r["app_id"]: (r["app_name"], r["first_seen"], r["last_seen"], r["names_seen"])
           for r in wh.rows("SELECT * FROM dim_app")}
    assert got == {
        11: ("ZCode", week(0), week(3), ["Zed", "Z Code", "ZCode"]),
        22: ("pi", week(0), week(3), ["pi"]),
        33: ("pi agent", week(0), week(0), ["pi", "pi agent"]),
    }

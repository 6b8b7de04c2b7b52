"""dq_days: per requested date, what the warehouse holds (empty answers, short days, missing `other` rows)."""

from __future__ import annotations

import datetime as dt

D = dt.date


def test_empty_short_and_complete_days(wh):
    full = {f"a/m{i:02d}": 100 - i for i in range(50)}
    wh.day(D(2026, 3, 2), full, other=5)  # 51 rows with other: ok
    wh.day(D(2026, 3, 3), dict(list(full.items())[:10]), other=5)  # 11 rows: short
    wh.day(D(2026, 3, 4), {f"b/x{i:02d}": 9 for i in range(51)})  # 51 rows, no other
    wh.day(D(2026, 3, 7), {"a/m00": 1}, other=1)  # held, outside every logged window
    for day in range(2, 6):
        wh.con.execute("INSERT INTO requested_dates VALUES ('rankings-daily', ?)", [D(2026, 3, day)])
    wh.con.execute("INSERT INTO requested_dates VALUES ('app-rankings', DATE '2026-03-06')")
    wh.build()
    assert [tuple(r.values()) for r in wh.rows("SELECT date, rows, has_other, status FROM dq_days ORDER BY date")] == [
        (D(2026, 3, 2), 51, True, "ok"),
        (D(2026, 3, 3), 11, True, "short"),
        (D(2026, 3, 4), 51, False, "no_other"),
        (D(2026, 3, 5), 0, False, "empty"),
        (D(2026, 3, 7), 2, True, "short"),
    ]

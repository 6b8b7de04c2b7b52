"""app_top10_runs: each app's weeks in the overall top 10 and its longest run."""

from __future__ import annotations

from tests.transforms.conftest import week


def test_runs_in_the_overall_top_10(wh):
    filler = [(900 + i, f"F{i}", 100 - i, 1) for i in range(8)]  # ranks 3..10 (week 0), pushing C to 11th
    wh.app_list(week(0), [(1, "A", 1000, 1), (2, "B", 900, 1)] + filler + [(3, "C", 10, 1)])
    wh.app_list(week(1), [(2, "B", 1000, 1), (1, "A", 900, 1), (3, "C", 800, 1)])
    wh.app_list(week(2), [(2, "B", 1000, 1), (3, "C", 900, 1)])
    wh.app_list(week(4), [(1, "A", 1000, 1), (3, "C", 900, 1)])  # week 3 has no overall list
    wh.app_list(week(2), [(1, "A", 5000, 1)], category="coding")  # other lists do not count
    wh.build()
    got = {r["app_id"]: (r["app_name"], r["weeks_in_top10"], r["best_rank"], r["longest_weeks"], r["longest_start"],
                         r["longest_end"], r["current_weeks"])
           for r in wh.rows("SELECT * FROM app_top10_runs")}
    assert got[1] == ("A", 3, 1, 2, week(0), week(1), 1)
    assert got[2] == ("B", 3, 1, 3, week(0), week(2), 0)
    assert got[3] == ("C", 3, 2, 2, week(1), week(2), 1)  # 11th in week 0; week 4 restarts after the gap
    assert got[900] == ("F0", 1, 3, 1, week(0), week(0), 0)
    assert set(got) == {1, 2, 3} | {900 + i for i in range(8)}

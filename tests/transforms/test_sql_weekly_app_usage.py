"""weekly_app_usage: each popular list's apps with tokens per request, share of the overall top 200, WoW growth
and rank change against the same list of the previous calendar week."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.conftest import week

A, B, C, D = 11, 22, 33, 44


@pytest.fixture
def usage(wh):
    wh.app_list(week(0), [(A, "Alpha", 500, 100), (B, "Beta", 300, 60), (C, "Gamma", 200, 0)])
    wh.app_list(week(1), [(B, "Beta", 600, 100), (A, "Alpha", 400, 80), (D, "Delta", 100, 50)])
    wh.app_list(week(2), [(B, "Beta", 700, 70), (A, "Alpha", 650, 65), (C, "Gamma", 150, 30)])
    wh.app_list(week(4), [(A, "Alpha", 800, 80), (B, "Beta", 790, 79)])  # week 3 has no overall list
    wh.app_list(week(0), [(A, "Alpha", 500, 100), (C, "Gamma", 200, 0)], category="coding")
    wh.app_list(week(1), [(A, "Alpha", 400, 80)], category="coding")
    wh.app_list(week(1), [(A, "Alpha", 400, 80)], category="coding", subcategory="cli-agent")
    wh.app_list(week(1), [(D, "Delta", 100, 50)], sort="trending")  # trending lists are not usage
    wh.build()
    return wh


COLUMNS = ("rank", "tokens", "requests", "tokens_per_request", "share", "prev_tokens", "wow_growth", "prev_rank",
           "rank_change", "is_new")


def row(wh, w, app, category="all", subcategory="all"):
    [found] = wh.rows("SELECT * FROM weekly_app_usage WHERE week_start = ? AND app_id = ? AND category = ? "
                      "AND subcategory = ?", [week(w), app, category, subcategory])
    return found


def test_overall_rows_against_literal_values(usage):
    got = {(w, app): tuple(row(usage, w, app)[c] for c in COLUMNS) for w, app in
           [(0, A), (0, C), (1, B), (1, A), (1, D), (2, C), (4, A)]}
    assert got[(0, A)] == (1, 500, 100, 5, 0.5, None, None, None, None, None)  # no list the week before
    assert got[(0, C)] == (3, 200, 0, None, 0.2, None, None, None, None, None)  # 0 requests: no ratio
    assert got[(1, B)] == (1, 600, 100, 6, pytest.approx(600 / 1100), 300, pytest.approx(1.0), 2, 1, False)
    assert got[(1, A)] == (2, 400, 80, 5, pytest.approx(400 / 1100), 500, pytest.approx(-0.2), 1, -1, False)
    assert got[(1, D)] == (3, 100, 50, 2, pytest.approx(100 / 1100), None, None, None, None, True)
    assert got[(2, C)] == (3, 150, 30, 5, pytest.approx(0.1), None, None, None, None, True)  # out of week 1's list
    assert got[(4, A)] == (1, 800, 80, 10, pytest.approx(800 / 1590), None, None, None, None, None)  # week 3 missing
    assert (row(usage, 4, A)["app_name"], row(usage, 4, A)["week_end"]) == ("Alpha", dt.date(2026, 4, 5))


def test_filtered_lists_compare_with_themselves_and_share_the_overall_total(usage):
    coding = row(usage, 1, A, "coding")
    assert tuple(coding[c] for c in COLUMNS) == (1, 400, 80, 5, pytest.approx(400 / 1100), 500, pytest.approx(-0.2),
                                                 1, 0, False)
    cli = row(usage, 1, A, "coding", "cli-agent")
    assert (cli["prev_tokens"], cli["is_new"], cli["share"]) == (None, None, pytest.approx(400 / 1100))


def test_one_row_per_popular_list_entry(usage):
    counts = usage.rows("SELECT category, subcategory, count(*) AS n FROM weekly_app_usage GROUP BY ALL ORDER BY ALL")
    assert [(r["category"], r["subcategory"], r["n"]) for r in counts] == [
        ("all", "all", 11), ("coding", "all", 3), ("coding", "cli-agent", 1)]

"""growth_rates: week-on-week and 4-week growth and runs of rising weeks, per level."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.conftest import reference_weeks, week

DAILY_A = {0: 10, 1: 11, 2: 12, 3: 13, 4: 14, 5: 13, 7: 15, 8: 16, 9: 17}  # week 6 is a gap


@pytest.fixture
def built(wh):
    wh.author("qwen", "CN")
    wh.author("openai", "US")
    for k, a in DAILY_A.items():
        wh.week(week(k), {"qwen/a": a, "openai/g": 5}, other=1, skip=(5, 6) if k == 9 else ())
    wh.build()
    return wh


def series(wh, level, key):
    return wh.rows("SELECT * FROM growth_rates WHERE level = ? AND key = ? ORDER BY week_start", [level, key])


def test_total_level(built):
    rows = series(built, "total", "total")
    assert [(r["week_start"], r["tokens"], r["rising_weeks"]) for r in rows] == [
        (week(0), 112, 0),
        (week(1), 119, 1),
        (week(2), 126, 2),
        (week(3), 133, 3),
        (week(4), 140, 4),
        (week(5), 133, 0),
        (week(7), 147, 0),  # no comparable previous week after the gap
        (week(8), 154, 1),
    ]  # the incomplete week 9 has no row
    growth = {r["week_start"]: (r["wow_growth"], r["growth_4w"]) for r in rows}
    assert growth[week(1)] == (pytest.approx(119 / 112 - 1), None)
    assert growth[week(4)] == (pytest.approx(140 / 133 - 1), pytest.approx(140 / 112 - 1))
    assert growth[week(7)] == (None, pytest.approx(147 / 133 - 1))
    assert growth[week(8)][1] == pytest.approx(154 / 140 - 1)


def test_country_author_and_model_levels(built):
    for level, key in (("country", "CN"), ("author", "qwen"), ("model", "qwen/a")):
        rows = series(built, level, key)
        assert [r["tokens"] for r in rows] == [7 * DAILY_A[k] for k in (0, 1, 2, 3, 4, 5, 7, 8)]
        assert [r["rising_weeks"] for r in rows] == [0, 1, 2, 3, 4, 0, 0, 1]
    flat = series(built, "country", "US")
    assert [r["rising_weeks"] for r in flat] == [0] * 8
    assert flat[1]["wow_growth"] == 0.0


def test_matches_python_recomputation(built):
    ref = reference_weeks(built)

    def tokens(level, key, w):
        r = ref.get(w)
        if r is None or not r.complete:
            return None
        return r.total if level == "total" else r.models.get(key)

    for level, key in (("total", "total"), ("model", "qwen/a"), ("model", "openai/g")):
        for row in series(built, level, key):
            w = row["week_start"]
            now, prev, past = (tokens(level, key, w - dt.timedelta(weeks=n)) for n in (0, 1, 4))
            assert row["tokens"] == now
            assert row["wow_growth"] == (pytest.approx(now / prev - 1) if prev else None)
            assert row["growth_4w"] == (pytest.approx(now / past - 1) if past else None)
            rising, n = 0, 0
            while (cur := tokens(level, key, w - dt.timedelta(weeks=n))) and (
                    before := tokens(level, key, w - dt.timedelta(weeks=n + 1))) and cur > before:
                rising, n = rising + 1, n + 1
            assert row["rising_weeks"] == rising

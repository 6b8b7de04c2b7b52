"""weekly_country_usage: both bases, their upper bounds and shares, an absent country, a mid-history override."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from tests.transforms.conftest import reference_weeks, seed_country_weeks, week


@pytest.fixture
def built(wh):
    seed_country_weeks(wh)
    wh.build()
    return wh


def table(wh):
    return {(r["week_start"], r["basis"], r["country"]): r for r in wh.rows("SELECT * FROM weekly_country_usage")}


def test_first_week_literals(built):
    rows = table(built)
    got = {(b, c): (r["tokens"], r["tokens_upper"], r["models"]) for (w, b, c), r in rows.items() if w == week(0)}
    assert got == {
        # the press basis: top 9 models; cohere (10th) is left out
        ("chart_top9", "CN"): (1890, 1890 + 350, 3),
        ("chart_top9", "US"): (1330, 1330 + 350, 4),
        ("chart_top9", "FR"): (210, 210 + 350, 1),
        ("chart_top9", "unattributed"): (350, 350, 1),
        # all ranked rows; upper = tokens + `other` (35) + unattributed (350)
        ("top50", "CN"): (1890, 1890 + 35 + 350, 3),
        ("top50", "US"): (1330, 1330 + 35 + 350, 4),
        ("top50", "FR"): (210, 210 + 35 + 350, 1),
        ("top50", "CA"): (70, 70 + 35 + 350, 1),
        ("top50", "unattributed"): (350, 350 + 35, 1),
    }
    assert rows[(week(0), "chart_top9", "CN")]["share"] == pytest.approx(0.5)
    assert rows[(week(0), "top50", "CN")]["share"] == pytest.approx(1890 / 3850)


def test_override_from_the_weeks_thursday_moves_the_whole_week(built):
    rows = table(built)
    assert rows[(week(1), "chart_top9", "CN")]["tokens"] == (110 + 90 + 80 + 50) * 7
    assert rows[(week(1), "chart_top9", "CN")]["wow_growth"] == pytest.approx(2310 / 1890 - 1)
    assert rows[(week(1), "chart_top9", "US")]["wow_growth"] == 0.0
    assert (week(1), "top50", "unattributed") not in rows


def test_a_country_absent_from_a_week(built):
    rows = table(built)
    assert (week(1), "top50", "FR") not in rows and (week(1), "chart_top9", "FR") not in rows
    assert rows[(week(2), "top50", "FR")]["wow_growth"] is None  # nothing to compare with
    assert rows[(week(1), "chart_top9", "CA")]["wow_growth"] is None  # entered the top 9 this week
    assert rows[(week(1), "top50", "CA")]["wow_growth"] == 0.0


def test_matches_python_recomputation(built):
    ref = reference_weeks(built)
    authors = {"qwen": "CN", "xiaomi": "CN", "openai": "US", "anthropic": "US", "google": "US",
               "mistralai": "FR", "cohere": "CA"}

    def country(slug: str, w: dt.date) -> str:
        if slug == "stealth/h" and week(1) + dt.timedelta(days=3) <= w + dt.timedelta(days=6):
            return "CN"
        return authors.get(slug.split("/")[0], "unattributed")

    expected = {}
    for w, r in ref.items():
        for basis, members in (("chart_top9", r.ranking()[:9]), ("top50", r.ranking())):
            tokens, upper, models = defaultdict(int), defaultdict(int), defaultdict(int)
            for slug in members:
                c = country(slug, w)
                tokens[c] += r.models[slug]
                upper[c] += r.upper[slug]
                models[c] += 1
            if basis == "top50":
                unknown = r.other + tokens.get("unattributed", 0)
                bound = {c: (unknown if c == "unattributed" else tokens[c] + unknown) for c in tokens}
            else:
                unknown = upper.get("unattributed", 0)
                bound = {c: (unknown if c == "unattributed" else upper[c] + unknown) for c in tokens}
            basis_total = sum(tokens.values())
            for c in tokens:
                expected[(w, basis, c)] = (tokens[c], bound[c], tokens[c] / basis_total, models[c])
    rows = table(built)
    assert set(rows) == set(expected)
    for key, row in rows.items():
        tokens, upper, share, models = expected[key]
        assert (row["tokens"], row["tokens_upper"], row["models"]) == (tokens, upper, models)
        assert row["share"] == pytest.approx(share)
        w, basis, c = key
        prev = expected.get((w - dt.timedelta(weeks=1), basis, c))
        assert row["wow_growth"] == (pytest.approx(tokens / prev[0] - 1) if prev else None)

"""dq_unattributed and model_weekly_origin: what has no country, and how a country is resolved per week."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.conftest import week


@pytest.fixture
def built(wh):
    wh.author("qwen", "CN")
    wh.author("openrouter", "US")  # an author row the override must beat
    # revealed as CN on the Sunday of week 1: the whole of week 1 counts as CN
    wh.override("stealth/hunter", "CN", week(1) + dt.timedelta(days=6))
    # revealed on the Monday of week 2: week 1 stays unattributed
    wh.override("mystery/m", "FR", week(2))
    wh.override("openrouter/alpha", "CN", None)  # no date: always
    slugs = {"qwen/a": 30, "stealth/hunter:free": 20, "stealth/hunter": 10, "mystery/m": 5, "openrouter/alpha": 4,
             "nobody/x": 3}
    for k in range(3):
        wh.week(week(k), slugs, other=1)
    wh.display("stealth/hunter:free", "Hunter Alpha (free)")
    wh.build()
    return wh


def test_country_is_resolved_on_the_weeks_sunday(built):
    got = {(r["week_start"], r["model_permaslug"]): (r["country"], r["origin_scope"])
           for r in built.rows("SELECT * FROM model_weekly_origin")}
    assert got[(week(0), "stealth/hunter:free")] == ("unattributed", None)
    assert got[(week(1), "stealth/hunter:free")] == ("CN", "model")
    assert got[(week(1), "stealth/hunter")] == ("CN", "model")  # every variant
    assert got[(week(1), "mystery/m")] == ("unattributed", None)
    assert got[(week(2), "mystery/m")] == ("FR", "model")
    assert got[(week(0), "openrouter/alpha")] == ("CN", "model")
    assert got[(week(0), "qwen/a")] == ("CN", "author")


def test_lists_what_a_maintainer_should_map(built):
    rows = built.rows("SELECT * FROM dq_unattributed ORDER BY total_tokens DESC, model_permaslug")
    got = [(r["author"], r["model_permaslug"], r["display_name"], r["origin_key"], r["first_date"], r["last_date"],
            r["days"], r["total_tokens"]) for r in rows]
    assert got == [
        ("stealth", "stealth/hunter:free", "Hunter Alpha (free)", "stealth/hunter", week(0), week(0) + dt.timedelta(6), 7, 140),
        ("mystery", "mystery/m", "mystery/m", "mystery/m", week(0), week(1) + dt.timedelta(6), 14, 70),
        ("stealth", "stealth/hunter", "stealth/hunter", "stealth/hunter", week(0), week(0) + dt.timedelta(6), 7, 70),
        ("nobody", "nobody/x", "nobody/x", "nobody/x", week(0), week(2) + dt.timedelta(6), 21, 63),
    ]


def test_matches_python_recomputation(built):
    overrides = {"stealth/hunter": week(1) + dt.timedelta(days=6), "mystery/m": week(2), "openrouter/alpha": dt.date.min}
    authors = {"qwen", "openrouter"}
    expected: dict[str, list[tuple[dt.date, int]]] = {}
    for (date, slug), tokens in built.ranked.items():
        sunday = date + dt.timedelta(days=6 - date.weekday())
        key = slug.split(":")[0]
        known = (key in overrides and overrides[key] <= sunday) or slug.split("/")[0] in authors
        if not known:
            expected.setdefault(slug, []).append((date, tokens))
    rows = {r["model_permaslug"]: r for r in built.rows("SELECT * FROM dq_unattributed")}
    assert set(rows) == set(expected)
    for slug, days in expected.items():
        r = rows[slug]
        assert (r["first_date"], r["last_date"], r["days"], r["total_tokens"]) == (
            min(d for d, _ in days), max(d for d, _ in days), len(days), sum(t for _, t in days))

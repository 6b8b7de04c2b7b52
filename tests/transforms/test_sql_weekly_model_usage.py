"""weekly_model_usage: sums, bounds, ranks, shares and week-on-week columns of a hand-made fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.conftest import reference_weeks, week


@pytest.fixture
def built(wh):
    for author, country in [("qwen", "CN"), ("openai", "US"), ("anthropic", "US"), ("mistralai", "FR")]:
        wh.author(author, country)
    wh.display("qwen/q:free", "Qwen Q (free)")
    both = {"qwen/q:free": 20, "qwen/q": 10, "openai/g": 10}  # qwen/q and openai/g tie every day
    for offset in range(7):
        # anthropic/c is ranked Mon-Tue, leaves the ranking Wed-Thu, and re-enters Fri-Sun
        ranked = both if offset in (2, 3) else {**both, "anthropic/c": 4}
        wh.day(week(0) + dt.timedelta(days=offset), ranked, other=3)
    wh.week(week(1), {"qwen/q:free": 30, "qwen/q": 10, "openai/g": 12, "mistralai/m": 5}, other=3)
    # week 2 is incomplete (no Sunday): anthropic/c is back, absent from the complete week 1
    wh.week(week(2), {"qwen/q:free": 30, "openai/g": 12, "anthropic/c": 2}, other=3, skip=(6,))
    # mistralai/m is back after the incomplete week 2: whether it was ranked on its Sunday is unknown
    wh.week(week(3), {"qwen/q:free": 31, "openai/g": 13, "mistralai/m": 1}, other=3)
    wh.build()
    return wh


def by_key(wh):
    return {(r["week_start"], r["model_permaslug"]): r for r in wh.rows("SELECT * FROM weekly_model_usage")}


def test_first_week_sums_bounds_and_tie_break(built):
    rows = by_key(built)
    got = [
        (slug, rows[(week(0), slug)]["tokens"], rows[(week(0), slug)]["tokens_upper"],
         rows[(week(0), slug)]["days_in_top50"], rows[(week(0), slug)]["rank"])
        for slug in ("qwen/q:free", "openai/g", "qwen/q", "anthropic/c")
    ]
    # anthropic/c: absent two days whose floor is 10 and `other` 3, so at most 3 more each day
    assert got == [
        ("qwen/q:free", 140, 140, 7, 1),
        ("openai/g", 70, 70, 7, 2),  # ties with qwen/q at 70: the permaslug decides
        ("qwen/q", 70, 70, 7, 3),
        ("anthropic/c", 20, 26, 5, 4),
    ]
    assert rows[(week(0), "qwen/q:free")]["share"] == pytest.approx(140 / 321)
    assert all(rows[(week(0), s)]["prev_tokens"] is None and rows[(week(0), s)]["is_new"] is None
               for s in ("qwen/q:free", "anthropic/c"))


def test_free_and_paid_variants_are_separate_entries_of_one_author(built):
    rows = by_key(built)
    free, paid = rows[(week(1), "qwen/q:free")], rows[(week(1), "qwen/q")]
    assert (free["tokens"], paid["tokens"]) == (210, 70)
    assert (free["author"], paid["author"], free["country"], paid["country"]) == ("qwen", "qwen", "CN", "CN")
    assert (free["display_name"], paid["display_name"]) == ("Qwen Q (free)", "qwen/q")


def test_week_on_week_columns(built):
    rows = by_key(built)
    got = {
        slug: (r["tokens"], r["rank"], r["prev_tokens"], r["prev_rank"], r["rank_change"], r["is_new"])
        for (w, slug), r in rows.items() if w == week(1)
    }
    assert got == {
        "qwen/q:free": (210, 1, 140, 1, 0, False),
        "openai/g": (84, 2, 70, 2, 0, False),
        "qwen/q": (70, 3, 70, 3, 0, False),
        "mistralai/m": (35, 4, 0, None, None, True),
    }
    assert rows[(week(1), "openai/g")]["wow_growth"] == pytest.approx(0.2)
    assert rows[(week(1), "qwen/q")]["wow_growth"] == 0.0
    assert rows[(week(1), "mistralai/m")]["wow_growth"] is None
    assert rows[(week(1), "qwen/q:free")]["share"] == pytest.approx(0.5)


def test_incomplete_weeks_have_no_week_on_week_figures(built):
    rows = by_key(built)
    for key in [(week(2), "qwen/q:free"), (week(3), "qwen/q:free"), (week(3), "openai/g")]:
        r = rows[key]
        assert (r["prev_tokens"], r["wow_growth"], r["prev_rank"], r["rank_change"]) == (None,) * 4


def test_is_new_needs_only_the_previous_week_loaded(built):
    rows = by_key(built)
    is_new = {key: rows[key]["is_new"] for key in rows if key[0] != week(1)}
    assert is_new == {
        # the first week of data: nothing to compare with, so nothing is new
        (week(0), "qwen/q:free"): None, (week(0), "openai/g"): None, (week(0), "qwen/q"): None,
        (week(0), "anthropic/c"): None,
        # an incomplete week after a complete one: absent from that week means new
        (week(2), "qwen/q:free"): False, (week(2), "openai/g"): False, (week(2), "anthropic/c"): True,
        # a complete week after an incomplete one: ranked on one of its days means not new; absent is unknown
        (week(3), "qwen/q:free"): False, (week(3), "openai/g"): False, (week(3), "mistralai/m"): None,
    }


def test_matches_python_recomputation(built):
    ref = reference_weeks(built)
    rows = by_key(built)
    expected_keys = {(w, slug) for w, r in ref.items() for slug in r.models}
    assert set(rows) == expected_keys
    for (w, slug), r in rows.items():
        this = ref[w]
        prev = ref.get(w - dt.timedelta(weeks=1))
        comparable = this.complete and prev is not None and prev.complete
        if prev is not None and slug in prev.models:
            assert r["is_new"] is False
        else:
            assert r["is_new"] == (True if prev is not None and prev.complete else None)
        assert r["tokens"] == this.models[slug]
        assert r["tokens_upper"] == this.upper[slug]
        assert r["days_in_top50"] == sum(1 for d in this.days if (d, slug) in built.ranked)
        assert r["rank"] == this.ranking().index(slug) + 1
        assert r["share"] == pytest.approx(this.models[slug] / this.total)
        if comparable:
            assert r["prev_tokens"] == prev.models.get(slug, 0)
            assert r["prev_rank"] == (prev.ranking().index(slug) + 1 if slug in prev.models else None)
        else:
            assert (r["prev_tokens"], r["prev_rank"]) == (None, None)

"""Property tests over random published days: bounds hold, shares add up, streaks match brute force.

Each example draws a hidden "true" world (daily tokens for up to 14 models, some weeks with missing days
or missing altogether), publishes it the way OpenRouter does (top K per day plus an `other` row with
the rest), builds the derived tables and checks them against the hidden world and plain counting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.transforms.conftest import Warehouse, reference_weeks, week

AUTHORS = {"qwen": "CN", "xiaomi": "CN", "z-ai": "CN", "openai": "US", "anthropic": "US", "google": "US",
           "mistralai": "FR", "cohere": "CA"}
POOL = ["qwen/q1", "qwen/q1:free", "qwen/q2", "xiaomi/m", "z-ai/glm", "openai/g", "openai/g:free", "anthropic/c",
        "google/ge", "mistralai/mi", "cohere/co", "stealth/s", "stealth/t:free", "meta-llama/l"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""One test draws the worlds and checks every property on each (a world's build is the cost)."""


@st.composite
def worlds(draw) -> tuple[Warehouse, dict[tuple[dt.date, str], int]]:
    slugs = draw(st.lists(st.sampled_from(POOL), min_size=3, max_size=len(POOL), unique=True))
    top_k = draw(st.integers(2, 11))
    weeks = draw(st.lists(st.integers(0, 7), min_size=1, max_size=6, unique=True))
    rnd = draw(st.randoms(use_true_random=False))
    wh = Warehouse()
    for author, country in AUTHORS.items():
        wh.author(author, country)
    truth: dict[tuple[dt.date, str], int] = {}
    for k in sorted(weeks):
        missing = rnd.sample(range(7), rnd.choice([0, 0, 0, 1, 2]))
        for offset in set(range(7)) - set(missing):
            date = week(k) + dt.timedelta(days=offset)
            day = {slug: rnd.randint(1, 30) for slug in slugs}  # small range: ties are common
            truth.update({(date, slug): tokens for slug, tokens in day.items()})
            ranked = sorted(day, key=lambda s: (-day[s], s))[:top_k]
            rest = [s for s in day if s not in ranked]
            wh.day(date, {s: day[s] for s in ranked}, other=sum(day[s] for s in rest) if rest else None)
    wh.build("weekly_model_usage", "weekly_country_usage", "weekly_totals", "leadership_streaks", "growth_rates")
    return wh, truth


def country_of(slug: str) -> str:
    return AUTHORS.get(slug.split("/")[0], "unattributed")


@SETTINGS
@given(worlds())
def test_every_world_keeps_the_bounds_the_shares_and_the_streaks(world):
    bounds_contain_the_hidden_truth(world)
    shares_sum_to_one(world)
    streaks_equal_a_brute_force_count(world)


def bounds_contain_the_hidden_truth(world):
    wh, truth = world
    true_week: dict[tuple[dt.date, str], int] = defaultdict(int)
    for (date, slug), tokens in truth.items():
        true_week[(date - dt.timedelta(days=date.weekday()), slug)] += tokens
    for r in wh.rows("SELECT * FROM weekly_model_usage"):
        assert r["tokens"] <= true_week[(r["week_start"], r["model_permaslug"])] <= r["tokens_upper"]
    true_country: dict[tuple[dt.date, str], int] = defaultdict(int)
    for (w, slug), tokens in true_week.items():
        true_country[(w, country_of(slug))] += tokens
    for r in wh.rows("SELECT * FROM weekly_country_usage"):
        assert r["tokens"] <= r["tokens_upper"]
        if r["basis"] == "top50":
            assert true_country[(r["week_start"], r["country"])] <= r["tokens_upper"]


def shares_sum_to_one(world):
    wh, _ = world
    sums = wh.rows("SELECT week_start, basis, sum(share) AS total FROM weekly_country_usage GROUP BY ALL")
    assert sums and all(r["total"] == pytest.approx(1.0) for r in sums)
    others = {r["week_start"]: r["other_tokens"] / r["total_tokens"] for r in wh.rows(
        "SELECT * FROM weekly_totals WHERE total_tokens > 0")}
    for r in wh.rows("SELECT week_start, sum(share) AS total FROM weekly_model_usage GROUP BY ALL"):
        if r["week_start"] in others:
            assert r["total"] + others[r["week_start"]] == pytest.approx(1.0)


def streaks_equal_a_brute_force_count(world):
    wh, _ = world
    ref = reference_weeks(wh)

    def complete(w):
        return w in ref and ref[w].complete

    def leader(w):
        return ref[w].ranking()[0] if ref[w].models else None

    def country_tokens(w, country, basis):
        members = ref[w].ranking()[:9] if basis == "chart_top9" else ref[w].ranking()
        return sum(ref[w].models[s] for s in members if country_of(s) == country)

    def run(w, holds):
        n = 0
        while complete(w - dt.timedelta(weeks=n)) and holds(w - dt.timedelta(weeks=n)):
            n += 1
        return n

    model_rows = {r["week_start"]: r for r in wh.rows("SELECT * FROM leadership_streaks WHERE kind = 'model_top1'")}
    assert set(model_rows) == {w for w in ref if complete(w) and leader(w)}
    for w, r in model_rows.items():
        assert r["subject"] == leader(w)
        assert r["streak_weeks"] == run(w, lambda x: leader(x) == r["subject"])
        past = [x for x in model_rows if x <= w and model_rows[x]["subject"] == r["subject"]]
        assert r["longest_weeks"] == max(run(x, lambda y: leader(y) == r["subject"]) for x in past)
        assert 0 <= r["certain_weeks"] <= r["streak_weeks"]

    for r in wh.rows("SELECT * FROM leadership_streaks WHERE kind = 'country_vs' AND subject = 'CN' AND rival = 'US'"):
        w, basis = r["week_start"], r["basis"]
        ahead = lambda x: country_tokens(x, "CN", basis) > country_tokens(x, "US", basis)  # noqa: E731
        assert r["streak_weeks"] == run(w, ahead)
        assert r["streak_start"] == (w - dt.timedelta(weeks=r["streak_weeks"] - 1) if r["streak_weeks"] else None)

    totals = {r["week_start"]: r["rising_weeks"] for r in wh.rows(
        "SELECT * FROM growth_rates WHERE level = 'total'")}
    assert set(totals) == {w for w in ref if complete(w)}
    for w, rising in totals.items():
        assert rising == run(w, lambda x: complete(x - dt.timedelta(weeks=1))
                             and ref[x].total > ref[x - dt.timedelta(weeks=1)].total > 0)

"""weekly_author_usage: an author's models summed, ranked and compared week on week."""

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


def test_expected_literals(built):
    rows = built.rows("SELECT * FROM weekly_author_usage WHERE week_start = ? ORDER BY rank", [week(0)])
    assert [(r["author"], r["country"], r["tokens"], r["rank"]) for r in rows] == [
        ("qwen", "CN", 1330, 1),  # both variants
        ("xiaomi", "CN", 560, 2),
        ("openai", "US", 490, 3),
        ("anthropic", "US", 420, 4),  # ties with google: the author name decides
        ("google", "US", 420, 5),
        ("stealth", "unattributed", 350, 6),
        ("mistralai", "FR", 210, 7),
        ("cohere", "CA", 70, 8),
    ]
    assert rows[0]["share"] == pytest.approx(1330 / 3885)  # of the total, `other` included
    week1 = {r["author"]: r for r in built.rows("SELECT * FROM weekly_author_usage WHERE week_start = ?", [week(1)])}
    assert week1["qwen"]["wow_growth"] == pytest.approx(1400 / 1330 - 1)
    assert week1["stealth"]["country"] == "unattributed"  # a model override does not move its author
    assert "mistralai" not in week1


def test_matches_python_recomputation(built):
    ref = reference_weeks(built)
    countries = {"qwen": "CN", "xiaomi": "CN", "openai": "US", "anthropic": "US", "google": "US",
                 "mistralai": "FR", "cohere": "CA"}
    expected = {}
    for w, r in ref.items():
        authors = defaultdict(int)
        for slug, tokens in r.models.items():
            authors[slug.split("/")[0]] += tokens
        order = sorted(authors, key=lambda a: (-authors[a], a))
        prev = ref.get(w - dt.timedelta(weeks=1))
        for a, tokens in authors.items():
            prev_tokens = sum(t for s, t in prev.models.items() if s.split("/")[0] == a) if prev else 0
            growth = tokens / prev_tokens - 1 if prev and prev.complete and r.complete and prev_tokens else None
            expected[(w, a)] = (countries.get(a, "unattributed"), tokens, order.index(a) + 1, tokens / r.total, growth)
    rows = built.rows("SELECT * FROM weekly_author_usage")
    assert len(rows) == len(expected)
    for row in rows:
        country, tokens, rank, share, growth = expected[(row["week_start"], row["author"])]
        assert (row["country"], row["tokens"], row["rank"]) == (country, tokens, rank)
        assert row["share"] == pytest.approx(share)
        assert row["wow_growth"] == (pytest.approx(growth) if growth is not None else None)

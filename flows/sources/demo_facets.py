"""A synthetic, deterministic stand-in for rankings-daily filtered by a facet (exact daily figures for
`modality`/`context_bucket`, weekly estimates for `category`/`language_type` with `period=week`).

SYNTHETIC DEMO DATA: invented, not OpenRouter's. Each facet value takes a fixed, made-up fraction (seeded per
value and model, 1–60 %) of every model's daily tokens in `demo_dataset` and of its `other` row; Chinese
models get a larger fraction of tool-calling and programming traffic, so the report's facets section has a
story. Exact values are served per day (the top 50 re-ranked, plus `other`); sampled values per Monday–Sunday
week, dated by the Monday (tokenrank's documented reading of `period=week`), the top 50 per week plus `other`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from functools import cache

from flows.sources.demo_dataset import DEMO_AS_OF, DEMO_FIRST_DAY, DEMO_LAST_DAY, daily_rows
from transforms.datasets.facets import FACETS, SAMPLED

_SEED = "tokenrank-demo-facets-v1"
_TOP_N = 50
_FAVOURED = {"tool_calling", "programming"}
_CHINESE = ("qwen/", "xiaomi/", "stepfun/", "minimax/", "deepseek/", "z-ai/", "moonshotai/", "tencent/")


@cache
def _permille(value: str, slug: str) -> int:
    """The fraction (in 1/1000) of `slug`'s tokens that belong to facet `value`."""
    share = random.Random(f"{_SEED}:{value}:{slug}").randint(10, 400)
    if value in _FAVOURED and slug.startswith(_CHINESE):
        share += 120
    return share


def _ranked(day: str, tokens: Counter, other: int) -> list[dict]:
    """The API's rows of one date (or bucket): the top 50 by tokens (ties by slug), then `other`."""
    ranked = sorted(((slug, t) for slug, t in tokens.items() if t > 0), key=lambda item: (-item[1], item[0]))
    other += sum(t for _, t in ranked[_TOP_N:])
    rows = [{"date": day, "model_permaslug": slug, "total_tokens": str(t)} for slug, t in ranked[:_TOP_N]]
    return rows + ([{"date": day, "model_permaslug": "other", "total_tokens": str(other)}] if other else [])


@cache
def _daily() -> tuple[tuple[str, str, str, int], ...]:
    """`demo_dataset.daily_rows` as (date, its week's Monday, permaslug, tokens), parsed once."""
    mondays = {}
    for row in daily_rows():
        if row["date"] not in mondays:
            day = dt.date.fromisoformat(row["date"])
            mondays[row["date"]] = (day - dt.timedelta(days=day.weekday())).isoformat()
    return tuple((row["date"], mondays[row["date"]], row["model_permaslug"], int(row["total_tokens"]))
                 for row in daily_rows())


def facet_payload(query: dict[str, str]) -> dict:
    """The body answering a filtered rankings-daily query (one facet value), clamped to the demo's days."""
    facet = next(name for name in FACETS if query.get(name))
    value = query[facet]
    start, end = dt.date.fromisoformat(query["start_date"]), dt.date.fromisoformat(query["end_date"])
    first, last = max(start, DEMO_FIRST_DAY), min(end, DEMO_LAST_DAY)
    lo, hi = first.isoformat(), last.isoformat()
    weekly = facet in SAMPLED
    tokens: dict[str, Counter] = defaultdict(Counter)
    others: Counter = Counter()
    for day, monday, slug, total in _daily():
        if not lo <= day <= hi:
            continue
        key = monday if weekly else day
        share = total * _permille(value, slug) // 1000
        if slug == "other":
            others[key] += share
        else:
            tokens[key][slug] += share
    data = [row for key in sorted(set(tokens) | set(others)) for row in _ranked(key, tokens[key], others[key])]
    meta = {"as_of": DEMO_AS_OF, "start_date": lo if first <= last else query["start_date"],
            "end_date": hi if first <= last else query["end_date"], "version": "v1"}
    return {"data": data, "meta": meta}

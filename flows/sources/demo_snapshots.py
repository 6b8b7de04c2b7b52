"""Synthetic, deterministic stand-ins for the snapshot endpoints (session-cost, task classifications, benchmarks)
as they would have answered on any day of the demo, so the demo can replay a weekly capture.

SYNTHETIC DEMO DATA: every cost, share and score here is invented, not OpenRouter's (the harness names are those
of real apps; the models are the demo catalogue's). Benchmark citation lines say SYNTHETIC too.

- session-cost on day D: the snapshot of the 30-day window ending the Sunday before D's Monday (published that
  Monday, as reported for the live API); 5 harnesses × 4 turn ranges × the catalogue models released by then,
  each cost the model's price scaled by the session length with a weekly drift; paged by `limit`/`offset`.
- task classifications on day D: the 7 days ending D - 1; 4 macro categories and 8 tags whose shares drift
  week by week, 3 top models per tag.
- benchmarks on day D: per source, the catalogue models' scores, `meta.as_of` D 03:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from functools import lru_cache

from flows.sources.demo_dataset import models_payload

_SEED = "tokenrank-demo-snapshots-v1"
HARNESSES = (("claude-code", "Claude Code"), ("kilo-code", "Kilo Code"), ("cline", "Cline"),
             ("hermes-agent", "Hermes Agent"), ("codex", "Codex"))
TURN_RANGES = (("1-turn", 1), ("2-9-turns", 5), ("10-49-turns", 24), ("50-plus-turns", 80))
"""Turn range and the typical number of turns a session of it has (how costs scale)."""
TOKENS_PER_TURN = 12_000
MACROS = (("code", "Code"), ("agent", "Agent"), ("data", "Data"), ("general", "General"))
TAGS = (("code:general_impl", "General implementation", "code", 0.24), ("code:debugging", "Debugging", "code", 0.14),
        ("code:refactor", "Refactoring", "code", 0.08), ("agent:tool_use", "Tool use", "agent", 0.16),
        ("agent:browsing", "Browsing", "agent", 0.07), ("data:analysis", "Data analysis", "data", 0.12),
        ("data:extraction", "Extraction", "data", 0.07), ("general:chat", "Chat", "general", 0.12))
"""(tag, display name, macro category, base usage share); the bases sum to 1."""
SOURCES = ("artificial-analysis", "design-arena", "openrouter")
CITATIONS = {
    "artificial-analysis": "Source: SYNTHETIC demo data standing in for Artificial Analysis via OpenRouter.",
    "design-arena": "Source: SYNTHETIC demo data standing in for Design Arena via OpenRouter.",
    "openrouter": "Source: SYNTHETIC demo data standing in for OpenRouter's evals.",
}


CAPTURE_WEEKS = 8


def capture_days(last_day: dt.date) -> list[dt.date]:
    """The Mondays the demo replays a capture on: the `CAPTURE_WEEKS` ending the Monday after `last_day`."""
    monday = last_day + dt.timedelta(days=7 - last_day.weekday())
    return [monday - dt.timedelta(weeks=k) for k in reversed(range(CAPTURE_WEEKS))]


def _week(day: dt.date) -> int:
    return (day - dt.date(2025, 10, 6)).days // 7


def _models(day: dt.date) -> list[dict]:
    """The demo catalogue's models released by `day`, with their price (USD per token, prompt + completion)."""
    out = []
    for entry in models_payload()["data"]:
        released = dt.datetime.fromtimestamp(entry["created"], dt.UTC).date()
        price = Decimal(entry["pricing"]["prompt"]) + Decimal(entry["pricing"]["completion"])
        if released <= day and price > 0:
            out.append({"slug": entry["canonical_slug"], "price": float(price)})
    return sorted(out, key=lambda m: m["slug"])


@lru_cache(maxsize=None)  # the same for every week and page
def _cost_draws(app_slug: str, turns: str, model: str) -> tuple[float, float]:
    rng = random.Random(f"{_SEED}:{app_slug}:{turns}:{model}")
    return rng.uniform(0, 6), rng.uniform(-0.1, 0.1)


def session_cost_payload(day: dt.date, query: dict[str, str]) -> dict:
    """The session-cost body a request made on `day` gets (`query`: limit, offset, app_slug, model, turn_range)."""
    window_end = day - dt.timedelta(days=day.weekday() + 1)
    week = _week(window_end)
    rows, models = [], _models(window_end)[:32]
    for slug, name in HARNESSES:
        for turns, n in TURN_RANGES:
            for model in models:
                phase, noise = _cost_draws(slug, turns, model["slug"])
                drift = 1 + 0.08 * math.sin(week / 2 + phase) + noise
                cost = model["price"] / 2 * TOKENS_PER_TURN * n * (1 + n / 40) * drift
                rows.append({"app_slug": slug, "app_name": name, "turn_range": turns, "model_permaslug": model["slug"],
                             "median_session_cost_usd": round(cost, 6)})
    rows = [r for r in rows if query.get("app_slug") in (None, r["app_slug"])
            and query.get("model") in (None, r["model_permaslug"]) and query.get("turn_range") in (None, r["turn_range"])]
    offset, limit = int(query.get("offset") or 0), int(query.get("limit") or 100)
    meta = {"as_of": f"{window_end + dt.timedelta(days=1)}T05:00:00Z", "version": "v1", "window_days": 30,
            "window_end_date": window_end.isoformat()}
    return {"data": rows[offset:offset + limit], "meta": meta}


def _round_shares(weights: list[float]) -> list[float]:
    total = sum(weights)
    return [round(w / total, 4) for w in weights]


def tasks_payload(day: dt.date) -> dict:
    """The task-classifications body a request made on `day` gets (the 7 days ending `day` - 1)."""
    as_of = day - dt.timedelta(days=1)
    week = _week(as_of)
    weights = [base * (1 + 0.25 * math.sin(week / 3 + i)) for i, (_, _, _, base) in enumerate(TAGS)]
    usage = _round_shares(weights)
    tokens = _round_shares([w * (1.4 if tag.startswith("code") else 0.8) for w, (tag, *_) in zip(weights, TAGS)])
    macro_usage = {key: sum(u for u, t in zip(usage, TAGS) if t[2] == key) for key, _ in MACROS}
    macro_tokens = {key: sum(u for u, t in zip(tokens, TAGS) if t[2] == key) for key, _ in MACROS}
    models = [m["slug"] for m in _models(as_of)]
    classifications = []
    for i, (tag, display, macro, _) in enumerate(TAGS):
        rng = random.Random(f"{_SEED}:{tag}")
        picks = rng.sample(models[:12], 3)
        top = [0.3 + 0.1 * math.sin(week / 2 + i), 0.2, 0.12 + 0.05 * math.cos(week / 3 + i)]
        classifications.append({
            "tag": tag, "display_name": display, "macro_category": macro, "usage_share": usage[i],
            "token_share": tokens[i], "category_usage_share": round(usage[i] / macro_usage[macro], 4),
            "category_token_share": round(tokens[i] / macro_tokens[macro], 4),
            "models": [{"id": slug, "tag_usage_share": round(s, 4), "tag_token_share": round(s * 0.95, 4)}
                       for slug, s in sorted(zip(picks, top), key=lambda p: -p[1])]})
    classifications.sort(key=lambda c: (-c["usage_share"], c["tag"]))
    return {"data": {"window_days": 7, "as_of": as_of.isoformat(), "classifications": classifications,
                     "macro_categories": [{"key": key, "label": label, "usage_share": round(macro_usage[key], 4),
                                           "token_share": round(macro_tokens[key], 4)} for key, label in MACROS]}}


def benchmarks_payload(day: dt.date, query: dict[str, str]) -> dict:
    """The benchmarks body a request made on `day` gets (`query`: source)."""
    week = _week(day)
    items = []
    for model in _models(day)[:15]:
        rng = random.Random(f"{_SEED}:{model['slug']}")
        base = rng.uniform(40, 75) + 0.2 * week
        items += [
            {"source": "artificial-analysis", "model_permaslug": model["slug"], "intelligence_index": round(base, 1),
             "coding_index": round(base - 5, 1), "agentic_index": round(base - 9, 1)},
            {"source": "design-arena", "model_permaslug": model["slug"], "arena": "website",
             "elo": round(1000 + 6 * base), "category": "coding"},
            {"source": "openrouter", "model_permaslug": model["slug"], "benchmark_type": "gpqa_diamond",
             "accuracy": round(base / 100, 3), "total_tasks": 300},
        ]
    source = query.get("source")
    items = [i for i in items if source in (None, i["source"])]
    if source is None:
        for item in items:
            item["citation"] = CITATIONS[item["source"]]
    meta = {"as_of": f"{day}T03:00:00Z", "citation": CITATIONS.get(source), "model_count": len(items) // (1 if source else 3),
            "source": source, "source_url": None, "task_type": None, "version": "v1"}
    return {"data": items, "meta": meta}

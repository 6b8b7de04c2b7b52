"""A synthetic, deterministic stand-in for OpenRouter's app-rankings responses, for the demo's 26 weeks.

SYNTHETIC DEMO DATA: the apps' figures are invented, not OpenRouter's (a few names are those of real apps, the
rest are made up). They cover the Monday–Sunday weeks 2025-10-06 .. 2026-04-05, like `demo_dataset`.

Each app has a launch week, a weekly token curve (billions at week 0, a weekly growth factor, ±6 % noise), a
tokens-per-request ratio and one or more subcategories (its categories follow). The lists are computed as the
API documents them: popular = tokens in the week, descending; trending = the week's tokens minus the mean of
the three weeks before, apps without excess growth left out; a category or subcategory filter keeps the apps
in it and renumbers ranks 1..N; `limit`/`offset` page the list (ranks stay absolute). Ties break by app_id.
One app is renamed mid-way ("Z Code" → "ZCode") and three apps are named "pi", as in real data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache

from flows.sources.demo_dataset import DEMO_AS_OF, DEMO_FIRST_DAY
from transforms.datasets.app_rankings import ALL, CATEGORIES, PARENT, scope_of

_SEED = "tokenrank-demo-apps-v1"
_WEEKS = 26
_HISTORY = 3
"""Weeks before the first demo week that exist only so the first weeks have a trending list."""


@dataclass(frozen=True)
class _App:
    app_id: int
    name: str
    subcategories: tuple[str, ...]
    billions: float
    """Weekly tokens at week 0 (or at launch), in billions."""
    growth: float
    """Weekly growth factor."""
    tokens_per_request: int
    launched: int = -_HISTORY
    renamed: tuple[int, str] | None = None
    """(week, new name): the name from that week on."""

    def name_in(self, week: int) -> str:
        return self.renamed[1] if self.renamed and week >= self.renamed[0] else self.name

    def categories(self) -> set[str]:
        return {PARENT[s] for s in self.subcategories}


_NAMED = (
    _App(190604, "Cline", ("ide-extension", "cli-agent"), 2600, 1.012, 60_000),
    _App(2262242, "Kilo Code", ("ide-extension", "cli-agent"), 1500, 1.045, 62_000),
    _App(2627404, "Claude Code", ("cli-agent",), 600, 1.09, 95_000, launched=4),
    _App(2745110, "Roo Code", ("ide-extension",), 1300, 1.004, 58_000),
    _App(3067167, "Hermes Agent", ("personal-agent", "cli-agent"), 350, 1.13, 97_000, launched=9),
    _App(2725608, "OpenClaw", ("personal-agent",), 700, 1.03, 74_000),
    _App(143418, "Aider", ("cli-agent",), 250, 0.985, 30_000),
    _App(3909382, "Command Code", ("cli-agent", "personal-agent"), 180, 1.07, 101_000, launched=6),
    _App(1000101, "SillyTavern", ("roleplay",), 1200, 1.01, 9_000),
    _App(1000102, "Janitor AI", ("roleplay", "game"), 900, 1.015, 7_500),
    _App(1000103, "Chub Venus", ("roleplay",), 420, 0.995, 8_000),
    _App(1000104, "NovelCrafter", ("creative-writing",), 260, 1.02, 12_000),
    _App(1000105, "Story Forge", ("creative-writing", "game"), 140, 1.05, 10_000, launched=8),
    _App(1000106, "Pixel Muse", ("image-gen",), 90, 1.03, 3_000),
    _App(1000107, "Reel Maker", ("video-gen",), 60, 1.06, 4_000, launched=5),
    _App(1000108, "Tone Studio", ("audio-gen",), 40, 1.02, 3_500),
    _App(1000109, "Draft Desk", ("writing-assistant",), 210, 1.0, 6_000),
    _App(1000110, "Open WebUI", ("general-chat",), 520, 1.01, 11_000),
    _App(1000111, "LibreChat", ("general-chat",), 330, 1.005, 10_500),
    _App(1000112, "Brief Counsel", ("legal",), 45, 1.04, 14_000),
    _App(1000113, "CodeGPT", ("cloud-agent", "ide-extension"), 240, 1.02, 40_000),
    _App(1000114, "Letta", ("cloud-agent", "personal-agent"), 150, 1.03, 80_000),
    _App(1000115, "Z Code", ("cli-agent",), 120, 1.06, 70_000, launched=2, renamed=(18, "ZCode")),
    _App(1000116, "Bolt Builder", ("native-app-builder", "programming-app"), 170, 1.04, 45_000),
    _App(2526753, "pi", ("cli-agent",), 70, 1.02, 50_000),
    _App(2853275, "pi", ("personal-agent",), 55, 1.03, 40_000),
    _App(3282295, "pi", ("general-chat",), 35, 1.01, 20_000, launched=12),
)

_ADJECTIVES = ("Amber", "Brisk", "Cobalt", "Deft", "Ember", "Fable", "Granite", "Harbor", "Indigo", "Juniper",
               "Kestrel", "Lumen", "Maple", "Nimbus", "Onyx", "Pilot", "Quartz", "Rook")
_NOUNS = ("Agent", "Coder", "Studio", "Desk", "Works", "Lab", "Pilot")


@lru_cache(maxsize=1)
def apps() -> tuple[_App, ...]:
    """The named apps plus a generated long tail (coding-heavy, so the coding list reaches a second page)."""
    rng = random.Random(f"{_SEED}:tail")
    subcategories = [s for subs in CATEGORIES.values() for s in subs]
    weights = [9 if PARENT[s] == "coding" else 2 for s in subcategories]
    tail = []
    for i in range(140):
        first = rng.choices(subcategories, weights)[0]
        extra = (rng.choice(CATEGORIES[PARENT[first]]),) if rng.random() < 0.3 else ()
        tail.append(_App(
            app_id=4_000_000 + 137 * i,
            name=f"{_ADJECTIVES[i % len(_ADJECTIVES)]} {_NOUNS[i % len(_NOUNS)]}",
            subcategories=tuple(dict.fromkeys((first, *extra))),
            billions=round(rng.uniform(0.5, 40.0), 2),
            growth=round(rng.uniform(0.96, 1.06), 3),
            tokens_per_request=rng.randint(2_000, 90_000),
            launched=rng.choice([-_HISTORY] * 4 + list(range(0, _WEEKS, 3))),
        ))
    return _NAMED + tuple(tail)


def _week_index(start: dt.date) -> int | None:
    offset = (start - DEMO_FIRST_DAY).days
    return offset // 7 if offset % 7 == 0 and -_HISTORY * 7 <= offset < _WEEKS * 7 else None


@lru_cache(maxsize=None)
def tokens(app_id: int, week: int) -> int:
    """An app's tokens in demo week `week` (0 = the week of 2025-10-06); 0 before its launch."""
    app = next(a for a in apps() if a.app_id == app_id)
    if week < app.launched:
        return 0
    noise = random.Random(f"{_SEED}:{app_id}:{week}").uniform(-0.06, 0.06)
    return round(app.billions * 1e9 * app.growth ** (week - max(app.launched, 0)) * (1 + noise))


def _in_scope(app: _App, category: str, subcategory: str) -> bool:
    if subcategory != ALL:
        return subcategory in app.subcategories
    return category == ALL or category in app.categories()


def ranked(week: int, sort: str, category: str, subcategory: str) -> list[tuple[_App, int]]:
    """The whole list (before paging): (app, tokens that week), in rank order."""
    members = [a for a in apps() if _in_scope(a, category, subcategory) and tokens(a.app_id, week) > 0]
    if sort == "popular":
        return sorted(((a, tokens(a.app_id, week)) for a in members), key=lambda x: (-x[1], x[0].app_id))
    excess = {a.app_id: 3 * tokens(a.app_id, week) - sum(tokens(a.app_id, week - k) for k in (1, 2, 3))
              for a in members}
    return sorted(((a, tokens(a.app_id, week)) for a in members if excess[a.app_id] > 0),
                  key=lambda x: (-excess[x[0].app_id], x[0].app_id))


def app_rankings_payload(params: dict[str, str]) -> dict:
    """The app-rankings body for one query (`start_date`, `end_date`, `sort`, `category`, `subcategory`, `limit`,
    `offset`); a window that is not one of the demo's weeks has no rows."""
    start, end = params["start_date"], params["end_date"]
    week = _week_index(dt.date.fromisoformat(start))
    offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 50)
    data = []
    if week is not None and week >= 0 and dt.date.fromisoformat(end) == dt.date.fromisoformat(start) + dt.timedelta(days=6):
        category, subcategory = scope_of(params)
        listed = ranked(week, params.get("sort") or "popular", category, subcategory)
        for rank, (app, app_tokens) in enumerate(listed[offset:offset + limit], start=offset + 1):
            data.append({"rank": rank, "app_id": app.app_id, "app_name": app.name_in(week),
                         "total_tokens": str(app_tokens), "total_requests": app_tokens // app.tokens_per_request})
    return {"data": data, "meta": {"as_of": DEMO_AS_OF, "start_date": start, "end_date": end, "version": "v1"}}

"""Pick a source by name: configuration chooses live or recorded data, the flows never care which."""

from __future__ import annotations

from flows.sources.base import RankingsSource

SOURCES = ("openrouter", "demo")


def make_limiter(name: str):
    """The account's request limiter for source `name` (`warehouse.request_budget.request_limiter`), or None for a
    source that makes no Data API request."""
    if name == "openrouter":
        from warehouse.request_budget import request_limiter

        return request_limiter()
    return None


def make_source(name: str, limiter=None) -> RankingsSource:
    """The source `name`; `limiter`: the account's limiter to share with other sources of the same run (default: a
    new one, `make_limiter`)."""
    if name == "openrouter":
        from flows.sources.openrouter import OpenRouterClient

        return OpenRouterClient.from_env(limiter=limiter if limiter is not None else make_limiter(name))
    if name == "demo":
        from flows.sources.demo import DemoSource

        return DemoSource()
    raise ValueError(f"unknown source {name!r}: choose one of {', '.join(SOURCES)}")

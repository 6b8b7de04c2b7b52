"""Pick a source by name: configuration chooses live or recorded data, the flows never care which."""

from __future__ import annotations

from flows.sources.base import RankingsSource

SOURCES = ("openrouter", "demo")


def make_source(name: str) -> RankingsSource:
    if name == "openrouter":
        from flows.sources.openrouter import OpenRouterClient

        from warehouse.request_budget import request_limiter

        return OpenRouterClient.from_env(limiter=request_limiter())
    if name == "demo":
        from flows.sources.demo import DemoSource

        return DemoSource()
    raise ValueError(f"unknown source {name!r}: choose one of {', '.join(SOURCES)}")

"""The one interface every rankings source implements (live client or synthetic demo)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from transforms.datasets.base import Request
from transforms.responses import FetchedResponse
from transforms.windows import Window


class RankingsSource(Protocol):
    """What the flows need from a source. Implementations: `openrouter.OpenRouterClient`, `demo.DemoSource`."""

    name: str
    """Recorded in the ingest log and on reports: 'openrouter' or 'demo (synthetic)'."""
    synthetic: bool

    def last_complete_day(self) -> dt.date:
        """The most recent UTC day the source has finished publishing."""

    def fetch(self, request: Request) -> FetchedResponse:
        """GET one planned Data API request (any dataset); raises `SourceError` when it cannot."""

    def fetch_rankings(self, window: Window) -> FetchedResponse:
        """GET rankings-daily for one window; raises `SourceError` when it cannot."""

    def fetch_models(self) -> FetchedResponse:
        """GET the model catalogue; raises `SourceError` when it cannot."""


class SourceError(RuntimeError):
    """A request that failed for good; the message is one line, names what failed and never holds the key."""

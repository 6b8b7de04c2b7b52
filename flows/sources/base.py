"""The one interface every rankings source implements, and the request-window plan they share.

A source returns response bodies *verbatim* (bytes): validation happens downstream in
`transforms.contract`, so a malformed 200 is archived and quarantined rather than lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

DATASET_FLOOR = dt.date(2025, 1, 1)
"""First day of OpenRouter's rankings-daily dataset; earlier start dates are clamped forward."""

RANKINGS_ENDPOINT = "rankings-daily"
MODELS_ENDPOINT = "models"


@dataclass(frozen=True)
class Window:
    """An inclusive range of UTC dates requested in one call."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class FetchedResponse:
    """One HTTP response body as received, plus what is needed to archive it.

    `params` never holds credentials; `fetched_at` is naive UTC. `redacted` says the source replaced the API key,
    echoed by the server, in `body`; `original_sha256` is then the sha256 of the body as received.
    """

    endpoint: str
    params: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    status: int = 200
    content_type: str = "application/json"
    window: Window | None = field(default=None, compare=False)
    redacted: bool = False
    original_sha256: str | None = None


def utc_now() -> dt.datetime:
    """Now, as the naive UTC datetime used for every timestamp tokenrank records."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class RankingsSource(Protocol):
    """What the flows need from a source. Implementations: `openrouter.OpenRouterClient`, `demo.DemoSource`."""

    name: str
    """Recorded in the ingest log and on reports: 'openrouter' or 'demo (synthetic)'."""
    synthetic: bool

    def last_complete_day(self) -> dt.date:
        """The most recent UTC day the source has finished publishing."""

    def fetch_rankings(self, window: Window) -> FetchedResponse:
        """GET rankings-daily for one window; raises `SourceError` when it cannot."""

    def fetch_models(self) -> FetchedResponse:
        """GET the model catalogue; raises `SourceError` when it cannot."""


class SourceError(RuntimeError):
    """A request that failed for good; the message is one line, names what failed and never holds the key."""


def plan_windows(
    start: dt.date | None,
    end: dt.date | None,
    *,
    last_complete_day: dt.date,
    window_days: int = 30,
) -> list[Window]:
    """Split [start, end] into consecutive request windows of at most `window_days` days.

    `end` defaults to, and is clamped to, `last_complete_day`; `start` defaults to 30 days before
    `end` and is clamped forward to `DATASET_FLOOR`. An empty range gives no windows.
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    end = min(end or last_complete_day, last_complete_day)
    start = max(start or end - dt.timedelta(days=30), DATASET_FLOOR)
    windows: list[Window] = []
    cursor = start
    while cursor <= end:
        stop = min(cursor + dt.timedelta(days=window_days - 1), end)
        windows.append(Window(cursor, stop))
        cursor = stop + dt.timedelta(days=1)
    return windows


"""The demo source: serves the synthetic datasets of `demo_dataset` (rankings-daily, /models), `demo_apps`
(app-rankings), `demo_facets` (the facet datasets) and `demo_snapshots` (session-cost, task classifications,
benchmarks, as on the source's `today`: `on(day)` replays another day) through the `RankingsSource` interface.

No HTTP at all. Bodies are JSON bytes shaped exactly like the live API's, so they travel the same
archive -> contract -> lake path as live responses; `synthetic = True` marks everything built from them.
"""

from __future__ import annotations

import datetime as dt

import orjson

from flows.sources.demo_apps import app_rankings_payload
from flows.sources.demo_dataset import DEMO_LAST_DAY, models_payload, rankings_payload
from flows.sources.demo_facets import facet_payload
from transforms.datasets import rankings_estimates, rankings_facets
from flows.sources.demo_snapshots import benchmarks_payload, session_cost_payload, tasks_payload
from transforms.datasets.base import Request
from transforms.datasets.rankings_daily import request as rankings_request
from transforms.responses import APPS_ENDPOINT, MODELS_ENDPOINT, RANKINGS_ENDPOINT, FetchedResponse
from transforms.windows import Window, utc_now


FACET_ENDPOINTS = (rankings_facets.ENDPOINT, rankings_estimates.ENDPOINT)


def _json_bytes(payload: dict) -> bytes:
    return orjson.dumps(payload)  # compact JSON, as json.dumps with (",", ":") gives, in a fifth of the time


class DemoSource:
    """A `RankingsSource` over synthetic data for 2025-10-06 .. 2026-04-05 (see `demo_dataset`, `demo_apps`)."""

    name = "demo (synthetic)"
    synthetic = True

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today or DEMO_LAST_DAY + dt.timedelta(days=1)
        """The day the snapshot endpoints answer as of."""

    def on(self, day: dt.date) -> "DemoSource":
        """The same source answering the snapshot endpoints as they would have on `day`."""
        return DemoSource(day)

    def last_complete_day(self) -> dt.date:
        return DEMO_LAST_DAY

    def fetch(self, request: Request) -> FetchedResponse:
        if request.endpoint == RANKINGS_ENDPOINT:
            body = rankings_payload(request.window.start, request.window.end)
        elif request.endpoint == APPS_ENDPOINT:
            body = app_rankings_payload(request.query)
        elif request.endpoint in FACET_ENDPOINTS:
            body = facet_payload(request.query)
        elif request.endpoint == "session-cost":
            body = session_cost_payload(self.today, request.query)
        elif request.endpoint == "task-classifications":
            body = tasks_payload(self.today)
        elif request.endpoint == "benchmarks":
            body = benchmarks_payload(self.today, request.query)
        else:
            raise ValueError(f"the demo has no {request.endpoint} data")
        return FetchedResponse(endpoint=request.endpoint, params=request.query, body=_json_bytes(body),
                               fetched_at=utc_now(), window=request.window)

    def fetch_rankings(self, window: Window) -> FetchedResponse:
        return self.fetch(rankings_request(window))

    def fetch_models(self) -> FetchedResponse:
        return FetchedResponse(
            endpoint=MODELS_ENDPOINT, params={}, body=_json_bytes(models_payload()), fetched_at=utc_now()
        )

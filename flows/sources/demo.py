"""The demo source: serves the synthetic dataset of `demo_dataset` through the `RankingsSource` interface.

No HTTP at all. Bodies are JSON bytes shaped exactly like the live API's, so they travel the same
archive -> contract -> lake path as live responses; `synthetic = True` marks everything built from them.
"""

from __future__ import annotations

import datetime as dt
import json

from transforms.responses import MODELS_ENDPOINT, RANKINGS_ENDPOINT, FetchedResponse

from transforms.windows import Window, utc_now
from flows.sources.demo_dataset import DEMO_LAST_DAY, models_payload, rankings_payload


def _json_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


class DemoSource:
    """A `RankingsSource` over synthetic data for 2025-10-06 .. 2026-04-05 (see `demo_dataset`)."""

    name = "demo (synthetic)"
    synthetic = True

    def last_complete_day(self) -> dt.date:
        return DEMO_LAST_DAY

    def fetch_rankings(self, window: Window) -> FetchedResponse:
        return FetchedResponse(
            endpoint=RANKINGS_ENDPOINT,
            params={"start_date": window.start.isoformat(), "end_date": window.end.isoformat()},
            body=_json_bytes(rankings_payload(window.start, window.end)),
            fetched_at=utc_now(),
            window=window,
        )

    def fetch_models(self) -> FetchedResponse:
        return FetchedResponse(
            endpoint=MODELS_ENDPOINT, params={}, body=_json_bytes(models_payload()), fetched_at=utc_now()
        )

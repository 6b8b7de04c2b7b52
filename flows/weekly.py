"""The weekly flow: re-fetch the last `lookback_days` days so restatements are caught, then load and derive."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from prefect import flow

from flows.ingest import ingest_windows, new_run
from flows.notify import notify_failure
from flows.secrets import use_secret_block_for_api_key
from flows.sources.base import plan_windows
from flows.sources.registry import make_source
from flows.tasks import publish_report
from warehouse.paths import Home


@flow(name="weekly-rankings", on_failure=[notify_failure], on_crashed=[notify_failure])
def weekly_rankings(
    source: str = "openrouter", end_date: dt.date | None = None, lookback_days: int = 14, window_days: int = 30
) -> dict:
    """Fetch rankings-daily for the `lookback_days` days ending `end_date` (default: the last complete UTC day),
    in requests of at most `window_days` days; load, derive, and write the latest complete week's report."""
    if lookback_days < 1:
        raise ValueError("lookback_days must be at least 1")
    if source == "openrouter":
        use_secret_block_for_api_key()
    src = make_source(source)
    end = end_date or src.last_complete_day()
    windows = plan_windows(end - dt.timedelta(days=lookback_days - 1), end,
                           last_complete_day=src.last_complete_day(), window_days=window_days)
    home = Home.from_env()
    summary = asdict(ingest_windows(home, src, windows, new_run("weekly", src, windows)))
    summary["report"] = publish_report(home)
    return summary

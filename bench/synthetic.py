"""SYNTHETIC rankings-daily history for the benchmarks: API-shaped rows, and homes built from them quickly.

Nothing here is OpenRouter data. A pool of 150 models from 12 makers (11 mapped to a country, one not) whose
daily tokens drift, so the top 50 changes from day to day; each day is the top 50 plus the `other` row, in
contract order. Rows are a pure function of the date, so the fake API serving recent days and a home built
with older days agree on every day they share (a re-fetch of a held day is unchanged).
"""

from __future__ import annotations

import datetime as dt
import json
import math

from transforms.responses import RANKINGS_ENDPOINT, FetchedResponse
from transforms.windows import MAX_WINDOW_DAYS, Window

AS_OF = "2026-01-01T02:00:00Z"
"""meta.as_of of every synthetic body (and of what the fake API serves in the benchmarks)."""

MAKERS = ["qwen", "deepseek", "xiaomi", "minimax", "z-ai", "openai", "anthropic", "google", "x-ai", "meta-llama",
          "mistralai", "stealth-lab"]  # the last has no country: its models are unattributed
MODELS = [f"{MAKERS[i % 12]}/model-{i}" + (":free" if i % 5 == 0 else "") for i in range(150)]
FETCHED_AT = dt.datetime(2026, 1, 1, 3)


def day_rows(day: dt.date) -> list[dict]:
    """One day in API form: the 50 largest models (tokens desc, ties by slug), then `other`."""
    d = day.toordinal()
    tokens = sorted(((int(1e9 * (1 + 200 * abs(math.sin(i * 7.1 + d / (20.0 + i % 13))))), slug)
                     for i, slug in enumerate(MODELS)), key=lambda t: (-t[0], t[1]))
    iso = day.isoformat()
    rows = [{"date": iso, "model_permaslug": slug, "total_tokens": str(t)} for t, slug in tokens[:50]]
    rows.append({"date": iso, "model_permaslug": "other", "total_tokens": str(sum(t for t, _ in tokens[50:]))})
    return rows


def rows(first: dt.date, last: dt.date) -> list[dict]:
    return [row for k in range((last - first).days + 1) for row in day_rows(first + dt.timedelta(days=k))]


def responses(first: dt.date, last: dt.date) -> list[FetchedResponse]:
    """rankings-daily responses covering [first, last] in windows of 366 days, as the API would answer them."""
    out = []
    start = first
    while start <= last:
        end = min(start + dt.timedelta(days=MAX_WINDOW_DAYS - 1), last)
        meta = {"as_of": AS_OF, "start_date": start.isoformat(), "end_date": end.isoformat(), "version": "v1"}
        body = json.dumps({"data": rows(start, end), "meta": meta}).encode()
        params = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        out.append(FetchedResponse(RANKINGS_ENDPOINT, params, body, FETCHED_AT + dt.timedelta(seconds=len(out)),
                                   window=Window(start, end)))
        start = end + dt.timedelta(days=1)
    return out


def build_home(home, first: dt.date, last: dt.date, *, source: str = "openrouter", site: bool = False) -> None:
    """Load [first, last] into `home` the way a backfill does (archive → validate → one write session), in one
    run, without HTTP: the raw archive, lake, warehouse and published copy a real backfill would leave; with
    `site`, the static site a weekly run keeps too."""
    from warehouse import ingest, published, session
    from warehouse.site_store import build_site
    from warehouse.runs import RunStats

    run = RunStats(f"bench-{first}-{last}", "backfill", source, first, last)
    raws = [ingest.archive_response(home, response, run.run_id) for response in responses(first, last)]
    tables = [ingest.normalize_archived(home, raw) for raw in raws]
    run.raw_files = [raw.file_id for raw in raws]
    session.commit_run(home, run, tables=tables, raws=raws)
    if site:
        con = published.connect_read_only(home)
        try:
            build_site(con, home.site)
        finally:
            con.close()

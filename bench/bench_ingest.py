"""How long each ingestion step takes for two years of daily rankings, end to end on disk.

Builds API-shaped bodies (30-day windows, 51 rows a day, realistic magnitudes) in memory, then times, into a
fresh temporary TOKENRANK_HOME: archive (gzip + manifest), normalize (contract validation → Arrow), lake
(one Parquet file per date), load (one transaction: fact rows, dims, every derived table), a no-change rerun,
and rebuild from the raw archive. Prints one table; nothing is asserted.

Run: .venv/bin/python bench/bench_ingest.py [--days 730]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from transforms.datasets.base import plan_range
from transforms.responses import RANKINGS_ENDPOINT, FetchedResponse
from warehouse import ingest
from warehouse.lake import Lake
from warehouse.paths import Home
from warehouse.rebuild import rebuild
from warehouse.runs import RunStats
from warehouse.session import commit_run

AUTHORS = ["qwen", "deepseek", "xiaomi", "minimax", "z-ai", "openai", "anthropic", "google", "x-ai", "mistralai"]


def bodies(days: int) -> list[FetchedResponse]:
    rng = random.Random(7)
    models = [f"{AUTHORS[i % len(AUTHORS)]}/model-{i}" + (":free" if i % 7 == 0 else "") for i in range(80)]
    first = dt.date(2025, 1, 1)
    last = first + dt.timedelta(days=days - 1)
    out = []
    for window in plan_range(first, last, last_complete_day=last, window_days=30).windows:
        rows = []
        for day in window.dates():
            tokens = sorted(((rng.randint(10**9, 2 * 10**12), slug) for slug in models), key=lambda t: (-t[0], t[1]))
            rows += [{"date": day.isoformat(), "model_permaslug": s, "total_tokens": str(t)} for t, s in tokens[:50]]
            rows.append({"date": day.isoformat(), "model_permaslug": "other", "total_tokens": str(sum(t for t, _ in tokens[50:]))})
        meta = {"as_of": "2027-01-01T02:00:00Z", "start_date": str(window.start), "end_date": str(window.end), "version": "v1"}
        out.append(FetchedResponse(RANKINGS_ENDPOINT, {"start_date": str(window.start), "end_date": str(window.end)},
                                   json.dumps({"data": rows, "meta": meta}).encode(), dt.datetime(2027, 1, 1, 3), window=window))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    days = parser.parse_args().days
    responses = bodies(days)
    timings: list[tuple[str, str, float]] = []

    def timed(label: str, detail: str, fn):
        start = time.perf_counter()
        result = fn()
        timings.append((label, detail, time.perf_counter() - start))
        return result

    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp))
        source = "bench (synthetic)"
        raws = timed("archive", f"{len(responses)} bodies", lambda: [ingest.archive_response(home, r, "bench-1") for r in responses])
        tables = timed("normalize", f"{days * 51:,} rows", lambda: [ingest.normalize_archived(home, raw) for raw in raws])
        timed("lake", f"{days} partitions", lambda: Lake(home).write(tables))
        timed("load + derive", "one transaction + publish", lambda: commit_run(home, RunStats("bench-1", "backfill", source), raws=raws))
        timed("lake, unchanged rerun", f"{days} partitions compared", lambda: Lake(home).write(tables))
        timed("load, unchanged rerun", "nothing to reload", lambda: commit_run(home, RunStats("bench-2", "backfill", source), raws=raws))
        timed("rebuild", "from raw/ alone", lambda: rebuild(home))

    width = max(len(label) for label, _, _ in timings)
    print(f"ingestion of {days} days x 51 rows ({days * 51:,} rows), one run of each step\n")
    print(f"{'step':<{width}}  {'what':<26} {'seconds':>8}")
    print(f"{'-' * width}  {'-' * 26} {'-' * 8}")
    for label, detail, seconds in timings:
        print(f"{label:<{width}}  {detail:<26} {seconds:>8.3f}")


if __name__ == "__main__":
    main()

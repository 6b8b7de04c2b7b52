"""Throughput of N machines backfilling N disjoint ranges of one store home through one Prefect server.

Starts on loopback a Prefect server (SQLite; `--postgres` for PostgreSQL), an S3 endpoint (moto) and the fake
OpenRouter with its real limits (30 requests a minute), then for N = 1, 2, 4 runs N `tokenrank backfill`
processes at once, each in its own working folder, over N disjoint ranges of `--days` days fetched one day per
request. Each N gets a fresh bucket and API key. The shared request log keeps every N to 30 requests a
minute, so past the first 30 requests the N machines share the API's pace rather than multiply it; prints one
table (nothing is asserted).

Run: .venv/bin/python bench/multi.py [--days 40] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import FAKE_TODAY  # noqa: E402
from tests.fake_openrouter import FakeOpenRouter, synthetic_rows  # noqa: E402
from tests.s3_server import new_bucket, s3_server  # noqa: E402
from tests.servers import postgres_server, prefect_server  # noqa: E402


def ranges(first: dt.date, days: int, n: int) -> list[tuple[dt.date, dt.date]]:
    bounds = [first + dt.timedelta(days=days * i // n) for i in range(n + 1)]
    return [(bounds[i], bounds[i + 1] - dt.timedelta(days=1)) for i in range(n)]


def run(n: int, days: int, env: dict, s3_env: dict, root: Path) -> tuple[float, int]:
    first = FAKE_TODAY - dt.timedelta(days=days)
    key = f"sk-or-v1-bench-{os.urandom(8).hex()}"
    with FakeOpenRouter(synthetic_rows(first, days=days), today=FAKE_TODAY, key=key) as api:
        url = new_bucket(s3_env)
        started = time.monotonic()
        procs = []
        for i, (start, end) in enumerate(ranges(first, days, n)):
            folder = root / f"n{n}-{i}"
            folder.mkdir(parents=True)
            procs.append(subprocess.Popen(
                [str(Path(sys.executable).with_name("tokenrank")), "backfill", "--start", start.isoformat(),
                 "--end", end.isoformat(), "--window-days", "1"], cwd=folder, stdout=subprocess.DEVNULL,
                stderr=open(folder / "stderr.log", "wb"),
                env={**env, **s3_env, "TOKENRANK_HOME": url, "TOKENRANK_CACHE": str(folder / "cache"),
                     "OPENROUTER_BASE_URL": api.url, "OPENROUTER_API_KEY": key, "TOKENRANK_WRITER_LOCK_TIMEOUT": "1800"}))
        codes = [p.wait() for p in procs]
        elapsed = time.monotonic() - started
        if any(codes):
            raise SystemExit(f"N={n}: a backfill failed ({codes}); see {root}/n{n}-*/stderr.log")
        return elapsed, len(api.rankings_requests())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="tokenrank-bench-multi-"))
    with contextlib.ExitStack() as stack:
        database = (stack.enter_context(postgres_server()) if args.postgres
                    else f"sqlite+aiosqlite:///{root / 'prefect.db'}")
        prefect_env = stack.enter_context(prefect_server(database, root / "prefect"))
        s3_env = stack.enter_context(s3_server())
        env = {**os.environ, **prefect_env}
        print(f"{'N':>3} {'days':>5} {'requests':>9} {'seconds':>8} {'requests/min':>13}")
        for n in (1, 2, 4):
            elapsed, requests = run(n, args.days, env, s3_env, root)
            print(f"{n:>3} {args.days:>5} {requests:>9} {elapsed:>8.1f} {60 * requests / elapsed:>13.1f}")


if __name__ == "__main__":
    main()

"""The floor of one benchmark row: the work a `tokenrank` command does, by the same functions, in one fresh
process with no CLI and no orchestration.

Prints one JSON object: `imports` (seconds to import what the work needs), `work` (seconds of the work itself,
imports done: the warm cost) and `paced` (seconds the API client waited for the request pacing).

Run by bench/speed.py: .venv/bin/python bench/floor.py OP HOME [ARG...]
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import datetime as dt  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


class PacingLog(logging.Handler):
    """Sums the `paced` seconds the API client logs for every request it sends."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.paced = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("GET ") and record.args:
            self.paced += float(record.args[-1])


def main() -> None:
    op, root, *args = sys.argv[1:]
    pacing = PacingLog()
    source_log = logging.getLogger("tokenrank.source")
    source_log.setLevel(logging.INFO)
    source_log.propagate = False
    source_log.addHandler(pacing)

    from warehouse.paths import Home

    if op in ("run", "weekly", "backfill", "demo"):
        from flows import pipeline
        from warehouse import report_store  # noqa: F401  (write_report imports it: count it with the imports)
    elif op == "query":
        from warehouse.query import run_query
    elif op == "status":
        from warehouse.status import read_status
    elif op == "report":
        from warehouse.published import connect_read_only
        from warehouse.report_store import latest_complete_week, write_report
    elif op == "rebuild":
        from warehouse.session import rebuild_home
    elif op == "site":
        from flows import pipeline
    else:
        raise SystemExit(f"unknown op {op!r}")
    home = Home(Path(root).resolve())
    imported = time.perf_counter()

    if op == "run":  # what `tokenrank run` does: every dataset's weekly run, the report, the site
        pipeline.weekly_all("openrouter", home=home)
        pipeline.write_report(home)
        pipeline.write_site(home)
    elif op == "weekly":  # `run` without the site: every dataset's weekly run and the report
        pipeline.weekly_all("openrouter", home=home)
        pipeline.write_report(home)
    elif op == "site":  # the site step of `run` alone
        pipeline.write_site(home)
    elif op == "demo":  # what `tokenrank demo` does
        from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY

        from flows.sources.demo_snapshots import capture_days
        from warehouse.session import publish_once

        with publish_once(home):
            pipeline.backfill_all(DEMO_FIRST_DAY, DEMO_LAST_DAY - dt.timedelta(days=7), source="demo",
                                  dataset="app-rankings", home=home)
            for day in capture_days(DEMO_LAST_DAY):
                pipeline.capture("demo", today=day, home=home)
        pipeline.weekly_all("demo", DEMO_LAST_DAY, (DEMO_LAST_DAY - DEMO_FIRST_DAY).days + 1, home=home)
        pipeline.write_report(home)
    elif op == "backfill":
        pipeline.backfill_all(dt.date.fromisoformat(args[0]), dt.date.fromisoformat(args[1]), home=home)
    elif op == "query":
        with run_query(home, args[0]) as rows:  # what `tokenrank query` prints: up to 1,000 rows
            rows.take(1000)
    elif op == "status":
        read_status(home)
    elif op == "report":
        con = connect_read_only(home)
        try:
            week = latest_complete_week(con)
            write_report(con, home.reports / week.isoformat(), week)
        finally:
            con.close()
    elif op == "rebuild":
        rebuild_home(home)
    done = time.perf_counter()
    print(json.dumps({"imports": imported - STARTED, "work": done - imported, "paced": pacing.paced}))


if __name__ == "__main__":
    main()

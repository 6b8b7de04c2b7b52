"""A small loaded warehouse for the operations tests (no Prefect)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from transforms.windows import Window
from tests.helpers import day_rows, payload, response
from warehouse import ingest, published
from warehouse.paths import Home
from warehouse.runs import RunStats
from warehouse.session import commit_run

DAYS = [dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 2)]
TOKENS = {"qwen/qwen3.6-plus-04-02:free": 4_600_000_000_000, "xiaomi/mimo-v2-pro-20260318": 3_080_000_000_000}


def load_days(home: Home, days=DAYS, run_id: str = "r1") -> None:
    """Archive, lake and load one response per day, as the flows do (the write session publishes a copy)."""
    run = RunStats(run_id, "weekly", "test", days[0], days[-1])
    raws = []
    for day in days:
        window = Window(day, day)
        body = payload(day_rows(day, TOKENS, other=1_000_000_000), day, day)
        raws.append(ingest.archive_response(home, response(body, window), run_id))
    tables = [ingest.normalize_archived(home, raw) for raw in raws]
    commit_run(home, run, tables=tables, raws=raws)


_loaded: list[Home] = []


def copy_loaded(home: Path, tmp_path_factory) -> None:
    """Make `home` (not yet made) hold `load_days` and its published copy: loaded once per process, then copied
    (a load costs ~0.6 s of CPU; a home holds no absolute path)."""
    if not _loaded:
        _loaded.append(Home(tmp_path_factory.mktemp("loaded") / "home"))
        load_days(_loaded[0])
        published.publish(_loaded[0])
    shutil.copytree(_loaded[0].root, home, symlinks=True)

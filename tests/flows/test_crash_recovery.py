"""Kill -9 at every step boundary of `run`, `backfill` and `rebuild`, then a plain rerun: the tables equal those
of an uninterrupted run (raw file ids aside: they name each home's own fetches).

Each killed run is a forked child of the test process (warm imports, so a kill costs milliseconds) that dies by
SIGKILL at a fail point (`TOKENRANK_FAILPOINT`) or at a random moment.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import time

import pytest

from flows import pipeline
from tests.helpers import snapshot
from warehouse.paths import Home
from warehouse.rebuild import rebuild
from warehouse.writer_lock import writer_lock
from warehouse import published

D = dt.date
SESSION_POINTS = ["after-archive", "after-lake", "after-commit", "after-journal", "after-publish"]
REBUILD_POINTS = ["rebuild-staged", "rebuild-before-swap", "rebuild-mid-swap"]


def do_backfill(home: Home) -> None:
    pipeline.backfill(D(2026, 6, 8), D(2026, 6, 21), window_days=5, home=home)


def do_run(home: Home) -> None:
    pipeline.weekly(end_date=D(2026, 6, 21), lookback_days=14, home=home)


def do_rebuild(home: Home) -> None:
    with writer_lock(home):
        rebuild(home)
        published.publish(home)


def killed(step, home: Home, failpoint: str | None = None, after: float | None = None) -> int:
    """Run `step` in a forked child; kill it at `failpoint` (or after `after` seconds); return how it ended."""
    pid = os.fork()
    if pid == 0:  # the child: die by the fail point, or exit 0 if the step ends first
        try:
            if failpoint:
                os.environ["TOKENRANK_FAILPOINT"] = failpoint
            step(home)
        finally:
            os._exit(0)
    if after is not None:
        time.sleep(after)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def tables(home: Home) -> dict:
    """Every table of the published copy with the raw file ids blanked (they name this home's own fetches)."""
    return snapshot((home.published / "current.duckdb").resolve(), blank_raw_files=True)


_reference: dict = {}


@pytest.fixture
def reference(tmp_path, fake_openrouter):
    """The uninterrupted result of a backfill followed by a weekly run: the same tables for every test (the fake
    serves the same rows; raw file ids are blanked), so made once per process."""
    if not _reference:
        home = Home(tmp_path / "reference")
        do_backfill(home)
        do_run(home)
        _reference.update(tables(home))
    return _reference


@pytest.mark.parametrize("point", SESSION_POINTS)
@pytest.mark.parametrize("step", [do_backfill, do_run], ids=["backfill", "run"])
def test_a_kill_at_each_step_then_a_rerun_converges(tmp_path, reference, step, point):
    home = Home(tmp_path / "crashed")
    if step is do_run:
        do_backfill(home)
    assert killed(step, home, point) == -signal.SIGKILL
    step(home)
    if step is do_backfill:
        do_run(home)
    assert tables(home) == reference


@pytest.mark.parametrize("point", REBUILD_POINTS)
def test_a_killed_rebuild_is_finished_or_undone_by_the_next_writer(tmp_path, reference, point):
    home = Home(tmp_path / "crashed")
    do_backfill(home)
    do_run(home)
    assert killed(do_rebuild, home, point) == -signal.SIGKILL
    do_backfill(home)  # nothing to fetch: it finishes the swap or cleans up, loads and publishes
    assert tables(home) == reference
    assert not list(home.root.glob(".rebuild-*")) and not (home.root / "rebuild-swap.json").exists()


def test_random_kills_then_a_rerun_converge(tmp_path, reference):
    rng = random.Random(20261129)
    home = Home(tmp_path / "crashed")
    for step in (do_backfill, do_run, do_rebuild, do_run, do_backfill, do_rebuild):
        killed(step, home, after=rng.uniform(0.0, 0.6))
    do_backfill(home)
    do_run(home)
    assert tables(home) == reference

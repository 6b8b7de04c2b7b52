"""One writer at a time: every path that changes the lake or the warehouse holds `$TOKENRANK_HOME/.writer.lock`.

DuckDB lets one process open the file for writing; this lock makes a second writer (a scheduled run while a
manual backfill loads, say) wait its turn instead of failing half-way. The wait is bounded
(`TOKENRANK_WRITER_LOCK_TIMEOUT` seconds, default 600); past it the run raises `WriterBusy` before it has
changed anything. The lock is an OS file lock, so a crashed holder releases it.

A home in an object store (`Home.store`), which several machines write, needs more: with a Prefect server
configured (`PREFECT_API_URL`) its writer also holds the home's slot of a global concurrency limit on the
server for the block (`warehouse.shared_limits.server_writer_slot`): one writer across every machine, released
on a crash when its lease runs out. A local-path home is one machine's disk: the file lock is its guard (and
a crash there frees it at once).
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

from filelock import FileLock, Timeout

from warehouse.paths import Home
from warehouse.shared_limits import server_configured, server_writer_slot

DEFAULT_TIMEOUT_SECONDS = 600.0
TIMEOUT_ENV = "TOKENRANK_WRITER_LOCK_TIMEOUT"


class WriterBusy(RuntimeError):
    """Another run held the writer lock for longer than we were willing to wait."""


def lock_timeout() -> float:
    return float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT_SECONDS)


@contextlib.contextmanager
def writer_lock(home: Home, timeout: float | None = None) -> Iterator[None]:
    """Hold the writer lock for the block; raise `WriterBusy` after `timeout` seconds (default `lock_timeout()`).

    Not re-entrant across `writer_lock` calls: take it once around a whole write step.
    """
    wait = lock_timeout() if timeout is None else timeout
    home.writer_lock.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(home.writer_lock), thread_local=True)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise WriterBusy(
            f"another tokenrank run is writing {home.root} (lock {home.writer_lock} held for more than {wait:g} s); "
            f"nothing was changed: try again when it finishes, or wait longer with {TIMEOUT_ENV}=<seconds>"
        ) from None
    try:
        with contextlib.ExitStack() as held:
            if home.store and server_configured():
                try:
                    held.enter_context(server_writer_slot(home.store, wait))
                except TimeoutError:
                    raise WriterBusy(
                        f"another tokenrank run is writing {home.store} (its writer slot on the Prefect "
                        f"server held for more than {wait:g} s); nothing was changed: try again when it finishes, "
                        f"or wait longer with {TIMEOUT_ENV}=<seconds>"
                    ) from None
            yield
    finally:
        lock.release()

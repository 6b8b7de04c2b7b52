"""Per-window progress of a backfill, for whoever runs it in this process (the CLI's progress bar).

The flow logs every window to Prefect; `listening` lets the CLI, which calls the flow in-process, follow
along too. Deployment runs have no listener and only log.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass(frozen=True)
class WindowDone:
    index: int
    """1-based position of the window in the plan."""
    total: int
    window: str
    dates_loaded: int
    inserted: int
    restatements: int


_listeners: list[Callable[[WindowDone], None]] = []


@contextlib.contextmanager
def listening(callback: Callable[[WindowDone], None]) -> Iterator[None]:
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def report(event: WindowDone) -> None:
    for callback in list(_listeners):
        callback(event)

"""Progress of a run, for whoever runs it in this process (the CLI's progress bar).

The pipeline reports `(done, total, what)` after each request window and once the load commits. `listening`
lets the CLI follow along whether it calls the pipeline directly or through a Prefect flow in-process;
deployment runs have no listener and only log.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

Listener = Callable[[int, int, str], None]
_listeners: list[Listener] = []


@contextlib.contextmanager
def listening(callback: Listener) -> Iterator[None]:
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def report(done: int, total: int, what: str) -> None:
    for callback in list(_listeners):
        callback(done, total, what)

"""Guards that cross machines, kept on the Prefect server (`PREFECT_API_URL`) every worker and CLI talks to.

Without a server the single-machine guards stay (`warehouse.writer_lock`'s file lock, `RequestBudget`'s state
file). With one:

- **one writer** of a home in an object store: `server_writer_slot` holds the one slot of the global
  concurrency limit `tokenrank-writer-<home id>` for the whole write session. The slot is leased (`WRITER_LEASE_SECONDS`,
  renewed by Prefect while the holder lives): a killed writer's slot is revoked by the server once its lease
  runs out, so a crash never wedges the pipeline;
- **the account's requests**: `SharedRequestBudget` keeps the request log (start times of the last window,
  counts per UTC day) in the Prefect Variable `tokenrank-requests-<account>`, read-modified-written only
  while holding the one slot of the global limit of the same name (a mutex, leased too). `<account>` is a
  sha256 prefix of the API key (`account_id`): every process on the key shares one log, and the key
  itself never reaches the server. Every request is
  admitted by the same pure rule as on one machine (`request_budget.wait_before_next`) over a window of
  `MINUTE + SAFETY_SECONDS`, and recorded at `max(now, newest recorded start)` so the log is ordered as
  the mutex orders admissions. Hence, for any window of recorded starts: the last one admitted in it saw
  every other (all recorded before it, all within the window) and was admitted only with fewer than the
  limit there — at most `per_minute` starts in any rolling 60 s, and at most `per_day` per UTC day, whatever
  the number of processes. `SAFETY_SECONDS` covers the time from a start being recorded to its request
  reaching the API and small clock differences between machines (keep them on NTP).

A Prefect rate limit with slot decay is not used: its bucket refills continuously, so it admits a full burst
and then the refill within one 60 s window.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from typing import Iterator

from warehouse.request_budget import MINUTE, BudgetSpent, RequestBudget, Usage, record, utc_day, wait_before_next

API_ENV = "PREFECT_API_URL"
WRITER_LEASE_ENV = "TOKENRANK_WRITER_LEASE_SECONDS"
WRITER_LEASE_SECONDS = 120.0
"""How long a killed writer's slot outlives it (at least 60 s, the server's minimum lease)."""
LOG_PREFIX = "tokenrank-requests-"
SAFETY_SECONDS = 1.0
_created: set[str] = set()
"""Limits this process made sure exist."""


def server_configured() -> bool:
    return bool(os.environ.get(API_ENV))


def account_id(api_key: str | None) -> str:
    """Names the account's shared request log without revealing the key: a sha256 prefix of it."""
    return hashlib.sha256((api_key or "").encode()).hexdigest()[:16]


def writer_limit_name(location: str) -> str:
    """The global concurrency limit that admits one writer of the store home at `location` (its URL)."""
    return f"tokenrank-writer-{hashlib.sha256(location.encode()).hexdigest()[:16]}"


@contextlib.contextmanager
def server_writer_slot(location: str, timeout: float) -> Iterator[None]:
    """Hold the home's writer slot on the Prefect server for the block; `TimeoutError` after `timeout` s."""
    name = writer_limit_name(location)
    lease = max(float(os.environ.get(WRITER_LEASE_ENV) or WRITER_LEASE_SECONDS), 60.0)
    with _mutex(name, timeout=timeout, lease=lease):
        yield


@contextlib.contextmanager
def _mutex(name: str, *, timeout: float | None, lease: float) -> Iterator[None]:
    """One holder at a time of the global concurrency limit `name` (created with one slot when missing)."""
    from prefect.client.orchestration import get_client
    from prefect.concurrency.sync import concurrency
    from prefect.exceptions import ObjectAlreadyExists

    if name not in _created:
        with get_client(sync_client=True) as client:
            try:
                client.upsert_global_concurrency_limit_by_name(name, 1)
            except ObjectAlreadyExists:
                pass  # another process created it between our read and our create
        _created.add(name)
    with concurrency(name, occupy=1, timeout_seconds=timeout, lease_duration=lease, strict=True,
                     raise_on_lease_renewal_failure=False):
        yield


def admit(usage: Usage, clock_now: float, *, per_day: int, per_minute: int, window: float) -> tuple[Usage, float]:
    """One admission decision on the shared log (pure; the caller holds the mutex): `(usage with the new start
    recorded, 0.0)` when a request may start now, `(usage, seconds to wait)` when not. The start is recorded at
    `max(clock_now, newest recorded start)`, so the log stays ordered whatever the clocks of the machines.
    Raises `BudgetSpent` when the day's budget is used up."""
    now = max([clock_now, *usage.recent])
    wait = wait_before_next(usage, now, per_day=per_day, per_minute=per_minute, window=window)
    if wait is None:
        raise BudgetSpent(f"daily request budget ({per_day}) spent for {utc_day(now)} (UTC)")
    if wait > 0:
        return usage, wait
    return record(usage, now, window=window), 0.0


class SharedRequestBudget(RequestBudget):
    """The account's request budget kept on the Prefect server: `RequestBudget` (limits, headroom, counts) with its
    log in a Prefect Variable instead of a state file, for every machine.

    `account`: `account_id(key)`; `window`: the rolling span in seconds over which at most `per_minute` starts
    are admitted (a minute plus `SAFETY_SECONDS`); `starts`: the start times this instance recorded."""

    def __init__(self, *, account: str, window: float = MINUTE + SAFETY_SECONDS, **limits):
        super().__init__(**limits)
        self.window = window
        self.variable = f"{LOG_PREFIX}{account}"
        """The Prefect Variable holding the log, and the name of the global limit guarding it."""
        self.starts: list[float] = []

    def acquire(self) -> float:
        """Wait until one request may start and record it in the shared log; returns seconds waited.

        Raises `BudgetSpent` (recording nothing) when today's budget (less any headroom kept) is used up.
        """
        waited = 0.0
        while True:
            with _mutex(self.variable, timeout=None, lease=60.0):
                try:
                    usage, wait = admit(self._read(), self._clock(), per_day=self.usable_per_day,
                                        per_minute=self.per_minute, window=self.window)
                except BudgetSpent as spent:
                    kept = f"; {self.reserved} kept for the weekly runs" if self.reserved else ""
                    raise BudgetSpent(f"{spent}{kept}") from None
                if wait == 0.0:
                    self._write(usage)
                    self.starts.append(usage.recent[-1])
                    return waited
            self._sleep(wait)
            waited += wait

    def _read(self) -> Usage:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            found = client.read_variable_by_name(self.variable)
        value = found.value if found is not None else None
        if not isinstance(value, dict):
            return Usage()
        return Usage(days={str(k): int(v) for k, v in value.get("days", {}).items()},
                     recent=[float(t) for t in value.get("recent", [])])

    def _write(self, usage: Usage) -> None:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import VariableCreate, VariableUpdate

        value = {"days": usage.days, "recent": usage.recent}
        with get_client(sync_client=True) as client:
            if client.read_variable_by_name(self.variable) is None:
                client.create_variable(VariableCreate(name=self.variable, value=value))
            else:
                client.update_variable(VariableUpdate(name=self.variable, value=value))

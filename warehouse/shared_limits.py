"""Guards that cross machines, kept on the Prefect server (`PREFECT_API_URL`) every worker and CLI talks to.

Without a server the single-machine guards stay (`warehouse.writer_lock`'s file lock, `RequestBudget`'s state
file). With one:

- **one writer** of a home in an object store: `server_writer_slot` holds the one slot of the global
  concurrency limit `tokenrank-writer-<home id>` for the whole write session. The slot is leased (`WRITER_LEASE_SECONDS`,
  renewed by Prefect while the holder lives): a killed writer's slot is revoked by the server once its lease
  runs out, so a crash never wedges the pipeline;
- **the account's requests**: `SharedRequestBudget` keeps the request log (start times of the last window,
  counts per UTC day) in the Prefect Variable `tokenrank-requests-<account>`, read-modified-written only
  while holding the one slot of the global limit of the same name (a mutex, leased too: a hold is one read and
  one write, so its `LOG_LEASE_SECONDS` lease is not renewed). `<account>` is a
  sha256 prefix of the API key (`account_id`): every process on the key shares one log, and the key
  itself never reaches the server. Every request is
  admitted by the same pure rule as on one machine (`request_budget.wait_before_next`) over a window of
  `MINUTE + SAFETY_SECONDS`, and recorded at `max(now, newest recorded start)` so the log is ordered as
  the mutex orders admissions. Hence, for any window of recorded starts: the last one admitted in it saw
  every other (all recorded before it, all within the window) and was admitted only with fewer than the
  limit there — at most `per_minute` starts in any rolling 60 s, and at most `per_day` per UTC day, whatever
  the number of processes. `SAFETY_SECONDS` covers the time from a start being recorded to its request
  reaching the API and small clock differences between machines (keep them on NTP).

Each admission costs the server several round trips, so a caller that knows how many requests it is about to
make says so (`expect`) and the log is read and written once per batch: up to `per_minute` starts admitted
together, each by the same rule, in order. A reserved start must begin within `lag` seconds of its recorded time
(else it is given back and admitted afresh), and the window grows by `lag`: the actual starts inside any 60 s
were recorded within 60 s + `lag`, where the rule admitted at most `per_minute`. Starts a run does not use are
given back (`give_back`): they never happened, so taking them out of the log keeps the bound.

A Prefect rate limit with slot decay is not used: its bucket refills continuously, so it admits a full burst
and then the refill within one 60 s window.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from typing import Iterator

from warehouse.request_budget import (MINUTE, MINUTE_ENV, BudgetSpent, RequestBudget, Usage, record, utc_day,
                                      wait_before_next)

API_ENV = "PREFECT_API_URL"
WRITER_LEASE_ENV = "TOKENRANK_WRITER_LEASE_SECONDS"
WRITER_LEASE_SECONDS = 120.0
"""How long a killed writer's slot outlives it (at least 60 s, the server's minimum lease)."""
LOG_PREFIX = "tokenrank-requests-"
SAFETY_SECONDS = 1.0
LAG_SECONDS = 10.0
"""How long after its recorded start a start reserved in a batch may still be used."""
LOG_LEASE_SECONDS = 60.0
"""The lease of the request log's mutex: a hold is a read and a write of the log, far shorter (not renewed)."""
BUSY_FIRST_PAUSE = 0.05
BUSY_LAST_PAUSE = 3.2
"""Pauses before a request of the log asks a busy server again: 0.05 s doubling to 3.2 s (6.35 s in all), then the error."""
VARIABLE_CHARACTERS = 5000
"""The longest value (characters of JSON) a Prefect Variable holds (`prefect.types.MAX_VARIABLE_VALUE_LENGTH`)."""
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
    """One holder at a time of the global concurrency limit `name` (created with one slot when missing), its lease
    renewed while held: for holds of any length (a write session)."""
    from prefect.concurrency.sync import concurrency

    _ensure_limit(name)
    with concurrency(name, occupy=1, timeout_seconds=timeout, lease_duration=lease, strict=True,
                     raise_on_lease_renewal_failure=False):
        yield


@contextlib.contextmanager
def _brief_mutex(name: str, *, lease: float):
    """`_mutex` for a hold far shorter than `lease` (a read and a write of the request log): no renewal thread, one
    call to take the slot and one to give it back; yields the Prefect API's httpx client for the calls made while
    holding it (`_call`)."""
    from prefect.client.orchestration import get_client

    _ensure_limit(name)
    with get_client(sync_client=True) as client:
        http = client._client  # prefect.client.base.PrefectHttpxSyncClient: an httpx.Client with the URL and auth
        taken = _call(http, "POST", "/v2/concurrency_limits/increment-with-lease", {
            "names": [name], "slots": 1, "mode": "concurrency", "lease_duration": lease})
        granted = taken.raise_for_status().json()
        if not granted.get("limits"):
            raise RuntimeError(f"the global concurrency limit {name} is missing on the Prefect server")
        try:
            yield http
        finally:
            _call(http, "POST", "/v2/concurrency_limits/decrement-with-lease",
                  {"lease_id": granted["lease_id"]}).raise_for_status()


def _call(http, method: str, path: str, body: dict | None = None):
    """One request to the Prefect API; returns its response. While a slot asked for is held (423) it waits as long
    as the server says; while the server is busy or out of reach (503: a SQLite server answers it when another
    write holds its database) it asks again after pauses doubling from `BUSY_FIRST_PAUSE`.

    The request bypasses the Prefect client's retry loop, which sleeps 2 s, then 4 s, ... after a 503 (and once
    even with its retries set to 0), on the same httpx client: the same URL, authentication and CSRF token."""
    import httpx

    pause = BUSY_FIRST_PAUSE
    while True:
        request = http.build_request(method, path, json=body)
        try:
            http._add_csrf_headers(request)
            response = httpx.Client.send(http, request)
        except httpx.TransportError:
            if pause > BUSY_LAST_PAUSE:
                raise
        else:
            if response.status_code == 423:
                time.sleep(float(response.headers.get("Retry-After", 1)))
                continue
            if response.status_code != 503 or pause > BUSY_LAST_PAUSE:
                return response
        time.sleep(pause)
        pause *= 2


def _ensure_limit(name: str) -> None:
    """Create the global concurrency limit `name` with one slot, once per process."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists

    if name in _created:
        return
    with get_client(sync_client=True) as client:
        try:
            client.upsert_global_concurrency_limit_by_name(name, 1)
        except ObjectAlreadyExists:
            pass  # another process created it between our read and our create
    _created.add(name)


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


class LogTooLarge(RuntimeError):
    """The request log's starts of one window do not fit in a Prefect Variable (a per-minute limit far above the
    API's)."""


def log_value(usage: Usage, per_minute: int) -> dict:
    """The request log as kept in its Prefect Variable. At the API's limits it holds at most `per_minute` starts (a
    few hundred characters); a per-minute limit lifted far above them lets a window hold more starts than a Variable
    does, and Prefect would refuse the write with a bare 422: `LogTooLarge` says why instead."""
    value = {"days": usage.days, "recent": usage.recent}
    size = len(json.dumps(value, separators=(",", ":")))
    if size > VARIABLE_CHARACTERS:
        raise LogTooLarge(f"the shared request log's {len(usage.recent)} request starts of the last minute need {size} "
                          f"characters, more than a Prefect Variable holds ({VARIABLE_CHARACTERS}): set {MINUTE_ENV} "
                          f"({per_minute}) at most to the API's limit")
    return value


MAX_LATE_BATCHES = 3
"""Batches of starts an `acquire` gives back for being recorded too long before use, before it gives up."""


class LogTooSlow(RuntimeError):
    """The shared request log's server answered too slowly for any recorded start to be used in time."""


class SharedRequestBudget(RequestBudget):
    """The account's request budget kept on the Prefect server: `RequestBudget` (limits, headroom, counts) with its
    log in a Prefect Variable instead of a state file, for every machine.

    `account`: `account_id(key)`; `lag`: how late a reserved start may be used; `window`: the rolling span in
    seconds over which at most `per_minute` starts are admitted (a minute plus `SAFETY_SECONDS` plus `lag`);
    `starts`: the start times this instance recorded and did not give back."""

    def __init__(self, *, account: str, lag: float = LAG_SECONDS, window: float | None = None, **limits):
        super().__init__(**limits)
        self.lag = lag
        self.window = window if window is not None else MINUTE + SAFETY_SECONDS + lag
        self.variable = f"{LOG_PREFIX}{account}"
        """The Prefect Variable holding the log, and the name of the global limit guarding it."""
        self.starts: list[float] = []
        self._expected = 0
        self._held: list[float] = []
        """Starts recorded in the log for this process and not used yet, oldest first."""
        self._exists = False

    def expect(self, requests: int) -> None:
        self._expected = max(requests, 0)

    def acquire(self) -> float:
        """Wait until one request may start and record it in the shared log (or use a start reserved for it);
        returns seconds waited. A start is used only within `lag` of its recorded time, the first of a batch too
        (the server's answers may have taken longer): a late batch is given back and admitted afresh.

        Raises `BudgetSpent` (recording nothing) when today's budget (less any headroom kept) is used up.
        """
        self._expected = max(self._expected - 1, 0)
        waited, late = 0.0, 0
        while True:
            if self._held:
                start, now = self._held[0], self._clock()
                if now <= start + self.lag:
                    self._held.pop(0)
                    wait = max(start - now, 0.0)
                    if wait:
                        self._sleep(wait)
                    return waited + wait
                self.give_back()  # too late to honour the recorded starts: admit afresh
                late += 1
                if late > MAX_LATE_BATCHES:
                    raise LogTooSlow(f"the Prefect server took more than {self.lag:g} s to record {late} batches of "
                                     "request starts in the shared request log; no request was made")
            with _brief_mutex(self.variable, lease=LOG_LEASE_SECONDS) as http:
                try:
                    usage, wait = self._admit(self._read(http))
                except BudgetSpent as spent:
                    kept = f"; {self.reserved} kept for the weekly runs" if self.reserved else ""
                    raise BudgetSpent(f"{spent}{kept}") from None
                if wait == 0.0:
                    starts = [usage.recent[-1]]
                    while len(starts) <= min(self._expected, self.per_minute - 1):
                        try:
                            more, wait = self._admit(usage)
                        except BudgetSpent:
                            break
                        if wait:
                            break
                        usage = more
                        starts.append(usage.recent[-1])
                    self._write(http, usage)
                    self.starts += starts
                    self._held = starts
                    continue
            self._sleep(wait)
            waited += wait

    def give_back(self) -> None:
        """Take the starts reserved for this process and not used out of the shared log (they never happened)."""
        unused, self._held = self._held, []
        if not unused:
            return
        with _brief_mutex(self.variable, lease=LOG_LEASE_SECONDS) as http:
            usage = self._read(http)
            for start in unused:
                if start in usage.recent:
                    usage.recent.remove(start)
                day = utc_day(start)
                usage.days[day] = max(usage.days.get(day, 0) - 1, 0)
            self._write(http, usage)
        for start in unused:
            self.starts.remove(start)

    def _admit(self, usage: Usage) -> tuple[Usage, float]:
        return admit(usage, self._clock(), per_day=self.usable_per_day, per_minute=self.per_minute, window=self.window)

    def _read(self, http=None) -> Usage:
        if http is None:  # a count for display (`used_today`), not an admission
            from prefect.client.orchestration import get_client

            with get_client(sync_client=True) as client:
                return self._read(client._client)
        found = _call(http, "GET", f"/variables/name/{self.variable}")
        self._exists = found.status_code != 404
        value = found.raise_for_status().json()["value"] if self._exists else None
        if not isinstance(value, dict):
            return Usage()
        return Usage(days={str(k): int(v) for k, v in value.get("days", {}).items()},
                     recent=[float(t) for t in value.get("recent", [])])

    def _write(self, http, usage: Usage) -> None:
        value = log_value(usage, self.per_minute)
        if self._exists:  # read under the same mutex hold
            _call(http, "PATCH", f"/variables/name/{self.variable}", {"value": value}).raise_for_status()
        else:
            _call(http, "POST", "/variables/", {"name": self.variable, "value": value}).raise_for_status()

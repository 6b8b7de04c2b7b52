"""The Data API request budget shared by every run: 500 requests per UTC day, 30 per rolling minute.

OpenRouter counts Data API requests per account and day, so separate runs (the weekly schedule, a manual
backfill, the CLI) and separate homes must share one count. It is persisted in `requests.json` under
`warehouse.paths.state_dir()` (written atomically, read-modified-written under its own small file lock):

    {"days": {"YYYY-MM-DD": <requests that UTC day>}, "recent": [<unix seconds of recent requests>]}

Limits come from `TOKENRANK_DAILY_REQUEST_BUDGET` / `TOKENRANK_REQUESTS_PER_MINUTE` (or the constructor).
Backfills leave headroom: they stop when only `TOKENRANK_REQUEST_HEADROOM` requests of the day are left (default
a fifth of the daily budget), so the weekly runs and snapshot captures of the same day still fit.
The public model catalogue is not a Data API endpoint and is not counted. The live client charges the
budget inside every request attempt, so retries count.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock

from warehouse.files import write_atomic
from warehouse.paths import state_dir

DAILY_LIMIT = 500
MINUTE_LIMIT = 30
DAILY_ENV = "TOKENRANK_DAILY_REQUEST_BUDGET"
MINUTE_ENV = "TOKENRANK_REQUESTS_PER_MINUTE"
HEADROOM_ENV = "TOKENRANK_REQUEST_HEADROOM"
HEADROOM_SHARE = 5
"""The default headroom is per_day // HEADROOM_SHARE (100 of 500)."""
MINUTE = 60.0
DAYS_KEPT = 7


class BudgetSpent(RuntimeError):
    """Today's (UTC) request budget is used up; the next request would exceed it."""


class BudgetStateError(RuntimeError):
    """The shared budget state file cannot be read; the message names it and says what to do."""


@dataclass
class Usage:
    """Requests per UTC day (ISO date keys) and the start times (unix seconds) of the last minute's requests."""

    days: dict[str, int] = field(default_factory=dict)
    recent: list[float] = field(default_factory=list)


def wait_before_next(usage: Usage, now: float, *, per_day: int, per_minute: int, window: float = MINUTE) -> float | None:
    """Seconds to wait before one more request may start (at most `per_minute` starts in any `window` seconds), or
    None when today's budget is spent (pure)."""
    if usage.days.get(utc_day(now), 0) >= per_day:
        return None
    starts = sorted(t for t in usage.recent if t > now - window)
    if len(starts) < per_minute:
        return 0.0
    return starts[len(starts) - per_minute] + window - now


def record(usage: Usage, now: float, count: int = 1, *, window: float = MINUTE) -> Usage:
    """`usage` with `count` more requests at `now`; days older than a week and starts older than `window` dropped (pure)."""
    day = utc_day(now)
    oldest = (dt.date.fromisoformat(day) - dt.timedelta(days=DAYS_KEPT)).isoformat()
    days = {d: n for d, n in usage.days.items() if d > oldest}
    days[day] = days.get(day, 0) + count
    recent = [t for t in usage.recent if t > now - window] + [now] * count
    return Usage(days=days, recent=recent)


def days_needed(requests: int, left_today: int, per_day: int) -> int | None:
    """UTC days `requests` take when `left_today` of today's budget remain and each later day allows `per_day`:
    0 for none, 1 when today suffices (pure). None when the daily budget is 0 and today's is spent."""
    if requests <= 0:
        return 0
    if requests <= left_today:
        return 1
    if per_day <= 0:
        return None
    return (1 if left_today else 0) + -(-(requests - left_today) // per_day)


def utc_day(unix_seconds: float) -> str:
    return dt.datetime.fromtimestamp(unix_seconds, dt.timezone.utc).date().isoformat()


class RequestBudget:
    """The persisted budget of the API account (one state file shared by every home and process)."""

    def __init__(
        self,
        *,
        path: Path | None = None,
        per_day: int | None = None,
        per_minute: int | None = None,
        headroom: int | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.path: Path = path or state_dir() / "requests.json"
        self.per_day = per_day if per_day is not None else int(os.environ.get(DAILY_ENV) or DAILY_LIMIT)
        self.per_minute = per_minute if per_minute is not None else int(os.environ.get(MINUTE_ENV) or MINUTE_LIMIT)
        if headroom is None:
            headroom = int(os.environ.get(HEADROOM_ENV) or self.per_day // HEADROOM_SHARE)
        if self.per_day < 0 or self.per_minute < 1 or headroom < 0:
            raise ValueError("the daily budget and the headroom must be >= 0 and the per-minute limit >= 1")
        self.headroom = min(headroom, self.per_day)
        """Requests of the day a backfill leaves for the weekly runs (see `keep_headroom`)."""
        self.reserved = 0
        """Requests of the day this limiter may not use: 0, or `headroom` once `keep_headroom()` was called."""
        self._clock = clock
        self._sleep = sleep
        self._planning = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path.with_name("requests.lock")))

    def used_today(self) -> int:
        return self._read().days.get(utc_day(self._clock()), 0)

    @property
    def usable_per_day(self) -> int:
        """Requests this limiter may make in a whole UTC day: the daily budget less what it keeps in reserve."""
        return self.per_day - self.reserved

    def keep_headroom(self) -> None:
        """From now on leave `headroom` requests of each day unused (a backfill does, for the weekly runs)."""
        self.reserved = self.headroom

    def remaining_today(self) -> int:
        return max(self.usable_per_day - self.used_today(), 0)

    def expect(self, requests: int) -> None:
        """The caller is about to make about `requests` requests (a limiter shared through a server admits them in
        batches: `SharedRequestBudget`). Here each admission is a local file update: nothing to batch."""

    def give_back(self) -> None:
        """Return admitted starts the caller will not use (nothing here: every admission is used at once)."""

    @contextlib.contextmanager
    def planned(self, requests: int) -> Iterator[None]:
        """The caller makes about `requests` requests within the block (`expect`); at its end the starts admitted
        for them and not used are given back (`give_back`). Blocks nest: an inner block's requests are counted in
        the outer one's (a run that plans every dataset before fetching any announces them all at once, so a
        limiter kept on a server admits them in one batch), so it announces and gives back nothing."""
        if self._planning:
            yield
            return
        self._planning = True
        self.expect(requests)
        try:
            yield
        finally:
            self._planning = False
            self.expect(0)
            self.give_back()

    def acquire(self) -> float:
        """Wait until one request may start within the per-minute limit and count it; returns seconds waited.

        Raises `BudgetSpent` (counting nothing) when today's budget is used up.
        """
        waited = 0.0
        while True:
            with self._lock:
                usage = self._read()
                now = self._clock()
                wait = wait_before_next(usage, now, per_day=self.usable_per_day, per_minute=self.per_minute)
                if wait is None:
                    kept = f"; {self.reserved} kept for the weekly runs" if self.reserved else ""
                    raise BudgetSpent(f"daily request budget ({self.usable_per_day}{kept}) spent for {utc_day(now)} (UTC)")
                if wait <= 0:
                    self._write(record(usage, now))
                    return waited
            self._sleep(wait)
            waited += wait

    def _read(self) -> Usage:
        if not self.path.exists():
            return Usage()
        try:
            data = json.loads(self.path.read_text())
            return Usage(days={str(k): int(v) for k, v in data["days"].items()},
                         recent=[float(t) for t in data["recent"]])
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
            raise BudgetStateError(
                f"{self.path}: unreadable request-budget state ({type(exc).__name__}); delete it to start counting "
                "afresh (today's requests are then not known)"
            ) from None

    def _write(self, usage: Usage) -> None:
        write_atomic(self.path, (json.dumps({"days": usage.days, "recent": usage.recent}, sort_keys=True) + "\n").encode())


def request_limiter():
    """The account's limiter for this process: on the Prefect server when one is configured (every machine shares
    it, `warehouse.shared_limits.SharedRequestBudget`), else the state file of this machine (`RequestBudget`)."""
    from warehouse.shared_limits import SharedRequestBudget, account_id, server_configured

    if server_configured():
        return SharedRequestBudget(account=account_id(os.environ.get("OPENROUTER_API_KEY")))
    return RequestBudget()

"""What the snapshot datasets share (session-cost, task-classifications, benchmarks; API contract §5–§7).

The API serves only the *current* snapshot of these: no date parameters, no history. A series exists only where
someone captured every week, so their plan is "the requests of now" (`plan_snapshot`), made by `capture`
(and the weekly run's `plan_weekly`), and a backfill plans nothing (a missed week cannot be fetched later).
A capture that finds the snapshot the lake already holds writes nothing (`transforms.snapshots`: same rows and
as_of), so a capture may be repeated freely. Everything else (archive → lake → load → rebuild) is the one code
path every dataset takes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from transforms.contract import ContractError
from transforms.datasets.base import Dataset, FetchPlan, Request
from transforms.windows import MAX_WINDOW_DAYS, Window


class SnapshotDataset(Dataset):
    """A dataset without date parameters: subclasses give `snapshot_requests`."""

    def snapshot_requests(self) -> list[Request]:
        """The first requests of one capture (follow-up pages come from `next_page`)."""
        raise NotImplementedError

    def plan_snapshot(self, today: dt.date) -> FetchPlan:
        """One capture made on `today` (UTC): the requests of now; `today` only labels the run."""
        day = Window(today, today)
        return FetchPlan(self.name, day, day, self.snapshot_requests())

    def due(self, today: dt.date):
        """The partition key a capture on `today` should find (None: no expectation). The week's last capture
        fails when it is not held: the week is lost for good."""
        return None

    def plan_weekly(self, end, *, last_complete_day, lookback_days, window_days=MAX_WINDOW_DAYS):
        return self.plan_snapshot(last_complete_day + dt.timedelta(days=1))

    def plan_backfill(self, start, end, *, last_complete_day, have=frozenset(), window_days=MAX_WINDOW_DAYS):
        """Nothing: the API keeps no history of a snapshot dataset (the note says so)."""
        day = Window(last_complete_day + dt.timedelta(days=1), last_complete_day + dt.timedelta(days=1))
        return FetchPlan(self.name, Window(start, end), day, [],
                         [f"{self.name} has no history in the API (only its current snapshot): nothing to backfill; "
                          "`tokenrank capture` stores the current one"])


def snapshot_request(endpoint: str, params: tuple[tuple[str, str], ...], label: str) -> Request:
    return Request(endpoint, None, params, label)


def share(value: Any, what: str) -> float:
    """A share: a JSON number in [0, 1]."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ContractError(f"{what} {value!r} is not a number in 0..1")
    return float(value)


def non_negative(value: Any, what: str) -> float:
    """A finite, non-negative JSON number (not a string)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise ContractError(f"{what} {value!r} is not a non-negative number")
    return float(value)


def text(value: Any, what: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise ContractError(f"{what} {value!r} is not a non-empty string")
    return value

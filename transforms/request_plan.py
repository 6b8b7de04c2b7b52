"""One order for every dataset's requests, and the UTC days they take under the account's shared budget.

All datasets draw on one Data API budget (30 requests a minute, 500 a UTC day per account). The weekly runs come
first and may use the whole day; backfills follow, each dataset's plan newest first, and stop `headroom` requests
short of the daily budget so the next weekly run and snapshot captures always fit. Pure: plans in, days out.
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.datasets.base import FetchPlan

WEEKLY = "weekly"
BACKFILL = "backfill"


@dataclass(frozen=True)
class ScheduledRun:
    """One dataset's run (`kind` weekly or backfill) and the UTC days its requests fall on: `first_day` and
    `last_day` count from today (0); both are None for a run with no request, and `last_day` is None when the
    budget never lets it finish (a daily budget of 0)."""

    kind: str
    plan: FetchPlan
    first_day: int | None
    last_day: int | None

    @property
    def requests(self) -> int:
        return len(self.plan.requests)


def order(weekly: list[FetchPlan], backfills: list[FetchPlan]) -> list[tuple[str, FetchPlan]]:
    """Weekly plans first, then backfills, each group in the order given (the datasets' registry order)."""
    return [(WEEKLY, p) for p in weekly] + [(BACKFILL, p) for p in backfills]


def schedule(runs: list[tuple[str, FetchPlan]], *, used_today: int, per_day: int, headroom: int) -> list[ScheduledRun]:
    """The day each run's requests fall on when `runs` are made in order, today having `used_today` requests
    spent: a weekly run may use the day's whole `per_day`, a backfill `per_day - headroom` of it.

    Follow-up pages (a second page once the first is full) are not in a plan and so not counted here.
    """
    out = []
    day, used = 0, used_today
    for kind, plan in runs:
        cap = per_day if kind == WEEKLY else per_day - headroom
        n = len(plan.requests)
        if not n:
            out.append(ScheduledRun(kind, plan, None, None))
            continue
        if cap <= 0:
            out.append(ScheduledRun(kind, plan, None if used >= per_day else day, None))
            continue
        if used >= cap:  # today's share is spent: start tomorrow
            day, used = day + 1, 0
        first = day
        while n:
            take = min(n, cap - used)
            n -= take
            used += take
            if n:
                day, used = day + 1, 0
        out.append(ScheduledRun(kind, plan, first, day))
    return out


def days_needed(scheduled: list[ScheduledRun]) -> int | None:
    """UTC days until every scheduled request is made (1: today suffices; 0: nothing to fetch; None: never)."""
    days = [s.last_day for s in scheduled if s.requests]
    if not days:
        return 0
    if any(d is None for d in days):
        return None
    return max(days) + 1

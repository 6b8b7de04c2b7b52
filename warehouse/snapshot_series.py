"""The weekly series of the snapshot datasets, for `tokenrank status`: what was captured and which weeks are missing.

The API keeps no history of session-cost, task classifications or benchmarks, so a week not captured is lost for
good: status lists every such week. A series is one snapshot dataset (benchmarks: one per source); a week is a
Monday–Sunday week holding the snapshot's key date (session-cost: `window_end_date`, a Sunday; the others:
`snapshot_date`). `gaps` are the weeks missing between the first and the last captured one; `overdue` the weeks
after the last captured one up to the week a capture on `today` should have found (session-cost's window ends the
Sunday before the latest Monday), i.e. weeks still missing now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from transforms.datasets import DATASETS
from warehouse import db

SERIES = (
    ("session-cost", "fact_session_cost", "window_end_date", None),
    ("task-classifications", "fact_task_classifications", "snapshot_date", None),
    ("benchmarks", "fact_benchmarks", "snapshot_date", "source"),
)
"""(series name, table, key date column, column that splits it into several series)."""


@dataclass
class SnapshotSeries:
    """One snapshot series: snapshots held, first/last key date, missing weeks (their Mondays)."""

    series: str
    snapshots: int
    first: dt.date | None
    last: dt.date | None
    gaps: list[dt.date] = field(default_factory=list)
    overdue: list[dt.date] = field(default_factory=list)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def expected_week(today: dt.date) -> dt.date:
    """Monday of the latest week a capture on `today` should hold: the week of session-cost's due window (the
    Sunday before the latest Monday)."""
    return monday(DATASETS["session-cost"].due(today))


def series_of(name: str, dates: list[dt.date], today: dt.date | None) -> SnapshotSeries:
    """A series from its snapshots' key dates; `today` None: no overdue weeks (e.g. synthetic demo data)."""
    if not dates:
        return SnapshotSeries(name, 0, None, None)
    weeks = {monday(d) for d in dates}
    first, last = min(weeks), max(weeks)
    span = [first + dt.timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]
    series = SnapshotSeries(name, len(set(dates)), min(dates), max(dates), [w for w in span if w not in weeks])
    if today is not None:
        week, due = last + dt.timedelta(weeks=1), expected_week(today)
        while week <= due:
            series.overdue.append(week)
            week += dt.timedelta(weeks=1)
    return series


def snapshot_series(con: duckdb.DuckDBPyConnection, today: dt.date | None) -> list[SnapshotSeries]:
    """Every snapshot series the warehouse has a table for (benchmarks: one per source seen)."""
    tables = db.table_names(con)
    out = []
    for name, table, column, split in SERIES:
        if table not in tables:
            continue
        if split is None:
            dates = [d for (d,) in con.execute(f"SELECT DISTINCT {column} FROM {table} ORDER BY 1").fetchall()]
            out.append(series_of(name, dates, today))
            continue
        grouped: dict[str, list[dt.date]] = {}
        for part, day in con.execute(f"SELECT DISTINCT {split}, {column} FROM {table} ORDER BY 1, 2").fetchall():
            grouped.setdefault(part, []).append(day)
        out += [series_of(f"{name} {part}", dates, today) for part, dates in grouped.items()] or [
            series_of(name, [], today)]
    return out

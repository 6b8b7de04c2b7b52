"""How successive snapshots of one day's rankings combine (pure): which one wins, and what a change restates.

A day's rows come from one response. A later snapshot replaces the held one unless it is the same snapshot
(same rows and as_of: the held one and its raw_file stay) or older (a smaller as_of never replaces a newer
one). Every value that a replacement changes, adds or removes is a restatement.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import pyarrow as pa

UNCHANGED, STALE, NEWER = "unchanged", "stale", "newer"


def verdict(held: pa.Table | None, offered: pa.Table) -> str:
    """What to do with `offered` (one day's rows, sorted by permaslug) given the `held` rows of that day."""
    if held is None:
        return NEWER
    if held.drop_columns(["raw_file"]).equals(offered.drop_columns(["raw_file"])):
        return UNCHANGED
    if held["as_of"][0].as_py() > offered["as_of"][0].as_py():
        return STALE
    return NEWER


def restatements(held: pa.Table, new: pa.Table) -> list[tuple]:
    """(date, model_permaslug, old_tokens, new_tokens, old_as_of, new_as_of, old_raw_file, new_raw_file) for
    every permaslug whose tokens differ between two snapshots of one day (None where a side lacks it)."""
    old = dict(zip(held["model_permaslug"].to_pylist(), held["total_tokens"].to_pylist()))
    fresh = dict(zip(new["model_permaslug"].to_pylist(), new["total_tokens"].to_pylist()))
    day = new["date"][0].as_py()
    ends = (held["as_of"][0].as_py(), new["as_of"][0].as_py(), held["raw_file"][0].as_py(), new["raw_file"][0].as_py())
    return [(day, slug, old.get(slug), fresh.get(slug), *ends)
            for slug in sorted(old.keys() | fresh.keys()) if old.get(slug) != fresh.get(slug)]


def fold(days: Iterable[pa.Table]) -> tuple[dict[dt.date, pa.Table], list[tuple]]:
    """Apply one-day snapshots in the order given: the rows held at the end, and every restatement on the way."""
    held: dict[dt.date, pa.Table] = {}
    restated: list[tuple] = []
    for rows in days:
        day = rows["date"][0].as_py()
        current = held.get(day)
        if verdict(current, rows) != NEWER:
            continue
        if current is not None:
            restated.extend(restatements(current, rows))
        held[day] = rows
    return held, restated

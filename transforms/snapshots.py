"""How successive snapshots of one partition combine (pure): which one wins, and what a change restates.

A partition's rows come from one fetch (one response for a day of rankings-daily; the pages of one list for
app-rankings). A later snapshot replaces the held one unless it is the same snapshot (same rows and as_of: the
held one and its raw files stay) or older (a smaller as_of never replaces a newer one). Every compared value
(`Dataset.compared`) that a replacement changes, adds or removes is a restatement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Iterable

from transforms.datasets.base import Dataset, Partition

UNCHANGED, STALE, NEWER = "unchanged", "stale", "newer"


def verdict(held: Partition | None, offered: Partition) -> str:
    """What to do with `offered` given the `held` snapshot of the same partition."""
    if held is None:
        return NEWER
    if held.as_of == offered.as_of and held.rows.drop_columns(["raw_file"]).equals(offered.rows.drop_columns(["raw_file"])):
        return UNCHANGED
    if held.as_of > offered.as_of:
        return STALE
    return NEWER


@dataclass
class Diff:
    """Row counts of a reload (by the dataset's `item`) and its restatement rows."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restated: list[tuple] = field(default_factory=list)


def compare(dataset: Dataset, key: Hashable, old_rows: list[dict], new_rows: list[dict],
            old_ends: tuple, new_ends: tuple) -> Diff:
    """What replacing `old_rows` by `new_rows` in partition `key` changes.

    A restatement row is (partition values…, item value(s)…, old/new of each compared column…, old_as_of, new_as_of,
    old_raw_file, new_raw_file): the as_of and raw file of the row itself, or of its partition (`*_ends`:
    (as_of, raw_file)) where that side lacks the row.
    """
    item = dataset.item
    ident = (lambda row: tuple(row[c] for c in item)) if isinstance(item, tuple) else (lambda row: (row[item],))
    old = {ident(row): row for row in old_rows}
    new = {ident(row): row for row in new_rows}
    diff = Diff()
    for name in sorted(old.keys() | new.keys(), key=lambda k: tuple((0, 0) if v is None else (1, v) for v in k)):
        before, after = old.get(name), new.get(name)
        values = [(before[c] if before else None, after[c] if after else None) for c, _ in dataset.compared]
        if before is None:
            diff.inserted += 1
        elif after is None:
            diff.deleted += 1
        elif any(a != b for a, b in values):
            diff.updated += 1
        else:
            diff.unchanged += 1
            continue
        ends = (before["as_of"] if before else old_ends[0], after["as_of"] if after else new_ends[0],
                before["raw_file"] if before else old_ends[1], after["raw_file"] if after else new_ends[1])
        diff.restated.append((*dataset.key_values(key), *name, *[v for pair in values for v in pair], *ends))
    return diff


def restatements(dataset: Dataset, held: Partition, new: Partition) -> list[tuple]:
    """Every restatement between two snapshots of one partition (see `compare`)."""
    return compare(dataset, new.key, held.rows.to_pylist(), new.rows.to_pylist(),
                   (held.as_of, held.raw_files[0]), (new.as_of, new.raw_files[0])).restated


def fold(dataset: Dataset, partitions: Iterable[Partition]) -> tuple[dict[Hashable, Partition], list[tuple]]:
    """Apply snapshots in the order given: the partitions held at the end, and every restatement on the way."""
    held: dict[Hashable, Partition] = {}
    restated: list[tuple] = []
    for part in partitions:
        current = held.get(part.key)
        if verdict(current, part) != NEWER:
            continue
        if current is not None:
            restated.extend(restatements(dataset, current, part))
        held[part.key] = part
    return held, restated

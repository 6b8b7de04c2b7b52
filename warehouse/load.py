"""Loading the warehouse from the lake and the reference data, in the caller's transaction.

Merge rule (delete-insert by partition, for every dataset alike): a partition is reloaded when its lake file
came from other raw files than the ones the warehouse loaded (only partitions whose file changed are read), so
a crash between the lake write and the load is repaired by the next run. Every compared value a reload
changes is recorded in the dataset's restatements table (`transforms.snapshots.compare`, the rule the
rebuild folds by too).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Hashable

import duckdb
import pyarrow as pa

from transforms.datasets.base import Dataset, Partition
from transforms.origin import ORIGIN_COLUMNS
from transforms.slugs import catalogue_names, display_name
from transforms.snapshots import compare
from warehouse import db
from warehouse.lake import Lake


@dataclass
class LoadStats:
    partitions: list[Hashable] = field(default_factory=list)
    """Partitions reloaded (dates for rankings-daily)."""
    touched: int = 0
    """Partitions whose lake file changed (their `lake_partitions` rows rewritten), reloaded or not."""
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restatements: int = 0


def sync_from_lake(con: duckdb.DuckDBPyConnection, lake: Lake,
                   fresh: dict[Hashable, tuple[Partition, tuple[int, int]]] | None = None) -> LoadStats:
    """Make the dataset's table equal the lake for every partition whose file changed.

    Only partitions whose file signature differs from the one recorded in `lake_partitions` are read, so the
    cost follows the new partitions, not the history; among those, a partition reloads when its raw files
    differ from the ones loaded. `lake_partitions` records every partition read (rows 0: answered empty).
    `fresh` (`LakeWrite.fresh`) are partitions just written: one whose file still has the signature it was
    written with is taken as it is instead of being read back.
    """
    ds = lake.dataset
    stats = LoadStats()
    known_signatures = {name: (size, mtime) for name, size, mtime in con.execute(
        "SELECT partition, size, mtime_ns FROM lake_partitions WHERE dataset = ?", [ds.name]).fetchall()}
    signatures: dict[Hashable, tuple[int, int]] = {}
    for name, signature in lake.file_signatures().items():  # names compared as found: only changed ones parsed
        if known_signatures.get(name) != signature:
            with contextlib.suppress(ValueError):
                signatures[ds.parse_partition(name)] = signature
    touched = sorted(signatures)
    if not touched:
        return stats
    known = {name: (size, mtime, list(raw_files), as_of) for name, size, mtime, raw_files, as_of in con.execute(
        "SELECT partition, size, mtime_ns, raw_files, as_of FROM lake_partitions WHERE dataset = ? AND partition IN "
        "(SELECT unnest(?::VARCHAR[]))", [ds.name, [ds.partition_name(key) for key in touched]]).fetchall()}
    stats.touched = len(touched)
    fresh = fresh or {}
    parts = {key: fresh[key][0] if key in fresh and fresh[key][1] == signatures[key] else lake.read_partition(key)
             for key in touched}
    held = _held_rows(con, ds, touched)
    changed: list[Hashable] = []
    for key in touched:
        part, name = parts[key], ds.partition_name(key)
        old_rows = held.get(key, [])
        if name in known:
            old_files, old_as_of = known[name][2], known[name][3]
        else:  # loaded before partitions were recorded
            old_files = sorted({row["raw_file"] for row in old_rows})
            old_as_of = max((row["as_of"] for row in old_rows), default=None)
        if sorted(old_files) == sorted(part.raw_files):
            continue
        changed.append(key)
        if name not in known and not old_rows:  # a new partition: each of its items is an insert
            items = ds.item if isinstance(ds.item, tuple) else (ds.item,)
            stats.inserted += len(set(zip(*(part.rows.column(c).to_pylist() for c in items))))
            continue
        diff = compare(ds, key, old_rows, part.rows.to_pylist(), (old_as_of, old_files[0] if old_files else None),
                       (part.as_of, part.raw_files[0]))
        stats.inserted, stats.updated = stats.inserted + diff.inserted, stats.updated + diff.updated
        stats.unchanged, stats.deleted = stats.unchanged + diff.unchanged, stats.deleted + diff.deleted
        if name in known or old_rows:  # the partition was loaded before: what changed is restated
            insert_restatements(con, ds, diff.restated)
            stats.restatements += len(diff.restated)
    stats.partitions = changed
    if changed:
        _replace_partitions(con, ds, [parts[key] for key in changed])
    db.insert_rows(con, "lake_partitions", [
        [ds.name, ds.partition_name(key), parts[key].rows.num_rows, parts[key].as_of, list(parts[key].raw_files),
         *signatures[key]] for key in touched], replace=True)
    return stats


def _keys_table(ds: Dataset, keys: list[Hashable]) -> pa.Table:
    values = [ds.key_values(key) for key in keys]
    return pa.table({column: pa.array([v[i] for v in values], ds.schema.field(column).type)
                     for i, column in enumerate(ds.partition_by)})


def _on(ds: Dataset, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in ds.partition_by)


def _held_rows(con: duckdb.DuckDBPyConnection, ds: Dataset, keys: list[Hashable]) -> dict[Hashable, list[dict]]:
    """The warehouse's rows of the given partitions, grouped by partition key."""
    con.register("partition_keys", _keys_table(ds, keys))
    try:
        cursor = con.execute(f"SELECT t.* FROM {ds.table} AS t JOIN partition_keys AS k ON {_on(ds, 't', 'k')}")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, values)) for values in cursor.fetchall()]
    finally:
        con.unregister("partition_keys")
    grouped: dict[Hashable, list[dict]] = defaultdict(list)
    for row in rows:
        values = tuple(row[c] for c in ds.partition_by)
        grouped[values if len(values) > 1 else values[0]].append(row)
    return grouped


def insert_restatements(con: duckdb.DuckDBPyConnection, ds: Dataset, rows: list[tuple]) -> None:
    """Append restatement rows (`transforms.snapshots.compare` tuples) to the dataset's restatements table."""
    db.insert_rows(con, ds.restatements_table, rows)


def _replace_partitions(con: duckdb.DuckDBPyConnection, ds: Dataset, parts: list[Partition]) -> None:
    con.register("partition_keys", _keys_table(ds, [part.key for part in parts]))
    con.register("partition_rows", pa.concat_tables([part.rows for part in parts]))
    try:
        con.execute(f"DELETE FROM {ds.table} USING partition_keys AS k WHERE {_on(ds, ds.table, 'k')}")
        con.execute(f"INSERT INTO {ds.table} BY NAME SELECT * FROM partition_rows ORDER BY {', '.join(ds.key)}")
    finally:
        con.unregister("partition_keys")
        con.unregister("partition_rows")


def replace_origin(con: duckdb.DuckDBPyConnection, origin: list[dict]) -> None:
    """Load the reviewed origin reference (authors + overrides: `transforms.origin.origin_rows`) as `dim_origin`."""
    con.execute("DELETE FROM dim_origin")
    if origin:
        one = f"({', '.join('?' for _ in ORIGIN_COLUMNS)})"
        rows = sorted(origin, key=lambda row: (row["scope"], row["key"]))
        con.execute(f"INSERT INTO dim_origin ({', '.join(ORIGIN_COLUMNS)}) VALUES {', '.join([one] * len(rows))}",
                    [row[c] for row in rows for c in ORIGIN_COLUMNS])


def replace_catalogue(con: duckdb.DuckDBPyConnection, catalogue: pa.Table) -> bool:
    """Keep the latest model catalogue (names for `dim_model`); an identical re-fetch keeps the older raw_file.
    Returns whether the catalogue changed."""
    con.register("catalogue_arrow", catalogue)
    changed = con.execute(
        """
        SELECT count(*) FROM (
            (SELECT id, canonical_slug, name, created FROM catalogue_arrow
             EXCEPT SELECT id, canonical_slug, name, created FROM ref_model_catalogue)
            UNION ALL
            (SELECT id, canonical_slug, name, created FROM ref_model_catalogue
             EXCEPT SELECT id, canonical_slug, name, created FROM catalogue_arrow))
        """
    ).fetchall()[0][0]
    if not changed:
        con.unregister("catalogue_arrow")
        return False
    con.execute("DELETE FROM ref_model_catalogue")
    con.execute("INSERT INTO ref_model_catalogue BY NAME SELECT * FROM catalogue_arrow ORDER BY id")
    con.unregister("catalogue_arrow")
    return True


def refresh_dim_model(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One row per ranked permaslug: catalogue display name (or one derived from the slug) and first/last day.

    Returns the permaslugs whose display name changed (appeared, went or was renamed), sorted.
    """
    before = dict(con.execute("SELECT model_permaslug, display_name FROM dim_model").fetchall())
    names = catalogue_names(con.execute("SELECT id, canonical_slug, name FROM ref_model_catalogue").fetchall())
    seen = con.execute(
        "SELECT model_permaslug, min(date), max(date) FROM fact_model_daily WHERE NOT is_other GROUP BY 1 ORDER BY 1"
    ).fetchall()
    rows = pa.table(
        {
            "model_permaslug": [slug for slug, _, _ in seen],
            "display_name": [display_name(slug, names) for slug, _, _ in seen],
            "first_seen": pa.array([first for _, first, _ in seen], pa.date32()),
            "last_seen": pa.array([last for _, _, last in seen], pa.date32()),
        }
    )
    con.execute("DELETE FROM dim_model")
    con.register("dim_model_arrow", rows)
    con.execute("INSERT INTO dim_model BY NAME SELECT * FROM dim_model_arrow")
    con.unregister("dim_model_arrow")
    after = dict(zip(rows["model_permaslug"].to_pylist(), rows["display_name"].to_pylist()))
    return sorted(slug for slug in before.keys() | after.keys() if before.get(slug) != after.get(slug))

"""The Parquet lake: one flat file per partition of a dataset, `lake/<dataset.lake_table>/<partition>.parquet`.

rankings-daily: `lake/rankings_daily/YYYY-MM-DD.parquet`, one UTC day; app-rankings:
`lake/app_rankings/<week_start>_<sort>_<category>_<subcategory>.parquet`, one list of one week (all its pages;
a list the API answered with no rows is a file without rows). A file holds one partition's rows from one fetch
(the dataset's schema, partition columns included, sorted by `sort_by`) and, in its schema metadata, the
snapshot's `as_of` and raw files, so a file without rows still says what answered. The layout has no hive keys:
pandas, polars, pyarrow and DuckDB read a folder as it is.

A newer fetch replaces a file atomically; a fetch with the same rows and as_of leaves it (and its raw files)
alone, and an older snapshot never replaces a newer one (`transforms.snapshots`). The raw archive keeps every
version. Incremental reads: `signatures()` lists (size, mtime_ns) per partition with one directory scan, no
file read; the loader re-reads only the partitions whose signature changed since it last loaded them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable

from transforms.arrow import pa, pq
from transforms.datasets import DATASETS, Dataset
from transforms.datasets.base import Partition
from transforms.responses import RANKINGS_ENDPOINT
from transforms.snapshots import STALE, UNCHANGED, verdict
from warehouse.files import write_atomic
from warehouse.paths import Home

SUFFIX = ".parquet"
META_KEY = b"tokenrank"
WRITERS = 2
"""Threads writing the partitions of one `write_partitions` call (one per core of the machines we run on)."""
PARALLEL_FROM = 16
"""Fewer partitions than this are written by the calling thread: a pool costs more than it saves."""


def conform(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """`rows` as `schema`: as they are when they already have it (a cast costs ~0.1 ms even then, a file's worth
    of time for a demo's 3,000 partitions), else cast."""
    return rows if rows.schema.equals(schema, check_metadata=True) else rows.cast(schema)


class UnreadablePartition(RuntimeError):
    """A lake file that is not a readable Parquet file (truncated, overwritten); the message names it."""


@dataclass
class LakeWrite:
    fresh: dict[Hashable, tuple[Partition, tuple[int, int]]] = field(default_factory=dict)
    """Each partition written, in key order, as `read_partition` would return it, with its file's signature
    (size, mtime_ns): the loader takes these instead of reading back the files it has just seen written."""
    unchanged: list[Hashable] = field(default_factory=list)
    stale: list[Hashable] = field(default_factory=list)
    """Partitions that already hold a newer snapshot (as_of) than the one offered."""

    @property
    def written(self) -> list[Hashable]:
        return list(self.fresh)


class Lake:
    """One dataset's folder of the lake (rankings-daily unless `dataset` is given)."""

    def __init__(self, home: Home, dataset: Dataset | None = None):
        self.dataset = dataset or DATASETS[RANKINGS_ENDPOINT]
        self.root = home.lake / self.dataset.lake_table

    def partition(self, key: Hashable) -> Path:
        return self.root / f"{self.dataset.partition_name(key)}{SUFFIX}"

    def signatures(self) -> dict[Hashable, tuple[int, int]]:
        """(size, mtime_ns) of every partition, keyed by partition key: one directory scan, no file opened."""
        found: dict[Hashable, tuple[int, int]] = {}
        for name, signature in self.file_signatures().items():
            try:
                found[self.dataset.parse_partition(name)] = signature
            except ValueError:
                continue
        return found

    def file_signatures(self) -> dict[str, tuple[int, int]]:
        """(size, mtime_ns) of every partition file, keyed by its name without the suffix (not checked to be a
        partition name: `signatures` parses them)."""
        found: dict[str, tuple[int, int]] = {}
        try:
            entries = os.scandir(self.root)
        except FileNotFoundError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(SUFFIX) and not name.startswith("."):
                    stat = entry.stat()
                    found[name.removesuffix(SUFFIX)] = (stat.st_size, stat.st_mtime_ns)
        return found

    def keys(self) -> list[Hashable]:
        return sorted(self.signatures())

    def dates(self) -> list[dt.date]:
        """The partition keys of a day-partitioned dataset (rankings-daily): its dates."""
        return self.keys()

    def read_partition(self, key: Hashable) -> Partition | None:
        path = self.partition(key)
        if not path.exists():
            return None
        try:
            table = pq.ParquetFile(path).read()  # read_table's dataset discovery costs 5x the read of a small file
        except (pa.ArrowException, OSError) as exc:
            raise UnreadablePartition(f"lake file {path} cannot be read ({str(exc).splitlines()[0]}); "
                                      "`tokenrank rebuild` recreates the lake from raw/") from None
        meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
        rows = conform(table.replace_schema_metadata(None), self.dataset.schema)
        if "as_of" in meta:
            as_of, raw_files = dt.datetime.fromisoformat(meta["as_of"]), tuple(meta["raw_files"])
        else:  # written before partitions carried metadata: never without rows
            as_of, raw_files = rows["as_of"][0].as_py(), tuple(dict.fromkeys(rows["raw_file"].to_pylist()))
        return Partition(key, rows, as_of, raw_files)

    def read(self, key: Hashable) -> pa.Table | None:
        part = self.read_partition(key)
        return None if part is None else part.rows

    def write(self, tables: list[pa.Table]) -> LakeWrite:
        """Write the partitions of `tables` (rows that carry their whole partition key, i.e. rankings-daily)."""
        return self.write_partitions([part for table in tables for part in self.dataset.partitions_of(table)])

    def write_partitions(self, parts: list[Partition]) -> LakeWrite:
        """Write partitions (a later one wins over an earlier one of the same key) by `transforms.snapshots` rules.

        Many partitions are written by `WRITERS` threads (Parquet encoding and file I/O release the GIL); each file
        is still replaced atomically, and the result lists keys in order."""
        result = LakeWrite()
        latest = {part.key: part for part in parts}
        keys = sorted(latest)
        if len(keys) < PARALLEL_FROM:
            outcomes = [self._write_one(latest[key]) for key in keys]
        else:
            with ThreadPoolExecutor(WRITERS) as pool:
                outcomes = list(pool.map(lambda key: self._write_one(latest[key]), keys))
        for key, (outcome, fresh) in zip(keys, outcomes):
            if outcome == UNCHANGED:
                result.unchanged.append(key)
            elif outcome == STALE:
                result.stale.append(key)
            else:
                result.fresh[key] = fresh
        return result

    def _write_one(self, part: Partition) -> tuple[str, tuple[Partition, tuple[int, int]] | None]:
        """One partition's verdict and, when it is newer, its file written: (verdict, `LakeWrite.fresh` entry)."""
        outcome = verdict(self.read_partition(part.key), part)
        if outcome in (UNCHANGED, STALE):
            return outcome, None
        meta = {"as_of": part.as_of.isoformat(), "raw_files": list(part.raw_files)}
        path = self.partition(part.key)
        sink = pa.BufferOutputStream()  # one write() for the file: writing to the path makes dozens and their seeks
        pq.write_table(part.rows.replace_schema_metadata({META_KEY: json.dumps(meta).encode()}), sink)
        write_atomic(path, sink.getvalue(), durable=False)  # the lake is rebuilt from raw/ after a crash
        stat = path.stat()
        rows = conform(part.rows, self.dataset.schema)
        return outcome, (Partition(part.key, rows, part.as_of, part.raw_files), (stat.st_size, stat.st_mtime_ns))

"""The one write session every flow and CLI command uses.

    writer lock → prepare the home (finish an interrupted rebuild swap, clean up, claim/migrate) → make sure
    readers have a published copy → lake →
    one transaction (facts, restatements, reference, derived tables, the run's ingest_log row) → run journal
    → publish the read-only copy

`rebuild_home` and `migrate_home` are the same lock → write → publish sequence for `tokenrank rebuild` and
`tokenrank migrate`.

A home in an object store (`Home.store`, see `warehouse.store`) is written the same way on its local folder,
inside `writing`: under the lock the folder is first brought up to the store (raw/, lake/, the latest
warehouse version, or a warehouse rebuilt from the store's raw/ when it has none), and publishing uploads
raw/ and lake/ and then the warehouse as the next version (refused with `StaleWarehouse` when another
writer published that version first) and its read-only copy.

Every step is idempotent and the next session repairs whatever a crash left: partitions written to the lake
but not loaded are loaded (the loader reads every partition whose file changed), and the copy is published
again. A failed run changes nothing but its own ingest_log row and journal.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator

import pyarrow as pa

from transforms.datasets import DATASETS
from transforms.datasets.base import Partition
from warehouse import db, published
from warehouse.failpoints import failpoint
from warehouse.home import HomeMismatch, claim, migrate
from warehouse.ingest import credit, finished, load_warehouse, log_runs, requested
from warehouse.lake import Lake
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive, RawFile
from warehouse.rebuild import RebuildResult, finish_interrupted_swap, rebuild
from warehouse.runs import RunStats
from warehouse.writer_lock import WriterBusy, writer_lock


class Writing:
    """One write session's link to its home's store (none for a local home): what `publish` needs."""

    def __init__(self, home: Home):
        self.home = home
        self.store = None
        if home.store:
            from warehouse.store import Store  # fsspec, only for store homes

            self.store = Store(home.store, home.root)
        self.based_on: int | None = None
        self.notes: list[str] = []

    def pull(self) -> list[str]:
        """Bring the local folder up to the store; what was done, one line each."""
        if self.store is None:
            return []
        self.store.pull()
        self.based_on = self.store.pull_warehouse()
        if self.based_on is None and any(self.home.raw.glob("*/*/*/*.json.gz")):
            result = rebuild(self.home, allow_loss=True)
            return [f"no warehouse in {self.home.store}: rebuilt from its raw archive ({result.raw_files} raw files)"]
        return []

    def publish(self) -> None:
        """Publish the read-only copy, and with a store upload raw/, lake/, the warehouse and the copy."""
        copy = published.publish(self.home)
        if self.store is not None:
            self.based_on = self.store.publish(self.based_on, copy)


_unpublished: ContextVar[set[Home] | None] = ContextVar("tokenrank_unpublished", default=None)
"""Inside `publish_once`: the homes whose commits wait for the block's one publish."""


@contextlib.contextmanager
def publish_once(home: Home) -> Iterator[None]:
    """Write sessions inside the block leave the read-only copy to one publish at its end (also when the block
    fails: what was committed is published). A run of several datasets publishes once, not once per dataset.

    A store home publishes every session (each is a new warehouse version other machines may build on). A crash
    before the final publish leaves readers the previous copy until the next write session publishes. Only the
    block's first committing session checks that readers have a readable copy (`published.ensure_published`).
    """
    if home.store or _unpublished.get() is not None:
        yield
        return
    token = _unpublished.set(set())
    try:
        yield
    finally:
        pending = _unpublished.get()
        _unpublished.reset(token)
        if pending:
            with writing(home) as session:
                session.publish()
            failpoint("after-publish")


def _publish(session: Writing) -> None:
    pending = _unpublished.get()
    if pending is not None and not session.home.store:
        pending.add(session.home)
        return
    session.publish()
    failpoint("after-publish")


@contextlib.contextmanager
def writing(home: Home) -> Iterator[Writing]:
    """Hold the writer lock for the block, with the home's local folder synced from its store first."""
    with writer_lock(home):
        session = Writing(home)
        session.notes = session.pull()
        yield session


@dataclass
class Commit:
    """One run's share of a write session: its partitions per dataset name (`tables`: rankings-daily rows, split
    into their dates), the raw files they came from and the catalogue fetched with them."""

    run: RunStats
    partitions: dict[str, list[Partition]] = field(default_factory=dict)
    raws: list[RawFile] = field(default_factory=list)
    catalogue: pa.Table | None = None
    tables: list[pa.Table] = field(default_factory=list)


def commit_run(
    home: Home, run: RunStats, *, tables: list[pa.Table] = (), partitions: dict[str, list[Partition]] | None = None,
    raws: list[RawFile] = (), catalogue: pa.Table | None = None,
) -> RunStats:
    """Write a run's partitions (per dataset name) and load them (or, with none, repair and refresh): see the
    module doc. `tables` are rankings-daily rows, split into their dates."""
    return commit_runs(home, [Commit(run, dict(partitions or {}), list(raws), catalogue, list(tables))])[0]


def commit_runs(home: Home, commits: list[Commit]) -> list[RunStats]:
    """`commit_run` for several runs in one write session: one lake write each, one load (one transaction) for all,
    then each run's ingest_log row and journal, and one publish. A run is credited with its own dataset's load (the
    first run also with any repair of a dataset none of them ran)."""
    runs = [commit.run for commit in commits]
    with writing(home) as session:
        notes = session.notes + prepare(home, runs[0].source)
        for run in runs:
            run.notes += notes
        pending = _unpublished.get()
        if not (pending and home in pending):  # in a publish_once block the first session has done it
            published.ensure_published(home)  # readers never open the warehouse: give them a copy before any write
        fresh: dict[str, dict] = {}
        for commit in commits:
            lakes = [Lake(home)] + [Lake(home, DATASETS[name]) for name in commit.partitions]
            writes = [lakes[0].write(commit.tables)]
            writes += [lake.write_partitions(commit.partitions[lake.dataset.name]) for lake in lakes[1:]]
            commit.run.lake_written = sum(len(w.written) for w in writes)
            commit.run.lake_unchanged = sum(len(w.unchanged) for w in writes)
            commit.run.lake_stale = sum(len(w.stale) for w in writes)
            for lake, write in zip(lakes, writes):
                fresh.setdefault(lake.dataset.name, {}).update(write.fresh)
        failpoint("after-lake")
        RawArchive(home).sync([raw for commit in commits for raw in commit.raws])  # before any row names them
        catalogue = next((commit.catalogue for commit in commits if commit.catalogue is not None), None)
        con = db.connect(home.warehouse)
        try:
            with db.transaction(con):
                stats = load_warehouse(con, home, requested_dates=requested([r for c in commits for r in c.raws]),
                                       catalogue=catalogue, fresh=fresh)
                credit(runs, stats)
                for commit in commits:
                    # rows fetched that the warehouse already held as they are (reloaded or not), so the lake's and
                    # the warehouse's "unchanged" tell the same story
                    fetched = sum(t.num_rows for t in commit.tables) + sum(
                        part.rows.num_rows for parts in commit.partitions.values() for part in parts)
                    commit.run.unchanged = max(fetched - commit.run.inserted - commit.run.updated, 0)
                log_runs(con, [finished(run, "success").log_row() for run in runs])
        finally:
            con.close()
        failpoint("after-commit")
        for run in runs:
            RawArchive(home).record_run(run.journal())
        failpoint("after-journal")
        _publish(session)
    return runs


def rebuild_home(home: Home, *, allow_loss: bool = False, progress=lambda done, total: None) -> RebuildResult:
    """Recreate lake and warehouse from raw/ (`warehouse.rebuild`) under the writer lock, then publish."""
    with writing(home) as session:
        result = rebuild(home, allow_loss=allow_loss, progress=progress)
        session.publish()
    return result


def migrate_home(home: Home) -> list[str]:
    """Bring a home to the current layout under the writer lock; what was done, one line each."""
    with writing(home) as session:
        done = migrate(home)
        if done:
            session.publish()
        return done


def prepare(home: Home, source: str) -> list[str]:
    """Under the writer lock: finish what a killed rebuild left, then claim the home for `source`."""
    notes = finish_interrupted_swap(home)
    return notes + claim(home, source)


def record_failure(home: Home, run: RunStats, error: BaseException) -> str | None:
    """Log a failed run (ingest_log row, journal, published copy); returns why it could not, else None.

    Nothing is recorded in a home that holds another source's data.
    """
    if isinstance(error, (HomeMismatch, WriterBusy)):
        return None
    finished(run, "failed", one_line(error))
    try:
        with writing(home) as session:
            RawArchive(home).record_run(run.journal())
            if not home.warehouse.exists():
                if session.store is not None:
                    session.store.push()
                return None
            con = db.connect(home.warehouse)
            try:
                with db.transaction(con):
                    log_runs(con, [run.log_row()])
            finally:
                con.close()
            session.publish()
    except Exception as exc:  # the failure itself is what matters; say why it could not be logged
        return one_line(exc)
    return None


def one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

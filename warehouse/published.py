"""Read-only copies of the warehouse for readers, published after each successful load.

DuckDB lets a single process hold a writable warehouse file, and readers cannot open it while a run
writes. So after every commit the writer (still holding the writer lock) copies the committed database to
`published/warehouse-<UTC stamp>.duckdb` (temp file + rename) and swaps the `published/current.duckdb`
symlink to it (temp link + rename). Readers open `current.duckdb` read-only and never `warehouse.duckdb`:
they see the last committed state, never a half load, never wait for a writer and never block one. Copies
older than the newest `KEEP` are deleted (a reader that has one open keeps reading it: POSIX unlink leaves
open files intact).

The copy is in DuckDB's storage format `db.STORAGE_VERSION` (v1.1.0), not the writer's newest one, so
every DuckDB 1.1+ client (CLI, Python, DBeaver, notebooks) opens it. That costs only the compression
methods added after 1.1 (the copy is a few percent larger) and forbids column types newer than 1.1 (such
as VARIANT): publishing a warehouse that used one would fail loudly, not silently. A warehouse created in
that format (every one `db.connect` creates) is copied byte for byte, at the disk's speed; one in a newer format
(made by an older tokenrank) is rewritten into it table by table, which grows with the warehouse.

Reader connections are sandboxed (`connect_read_only`): an in-memory DuckDB instance of their own that
attaches the copy READ_ONLY, with external access (files, URLs, COPY, ATTACH), extension auto-loading and
installing, and spilling to disk all off, and the configuration locked, so SQL sees the warehouse and
nothing else.

A home in an object store (`Home.store`) publishes its copy to the store too (`warehouse.session.Writing`);
a reader there first downloads the newest published version into its local `published/` (once per version,
as `store-v<N>.duckdb`) and points `current.duckdb` at it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Mapping

import duckdb

from transforms.windows import utc_now
from warehouse import db
from warehouse.files import fsync_path, temp_path_beside
from warehouse.paths import Home

CURRENT = "current.duckdb"
PREFIX = "warehouse-"
STORE_PREFIX = "store-"
KEEP = 2
ALIAS = "warehouse"
"""The catalog name a reader's connection gives the published copy (`warehouse.main.fact_model_daily`)."""

SANDBOX = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",  # no spilling: the memory limit is a hard limit and readers write no file
}
"""Settings of every reader's database; external access is switched off (and the configuration locked)
right after the copy is attached, since attaching it is itself file access."""


class NothingPublished(RuntimeError):
    """No readable copy for readers: nothing has been loaded into this home yet (or see the subclass)."""


class PublishedUnreadable(NothingPublished):
    """The published copy exists but DuckDB cannot open it (truncated, overwritten, not a database)."""


def publish(home: Home) -> Path:
    """Copy the committed warehouse to a new published file and point `current.duckdb` at it.

    Call while holding the writer lock, after the writing connection is closed (DuckDB refuses to attach a
    file this process has open). A write-ahead log the writer left is folded into the copy.
    """
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    target = home.published / f"{PREFIX}{stamp}.duckdb"
    tmp = temp_path_beside(target)
    try:
        _copy_database(home.warehouse, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    _point_current(home, target)
    return target


def _point_current(home: Home, target: Path) -> None:
    link = temp_path_beside(home.published / CURRENT)
    os.symlink(target.name, link)
    os.replace(link, home.published / CURRENT)
    _clean_up(home.published)


def refresh_from_store(home: Home) -> Path | None:
    """A store home's reader side: download the store's newest published copy and make it current."""
    from warehouse.store import Store

    copy = Store(home.store, home.root).pull_published(home.published, STORE_PREFIX)
    if copy is not None and current(home) != copy:
        _point_current(home, copy)
    return copy


def ensure_published(home: Home) -> Path:
    """Make sure readers have a copy to open: publish one unless a readable one exists.

    The write path calls this under the writer lock before its first write, so no reader ever finds nothing
    (or a broken copy) for long. When there is no warehouse yet, it is created with its empty base tables.
    """
    path = current(home)
    if path is not None:
        try:
            _attach_read_only(path).close()
            return path
        except PublishedUnreadable:
            pass
    if not home.warehouse.exists():
        db.connect(home.warehouse).close()
    return publish(home)


def current(home: Home) -> Path | None:
    """The newest published copy, or None before the first publish."""
    link = home.published / CURRENT
    return link.resolve() if link.exists() else None


def connect_read_only(home: Home, settings: Mapping[str, object] | None = None) -> duckdb.DuckDBPyConnection:
    """A sandboxed, read-only connection to the newest published copy; never to `warehouse.duckdb`.

    `settings`: extra DuckDB settings fixed before the configuration is locked (e.g. `memory_limit`,
    `max_execution_time`). Raises `NothingPublished` before the first publish and `PublishedUnreadable`
    when the copy cannot be opened.
    """
    if home.store:
        refresh_from_store(home)
    for _ in range(3):  # a copy can be cleaned up between resolving the link and opening it: look again
        path = current(home)
        if path is None:
            break
        try:
            con = _attach_read_only(path, settings)
        except PublishedUnreadable:
            if path.exists():
                raise
            continue
        con.execute("SET enable_progress_bar = false")  # drawn on the terminal: in the middle of CSV on stdout
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con
    raise NothingPublished("nothing loaded yet: run tokenrank demo, tokenrank run or tokenrank backfill first")


def _attach_read_only(path: Path, settings: Mapping[str, object] | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:", config={**SANDBOX, **(settings or {})})
    try:
        con.execute(f"ATTACH {_literal(path)} AS {ALIAS} (READ_ONLY)")
        con.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:
        con.close()
        raise unreadable(exc, path) from None
    return con


def unreadable(exc: duckdb.Error, path: Path | None = None) -> PublishedUnreadable:
    """The error for a copy DuckDB fails to read, whether it fails on opening or later on a damaged block."""
    copy = f"the published copy {path}" if path else "the published copy"
    return PublishedUnreadable(f"{copy} cannot be read ({str(exc).splitlines()[0]}); "
                               "the next run, backfill or rebuild publishes a fresh one")


def _copy_database(source: Path, target: Path) -> None:
    """Write `source`'s committed state to the new file `target`, in storage format `db.STORAGE_VERSION`: its bytes
    when it is in that format and checkpointed (no write-ahead log), else a rewrite table by table."""
    if db.storage_header(source) == db.COMPATIBLE_HEADER and not Path(f"{source}.wal").exists():
        shutil.copyfile(source, target)
        fsync_path(target)
        return
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {_literal(source)} AS src (READ_ONLY)")
        con.execute(f"ATTACH {_literal(target)} AS dst (STORAGE_VERSION '{db.STORAGE_VERSION}')")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")  # checkpoints: the file is complete before it is renamed into place
    finally:
        con.close()


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _clean_up(folder: Path) -> None:
    for prefix in (PREFIX, STORE_PREFIX):
        copies = sorted(folder.glob(f"{prefix}*.duckdb"))
        for old in copies[:-KEEP]:
            old.unlink(missing_ok=True)

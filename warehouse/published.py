"""Read-only copies of the warehouse for readers, published after each successful load.

DuckDB lets a single process hold a writable warehouse file, and readers cannot open it while a run
writes. So after every commit the writer (still holding the writer lock) copies the checkpointed file to
`published/warehouse-<UTC stamp>.duckdb` (temp file + rename) and swaps the `published/current.duckdb`
symlink to it (temp link + rename). Readers open `current.duckdb` read-only: they see the last committed
state, never a half load, and never wait for a writer. Copies older than the newest `KEEP` are deleted (a
reader that has one open keeps reading it: POSIX unlink leaves open files intact).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from transforms.windows import utc_now
from warehouse.files import temp_path_beside
from warehouse.paths import Home

CURRENT = "current.duckdb"
PREFIX = "warehouse-"
KEEP = 2


class NothingPublished(RuntimeError):
    """No read-only copy exists yet (and the warehouse itself cannot be read)."""


def publish(home: Home) -> Path:
    """Copy the committed warehouse to a new published file and point `current.duckdb` at it.

    Call while holding the writer lock, after the writing connection is closed.
    """
    _checkpoint(home.warehouse)
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    target = home.published / f"{PREFIX}{stamp}.duckdb"
    tmp = temp_path_beside(target)
    try:
        shutil.copyfile(home.warehouse, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    link = temp_path_beside(home.published / CURRENT)
    os.symlink(target.name, link)
    os.replace(link, home.published / CURRENT)
    _clean_up(home.published)
    return target


def current(home: Home) -> Path | None:
    """The newest published copy, or None before the first publish."""
    link = home.published / CURRENT
    return link.resolve() if link.exists() else None


def connect_read_only(home: Home) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the newest published copy (or to the warehouse when nothing is published yet)."""
    for _ in range(3):  # a copy can be cleaned up between resolving the link and opening it: look again
        path = current(home)
        if path is None:
            break
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException:
            if path.exists():
                raise
    if home.warehouse.exists():
        try:
            return duckdb.connect(str(home.warehouse), read_only=True)
        except duckdb.IOException as exc:
            raise NothingPublished(
                f"no published copy under {home.published} and the warehouse is busy ({str(exc).splitlines()[0]}); "
                "it is published after the running load commits"
            ) from None
    raise NothingPublished(f"no warehouse under {home.root} yet: load data first (tokenrank demo, run or backfill)")


def _checkpoint(path: Path) -> None:
    """Fold any write-ahead log into the file so a plain copy of it is complete."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _clean_up(folder: Path) -> None:
    copies = sorted(folder.glob(f"{PREFIX}*.duckdb"))
    for old in copies[:-KEEP]:
        old.unlink(missing_ok=True)

"""Atomic file writes: a temp file in the target's folder, fsync, then rename (or link, never to overwrite).

`durable=False` skips the fsync: still atomic (a reader sees the old file or the new one), only a power loss can
take the new one back. For files rebuilt from others after a crash (the lake, from raw/), and for files written
one by one and made durable together (`sync_files`) before anything refers to them (raw/, before the warehouse
commits their rows)."""

from __future__ import annotations

import functools
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

SYNC_THREADS = 16


def _write_temp(path: Path, data: bytes, durable: bool = True) -> str:
    """`data` in a new temp file beside `path` (mode 0644 whatever the umask: reports and archives are read by other
    users); opened with O_EXCL on a random name, written with `os.write` (mkstemp and a file object cost 3x). Plain
    strings, and the folder made only when it is missing: a lake write is thousands of these."""
    tmp = _temp_name(os.fspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        try:
            os.fchmod(fd, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new one, never a part."""
    tmp = _write_temp(path, data, durable)
    os.replace(tmp, path)


def create_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Create `path` with `data` in one step; raises FileExistsError rather than overwrite anything."""
    tmp = _write_temp(path, data, durable)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def sync_files(paths: Iterable[Path]) -> None:
    """Make `paths` durable, data and names: an fsync of each file (one gone since is skipped), then of each folder
    holding them, on `SYNC_THREADS` threads: the filesystem commits concurrent fsyncs together (1,000 small files:
    0.65 s one after another, 0.2 s on 8 threads here)."""
    paths = list(paths)
    sync = functools.partial(fsync_path, missing_ok=True)
    with ThreadPoolExecutor(SYNC_THREADS) as pool:
        list(pool.map(sync, paths))
        list(pool.map(sync, {path.parent for path in paths}))


def fsync_path(path: Path, *, missing_ok: bool = False) -> None:
    """fsync the file or folder at `path` (one that is gone is skipped when `missing_ok`)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_beside(path: Path) -> Path:
    """A not-yet-existing temp path in `path`'s folder (made if missing), for writers that need a file name (Parquet,
    DuckDB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(_temp_name(os.fspath(path)))


def _temp_name(target: str) -> str:
    """A temp name beside `target`: hidden, 64 random bits, as `mkstemp` would give without creating and deleting a
    file first."""
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")

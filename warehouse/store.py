"""A home kept in an object store (`TOKENRANK_HOME=s3://bucket/prefix`), worked on through a local copy.

Any S3-compatible endpoint works (`AWS_ENDPOINT_URL`, credentials as boto reads them); I/O goes through
fsspec (s3fs), never DuckDB URLs. A store home is mirrored in a local working folder (`Home.root`, under
`$TOKENRANK_CACHE`, default `./.tokenrank-cache`) so every other module keeps working on plain files; this
module moves files between the two. Layout in the store, under the URL:

    home.json, raw/..., lake/<table>/<partition>.parquet    as in a local home
    warehouse/v<NNNNNNNNNN>.duckdb   the authoritative warehouse, one immutable object per version
    published/v<NNNNNNNNNN>.duckdb   its read-only copy (what readers download)

Guarantees:
- raw bodies are created, never overwritten (a conditional create: an existing name is the same body, since
  the name holds its sha256); lake partitions are replaced by one PUT each (atomic per object in S3), with
  the writer's mtime in the object's metadata so every machine sees the same lake signatures;
- a warehouse version is published by creating `warehouse/v<N+1>` conditionally (S3 `If-None-Match`): a
  writer that started from version N while another already published N+1 is refused (`StaleWarehouse`),
  checked before it uploads anything and atomically by the create itself; its read-only copy goes up after it, so a reader's newest `published/` version is
  always complete;
- with no warehouse in the store, the writer rebuilds one from the store's raw archive (`warehouse.rebuild`).

`.store.json` in the local folder records what was last synced (object ETags, local signatures, the version
held), so a sync moves only what changed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import fsspec

from warehouse.files import temp_path_beside, write_atomic

STATE = ".store.json"
WAREHOUSE = "warehouse"
PUBLISHED = "published"
KEEP = 3
"""Versions of the warehouse (and of its copy) kept in the store; older ones are deleted after a publish."""
MTIME_KEY = "tokenrank-mtime-ns"
SYNCED = ("home.json", "raw", "lake")
"""What pull and push mirror file by file (the warehouse goes by version)."""
_VERSION = re.compile(r"^v(\d{10})\.duckdb$")


class StaleWarehouse(RuntimeError):
    """Another writer published a newer warehouse version while this one wrote; nothing more was uploaded."""


class Store:
    """The object-store side of a store home rooted at `url`, mirrored in the local folder `local`."""

    def __init__(self, url: str, local: Path):
        self.url = url.rstrip("/")
        self.local = local
        self.fs, self.base = fsspec.core.url_to_fs(self.url, **_options(url))

    # -- paths -----------------------------------------------------------------------------------
    def key(self, rel: str) -> str:
        return f"{self.base}/{rel}"

    def _rel(self, key: str) -> str:
        return key[len(self.base) + 1:]

    # -- files ------------------------------------------------------------------------------------
    def pull(self) -> int:
        """Download every object of home.json, raw/ and lake/ that changed since the last sync; returns how many."""
        state = self._state()
        objects = state.setdefault("objects", {})
        fetched = 0
        for key, info in self._listing().items():
            rel = self._rel(key)
            if not rel.startswith(SYNCED) or objects.get(rel, {}).get("etag") == info.get("ETag"):
                continue
            path = self.local / rel
            tmp = temp_path_beside(path)
            self.fs.get_file(key, str(tmp))
            mtime = self.fs.metadata(key).get(MTIME_KEY) if rel.startswith("lake/") else None
            if mtime:
                os.utime(tmp, ns=(int(mtime), int(mtime)))
            tmp.replace(path)
            objects[rel] = {"etag": info.get("ETag"), "sig": _signature(path)}
            fetched += 1
        self._save(state)
        return fetched

    def push(self) -> int:
        """Upload every local file of home.json, raw/ and lake/ that changed since the last sync; returns how many.

        Raw bodies are created, never overwritten; everything else is replaced object by object.
        """
        state = self._state()
        objects = state.setdefault("objects", {})
        sent = 0
        for path in self._local_files():
            rel = path.relative_to(self.local).as_posix()
            sig = _signature(path)
            if objects.get(rel, {}).get("sig") == sig:
                continue
            data = path.read_bytes()
            extra = {"Metadata": {MTIME_KEY: str(sig[1])}} if rel.startswith("lake/") else {}
            try:
                self.fs.pipe_file(self.key(rel), data, mode="create" if _is_body(rel) else "overwrite", **extra)
            except FileExistsError:
                pass  # a body's name holds its sha256: the stored one is this one (often uploaded as fetched)
            self.fs.invalidate_cache(self.key(rel))  # a listing cached before that upload would not name it
            objects[rel] = {"etag": self.fs.info(self.key(rel)).get("ETag"), "sig": sig}
            sent += 1
        self._save(state)
        return sent

    def file_names(self, folder: str) -> list[str]:
        """The names of the objects directly under `folder` (relative to the home), without downloading any."""
        self.fs.invalidate_cache()
        try:
            return [key.rsplit("/", 1)[-1] for key in self.fs.ls(self.key(folder), detail=False)]
        except FileNotFoundError:
            return []

    def upload_raw(self, *paths: str) -> None:
        """Create the archived files `paths` (relative to raw/'s root) in the store now; one already there (its
        name holds its sha256) is left as it is. The session's `push` records them later."""
        for path in paths:
            rel = f"raw/{path}"
            try:
                self.fs.pipe_file(self.key(rel), (self.local / rel).read_bytes(), mode="create")
            except FileExistsError:
                pass

    # -- the warehouse, by version ----------------------------------------------------------------
    def versions(self, kind: str = WAREHOUSE) -> list[int]:
        try:
            names = self.fs.ls(self.key(kind), detail=False, refresh=True)
        except FileNotFoundError:
            return []
        return sorted(int(m[1]) for m in (_VERSION.match(n.rsplit("/", 1)[-1]) for n in names) if m)

    def latest(self, kind: str = WAREHOUSE) -> int | None:
        found = self.versions(kind)
        return found[-1] if found else None

    def held_version(self) -> int | None:
        """The version the local warehouse was downloaded as (or published as), when it is still that file."""
        state = self._state()
        return state.get("version") if state.get("warehouse_sig") == _signature(self._warehouse_path()) else None

    def pull_warehouse(self) -> int | None:
        """Make the local warehouse the store's latest version (download unless held); None when the store has none
        (the local warehouse is then removed: the caller rebuilds from raw/)."""
        latest = self.latest()
        target = self._warehouse_path()
        if latest is None:
            target.unlink(missing_ok=True)
            Path(f"{target}.wal").unlink(missing_ok=True)
            self._set_version(None)
            return None
        if self.held_version() != latest:
            tmp = temp_path_beside(target)
            self.fs.get_file(self.key(_name(WAREHOUSE, latest)), str(tmp))
            tmp.replace(target)
            Path(f"{target}.wal").unlink(missing_ok=True)
            self._set_version(latest)
        return latest

    def publish(self, based_on: int | None, copy: Path) -> int:
        """Upload raw/ and lake/, then the local warehouse as version `based_on + 1`, then its read-only `copy`;
        returns the new version.

        Raises `StaleWarehouse` when that version exists: another writer got there first. Checked before
        anything is uploaded (so a stale writer's lake partitions never replace newer ones) and again, atomically,
        by the conditional create of the version.
        """
        version = (based_on or 0) + 1
        if self.latest() != based_on:
            raise self._stale(based_on)
        self.push()
        try:
            self.fs.put_file(str(self._warehouse_path()), self.key(_name(WAREHOUSE, version)), mode="create")
        except FileExistsError:
            raise self._stale(based_on) from None
        self.fs.put_file(str(copy), self.key(_name(PUBLISHED, version)))
        self._set_version(version)
        for kind in (WAREHOUSE, PUBLISHED):
            for old in self.versions(kind)[:-KEEP]:
                self.fs.rm_file(self.key(_name(kind, old)))
        return version

    def _stale(self, based_on: int | None) -> StaleWarehouse:
        return StaleWarehouse(
            f"{self.url}: warehouse version {(based_on or 0) + 1} was published by another writer while this one "
            f"wrote from version {based_on}; nothing was published: run again"
        )

    def pull_published(self, folder: Path, prefix: str) -> Path | None:
        """Download the newest read-only copy into `folder` as `<prefix>v<N>.duckdb` (once per version); its local
        path, None when the store has none."""
        latest = self.latest(PUBLISHED)
        if latest is None:
            return None
        target = folder / f"{prefix}{_name(PUBLISHED, latest).rsplit('/', 1)[1]}"
        if not target.exists():
            tmp = temp_path_beside(target)
            self.fs.get_file(self.key(_name(PUBLISHED, latest)), str(tmp))
            tmp.replace(target)
        return target

    # -- bookkeeping --------------------------------------------------------------------------------
    def _listing(self) -> dict[str, dict]:
        self.fs.invalidate_cache()
        try:
            return self.fs.find(self.base, detail=True)
        except FileNotFoundError:
            return {}

    def _local_files(self) -> list[Path]:
        found = []
        for top in SYNCED:
            root = self.local / top
            if root.is_file():
                found.append(root)
            elif root.is_dir():
                found += [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
        return sorted(found)

    def _warehouse_path(self) -> Path:
        return self.local / "warehouse.duckdb"

    def _set_version(self, version: int | None) -> None:
        state = self._state()
        state["version"] = version
        state["warehouse_sig"] = _signature(self._warehouse_path())
        self._save(state)

    def _state(self) -> dict:
        try:
            return json.loads((self.local / STATE).read_text())
        except (OSError, ValueError):
            return {}

    def _save(self, state: dict) -> None:
        write_atomic(self.local / STATE, json.dumps(state, sort_keys=True).encode())


def _options(url: str) -> dict:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if url.startswith("s3://") and endpoint:
        return {"endpoint_url": endpoint}
    return {}


def _name(kind: str, version: int) -> str:
    return f"{kind}/v{version:010d}.duckdb"


def _is_body(rel: str) -> bool:
    return rel.startswith("raw/") and rel.endswith(".json.gz")


def _signature(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]

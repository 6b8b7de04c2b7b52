"""The raw archive: every response body exactly as received, never overwritten.

Layout under `$TOKENRANK_HOME/raw/`:
    <endpoint>/<YYYY>/<MM>/<file_id>.json.gz        the body, gzipped (mtime 0, so bytes are reproducible)
    <endpoint>/<YYYY>/<MM>/<file_id>.manifest.json  its manifest record (`RawFile`)
    quarantine/<file_id>.json.gz + .manifest.json   bodies that failed validation, with `reason`
    runs/<run_id>.json                              journal: the raw files a run wrote to the lake

A re-fetch is a new file. The manifest holds the query without the API key (sources never put it there).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flows.sources.base import FetchedResponse, Window
from transforms.contract import peek_meta
from warehouse.files import create_atomic, write_atomic
from warehouse.paths import Home

BODY_SUFFIX = ".json.gz"
MANIFEST_SUFFIX = ".manifest.json"


@dataclass(frozen=True)
class RawFile:
    """Manifest record of one archived response. `fetched_at` is ISO UTC; `path` is relative to raw/.

    `redacted`: the source replaced the API key, echoed by the server, in the stored body (`sha256` is then the
    stored body's, `original_sha256` the received one's). Manifests written before these fields load with the defaults.
    """

    file_id: str
    endpoint: str
    params: dict[str, str]
    fetched_at: str
    as_of: str | None
    sha256: str
    rows: int | None
    bytes: int
    status: int
    content_type: str
    run_id: str
    path: str
    reason: str | None = None
    redacted: bool = False
    original_sha256: str | None = None

    @property
    def window(self) -> Window | None:
        if "start_date" in self.params and "end_date" in self.params:
            return Window(dt.date.fromisoformat(self.params["start_date"]), dt.date.fromisoformat(self.params["end_date"]))
        return None


@dataclass(frozen=True)
class RunRecord:
    """A run whose validated responses reached the lake; `rebuild` replays these in order."""

    run_id: str
    flow: str
    source: str
    committed_at: str
    raw_files: list[str] = field(default_factory=list)


class RawArchive:
    def __init__(self, home: Home):
        self.root = home.raw
        self.quarantine_dir = home.quarantine
        self.runs_dir = home.runs

    def store(self, response: FetchedResponse, run_id: str) -> RawFile:
        """Archive one body; returns its manifest record. Never overwrites an existing file."""
        sha = hashlib.sha256(response.body).hexdigest()
        stamp = response.fetched_at.strftime("%Y%m%dT%H%M%S%fZ")
        span = "_".join(response.params[k] for k in ("start_date", "end_date") if k in response.params)
        file_id = "_".join(part for part in (response.endpoint, span, stamp, sha[:10]) if part)
        folder = Path(response.endpoint) / response.fetched_at.strftime("%Y/%m")
        as_of, rows = peek_meta(response.body)
        record = RawFile(
            file_id=file_id,
            endpoint=response.endpoint,
            params=dict(response.params),
            fetched_at=response.fetched_at.isoformat(timespec="microseconds") + "Z",
            as_of=as_of,
            sha256=sha,
            rows=rows,
            bytes=len(response.body),
            status=response.status,
            content_type=response.content_type,
            run_id=run_id,
            path=str(folder / f"{file_id}{BODY_SUFFIX}"),
            redacted=response.redacted,
            original_sha256=response.original_sha256,
        )
        create_atomic(self.root / record.path, gzip.compress(response.body, mtime=0))
        write_atomic(self.root / folder / f"{file_id}{MANIFEST_SUFFIX}", _dump(asdict(record)))
        return record

    def read_body(self, record: RawFile) -> bytes:
        return gzip.decompress((self.root / record.path).read_bytes())

    def quarantine(self, record: RawFile, reason: str) -> RawFile:
        """Move a body that failed validation to quarantine/, with the reason in its manifest record."""
        moved = RawFile(**{**asdict(record), "path": f"quarantine/{record.file_id}{BODY_SUFFIX}", "reason": reason})
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.quarantine_dir / f"{record.file_id}{MANIFEST_SUFFIX}", _dump(asdict(moved)))
        os.replace(self.root / record.path, self.root / moved.path)
        (self.root / record.path).with_name(f"{record.file_id}{MANIFEST_SUFFIX}").unlink(missing_ok=True)
        return moved

    def manifest(self, endpoint: str | None = None) -> list[RawFile]:
        """Every archived, not quarantined, response record, oldest fetch first."""
        records = []
        for path in self.root.glob(f"{endpoint or '*'}/*/*/*{MANIFEST_SUFFIX}"):
            records.append(RawFile(**json.loads(path.read_text())))
        return sorted(records, key=lambda r: (r.fetched_at, r.file_id))

    def quarantined(self) -> list[RawFile]:
        paths = self.quarantine_dir.glob(f"*{MANIFEST_SUFFIX}")
        return sorted((RawFile(**json.loads(p.read_text())) for p in paths), key=lambda r: r.fetched_at)

    def record_run(self, record: RunRecord) -> None:
        write_atomic(self.runs_dir / f"{record.run_id}.json", _dump(asdict(record)))

    def runs(self) -> list[RunRecord]:
        """Journaled runs, oldest commit first."""
        records = [RunRecord(**json.loads(p.read_text())) for p in self.runs_dir.glob("*.json")]
        return sorted(records, key=lambda r: (r.committed_at, r.run_id))


def _dump(obj: dict) -> bytes:
    return (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode()

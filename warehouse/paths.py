"""Where tokenrank keeps its data: `$TOKENRANK_HOME` (default `./.tokenrank`).

    raw/        every response body, verbatim and gzipped, with a manifest record beside it
    raw/quarantine/  bodies that failed validation, with the reason
    raw/runs/   one journal record per run that reached the lake (what `rebuild` replays)
    lake/rankings_daily/date=YYYY-MM-DD/part.parquet
    warehouse.duckdb
    published/  read-only copies of the warehouse for readers; `current.duckdb` links to the newest
    state/      small operational state (the daily request count)
    .writer.lock  held by whichever run is writing the lake or the warehouse
    reports/<week_start>/   report.md, report.html and the charts as SVG
    site/       the static site: index.html, weeks/, models/, countries/ (see transforms.site.links)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Home:
    """`root` holds raw/; lake/ and the warehouse live under `out` when set (a rebuild's staging area)."""

    root: Path
    out: Path | None = None

    @classmethod
    def from_env(cls) -> "Home":
        return cls(Path(os.environ.get("TOKENRANK_HOME") or ".tokenrank").resolve())

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def quarantine(self) -> Path:
        return self.raw / "quarantine"

    @property
    def runs(self) -> Path:
        return self.raw / "runs"

    @property
    def lake(self) -> Path:
        return (self.out or self.root) / "lake"

    @property
    def rankings_lake(self) -> Path:
        return self.lake / "rankings_daily"

    @property
    def reports(self) -> Path:
        return (self.out or self.root) / "reports"

    @property
    def site(self) -> Path:
        return (self.out or self.root) / "site"

    @property
    def warehouse(self) -> Path:
        return (self.out or self.root) / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def writer_lock(self) -> Path:
        return self.root / ".writer.lock"

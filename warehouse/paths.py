"""Where tokenrank keeps its data: `$TOKENRANK_HOME` (default `./.tokenrank`; the demo's is `./.tokenrank-demo`).

    home.json   what this home holds: its layout version and the one source loaded into it
    raw/        every response body, verbatim and gzipped, with a manifest record beside it
    raw/quarantine/  bodies that failed validation, with the reason
    raw/runs/   one journal record per run (its ingest_log row: the run history survives the warehouse)
    lake/rankings_daily/YYYY-MM-DD.parquet
    warehouse.duckdb
    published/  read-only copies of the warehouse for readers; `current.duckdb` links to the newest
    .writer.lock  held by whichever run is writing the lake or the warehouse
    reports/<week_start>/   report.md, report.html and the charts as SVG
    site/       the static site: index.html, weeks/, models/, countries/ (see transforms.site.links)

`TOKENRANK_HOME` may also be an object-store URL (`s3://bucket/prefix`): the home then lives in the store and
is worked on through a local folder (`warehouse.store`); `Home.store` holds the URL.

The Data API request budget belongs to the account, not to a home: its state lives in `state_dir()`
(`$TOKENRANK_STATE_DIR`, default `$XDG_STATE_HOME/tokenrank` or `~/.local/state/tokenrank`), shared by every home.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


CACHE_ENV = "TOKENRANK_CACHE"
DEFAULT_CACHE = ".tokenrank-cache"
HOME_ENV = "TOKENRANK_HOME"
DEFAULT_HOME = ".tokenrank"
DEMO_HOME_ENV = "TOKENRANK_DEMO_HOME"
DEFAULT_DEMO_HOME = ".tokenrank-demo"
STATE_ENV = "TOKENRANK_STATE_DIR"


def state_dir() -> Path:
    """Per-user operational state shared by every home (the account's request budget)."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "tokenrank"


def demo_home() -> Path:
    return Path(os.environ.get(DEMO_HOME_ENV) or DEFAULT_DEMO_HOME).resolve()


@dataclass(frozen=True)
class Home:
    """`root` holds raw/; lake/ and the warehouse live under `out` when set (a rebuild's staging area).

    `store`: the object-store URL this home mirrors (`root` is then its local working folder), or None."""

    root: Path
    out: Path | None = None
    store: str | None = None

    @classmethod
    def from_env(cls) -> "Home":
        return cls.at(os.environ.get(HOME_ENV) or DEFAULT_HOME)

    @classmethod
    def at(cls, location: str) -> "Home":
        """A home from a local path or an object-store URL."""
        if is_url(location):
            return cls(local_folder(location), store=location)
        return cls(Path(location).resolve())

    @property
    def marker(self) -> Path:
        return self.root / "home.json"

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
    def writer_lock(self) -> Path:
        return self.root / ".writer.lock"


def is_url(location: str) -> bool:
    """Whether a home location is an object-store URL (`s3://…`) rather than a local path."""
    return "://" in location and not location.startswith("file://")


def local_folder(url: str) -> Path:
    """The local working folder of the store home `url`: one per URL under `$TOKENRANK_CACHE`."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[1]).strip("_")
    return (Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE) / name).resolve()

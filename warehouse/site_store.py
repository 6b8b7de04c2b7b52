"""Builds the static site under `$TOKENRANK_HOME/site/` from the warehouse, redrawing only what changed.

`build_site` reads every week's report data and the whole history (`report_store`), asks
`transforms.site.pages` for every page and its key, and draws only the pages whose key — mixed with a
fingerprint of the drawing code — differs from the one in `manifest.json`. Each file is replaced
atomically; the manifest is written last, so a build that dies half way redraws the rest next time.
Files of pages that are gone (a week no longer loaded) are deleted; nothing the manifest does not list
is ever touched. One build at a time (a lock file in the site folder).
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb
from filelock import FileLock

from transforms.site.links import INDEX
from transforms.site.pages import site_pages
from warehouse.files import write_atomic
from warehouse.report_store import ReportError, is_synthetic, load_history, load_report_data, load_reports

MANIFEST = "manifest.json"
LOCK = ".build.lock"
FORMAT = 1
CODE_PACKAGES = ("transforms.report", "transforms.site")
"""Whose files make up the drawing code: a change to any of them redraws every page."""
WRITERS = 8
"""Pages written at once while the next ones are drawn: each file waits for its fsync, and the disk
syncs many files in about the time of one."""


@dataclass(frozen=True)
class SiteResult:
    """What one build did. Paths are relative to `site_dir`."""

    site_dir: Path
    written: list[str] = field(default_factory=list)
    """Pages drawn this time (their HTML path, or the stylesheet's)."""
    unchanged: int = 0
    """Pages whose data had not changed since the last build."""
    removed: list[str] = field(default_factory=list)
    """Files deleted because their page is no longer in the site."""

    @property
    def index_path(self) -> Path:
        return self.site_dir / INDEX


def code_fingerprint() -> str:
    """A sha256 over every file of the drawing code (modules, templates, stylesheet)."""
    digest = hashlib.sha256()

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}/{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name)
            elif child.name.endswith((".py", ".j2", ".css")):
                digest.update(name.encode() + b"\x00" + child.read_bytes() + b"\x00")

    for package in CODE_PACKAGES:
        walk(files(package), package)
    return digest.hexdigest()


def _read_manifest(path: Path) -> dict:
    """The previous build's manifest; an unreadable one counts as none (every page is drawn again)."""
    try:
        manifest = json.loads(path.read_text())
        if manifest.get("format") == FORMAT and isinstance(manifest.get("pages"), dict):
            return manifest
    except (OSError, ValueError):
        pass
    return {"format": FORMAT, "pages": {}}


def build_site(
    con: duckdb.DuckDBPyConnection, site_dir: Path, *, synthetic: bool | None = None, force: bool = False
) -> SiteResult:
    """Bring the site in `site_dir` up to date with the warehouse behind `con` (a read-only connection
    is enough). `synthetic`: default detected from the latest successful ingest. `force`: draw every page.
    Raises `ReportError` when no week is loaded or the derived tables are missing."""
    synthetic = is_synthetic(con) if synthetic is None else synthetic
    history = load_history(con, synthetic)
    if not history.weeks:
        raise ReportError("no week in weekly_totals yet: load data first")
    loaded = [row["week_start"] for row in history.weeks]
    weeks = load_reports(con, loaded, synthetic)
    overview = load_report_data(con, loaded[-1], synthetic, history_weeks=None)
    pages = site_pages(weeks, overview, history)

    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(site_dir / LOCK):
        return _write(site_dir, pages, force)


def _write(site_dir: Path, pages: list, force: bool) -> SiteResult:
    code = code_fingerprint()
    old = _read_manifest(site_dir / MANIFEST)
    new_pages: dict[str, dict] = {}
    written: list[str] = []
    unchanged = 0
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="site-writer") as writers:
        writing: list[Future] = []
        for page in pages:
            key = hashlib.sha256(f"{code}\x00{page.key}".encode()).hexdigest()
            before = old["pages"].get(page.path)
            if (not force and before and before.get("key") == key
                    and all((site_dir / name).is_file() for name in before.get("files", []))):
                new_pages[page.path] = before
                unchanged += 1
                continue
            drawn = page.render()
            writing.append(writers.submit(_write_page, site_dir, page.path, drawn))
            new_pages[page.path] = {"key": key, "files": sorted(drawn)}
            written.append(page.path)
    for done in writing:
        done.result()  # the first failed write, if any, fails the build before the manifest is written
    keep = {name for entry in new_pages.values() for name in entry["files"]}
    listed = {name for entry in old["pages"].values() for name in entry.get("files", []) if _inside(name)}
    stale = sorted(listed - keep)
    for name in stale:
        (site_dir / name).unlink(missing_ok=True)
        _prune_empty_parents(site_dir, site_dir / name)
    manifest = {"format": FORMAT, "code": code, "pages": dict(sorted(new_pages.items()))}
    write_atomic(site_dir / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))
    return SiteResult(site_dir=site_dir, written=written, unchanged=unchanged, removed=stale)


def _write_page(site_dir: Path, path: str, drawn: dict[str, bytes]) -> None:
    """Write one page's files; the page last, so a reader never meets a page whose images are not written yet."""
    for name in sorted(drawn, key=lambda n: n == path):
        write_atomic(site_dir / name, drawn[name])


def _inside(name: str) -> bool:
    """A manifest entry names a file inside the site (a hand-edited manifest cannot point elsewhere)."""
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _prune_empty_parents(root: Path, path: Path) -> None:
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent

"""What a home holds: `home.json` records its layout version and the one source loaded into it.

A home holds one source: loading demo (synthetic) rows into a home of real OpenRouter data, or the reverse,
is refused (`HomeMismatch`), so synthetic and real weeks never mix. Homes written before the marker existed
(layout 1: hive-style lake folders, journals of raw files only) are migrated in place by `migrate`, step by
idempotent step, the marker written last; writers call `claim` under the writer lock, which migrates first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from transforms.windows import utc_now
from warehouse.files import write_atomic
from warehouse.paths import Home
from warehouse.raw_archive import JOURNAL_VERSION, RawArchive

LAYOUT = 2
MIXED = "mixed"


class HomeMismatch(RuntimeError):
    """The home holds another source's data; the message says what to do."""


class HomeError(RuntimeError):
    """The home marker is unreadable or from a newer tokenrank."""


def read_marker(home: Home) -> dict | None:
    if not home.marker.exists():
        return None
    try:
        marker = json.loads(home.marker.read_text())
        int(marker["layout"]), str(marker["source"])
    except (ValueError, TypeError, KeyError, OSError):
        raise HomeError(f"{home.marker}: unreadable home marker; restore it or delete it to re-detect the home") from None
    if marker["layout"] > LAYOUT:
        raise HomeError(f"{home.root} was written by a newer tokenrank (layout {marker['layout']}); upgrade tokenrank")
    return marker


def home_source(home: Home) -> str | None:
    """The source this home holds ('openrouter', 'demo (synthetic)', 'mixed'), or None for an empty home."""
    marker = read_marker(home)
    return marker["source"] if marker else None


def check_source(home: Home, source: str) -> None:
    """Refuse early (before any request) to load `source` into a home that holds another source."""
    held = home_source(home)
    if held is not None and held != source:
        _refuse(home, held, source)


def needs_migration(home: Home) -> bool:
    marker = read_marker(home)
    return (marker is None and _has_data(home)) or (marker is not None and marker["layout"] < LAYOUT)


def claim(home: Home, source: str) -> list[str]:
    """Make `home` ready for a write of `source`: migrate an old layout, then check or record the source.

    Call under the writer lock. Returns what was done, one line each (empty when nothing was).
    """
    done = migrate(home)
    marker = read_marker(home)
    if marker is None:
        _write_marker(home, source)
        return done
    if marker["source"] != source:
        _refuse(home, marker["source"], source)
    return done


def _refuse(home: Home, held: str, source: str) -> None:
    what = "both real and synthetic data (from before homes were separated)" if held == MIXED else f"{held} data"
    raise HomeMismatch(
        f"{home.root} holds {what}; it will not take {source} rows: use another home (--home PATH or "
        "TOKENRANK_HOME; the demo has its own, ./.tokenrank-demo)"
    )


def migrate(home: Home) -> list[str]:
    """Bring a layout-1 home to the current layout (idempotent; safe to rerun after a crash)."""
    if not needs_migration(home):
        return []
    done = []
    moved = _flatten_lake(home)
    if moved:
        done.append(f"lake: {moved} partitions moved to lake/rankings_daily/YYYY-MM-DD.parquet")
    sources, converted = _convert_journals(home)
    if converted:
        done.append(f"run journals: {converted} converted to the run-history format")
    source = sources.pop() if len(sources) == 1 else MIXED if sources else None
    if source is not None:
        _write_marker(home, source)
    done.append(f"home migrated to layout {LAYOUT}" + (f" (holds {source})" if source else ""))
    return done


def _has_data(home: Home) -> bool:
    """Signs of a home written before the marker: a warehouse, a hive-style lake or run journals."""
    return (home.warehouse.exists() or any(home.rankings_lake.glob("date=*"))
            or any(home.runs.glob("*.json")))


def _write_marker(home: Home, source: str) -> None:
    body = {"layout": LAYOUT, "source": source, "created_at": utc_now().isoformat(timespec="seconds") + "Z"}
    write_atomic(home.marker, (json.dumps(body, indent=1) + "\n").encode())


def _flatten_lake(home: Home) -> int:
    moved = 0
    for part in sorted(home.rankings_lake.glob("date=*/part.parquet")):
        os.replace(part, home.rankings_lake / f"{part.parent.name.removeprefix('date=')}.parquet")
        part.parent.rmdir()
        moved += 1
    return moved


def _convert_journals(home: Home) -> tuple[set[str], int]:
    """Rewrite layout-1 journals (raw files per run) as run-history journals, from the warehouse's ingest_log
    where it can be read, else from the old journal itself. Returns the sources seen and how many changed."""
    archive = RawArchive(home)
    logged = {row["run_id"]: row for row in _ingest_log_rows(home.warehouse)}
    sources: set[str] = set()
    converted = 0
    for path in sorted(archive.runs_dir.glob("*.json")) if archive.runs_dir.exists() else []:
        try:
            old = json.loads(path.read_text())
        except (ValueError, OSError):
            continue
        if old.get("journal") == JOURNAL_VERSION:
            sources.add(old["source"])
            continue
        row = logged.pop(old.get("run_id"), None) or {
            "run_id": old["run_id"], "flow": old["flow"], "source": old["source"], "window_start": None,
            "window_end": None, "started_at": old["committed_at"].rstrip("Z"),
            "finished_at": old["committed_at"].rstrip("Z"), "raw_files": old.get("raw_files", []),
            "rows_inserted": None, "rows_updated": None, "rows_unchanged": None, "rows_deleted": None,
            "restatements": None, "status": "success", "error": None,
        }
        archive.record_run(row)
        sources.add(row["source"])
        converted += 1
    for row in logged.values():  # runs with no old journal (failed runs): keep their history too
        archive.record_run(row)
        if row["flow"] != "rebuild":
            sources.add(row["source"])
        converted += 1
    sources.discard("raw archive")
    return sources, converted


def _ingest_log_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return []
    try:
        cursor = con.execute("SELECT * FROM ingest_log")
        names = [d[0] for d in cursor.description]
        return [{k: _json_ready(v) for k, v in zip(names, row)} for row in cursor.fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


def _json_ready(value):
    return value.isoformat() if hasattr(value, "isoformat") else value

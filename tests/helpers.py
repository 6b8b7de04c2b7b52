"""Small builders shared by tests: API-shaped rows and bodies, responses, warehouse snapshots."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from transforms.responses import RANKINGS_ENDPOINT, FetchedResponse

from transforms.windows import Window

AS_OF = "2026-04-06T02:00:00Z"


def day_rows(day: dt.date, tokens: dict[str, int], other: int | None) -> list[dict]:
    """API rows for one day in contract order (tokens desc, ties by slug, `other` last)."""
    ranked = sorted(tokens.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [{"date": day.isoformat(), "model_permaslug": s, "total_tokens": str(t)} for s, t in ranked]
    if other is not None:
        rows.append({"date": day.isoformat(), "model_permaslug": "other", "total_tokens": str(other)})
    return rows


def payload(rows: list[dict], start: dt.date, end: dt.date, as_of: str = AS_OF, **meta) -> dict:
    return {
        "data": rows,
        "meta": {"as_of": as_of, "start_date": start.isoformat(), "end_date": end.isoformat(), "version": "v1", **meta},
    }


def response(body: bytes | dict, window: Window, fetched_at: dt.datetime | None = None) -> FetchedResponse:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    return FetchedResponse(
        endpoint=RANKINGS_ENDPOINT,
        params={"start_date": window.start.isoformat(), "end_date": window.end.isoformat()},
        body=raw,
        fetched_at=fetched_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        window=window,
    )


def snapshot(path, *, exclude=("ingest_log", "lake_partitions"), blank_raw_files: bool = False) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (by DuckDB: `ORDER BY ALL`, a third of the CPU of sorting the rows in Python), for
    equality checks (the run log and the lake's file signatures are excluded unless asked). `blank_raw_files` sets
    every `*raw_file` column to NULL before sorting: which of several fetches of the same rows a table names depends
    on what was fetched when (a killed run's bodies are kept), not on the data."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [n for (n,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='main' ORDER BY 1").fetchall()]
        out = {}
        for name in names:
            if name in exclude:
                continue
            columns = [d[0] for d in con.execute(f'SELECT * FROM "{name}" LIMIT 0').description]
            blank = [f'NULL AS "{c}"' for c in columns if blank_raw_files and c.endswith("raw_file")]
            select = f"SELECT * REPLACE ({', '.join(blank)})" if blank else "SELECT *"
            out[name] = con.execute(f'{select} FROM "{name}" ORDER BY ALL').fetchall()
        return out
    finally:
        con.close()


def warehouse_rows(sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` on the current home's warehouse ($TOKENRANK_HOME), opened read-only."""
    from warehouse.paths import Home

    con = duckdb.connect(str(Home.from_env().warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


class FakeTime:
    """A clock that only moves when slept on (monotonic seconds from `start`); records every sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

"""session-cost: the median USD a coding session costs, per harness × turn range × model (API contract §5:
`GET /datasets/session-cost`).

Only the current snapshot exists (refreshed weekly, reportedly Monday morning UTC, a 30-day window ending on a
Sunday). A capture pages through the whole snapshot (`limit=500`, offsets 0, 500, …: the default 100 silently
truncates) until a page comes back short. Grain: one row per (window_end_date, app_slug, turn_range,
model_permaslug). Partition: one snapshot, keyed by its `window_end_date`
(`lake/session_cost/<window_end_date>.parquet`); the same snapshot captured again is not stored twice, a changed
value for the same window is a restatement (`session_cost_restatements`). A snapshot whose `window_end_date` is
null (none published) stores nothing and the run says so. Pages of one capture whose `window_end_date` differ
(a refresh landed mid-fetch) are discarded and fetched again (`page_mark`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa

from transforms.contract import CONTRACT_VERSION, ContractError, check_keys, parse_date, parse_json, parse_timestamp
from transforms.dataset_facts import CITATIONS
from transforms.datasets.base import Page, Partition, Request
from transforms.datasets.snapshot import SnapshotDataset, non_negative, snapshot_request, text

ENDPOINT = "session-cost"
TURN_RANGES = ("1-turn", "2-9-turns", "10-49-turns", "50-plus-turns")
PAGE_SIZE = 500
"""`limit` of every request: the API's maximum (its default, 100, silently truncates)."""
MAX_OFFSET = 5000

TOP_KEYS = frozenset({"data", "meta"})
META_KEYS = frozenset({"as_of", "version", "window_days", "window_end_date"})
ROW_KEYS = frozenset({"app_slug", "app_name", "turn_range", "model_permaslug", "median_session_cost_usd"})

SESSION_COST_SCHEMA = pa.schema(
    [
        pa.field("window_end_date", pa.date32(), nullable=False),
        pa.field("window_days", pa.int32(), nullable=False),
        pa.field("app_slug", pa.string(), nullable=False),
        pa.field("app_name", pa.string(), nullable=False),
        pa.field("turn_range", pa.string(), nullable=False),
        pa.field("model_permaslug", pa.string(), nullable=False),
        pa.field("median_session_cost_usd", pa.float64(), nullable=False),
        pa.field("as_of", pa.timestamp("us"), nullable=False),
        pa.field("raw_file", pa.string(), nullable=False),
    ]
)
"""Grain: one row per (window_end_date, app_slug, turn_range, model_permaslug). The cost is the median USD of one
session over the `window_days` days ending `window_end_date` (UTC); as_of is UTC."""


def page_request(offset: int = 0) -> Request:
    params = (("limit", str(PAGE_SIZE)), ("offset", str(offset)))
    return snapshot_request(ENDPOINT, params, "now" + (f" offset {offset}" if offset else ""))


def normalize_session_cost(body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
    """Validate one session-cost page and return it as a `SESSION_COST_SCHEMA` table.

    Checks: exactly `data` + `meta` (`as_of`, `version` = 'v1', `window_days`, `window_end_date`, the last two
    both null or both set); a row is exactly `app_slug`, `app_name`, `turn_range` (one of `TURN_RANGES`),
    `model_permaslug`, `median_session_cost_usd` (a non-negative JSON number, not a string); no cell twice; at
    most `limit` rows. A null window has no rows (none is published): the table is empty.
    """
    payload = parse_json(body, raw_file)
    try:
        return _normalize(payload, raw_file, params)
    except ContractError as exc:
        raise ContractError(f"{raw_file}: {exc}") from None


def _normalize(payload: Any, raw_file: str, params: dict[str, str]) -> pa.Table:
    check_keys(payload, TOP_KEYS, "response")
    meta = payload["meta"]
    check_keys(meta, META_KEYS, "meta")
    if meta["version"] != CONTRACT_VERSION:
        raise ContractError(f"meta.version is {meta['version']!r}, this pipeline speaks {CONTRACT_VERSION!r}")
    as_of = parse_timestamp(meta["as_of"], "meta.as_of")
    end, days = meta["window_end_date"], meta["window_days"]
    if (end is None) != (days is None):
        raise ContractError(f"meta.window_end_date {end!r} and meta.window_days {days!r}: both null or neither")
    rows = payload["data"]
    if not isinstance(rows, list):
        raise ContractError(f"data is {type(rows).__name__}, expected a list")
    limit = int(params.get("limit") or 100)
    if len(rows) > limit:
        raise ContractError(f"{len(rows)} rows for limit {limit}")
    if end is None:
        if rows:
            raise ContractError(f"{len(rows)} rows but no window_end_date")
        return SESSION_COST_SCHEMA.empty_table()
    end = parse_date(end, "meta.window_end_date")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ContractError(f"meta.window_days {days!r} is not a positive integer")
    columns: dict[str, list] = {name: [] for name in SESSION_COST_SCHEMA.names}
    seen: set[tuple[str, str, str]] = set()
    for index, row in enumerate(rows):
        where = f"row {index}"
        check_keys(row, ROW_KEYS, where)
        cell = (text(row["app_slug"], f"{where} app_slug"), row["turn_range"],
                text(row["model_permaslug"], f"{where} model_permaslug"))
        if cell[1] not in TURN_RANGES:
            raise ContractError(f"{where} turn_range {cell[1]!r} is not one of {', '.join(TURN_RANGES)}")
        where = f"{where} ({' '.join(cell)})"
        if cell in seen:
            raise ContractError(f"{where} repeats an earlier cell")
        seen.add(cell)
        columns["app_slug"].append(cell[0])
        columns["app_name"].append(text(row["app_name"], f"{where} app_name"))
        columns["turn_range"].append(cell[1])
        columns["model_permaslug"].append(cell[2])
        columns["median_session_cost_usd"].append(non_negative(row["median_session_cost_usd"],
                                                               f"{where} median_session_cost_usd"))
    n = len(rows)
    columns.update(window_end_date=[end] * n, window_days=[days] * n, as_of=[as_of] * n, raw_file=[raw_file] * n)
    return pa.table(columns, schema=SESSION_COST_SCHEMA)


def _offset(page: Page) -> int:
    return int(page.params.get("offset") or 0)


def _limit(page: Page) -> int:
    return int(page.params.get("limit") or 100)


class SessionCost(SnapshotDataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        return normalize_session_cost(body, raw_file=raw_file, params=params)

    def snapshot_requests(self) -> list[Request]:
        return [page_request(0)]

    def due(self, today: dt.date) -> dt.date:
        """The window ending the Sunday before the latest Monday (published that Monday morning, UTC)."""
        return today - dt.timedelta(days=today.weekday() + 1)

    def next_page(self, request: Request, rows: int | None) -> Request | None:
        query = request.query
        offset, limit = int(query.get("offset") or 0), int(query.get("limit") or 100)
        if rows is None or rows < limit or offset + limit > MAX_OFFSET:
            return None
        return page_request(offset + limit)

    def page_mark(self, body: bytes) -> str | None:
        try:
            meta = json.loads(body).get("meta") or {}
            return str(meta.get("window_end_date"))
        except (ValueError, AttributeError):
            return None  # the contract check names what is wrong with it

    @staticmethod
    def _captures(pages: list[Page]) -> list[list[Page]]:
        """Pages → whole captures: a capture starts at offset 0 and continues page by page until a short page
        (a page that continues nothing is left out; a capture cut short is not whole)."""
        captures, current = [], None
        for page in pages:
            if _offset(page) == 0:
                current = [page]
            elif current is None or _offset(current[-1]) + _limit(current[-1]) != _offset(page):
                current = None
                continue
            else:
                current.append(page)
            if page.rows.num_rows < _limit(page) or _offset(page) + _limit(page) > MAX_OFFSET:
                captures.append(current)
                current = None
        return captures

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """Pages → one partition per whole capture that has a window (its `window_end_date`). A capture whose
        pages disagree on the window, or repeat a cell, is reported (its later page) and left out."""
        parts, problems = [], []
        for capture in self._captures(pages):
            rows = pa.concat_tables([p.rows for p in capture])
            if not rows.num_rows:
                continue
            ends = {p.rows["window_end_date"][0].as_py() for p in capture if p.rows.num_rows}
            cells = set(zip(*(rows[c].to_pylist() for c in ("app_slug", "turn_range", "model_permaslug"))))
            if len(ends) > 1 or len(cells) != rows.num_rows:
                bad = capture[-1]
                why = (f"pages of one capture have window_end_date {', '.join(sorted(map(str, ends)))} (a refresh "
                       "landed mid-fetch)" if len(ends) > 1 else "a cell is on two pages (the snapshot moved between requests)")
                problems.append((bad.raw_file, f"{bad.raw_file}: {why}"))
                continue
            parts.append(Partition(ends.pop(), rows.sort_by([(c, "ascending") for c in self.sort_by]),
                                   max(p.as_of for p in capture), tuple(p.raw_file for p in capture)))
        return parts, problems

    def notes(self, pages: list[Page]) -> list[str]:
        if any(not sum(p.rows.num_rows for p in capture) for capture in self._captures(pages)):
            return ["session-cost: no snapshot is published (window_end_date is null): nothing stored"]
        return []

    def file_tag(self, params: dict[str, str]) -> str:
        return f"{params.get('offset') or '0'}.{params.get('limit') or '100'}"

    def params_from_tag(self, window, tag: str | None) -> dict[str, str]:
        if not tag:
            return {}
        offset, limit = tag.split(".")
        return {"limit": limit, "offset": offset}


DATASET = SessionCost(
    name=ENDPOINT,
    path="datasets/session-cost",
    params=("app_slug", "model", "turn_range", "limit", "offset"),
    schema=SESSION_COST_SCHEMA,
    lake_table="session_cost",
    table="fact_session_cost",
    key=("window_end_date", "app_slug", "turn_range", "model_permaslug"),
    partition_by=("window_end_date",),
    item=("app_slug", "turn_range", "model_permaslug"),
    sort_by=("app_slug", "turn_range", "model_permaslug"),
    compared=(("median_session_cost_usd", "cost"),),
    restatements_table="session_cost_restatements",
    citation=CITATIONS[ENDPOINT],
    licensed=True,
    snapshot=True,
)

"""app-rankings: the public apps that send traffic through OpenRouter, ranked per Monday–Sunday week
(API contract §4: `GET /datasets/app-rankings`).

Totals exist only per request window, so the series is one request per week and list ("slice"): `sort`
(`popular` by tokens, `trending` by excess growth) × scope (overall, one of 4 categories, one of 15
subcategories). Per complete week tokenrank asks for (26 requests at least):

    popular overall, offsets 0 and 100 (ranks 1..200)            2
    trending overall                                             1
    popular per category, per subcategory (a second page when    4 + 15
        the first comes back with 100 rows)
    trending per category                                        4

Grain: one row per (week_start, sort, category, subcategory, app_id); `category`/`subcategory` hold 'all' when
the request had no such filter, and a subcategory's rows carry its parent category. Partition: one slice of
one week, all its pages (`lake/app_rankings/<week_start>_<sort>_<category>_<subcategory>.parquet`); a slice the
API answered with no rows is a partition without rows (the answer is recorded, not asked again). A slice
whose second page is missing (the day's budget ran out between the two) is not a partition: it is fetched
again whole. Warehouse: `fact_app_rankings`, delete-insert by slice; token, request and name changes in
`app_restatements`. Apps are identified by `app_id`: names change and are not unique.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from transforms.contract import (
    INT64_MAX,
    ContractError,
    check_envelope,
    check_keys,
    parse_date,
    parse_json,
    parse_tokens,
)
from transforms.dataset_facts import CITATIONS
from transforms.datasets.base import Dataset, FetchPlan, Page, Partition, RangeOutsideData, Request, window_params
from transforms.responses import APPS_ENDPOINT
from transforms.windows import DATASET_FLOOR, MAX_WINDOW_DAYS, Window

ALL = "all"
SORTS = ("popular", "trending")
CATEGORIES: dict[str, tuple[str, ...]] = {
    "coding": ("cli-agent", "ide-extension", "cloud-agent", "programming-app", "native-app-builder"),
    "creative": ("creative-writing", "video-gen", "image-gen", "audio-gen"),
    "productivity": ("writing-assistant", "general-chat", "personal-agent", "legal"),
    "entertainment": ("roleplay", "game"),
}
PARENT = {sub: category for category, subs in CATEGORIES.items() for sub in subs}
"""Subcategory → its category (subcategory names are unique across categories)."""

PAGE_SIZE = 100
"""`limit` of every request: the API's maximum."""
MAX_OFFSET = 100
"""The API's deepest offset: rank 200 is the deepest reachable."""
FIRST_WEEK = DATASET_FLOOR + dt.timedelta(days=(7 - DATASET_FLOOR.weekday()) % 7)
"""The first Monday–Sunday week wholly inside the data (2025-01-06..12)."""

ROW_KEYS = frozenset({"rank", "app_id", "app_name", "total_tokens", "total_requests"})

APP_RANKINGS_SCHEMA = pa.schema(
    [
        pa.field("week_start", pa.date32(), nullable=False),
        pa.field("week_end", pa.date32(), nullable=False),
        pa.field("sort", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("subcategory", pa.string(), nullable=False),
        pa.field("rank", pa.int32(), nullable=False),
        pa.field("app_id", pa.int64(), nullable=False),
        pa.field("app_name", pa.string(), nullable=False),
        pa.field("total_tokens", pa.int64(), nullable=False),
        pa.field("total_requests", pa.int64(), nullable=False),
        pa.field("as_of", pa.timestamp("us"), nullable=False),
        pa.field("raw_file", pa.string(), nullable=False),
    ]
)
"""Grain: one row per (week_start, sort, category, subcategory, app_id). Tokens and requests are for the whole
Monday–Sunday week (UTC); rank is absolute (1 = first) within the list; as_of is UTC."""

Slice = tuple[str, str, str]
"""(sort, category, subcategory), 'all' where the request had no such filter."""

OVERALL: tuple[Slice, ...] = (("popular", ALL, ALL), ("trending", ALL, ALL))
FILTERED: tuple[Slice, ...] = (
    tuple(("popular", c, ALL) for c in CATEGORIES)
    + tuple(("popular", PARENT[s], s) for subs in CATEGORIES.values() for s in subs)
    + tuple(("trending", c, ALL) for c in CATEGORIES)
)
SLICES: tuple[Slice, ...] = OVERALL + FILTERED
"""Every list fetched for a complete week, in request order: 25 slices, 26 first requests."""


def always_paged(sort: str, category: str, subcategory: str) -> bool:
    """Popular overall is always fetched to rank 200 (both pages); other lists page only when full."""
    return (sort, category, subcategory) == ("popular", ALL, ALL)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_of(start: dt.date) -> Window:
    return Window(start, start + dt.timedelta(days=6))


def scope_of(params: dict[str, str]) -> tuple[str, str]:
    """(category, subcategory) of a query: 'all' for a filter not given; a subcategory implies its category."""
    subcategory = params.get("subcategory") or ALL
    category = params.get("category") or (PARENT.get(subcategory, ALL) if subcategory != ALL else ALL)
    return category, subcategory


def page_request(week: Window, sort: str, category: str = ALL, subcategory: str = ALL, offset: int = 0) -> Request:
    """The request for one page of one slice. A subcategory is asked for alone (its category is implied)."""
    params = [*window_params(week), ("sort", sort)]
    if subcategory != ALL:
        params.append(("subcategory", subcategory))
    elif category != ALL:
        params.append(("category", category))
    params += [("limit", str(PAGE_SIZE)), ("offset", str(offset))]
    scope = ALL if category == ALL else category if subcategory == ALL else f"{category}/{subcategory}"
    label = f"{week} {sort} {scope}" + (f" offset {offset}" if offset else "")
    return Request(APPS_ENDPOINT, week, tuple(params), label)


def slice_requests(week: Window, sort: str, category: str, subcategory: str) -> list[Request]:
    """The pages of one slice known before any answer: both for popular overall, else the first."""
    offsets = (0, PAGE_SIZE) if always_paged(sort, category, subcategory) else (0,)
    return [page_request(week, sort, category, subcategory, offset) for offset in offsets]


# --- the contract ----------------------------------------------------------------------------------------------


def normalize_app_rankings(body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
    """Validate one app-rankings body answering `params` and return it as an `APP_RANKINGS_SCHEMA` table.

    Checks: exactly `data` + `meta` (`as_of`, `start_date`, `end_date`, `version` = 'v1'); the echoed window
    equals the request's, a Monday–Sunday week; a row is exactly `rank`, `app_id`, `app_name`, `total_tokens`
    (a non-negative int64 decimal string), `total_requests` (a non-negative integer); ranks run from offset+1
    without gaps (trending ranks are assumed to as well); popular rows are in token order; no app_id twice; at
    most `limit` rows. Empty `data` is valid (early weeks, short trending lists).
    """
    payload = parse_json(body, raw_file)
    try:
        return _normalize(payload, raw_file, params)
    except ContractError as exc:
        raise ContractError(f"{raw_file}: {exc}") from None


def _integer(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ContractError(f"{what} {value!r} is not an integer")
    if not 0 <= value <= INT64_MAX:
        raise ContractError(f"{what} {value} is outside 0..{INT64_MAX}")
    return value


def _request_window(params: dict[str, str]) -> Window:
    try:
        window = Window(dt.date.fromisoformat(params["start_date"]), dt.date.fromisoformat(params["end_date"]))
    except (KeyError, ValueError):
        raise ContractError("the request has no start_date/end_date window") from None
    if window.start.weekday() != 0 or window.days != 7:
        raise ContractError(f"the request window {window} is not a Monday–Sunday week")
    return window


def _normalize(payload: Any, raw_file: str, params: dict[str, str]) -> pa.Table:
    window = _request_window(params)
    sort = params.get("sort") or "popular"
    category, subcategory = scope_of(params)
    offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 50)
    meta, as_of = check_envelope(payload)
    echo = Window(parse_date(meta["start_date"], "meta.start_date"), parse_date(meta["end_date"], "meta.end_date"))
    if echo != window:
        raise ContractError(f"meta window {echo} does not echo the requested {window}")
    rows = payload["data"]
    if not isinstance(rows, list):
        raise ContractError(f"data is {type(rows).__name__}, expected a list")
    if len(rows) > limit:
        raise ContractError(f"{len(rows)} rows for limit {limit}")
    columns: dict[str, list] = {name: [] for name in APP_RANKINGS_SCHEMA.names}
    seen: dict[int, int] = {}
    previous_tokens = None
    for index, row in enumerate(rows):
        where = f"row {index}"
        check_keys(row, ROW_KEYS, where)
        rank = row["rank"]
        if not isinstance(rank, int) or isinstance(rank, bool):
            raise ContractError(f"{where} rank {rank!r} is not an integer")
        if rank != offset + index + 1:
            contiguous = "trending ranks are assumed contiguous too" if sort == "trending" else "ranks are contiguous"
            raise ContractError(f"{where} has rank {rank}, expected {offset + index + 1}: {contiguous} from offset+1 "
                                f"({offset + 1})")
        app_id = _integer(row["app_id"], f"{where} app_id")
        where = f"{where} (rank {rank}, app_id {app_id})"
        if app_id in seen:
            raise ContractError(f"{where} repeats the app_id of rank {seen[app_id]}")
        seen[app_id] = rank
        if not isinstance(row["app_name"], str):
            raise ContractError(f"{where} app_name {row['app_name']!r} is not a string")
        tokens = parse_tokens(row["total_tokens"], f"{where} total_tokens")
        requests = _integer(row["total_requests"], f"{where} total_requests")
        if sort == "popular" and previous_tokens is not None and tokens > previous_tokens:
            raise ContractError(f"{where} has more tokens ({tokens}) than the row above ({previous_tokens}): "
                                "popular rows must be in token order")
        previous_tokens = tokens
        columns["rank"].append(rank)
        columns["app_id"].append(app_id)
        columns["app_name"].append(row["app_name"])
        columns["total_tokens"].append(tokens)
        columns["total_requests"].append(requests)
    n = len(rows)
    columns.update(week_start=[window.start] * n, week_end=[window.end] * n, sort=[sort] * n,
                   category=[category] * n, subcategory=[subcategory] * n, as_of=[as_of] * n, raw_file=[raw_file] * n)
    return pa.table(columns, schema=APP_RANKINGS_SCHEMA)


# --- the dataset -----------------------------------------------------------------------------------------------


def _weeks(start: dt.date, end: dt.date, last_complete_day: dt.date) -> tuple[list[dt.date], list[str]]:
    """Mondays of the complete weeks overlapping [start, end] inside the data, newest first, and clamp notes."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    first, last = max(monday(start), FIRST_WEEK), monday(end)
    if last + dt.timedelta(days=6) > last_complete_day:
        last = monday(last_complete_day + dt.timedelta(days=1)) - dt.timedelta(days=7)
    if first > last:
        raise RangeOutsideData(
            f"{start}..{end} holds no complete Monday–Sunday week of app rankings "
            f"({FIRST_WEEK}..{monday(last_complete_day + dt.timedelta(days=1)) - dt.timedelta(days=1)}): nothing to fetch")
    notes = []
    if first > monday(start):
        notes.append(f"start {start} clamped to {first}, the first whole week of the dataset")
    if last < monday(end):
        notes.append(f"end {end} clamped to {last + dt.timedelta(days=6)}, the Sunday of the last complete week")
    weeks = []
    week = last
    while week >= first:
        weeks.append(week)
        week -= dt.timedelta(days=7)
    return weeks, notes


class AppRankings(Dataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        return normalize_app_rankings(body, raw_file=raw_file, params=params)

    @staticmethod
    def slice_key(params: dict[str, str]) -> tuple[dt.date, str, str, str]:
        return (dt.date.fromisoformat(params["start_date"]), params.get("sort") or "popular", *scope_of(params))

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """Pages → one partition per complete slice, in the order slices complete.

        A slice starts at its offset-0 page; its offset-100 page, when needed, must follow (a later offset-0
        page of the same slice starts it afresh). Complete: popular overall with both pages; any other list
        with a first page under `limit` rows, or both pages. An app on both pages breaks the list (the ranking
        moved between the two requests): the second page is reported and the slice left out.
        """
        parts: list[Partition] = []
        problems: list[tuple[str, str]] = []
        open_slices: dict[tuple, list[Page]] = {}
        for page in pages:
            key = self.slice_key(page.params)
            offset = int(page.params.get("offset") or 0)
            if offset == 0:
                group = open_slices[key] = [page]
            else:
                group = open_slices.get(key)
                previous = group[-1] if group else None
                if previous is None or int(previous.params.get("offset") or 0) + int(previous.params.get("limit") or 50) != offset:
                    continue  # no first page to continue: not a whole list
                repeated = set(previous.rows["app_id"].to_pylist()) & set(page.rows["app_id"].to_pylist())
                if repeated:
                    problems.append((page.raw_file, f"{page.raw_file}: app_id {min(repeated)} is on both pages of "
                                     f"{key[1]} {key[2]}/{key[3]} for the week of {key[0]} (the ranking moved "
                                     "between the two requests)"))
                    del open_slices[key]
                    continue
                group.append(page)
            if self._complete(key, group):
                del open_slices[key]
                rows = pa.concat_tables([p.rows for p in group]).sort_by("rank")
                parts.append(Partition(key, rows, max(p.as_of for p in group), tuple(p.raw_file for p in group)))
        return parts, problems

    @staticmethod
    def _complete(key: tuple, group: list[Page]) -> bool:
        last = group[-1]
        if len(group) == 1 and always_paged(*key[1:]):
            return False
        offset, limit = int(last.params.get("offset") or 0), int(last.params.get("limit") or 50)
        return last.rows.num_rows < limit or offset + limit > MAX_OFFSET

    def plan_backfill(self, start, end, *, last_complete_day, have=frozenset(), window_days=MAX_WINDOW_DAYS):
        """Every slice of every complete week overlapping [start, end] not in `have`: overall lists first (newest
        week first), then the filtered lists (newest week first). Second pages come as follow-ups."""
        weeks, notes = _weeks(start, end, last_complete_day)
        return self._plan(Window(start, end), weeks, weeks, notes, have)

    def plan_weekly(self, end, *, last_complete_day, lookback_days, window_days=MAX_WINDOW_DAYS):
        """Every slice of the last complete week ending on or before `end`, and the overall lists of the weeks
        before it that overlap the `lookback_days` ending `end` (re-fetched: their figures may be restated)."""
        if lookback_days < 1:
            raise ValueError("lookback_days must be at least 1")
        latest = monday(min(end, last_complete_day) + dt.timedelta(days=1)) - dt.timedelta(days=7)
        if latest < FIRST_WEEK:
            raise RangeOutsideData(f"no complete Monday–Sunday week of app rankings ends by {end}: nothing to fetch")
        start = end - dt.timedelta(days=lookback_days - 1)
        overall, week = [latest], latest - dt.timedelta(days=7)
        while week >= FIRST_WEEK and week + dt.timedelta(days=6) >= start:
            overall.append(week)
            week -= dt.timedelta(days=7)
        return self._plan(Window(start, end), overall, [latest], [], frozenset())

    def _plan(self, requested: Window, overall_weeks: list[dt.date], filtered_weeks: list[dt.date], notes: list[str],
              have) -> FetchPlan:
        requests, skipped = [], 0
        for weeks, slices in ((overall_weeks, OVERALL), (filtered_weeks, FILTERED)):
            for week in weeks:
                for sort, category, subcategory in slices:
                    if (week, sort, category, subcategory) in have:
                        skipped += 1
                        continue
                    requests += slice_requests(week_of(week), sort, category, subcategory)
        weeks = overall_weeks + filtered_weeks
        effective = Window(min(weeks), max(weeks) + dt.timedelta(days=6))
        return FetchPlan(self.name, requested, effective, requests, notes, skipped,
                         follow_ups="plus a second page for each filtered list that comes back with 100 rows")

    def next_page(self, request: Request, rows: int | None) -> Request | None:
        query = request.query
        sort, (category, subcategory) = query.get("sort") or "popular", scope_of(query)
        offset, limit = int(query.get("offset") or 0), int(query.get("limit") or 50)
        if always_paged(sort, category, subcategory) or rows is None or rows < limit or offset + limit > MAX_OFFSET:
            return None
        return page_request(request.window, sort, category, subcategory, offset + limit)

    def file_tag(self, params: dict[str, str]) -> str:
        category, subcategory = scope_of(params)
        return ".".join([params.get("sort") or "popular", category, subcategory, params.get("offset") or "0",
                         params.get("limit") or "50"])

    def params_from_tag(self, window: Window | None, tag: str | None) -> dict[str, str]:
        if window is None or not tag:
            return super().params_from_tag(window, tag)
        sort, category, subcategory, offset, limit = tag.split(".")
        params = page_request(window, sort, category, subcategory, int(offset)).query
        params["limit"] = limit
        return params


DATASET = AppRankings(
    name=APPS_ENDPOINT,
    path="datasets/app-rankings",
    params=("start_date", "end_date", "sort", "category", "subcategory", "limit", "offset"),
    schema=APP_RANKINGS_SCHEMA,
    lake_table="app_rankings",
    table="fact_app_rankings",
    key=("week_start", "sort", "category", "subcategory", "app_id"),
    partition_by=("week_start", "sort", "category", "subcategory"),
    item="app_id",
    sort_by=("rank",),
    compared=(("total_tokens", "tokens"), ("total_requests", "requests"), ("app_name", "name")),
    restatements_table="app_restatements",
    citation=CITATIONS[APPS_ENDPOINT],
    licensed=True,
)

"""The rankings-daily and models response contracts: raw body bytes → validated Arrow table.

Schema contract (frozen, v1): the top level holds exactly `data` and `meta`; `meta` exactly `as_of`,
`start_date`, `end_date`, `version` ('v1'); a row exactly `date`, `model_permaslug`, `total_tokens`.
Anything else is drift and is rejected with `ContractError`, whose message is one line naming the file
and the first offending row. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import json
import functools
import re
from collections import Counter
from typing import Any

import orjson

from transforms.arrow import pa
from transforms.slugs import OTHER, split_permaslug

INT64_MAX = 2**63 - 1
MAX_ROWS_PER_DAY = 51
TOP_KEYS = frozenset({"data", "meta"})
META_KEYS = frozenset({"as_of", "start_date", "end_date", "version"})
ROW_KEYS = frozenset({"date", "model_permaslug", "total_tokens"})
CONTRACT_VERSION = "v1"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOKENS = re.compile(r"[0-9]+")
_DIGITS_AS_NINES = bytes.maketrans(b"0123456789", b"9" * 10)


def loads(body: bytes) -> Any:
    """`json.loads(body.decode())`'s result, faster: by orjson, except where orjson differs. orjson turns an
    integer past 64 bits into a float, so a body with 20 digits in a row goes to `json` (found by a translate and a
    find: a regex scan costs more than the parse); what orjson refuses goes to `json` too, which reads some of it
    (NaN, Infinity) and words the error for the rest."""
    if body.translate(_DIGITS_AS_NINES).find(b"9" * 20) < 0:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body.decode("utf-8"))  # not json.loads(body), which would skip a byte-order mark


@functools.cache
def rankings_schema() -> pa.Schema:
    return pa.schema(
        [
            pa.field("date", pa.date32(), nullable=False),
            pa.field("model_permaslug", pa.string(), nullable=False),
            pa.field("author", pa.string()),
            pa.field("model_slug", pa.string()),
            pa.field("variant", pa.string()),
            pa.field("total_tokens", pa.int64(), nullable=False),
            pa.field("is_other", pa.bool_(), nullable=False),
            pa.field("as_of", pa.timestamp("us"), nullable=False),
            pa.field("raw_file", pa.string(), nullable=False),
        ]
    )
"""Grain: one row per (date, model_permaslug). Tokens are prompt + completion for that UTC day; as_of is UTC."""

@functools.cache
def catalogue_schema() -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("canonical_slug", pa.string()),
            pa.field("name", pa.string()),
            pa.field("created", pa.timestamp("s")),
            pa.field("raw_file", pa.string(), nullable=False),
        ]
    )


class ContractError(ValueError):
    """A response that breaks the source contract; it is quarantined and loads nothing."""


def parse_json(body: bytes, raw_file: str) -> Any:
    """Decode a JSON body, describing what came instead when it is not JSON (HTML page, truncation)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError(f"{raw_file}: body is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    stripped = text.lstrip()
    if stripped[:1] == "<":
        raise ContractError(f"{raw_file}: body is HTML, not JSON (starts {stripped[:40]!r})")
    try:
        return loads(body)
    except json.JSONDecodeError as exc:
        raise ContractError(
            f"{raw_file}: body is not valid JSON ({exc.msg} at char {exc.pos} of {len(text)}; truncated?)"
        ) from None


def peek_meta(body: bytes) -> tuple[str | None, int | None]:
    """Best-effort (meta.as_of, row count) for the archive manifest; (None, None) when unreadable. A body without
    `meta` whose `data` is an object (task classifications) gives `data.as_of` and its classifications."""
    try:
        payload = loads(body)
        data = payload.get("data", [])
        if "meta" not in payload and isinstance(data, dict):
            return data.get("as_of"), len(data.get("classifications", []))
        return payload.get("meta", {}).get("as_of"), len(data)
    except (ValueError, AttributeError, TypeError):
        return None, None


def parse_timestamp(value: Any, what: str) -> dt.datetime:
    """An ISO-8601 timestamp → naive UTC datetime."""
    if not isinstance(value, str):
        raise ContractError(f"{what} must be an ISO-8601 string, got {type(value).__name__}")
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ContractError(f"{what} {value!r} is not an ISO-8601 timestamp") from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return stamp


def parse_date(value: Any, what: str) -> dt.date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ContractError(f"{what} {value!r} is not a YYYY-MM-DD date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ContractError(f"{what} {value!r} is not a calendar date") from None


def parse_tokens(value: Any, what: str) -> int:
    if not isinstance(value, str) or not _TOKENS.fullmatch(value):
        raise ContractError(f"{what} {value!r} is not a non-negative decimal-integer string")
    tokens = int(value)
    if tokens > INT64_MAX:
        raise ContractError(f"{what} {value} does not fit in int64")
    return tokens


def check_keys(obj: Any, expected: frozenset[str], what: str) -> None:
    if not isinstance(obj, dict):
        raise ContractError(f"{what} is {type(obj).__name__}, expected an object")
    keys = set(obj)
    if keys != expected:
        parts = []
        if missing := sorted(expected - keys):
            parts.append(f"missing {', '.join(missing)}")
        if extra := sorted(keys - expected):
            parts.append(f"unexpected {', '.join(extra)}")
        raise ContractError(f"{what} keys drifted from the v1 contract: {'; '.join(parts)}")


def normalize_rankings(
    body: bytes, *, raw_file: str, window_start: dt.date | None = None, window_end: dt.date | None = None
) -> pa.Table:
    """Validate one rankings-daily body and return it as a `rankings_schema()` table.

    Dates must fall inside the requested window (when given) and inside the echoed meta window.
    Per date: at most 51 rows, no duplicate permaslug, at most one `other` row, and an `other` row
    whenever the day is full (51 rows: the long tail is never empty then).
    """
    payload = parse_json(body, raw_file)
    try:
        return _normalize_payload(payload, raw_file, window_start, window_end)
    except ContractError as exc:
        raise ContractError(f"{raw_file}: {exc}") from None


def check_envelope(payload: Any) -> tuple[dict, dt.datetime]:
    """The v1 envelope every dated Data API dataset shares: exactly `data` + `meta`, `meta` exactly `as_of`,
    `start_date`, `end_date`, `version` ('v1'). Returns (meta, as_of as naive UTC)."""
    check_keys(payload, TOP_KEYS, "response")
    meta = payload["meta"]
    check_keys(meta, META_KEYS, "meta")
    if meta["version"] != CONTRACT_VERSION:
        raise ContractError(f"meta.version is {meta['version']!r}, this pipeline speaks {CONTRACT_VERSION!r}")
    return meta, parse_timestamp(meta["as_of"], "meta.as_of")


def _normalize_payload(
    payload: Any, raw_file: str, window_start: dt.date | None, window_end: dt.date | None
) -> pa.Table:
    meta, as_of = check_envelope(payload)
    lo = parse_date(meta["start_date"], "meta.start_date")
    hi = parse_date(meta["end_date"], "meta.end_date")
    if window_start is not None:
        lo = max(lo, window_start)
    if window_end is not None:
        hi = min(hi, window_end)
    rows = payload["data"]
    if not isinstance(rows, list):
        raise ContractError(f"data is {type(rows).__name__}, expected a list")

    columns: dict[str, list] = {name: [] for name in rankings_schema().names}
    seen: set[tuple[dt.date, str]] = set()
    per_day: Counter[dt.date] = Counter()
    others: Counter[dt.date] = Counter()
    days: dict[str, dt.date] = {}  # a body repeats each date and slug: each is parsed and checked once
    parts: dict[str, tuple[str | None, str | None, str | None]] = {OTHER: (None, None, None)}
    for index, row in enumerate(rows):
        if type(row) is not dict or row.keys() != ROW_KEYS:
            check_keys(row, ROW_KEYS, f"row {index}")
        text = row["date"]
        day = days.get(text) if type(text) is str else None
        if day is None:
            day = parse_date(text, f"row {index} date")
            if not lo <= day <= hi:
                raise ContractError(f"row {index} date {day} is outside the requested window {lo}..{hi}")
            days[text] = day
        slug = row["model_permaslug"]
        if not isinstance(slug, str) or not slug:
            raise ContractError(f"row {index} model_permaslug {slug!r} is not a non-empty string")
        value = row["total_tokens"]
        if type(value) is str and len(value) < 19 and value.isascii() and value.isdigit():
            tokens = int(value)  # below 10**18: fits in int64
        else:
            tokens = parse_tokens(value, f"row {index} ({day}, {slug}) total_tokens")
        if (day, slug) in seen:
            problem = "is a second 'other' row: more than one 'other' row" if slug == OTHER else "is a duplicate of an earlier row"
            raise ContractError(f"row {index} ({day}, {slug}) {problem}")
        seen.add((day, slug))
        per_day[day] += 1
        if per_day[day] > MAX_ROWS_PER_DAY:
            raise ContractError(f"{day} has more than {MAX_ROWS_PER_DAY} rows")
        is_other = slug == OTHER
        if is_other:
            others[day] += 1
        author, model_slug, variant = parts.get(slug) or _permaslug_parts(slug, parts, f"row {index} ({day}, {slug})")
        columns["date"].append(day)
        columns["model_permaslug"].append(slug)
        columns["author"].append(author)
        columns["model_slug"].append(model_slug)
        columns["variant"].append(variant)
        columns["total_tokens"].append(tokens)
        columns["is_other"].append(is_other)
    for day, count in per_day.items():
        if count == MAX_ROWS_PER_DAY and not others[day]:
            raise ContractError(f"{day} has {count} rows but no 'other' row")
    columns["as_of"] = [as_of] * len(rows)
    columns["raw_file"] = [raw_file] * len(rows)
    return pa.table(columns, schema=rankings_schema())


def _permaslug_parts(slug: str, known: dict, where: str) -> tuple[str, str, str | None]:
    try:
        known[slug] = split_permaslug(slug)
    except ValueError as exc:
        raise ContractError(f"{where}: {exc}") from None
    return known[slug]


def normalize_catalogue(body: bytes, *, raw_file: str) -> pa.Table:
    """Validate a /models body into `catalogue_schema()`. Extra model fields are fine: only names are used."""
    payload = parse_json(body, raw_file)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ContractError(f"{raw_file}: a models response must be an object with a 'data' list")
    columns: dict[str, list] = {name: [] for name in catalogue_schema().names}
    seen: set[str] = set()
    for index, model in enumerate(payload["data"]):
        if not isinstance(model, dict) or not isinstance(model.get("id"), str) or not model["id"]:
            raise ContractError(f"{raw_file}: models row {index} has no string 'id'")
        if model["id"] in seen:
            continue
        seen.add(model["id"])
        created = model.get("created")
        columns["id"].append(model["id"])
        columns["canonical_slug"].append(model.get("canonical_slug") if isinstance(model.get("canonical_slug"), str) else None)
        columns["name"].append(model.get("name") if isinstance(model.get("name"), str) else None)
        columns["created"].append(
            dt.datetime.fromtimestamp(created, dt.timezone.utc).replace(tzinfo=None)
            if isinstance(created, (int, float)) and not isinstance(created, bool)
            else None
        )
        columns["raw_file"].append(raw_file)
    return pa.table(columns, schema=catalogue_schema())

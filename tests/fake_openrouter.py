"""A fake OpenRouter Data API on 127.0.0.1 (real HTTP, random port) for tests.

It speaks the documented contract of `GET /api/v1/datasets/rankings-daily` (Bearer auth, date defaults and
clamping, 400s, row order, decimal-string tokens, `meta`), of `GET /api/v1/datasets/app-rankings` (`sort`
popular|trending, `category`, `subcategory`, `limit` 1–100, `offset` 0–100, ranks renumbered after filtering and
absolute across pages, trending = window tokens minus the mean of the three equal windows before, apps without
excess growth left out; 400 for a bad value or combination) and of the public `GET /api/v1/models`, from rows
given at construction (rankings in API form: date, model_permaslug, total_tokens; apps as daily figures:
date, app_id, app_name, tokens, requests, with each app's categories/subcategories in `memberships`).
rankings-daily also takes every filter of the contract: `period` day|week|month, the exact filters `modality` and
`context_bucket` (combinable) and the sampled ones `category` and `language_type` (alone, never with
`period=day` — the default —, else a 400). Filtered rows are daily figures per filter combination
(`set_facet_rows`; none given: no rows). Weekly/monthly buckets are read as tokenrank's documented assumption:
`date` is the bucket's first day (a Monday for weeks), each bucket covers its whole week/month up to the last
complete day (so it may reach past `end_date`), and the top 50 (plus `other`) is per bucket.
Both datasets share the account's limits: `rate_limit` accepted requests per key per rolling minute and
`daily_limit` per key per UTC day (the fake's `today`); past either, a 429 with `Retry-After`.

Faults are queued with `inject(fault, times=1, endpoint="rankings-daily", **opts)` and applied to the next
matching requests (`endpoint=None` matches any):
- before the request is handled: `status` (`code`, optional `retry_after`, optional `message`, optional
  `echo_key=True` to append the request's Authorization header to the message), `timeout` (answer only after
  `seconds`, default 1.0), `reset` (close the connection abruptly, no response);
- on the next 200 (body mutations): `truncated_json`, `html`, `extra_key` (`where`: "row", "top" or "both"),
  `missing_key`, `tokens_non_numeric`, `tokens_negative`, `tokens_float`, `tokens_overflow`,
  `date_outside_window`, `two_other_rows`, `duplicate_row`, `version` (`value`, default "v2"), `empty_data`,
  `drop_last_days` (`days`, default 1), `short_day` (the first day keeps its first `rows`, default 10, no `other`),
  `echo_key` (the request's Authorization header in the body; `where`: "row" = as the first row's
  `echo/<key>` permaslug, a valid body; "top" = an extra top-level field; "text" = a plain-text, non-JSON body);
- while the next 200 is sent: `drip` (headers at once, then the body one byte every `interval` seconds,
  default 0.1, until done or the client hangs up; the bytes sent per dripped response go to `dripped`).
  for app-rankings also (`APP_BODY_FAULTS`): `rank_gap`, `ranks_from_zero`, `tokens_out_of_order`,
  `duplicate_app`, `requests_negative`, `requests_float`, `window_echo`; for filtered rankings-daily also
  (`FACET_BODY_FAULTS`): `bucket_not_monday` (the first bucket's rows dated a day later: a weekly `date` that
  is not a Monday).
The snapshot endpoints (session-cost, task classifications, benchmarks) live in `tests/fake_snapshots.py`
(`fake.snapshots`: what they serve; their own body faults), behind the same auth, limits and faults.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import hashlib
import json
import math
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

from tests import fake_snapshots
from tests.fake_snapshots import ClientError, parse_int

API_PREFIX = "/api/v1"
RANKINGS_PATH = f"{API_PREFIX}/datasets/rankings-daily"
APPS_PATH = f"{API_PREFIX}/datasets/app-rankings"
MODELS_PATH = f"{API_PREFIX}/models"
DATASET_FLOOR = dt.date(2025, 1, 1)
DEFAULT_KEY = "sk-or-v1-fake-0123456789abcdef"
RATE_PERIOD_SECONDS = 60.0
MAX_SPAN_DAYS = 366
CATEGORIES = {
    "coding": ("cli-agent", "ide-extension", "cloud-agent", "programming-app", "native-app-builder"),
    "creative": ("creative-writing", "video-gen", "image-gen", "audio-gen"),
    "productivity": ("writing-assistant", "general-chat", "personal-agent", "legal"),
    "entertainment": ("roleplay", "game"),
}
PARENT = {sub: category for category, subs in CATEGORIES.items() for sub in subs}
EXACT_FILTERS = {
    "modality": ("text", "image", "image_output", "audio", "tool_calling"),
    "context_bucket": ("1K", "10K", "100K", "1M", "10M"),
}
SAMPLED_FILTERS = {
    "category": ("programming", "roleplay", "marketing", "marketing/seo", "technology", "science", "translation",
                 "legal", "finance", "health", "trivia", "academia"),
    "language_type": ("natural", "programming"),
}
FILTERS = {**EXACT_FILTERS, **SAMPLED_FILTERS}
PERIODS = ("day", "week", "month")

PRE_FAULTS = {"status", "timeout", "reset"}
SEND_FAULTS = {"drip"}
BODY_FAULTS = {
    "truncated_json",
    "html",
    "extra_key",
    "missing_key",
    "tokens_non_numeric",
    "tokens_negative",
    "tokens_float",
    "tokens_overflow",
    "date_outside_window",
    "two_other_rows",
    "duplicate_row",
    "version",
    "echo_key",
}
INCOMPLETE_FAULTS = {"empty_data", "drop_last_days", "short_day"}
"""Body faults that keep the contract but leave days out or short (a 200 that lacks data)."""
BODY_FAULTS |= INCOMPLETE_FAULTS
FACET_BODY_FAULTS = {"bucket_not_monday"}
APP_BODY_FAULTS = {"rank_gap", "ranks_from_zero", "tokens_out_of_order", "duplicate_app", "requests_negative",
                   "requests_float", "window_echo"}

DEFAULT_MODELS = [
    {
        "id": "deepseek/deepseek-v4-flash",
        "canonical_slug": "deepseek/deepseek-v4-flash-20260423",
        "name": "DeepSeek: DeepSeek V4 Flash",
        "created": 1776902400,
        "description": "A fast mixture-of-experts model.",
        "context_length": 163840,
        "architecture": {"modality": "text->text", "tokenizer": "DeepSeek"},
        "pricing": {"prompt": "0.0000001", "completion": "0.0000004"},
        "top_provider": {"context_length": 163840, "is_moderated": False},
        "supported_parameters": ["temperature", "max_tokens"],
    },
    {
        "id": "anthropic/claude-4.6-sonnet",
        "canonical_slug": "anthropic/claude-4.6-sonnet-20260217",
        "name": "Anthropic: Claude Sonnet 4.6",
        "created": 1771286400,
        "description": "A general-purpose model.",
        "context_length": 200000,
        "architecture": {"modality": "text+image->text", "tokenizer": "Claude"},
        "pricing": {"prompt": "0.000003", "completion": "0.000015"},
        "top_provider": {"context_length": 200000, "is_moderated": True},
        "supported_parameters": ["temperature", "max_tokens", "tools"],
    },
    {
        "id": "qwen/qwen3.6-plus",
        "canonical_slug": "qwen/qwen3.6-plus-04-02",
        "name": "Qwen: Qwen3.6 Plus",
        "created": 1775088000,
        "description": "A large general model.",
        "context_length": 131072,
        "architecture": {"modality": "text->text", "tokenizer": "Qwen"},
        "pricing": {"prompt": "0", "completion": "0"},
        "top_provider": {"context_length": 131072, "is_moderated": False},
        "supported_parameters": ["temperature"],
    },
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it; `had_auth` says whether an Authorization header was sent (never its value)."""

    method: str
    path: str
    params: dict[str, str]
    had_auth: bool
    at: float = 0.0
    """Arrival time (unix seconds)."""


def synthetic_rows(first_day: dt.date, days: int, models_per_day: int = 50) -> list[dict[str, str]]:
    """Deterministic API-form rows: `models_per_day` models plus one `other` row per day, tokens ~1e10..1e12."""
    rows = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        top_total = 0
        for rank in range(models_per_day):
            slug = f"lab{rank % 7}/model-{rank:02d}-2026010{rank % 9 + 1}"
            jitter = int(hashlib.sha256(f"{day}{slug}".encode()).hexdigest()[:6], 16) % 10**7
            tokens = (models_per_day - rank) * 20_000_000_000 + jitter
            top_total += tokens
            rows.append({"date": day.isoformat(), "model_permaslug": slug, "total_tokens": str(tokens)})
        rows.append({"date": day.isoformat(), "model_permaslug": "other", "total_tokens": str(top_total // 12)})
    return rows


def synthetic_facet_rows(first_day: dt.date, days: int, value: str, models_per_day: int = 12) -> list[dict[str, str]]:
    """Deterministic daily rows of one filter value's traffic: `models_per_day` models (the synthetic_rows slugs,
    in a value-dependent order) plus `other`, tokens ~1e8..1e11."""
    rows = []
    slugs = [f"lab{rank % 7}/model-{rank:02d}-2026010{rank % 9 + 1}" for rank in range(models_per_day)]
    weights = [int(hashlib.sha256(f"{value}{slug}".encode()).hexdigest()[:4], 16) + 1 for slug in slugs]
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for slug, weight in zip(slugs, weights):
            jitter = int(hashlib.sha256(f"{value}{day}{slug}".encode()).hexdigest()[:4], 16)
            rows.append({"date": day.isoformat(), "model_permaslug": slug, "total_tokens": str(weight * 1_000_000 + jitter)})
        rows.append({"date": day.isoformat(), "model_permaslug": "other", "total_tokens": "50000000"})
    return rows


def synthetic_apps(first_monday: dt.date, weeks: int, apps: int = 30) -> tuple[list[dict], dict[int, tuple[str, ...]]]:
    """Deterministic daily app figures for `weeks` weeks from `first_monday`, and each app's subcategories.

    App i (app_id 1000 + i) sends ~(apps - i) × 1e9 tokens a day, growing for even i; it sits in one
    subcategory, round-robin over the 15, so no filtered list reaches 100 rows unless `apps` ≥ 1500.
    """
    subcategories = [s for subs in CATEGORIES.values() for s in subs]
    rows, memberships = [], {}
    for i in range(apps):
        app_id = 1000 + i
        memberships[app_id] = (subcategories[i % len(subcategories)],)
        for day_index in range(weeks * 7):
            day = first_monday + dt.timedelta(days=day_index)
            jitter = int(hashlib.sha256(f"{day}{app_id}".encode()).hexdigest()[:6], 16) % 10**6
            tokens = (apps - i) * 10**9 + (day_index * 10**7 if i % 2 == 0 else 0) + jitter
            rows.append({"date": day.isoformat(), "app_id": app_id, "app_name": f"App {i}", "tokens": tokens,
                         "requests": tokens // 50_000})
    return rows, memberships


def contract_order(row: dict) -> tuple:
    """Rows sort by date ascending, then tokens descending with `other` last, ties by permaslug."""
    is_other = row["model_permaslug"] == "other"
    return (row["date"], is_other, -int(row["total_tokens"]), row["model_permaslug"])


class FakeOpenRouter:
    """The fake server. Use as a context manager, or `start()`/`stop()`.

    `url` is the base URL including `/api/v1`; `key` the only accepted Bearer token; `today` the server's
    UTC date (the last completed day is the one before); `as_of` the `meta.as_of` to serve (settable);
    `rate_limit` the accepted rankings requests per key per rolling minute; `requests` the request log.
    """

    def __init__(
        self,
        rows: Iterable[dict] = (),
        *,
        key: str = DEFAULT_KEY,
        models: list[dict] | None = None,
        today: dt.date | None = None,
        as_of: str | None = None,
        rate_limit: int = 30,
        daily_limit: int = 500,
        apps: Iterable[dict] = (),
        memberships: dict[int, Iterable[str]] | None = None,
    ) -> None:
        self.key = key
        self.today = today or dt.datetime.now(dt.UTC).date()
        self.as_of = as_of
        self.rate_limit = rate_limit
        self.daily_limit = daily_limit
        self.models = copy.deepcopy(models if models is not None else DEFAULT_MODELS)
        self.requests: list[RecordedRequest] = []
        self.clock: Callable[[], float] = time.monotonic
        """What the per-minute limit reads (a test may share a fake clock with the client's limiter)."""
        self.accepted_at: list[float] = []
        """`clock()` of every Data API request the per-minute limit accepted, in order."""
        self.dripped: list[int] = []
        self._rows: list[dict] = []
        self._faults: list[list] = []  # [fault, remaining, endpoint, opts]
        self._accepted: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._daily: collections.Counter[tuple[str, dt.date]] = collections.Counter()
        self._facet_rows: dict[tuple, list[dict]] = {}
        self._apps: list[dict] = []
        self._memberships: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.snapshots = fake_snapshots.SnapshotState(self.today)
        self.set_rows(rows)
        self.set_apps(apps, memberships or {})

    # --- lifecycle -------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake OpenRouter is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    def start(self) -> FakeOpenRouter:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openrouter", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenRouter:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- test controls ---------------------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[dict]) -> None:
        """Replace the served rows (e.g. to simulate a restatement); they are served in contract order."""
        with self._lock:
            self._rows = sorted((dict(row) for row in rows), key=contract_order)

    def set_facet_rows(self, filters: dict[str, str], rows: Iterable[dict]) -> None:
        """Daily API-form rows (date, model_permaslug, total_tokens) of the traffic one filter combination selects
        (e.g. `{"modality": "tool_calling"}`); weekly/monthly answers are aggregated from them."""
        with self._lock:
            self._facet_rows[tuple(sorted(filters.items()))] = sorted((dict(r) for r in rows), key=contract_order)

    def load(self, payload: dict) -> None:
        """Serve a whole rankings-daily payload's rows and its `meta.as_of` (e.g. the real sample)."""
        self.set_rows(payload["data"])
        self.as_of = payload.get("meta", {}).get("as_of")

    def set_apps(self, rows: Iterable[dict], memberships: dict[int, Iterable[str]]) -> None:
        """Replace the app figures (daily: date, app_id, app_name, tokens, requests) and each app's categories or
        subcategories (a subcategory implies its category)."""
        with self._lock:
            self._apps = [dict(row) for row in rows]
            self._memberships = {int(app): set(groups) | {PARENT[g] for g in groups if g in PARENT}
                                 for app, groups in memberships.items()}

    def inject(self, fault: str, times: int = 1, endpoint: str | None = "rankings-daily", **opts) -> None:
        """Queue `fault` for the next `times` requests to `endpoint` ("rankings-daily", "app-rankings", "models" or
        None = any)."""
        if fault not in PRE_FAULTS | SEND_FAULTS | BODY_FAULTS | APP_BODY_FAULTS | FACET_BODY_FAULTS | fake_snapshots.BODY_FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        if fault == "status" and "code" not in opts:
            raise ValueError("the status fault needs code=...")
        with self._lock:
            self._faults.append([fault, times, endpoint, opts])

    @property
    def last_complete_day(self) -> dt.date:
        return self.today - dt.timedelta(days=1)

    def rankings_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == RANKINGS_PATH]

    def app_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == APPS_PATH]

    # --- request handling (called from handler threads) ------------------------------------------------------
    def _take_fault(self, endpoint: str, kinds: set[str]) -> tuple[str, dict] | None:
        with self._lock:
            for entry in self._faults:
                fault, _, wanted, opts = entry
                if fault in kinds and wanted in (None, endpoint):
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._faults.remove(entry)
                    return fault, opts
        return None

    def _check_rate(self, key: str) -> float | None:
        """Record an accepted request for `key`, or return the seconds until one would be accepted."""
        now = self.clock()
        with self._lock:
            accepted = self._accepted[key]
            while accepted and accepted[0] <= now - RATE_PERIOD_SECONDS:
                accepted.popleft()
            if len(accepted) >= self.rate_limit:
                return accepted[0] + RATE_PERIOD_SECONDS - now
            accepted.append(now)
            self.accepted_at.append(now)
            return None

    def _check_daily(self, key: str) -> float | None:
        """Count a request against `key`'s daily limit (the fake's `today`), or return seconds to the next UTC day."""
        with self._lock:
            if self._daily[(key, self.today)] >= self.daily_limit:
                now = dt.datetime.now(dt.UTC)
                midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
                return max((midnight - now).total_seconds(), 3600.0)
            self._daily[(key, self.today)] += 1
            return None

    def _window(self, params: dict[str, str], default_days: int) -> tuple[dt.date, dt.date]:
        """The resolved [start, end] of a dataset query (defaults, clamping, 400s shared by both datasets)."""
        end = _parse_date(params, "end_date") or self.last_complete_day
        if end < DATASET_FLOOR:
            raise ClientError(f"end_date {end} is before the dataset begins ({DATASET_FLOOR})")
        end = min(end, self.last_complete_day)
        start = _parse_date(params, "start_date") or end - dt.timedelta(days=default_days)
        start = max(start, DATASET_FLOOR)
        if start > end:
            raise ClientError(
                f"start_date {start} is after end_date {end} (the last completed day is {self.last_complete_day})")
        if (end - start).days + 1 > MAX_SPAN_DAYS:
            raise ClientError(f"the window spans {(end - start).days + 1} days; at most {MAX_SPAN_DAYS}")
        return start, end

    def _app_rankings(self, params: dict[str, str]) -> tuple[dict, dt.date, dt.date]:
        """The 200 app-rankings payload for a valid query, or `ClientError` (a 400)."""
        start, end = self._window(params, default_days=29)
        sort = params.get("sort") or "popular"
        if sort not in ("popular", "trending"):
            raise ClientError(f"sort must be popular or trending, got {sort!r}")
        category, subcategory = params.get("category"), params.get("subcategory")
        if category is not None and category not in CATEGORIES:
            raise ClientError(f"unknown category {category!r}")
        if subcategory is not None and subcategory not in PARENT:
            raise ClientError(f"unknown subcategory {subcategory!r}")
        if category is not None and subcategory is not None and PARENT[subcategory] != category:
            raise ClientError(f"subcategory {subcategory!r} is not in category {category!r}")
        limit = parse_int(params, "limit", 50, 1, 100)
        offset = parse_int(params, "offset", 0, 0, 100)
        span = (end - start).days + 1
        with self._lock:
            totals = self._app_totals(start, end)
            group = subcategory or category
            members = [app for app in totals if group is None or group in self._memberships.get(app, set())]
            if sort == "popular":
                order = sorted((app for app in members if totals[app][1] > 0), key=lambda a: (-totals[a][1], a))
            else:
                before = [self._app_totals(start - dt.timedelta(days=span * k), end - dt.timedelta(days=span * k))
                          for k in (1, 2, 3)]
                excess = {a: 3 * totals[a][1] - sum(b.get(a, (None, 0, 0))[1] for b in before) for a in members}
                order = sorted((a for a in members if excess[a] > 0), key=lambda a: (-excess[a], a))
        data = [{"rank": offset + i + 1, "app_id": app, "app_name": totals[app][0],
                 "total_tokens": str(totals[app][1]), "total_requests": totals[app][2]}
                for i, app in enumerate(order[offset:offset + limit])]
        as_of = self.as_of or f"{self.today.isoformat()}T02:00:00Z"
        meta = {"as_of": as_of, "start_date": start.isoformat(), "end_date": end.isoformat(), "version": "v1"}
        return {"data": data, "meta": meta}, start, end

    def _app_totals(self, start: dt.date, end: dt.date) -> dict[int, tuple[str, int, int]]:
        """app_id → (latest name, tokens, requests) over [start, end] (call under the lock)."""
        first, last = start.isoformat(), end.isoformat()
        totals: dict[int, list] = {}
        for row in sorted(self._apps, key=lambda r: r["date"]):
            if first <= row["date"] <= last:
                entry = totals.setdefault(row["app_id"], [row["app_name"], 0, 0])
                entry[0] = row["app_name"]
                entry[1] += int(row["tokens"])
                entry[2] += int(row["requests"])
        return {app: tuple(entry) for app, entry in totals.items()}

    def _rankings(self, params: dict[str, str]) -> tuple[dict, dt.date, dt.date]:
        """The 200 payload for a valid query, or `ClientError` (a 400) per the contract."""
        start, end = self._window(params, default_days=30)
        first, last = start.isoformat(), end.isoformat()
        filters, period = _filters(params)
        with self._lock:
            rows = self._facet_rows.get(filters, []) if filters else self._rows
            if period == "day":
                data = [dict(row) for row in rows if first <= row["date"] <= last]
            else:
                data = _buckets(rows, start, end, self.last_complete_day, period)
        as_of = self.as_of or f"{self.today.isoformat()}T02:00:00Z"
        meta = {"as_of": as_of, "start_date": first, "end_date": last, "version": "v1"}
        return {"data": data, "meta": meta}, start, end


def _filters(params: dict[str, str]) -> tuple[tuple, str]:
    """(the sorted (filter, value) pairs, period) of a rankings-daily query, or `ClientError` (a 400) per §1."""
    period = params.get("period") or "day"
    if period not in PERIODS:
        raise ClientError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    given = {name: params[name] for name in FILTERS if params.get(name)}
    for name, value in given.items():
        if value not in FILTERS[name]:
            raise ClientError(f"unknown {name} {value!r}")
    sampled = [name for name in given if name in SAMPLED_FILTERS]
    if sampled and len(given) > 1:
        raise ClientError(f"{sampled[0]} cannot be combined with another filter")
    if sampled and period == "day":
        raise ClientError(f"{sampled[0]} has weekly estimates only: period=day is not available")
    return tuple(sorted(given.items())), period


def _bucket_start(day: dt.date, period: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _buckets(rows: list[dict], start: dt.date, end: dt.date, last_complete: dt.date, period: str) -> list[dict]:
    """Daily rows summed into the week/month buckets overlapping [start, end], each over its whole span up to
    `last_complete`, dated by its first day; the top 50 per bucket plus `other` (the rest and the days' `other`)."""
    first_bucket = _bucket_start(start, period)
    totals: dict[dt.date, collections.Counter] = collections.defaultdict(collections.Counter)
    for row in rows:
        day = dt.date.fromisoformat(row["date"])
        bucket = _bucket_start(day, period)
        if first_bucket <= bucket <= end and day <= last_complete:
            totals[bucket][row["model_permaslug"]] += int(row["total_tokens"])
    data = []
    for bucket in sorted(totals):
        other = totals[bucket].pop("other", 0)
        ranked = sorted(totals[bucket].items(), key=lambda item: (-item[1], item[0]))
        other += sum(tokens for _, tokens in ranked[50:])
        data += [{"date": bucket.isoformat(), "model_permaslug": slug, "total_tokens": str(tokens)}
                 for slug, tokens in ranked[:50]]
        if other:
            data.append({"date": bucket.isoformat(), "model_permaslug": "other", "total_tokens": str(other)})
    return data


def _parse_date(params: dict[str, str], name: str) -> dt.date | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ClientError(f"{name} must be YYYY-MM-DD, got {value!r}") from None


def _mutate(fault: str, opts: dict, payload: dict, start: dt.date, end: dt.date, auth: str) -> tuple[bytes, str]:
    """Apply one body fault to a good 200 payload (`auth`: the request's Authorization header); return (body, content type)."""
    if fault == "html":
        return b"<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>", "text/html"
    if fault == "echo_key" and opts.get("where", "row") == "text":
        return f"debug: request authorized with {auth}\n".encode(), "text/plain"
    if fault in fake_snapshots.BODY_FAULTS:
        fake_snapshots.mutate(fault, payload)
        return json.dumps(payload).encode(), "application/json"
    data = payload["data"]
    if fault == "extra_key":
        where = opts.get("where", "both")
        if where in ("row", "both"):
            data[0]["extra_field"] = "surprise"
        if where in ("top", "both"):
            payload["extra_top_level"] = {"note": "surprise"}
    elif fault == "missing_key":
        del data[opts.get("index", 0)]["total_tokens"]
    elif fault == "tokens_non_numeric":
        data[0]["total_tokens"] = "12abc"
    elif fault == "tokens_negative":
        data[0]["total_tokens"] = "-5"
    elif fault == "tokens_float":
        data[0]["total_tokens"] = "1.5e12"
    elif fault == "tokens_overflow":
        data[0]["total_tokens"] = str(2**63)
    elif fault == "date_outside_window":
        data[-1]["date"] = (end + dt.timedelta(days=1)).isoformat()
    elif fault == "two_other_rows":
        day = data[0]["date"]
        last_of_day = max(i for i, row in enumerate(data) if row["date"] == day)
        others = sum(1 for row in data if row["date"] == day and row["model_permaslug"] == "other")
        for _ in range(max(2 - others, 1)):
            data.insert(last_of_day + 1, {"date": day, "model_permaslug": "other", "total_tokens": "1000"})
    elif fault == "bucket_not_monday":
        day = data[0]["date"]
        for row in data:
            if row["date"] == day:
                row["date"] = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    elif fault == "duplicate_row":
        data.insert(1, dict(data[0]))
    elif fault == "version":
        payload["meta"]["version"] = opts.get("value", "v2")
    elif fault == "empty_data":
        payload["data"] = []
    elif fault == "drop_last_days":
        cut = (end - dt.timedelta(days=opts.get("days", 1))).isoformat()
        payload["data"] = [row for row in data if row["date"] <= cut]
    elif fault == "short_day":
        first = data[0]["date"]
        kept = [row for row in data if row["date"] == first][: opts.get("rows", 10)]
        payload["data"] = kept + [row for row in data if row["date"] != first]
    elif fault == "echo_key":
        if opts.get("where", "row") == "row":
            data[0]["model_permaslug"] = f"echo/{auth.removeprefix('Bearer ')}"
        else:
            payload["debug"] = {"authorization": auth}
    elif fault == "rank_gap":
        for row in data[1:]:
            row["rank"] += 1
    elif fault == "ranks_from_zero":
        for row in data:
            row["rank"] -= 1
    elif fault == "tokens_out_of_order":
        data[0]["total_tokens"], data[1]["total_tokens"] = data[1]["total_tokens"], data[0]["total_tokens"]
    elif fault == "duplicate_app":
        data[1]["app_id"] = data[0]["app_id"]
    elif fault == "requests_negative":
        data[0]["total_requests"] = -1
    elif fault == "requests_float":
        data[0]["total_requests"] = 1.5
    elif fault == "window_echo":
        payload["meta"]["start_date"] = (start - dt.timedelta(days=1)).isoformat()
    body = json.dumps(payload).encode()
    if fault == "truncated_json":
        body = body[: len(body) // 2]
    return body, "application/json"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenRouter  # set on the per-server subclass

    def log_message(self, format, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        fake = self.fake
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        auth = self.headers.get("Authorization")
        with fake._lock:
            fake.requests.append(RecordedRequest("GET", split.path, params, auth is not None, time.time()))
        endpoint = {RANKINGS_PATH: "rankings-daily", APPS_PATH: "app-rankings", MODELS_PATH: "models",
                    **fake_snapshots.PATHS}.get(split.path)
        if endpoint is None:
            return self._send_error(404, f"no route for {split.path}")

        pre = fake._take_fault(endpoint, PRE_FAULTS)
        if pre is not None:
            fault, opts = pre
            if fault == "reset":
                return self._reset()
            if fault == "timeout":
                fake._stopping.wait(opts.get("seconds", 1.0))
            elif fault == "status":
                headers = {}
                if opts.get("retry_after") is not None:
                    headers["Retry-After"] = str(opts["retry_after"])
                message = opts.get("message", f"injected HTTP {opts['code']}")
                if opts.get("echo_key"):
                    message += f" (you sent Authorization: {auth})"
                return self._send_error(opts["code"], message, headers)

        if endpoint == "models":
            body = json.dumps({"data": fake.models}).encode()
            fault = fake._take_fault(endpoint, {"truncated_json", "html"})
            if fault is not None:
                body = body[: len(body) // 2] if fault[0] == "truncated_json" else b"<html><body>oops</body></html>"
            return self._send_200(endpoint, body)

        if auth != f"Bearer {fake.key}":
            return self._send_error(401, "No auth credentials found" if auth is None else "Invalid API key")
        wait = fake._check_rate(fake.key)
        if wait is not None:
            return self._send_error(
                429,
                f"Rate limit exceeded: {fake.rate_limit} requests per minute",
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        wait = fake._check_daily(fake.key)
        if wait is not None:
            return self._send_error(429, f"Rate limit exceeded: {fake.daily_limit} requests per day",
                                    {"Retry-After": str(math.ceil(wait))})
        try:
            if endpoint in fake_snapshots.ENDPOINTS:
                with fake._lock:
                    payload, start, end = fake.snapshots.payload(endpoint, params), fake.today, fake.today
            else:
                payload, start, end = (fake._rankings if endpoint == "rankings-daily" else fake._app_rankings)(params)
        except ClientError as error:
            return self._send_error(400, error.message)
        body_fault = fake._take_fault(endpoint, BODY_FAULTS | APP_BODY_FAULTS | FACET_BODY_FAULTS | fake_snapshots.BODY_FAULTS)
        if body_fault is None:
            return self._send_200(endpoint, json.dumps(payload).encode())
        body, content_type = _mutate(*body_fault, payload, start, end, auth)
        return self._send_200(endpoint, body, content_type)

    def _send_200(self, endpoint: str, body: bytes, content_type: str = "application/json") -> None:
        send_fault = self.fake._take_fault(endpoint, SEND_FAULTS)
        if send_fault is None:
            return self._send(200, body, content_type)
        self._drip(body, content_type, send_fault[1].get("interval", 0.1))

    def _drip(self, body: bytes, content_type: str, interval: float) -> None:
        sent = 0
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            while sent < len(body) and not self.fake._stopping.wait(interval):
                self.wfile.write(body[sent : sent + 1])
                self.wfile.flush()
                sent += 1
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: what a bounded request should do
        finally:
            with self.fake._lock:
                self.fake.dripped.append(sent)

    def _send_error(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self._send(code, body, "application/json", headers)

    def _send(self, code: int, body: bytes, content_type: str = "application/json", headers=None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (e.g. after an injected timeout)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

"""The snapshot endpoints of the fake OpenRouter (tests/fake_openrouter.py routes them here): session-cost,
task classifications and benchmarks (API contract §5–§7). Only the current snapshot exists, as on the real API.

- `GET /api/v1/datasets/session-cost`: `app_slug`, `model` (exact permaslug), `turn_range` (one of four),
  `limit` 1–500 (default 100), `offset` 0–5000; rows in a stable order (app_slug, turn_range, model); `meta`
  with `as_of`, `version`, `window_days`, `window_end_date` (both null when no snapshot is published).
  `refresh_after(pages, snapshot)` swaps in another snapshot after that many session-cost answers (a refresh
  landing mid-fetch).
- `GET /api/v1/classifications/task`: `window` (only `7d`); no `meta`: `data.as_of` is the window's last day.
- `GET /api/v1/benchmarks`: `source` (three), `task_type` (four), `benchmark_type`, `arena`, `category` (kept
  items whose field equals it), `max_results` (1–1000); `meta.citation` is the source's line, null when the items
  span sources (then every item carries its own `citation`).
Any other value of an enumerated parameter, or a malformed number, is a 400.

Body faults of these endpoints (`BODY_FAULTS`, injected with the fake's `inject(..., endpoint=...)`):
`cost_string` (a cost as a string), `turn_range_unknown`, `share_out_of_range`, `no_citation`, `tags_unsorted`.
The fake's shared faults apply too: `status`, `timeout`, `reset`, `drip`, `truncated_json`, `html`,
`extra_key` (`where="top"`), `echo_key` (`where="top"` or "text").
"""

from __future__ import annotations

import datetime as dt
import hashlib

API_PREFIX = "/api/v1"
PATHS = {
    f"{API_PREFIX}/datasets/session-cost": "session-cost",
    f"{API_PREFIX}/classifications/task": "task-classifications",
    f"{API_PREFIX}/benchmarks": "benchmarks",
}
ENDPOINTS = frozenset(PATHS.values())
TURN_RANGES = ("1-turn", "2-9-turns", "10-49-turns", "50-plus-turns")
HARNESSES = {"claude-code": "Claude Code", "kilo-code": "Kilo Code", "hermes-agent": "Hermes Agent", "codex": "Codex",
             "cline": "Cline"}
SOURCES = ("artificial-analysis", "design-arena", "openrouter")
TASK_TYPES = ("coding", "intelligence", "agentic", "search")
CITATIONS = {
    "artificial-analysis": "Source: Artificial Analysis (artificialanalysis.ai) via OpenRouter (openrouter.ai/rankings).",
    "design-arena": "Source: Design Arena (designarena.ai) via OpenRouter (openrouter.ai/rankings).",
    "openrouter": "Source: OpenRouter evals (openrouter.ai/benchmarks).",
}
BODY_FAULTS = {"cost_string", "turn_range_unknown", "share_out_of_range", "no_citation", "tags_unsorted"}


class ClientError(Exception):
    """A query the contract refuses: the fake answers 400 with `message` (every endpoint of the fake)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _jitter(*parts) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:6], 16)


def synthetic_session_cost(window_end: dt.date, models: int = 33) -> dict:
    """A session-cost snapshot (the whole `data` + `meta`): 5 harnesses × 4 turn ranges × `models` models
    (660 cells for 33, about the real ~650), costs in USD growing with the turn range."""
    rows = []
    for app, name in HARNESSES.items():
        for t, turns in enumerate(TURN_RANGES):
            for m in range(models):
                cost = round((0.01 + m * 0.003) * (4 ** t) * (1 + (_jitter(window_end, app, turns, m) % 100) / 500), 6)
                rows.append({"app_slug": app, "app_name": name, "turn_range": turns,
                             "model_permaslug": f"lab{m % 6}/model-{m:02d}", "median_session_cost_usd": cost})
    return {"data": rows, "meta": {"as_of": f"{window_end + dt.timedelta(days=1)}T05:00:00Z", "version": "v1",
                                   "window_days": 30, "window_end_date": window_end.isoformat()}}


def no_session_cost(as_of: str = "2026-06-22T05:00:00Z") -> dict:
    """What the API serves when no snapshot is published: no rows, a null window."""
    return {"data": [], "meta": {"as_of": as_of, "version": "v1", "window_days": None, "window_end_date": None}}


def synthetic_tasks(as_of: dt.date) -> dict:
    """A task-classifications body: 4 macro categories, 6 tags (by usage share, descending), 3 models per tag."""
    macros = [("code", "Code", 0.5, 0.6), ("agent", "Agent", 0.25, 0.25), ("data", "Data", 0.15, 0.1),
              ("general", "General", 0.1, 0.05)]
    tags = [("code:general_impl", "code", 0.3), ("code:debugging", "code", 0.2), ("agent:tool_use", "agent", 0.25),
            ("data:analysis", "data", 0.1), ("data:extraction", "data", 0.05), ("general:chat", "general", 0.1)]
    tags.sort(key=lambda t: -t[2])
    shares = {m[0]: m[2] for m in macros}
    classifications = [{
        "tag": tag, "display_name": tag.split(":")[1].replace("_", " ").title(), "macro_category": macro,
        "usage_share": usage, "token_share": usage, "category_usage_share": round(usage / shares[macro], 6),
        "category_token_share": round(usage / shares[macro], 6),
        "models": [{"id": f"lab{k}/model-{k:02d}", "tag_usage_share": share, "tag_token_share": share}
                   for k, share in enumerate((0.5, 0.3, 0.1))]} for tag, macro, usage in tags]
    return {"data": {"window_days": 7, "as_of": as_of.isoformat(), "classifications": classifications,
                     "macro_categories": [{"key": k, "label": label, "usage_share": u, "token_share": t}
                                          for k, label, u, t in macros]}}


def synthetic_benchmarks(as_of: dt.datetime) -> list[dict]:
    """Benchmark items of every source (shapes as documented: AA indexes, OpenRouter evals, Design Arena elo)."""
    items = []
    for m in range(5):
        slug = f"lab{m}/model-{m:02d}"
        items.append({"source": "artificial-analysis", "model_permaslug": slug, "display_name": f"Model {m}",
                      "intelligence_index": 70.0 - m, "coding_index": 60.0 - m, "agentic_index": 50.0 - m,
                      "pricing": {"prompt": "0.000001", "completion": "0.000004"}})
        items.append({"source": "openrouter", "model_permaslug": slug, "display_name": f"Model {m}",
                      "benchmark_type": "gpqa_diamond", "accuracy": round(0.8 - m * 0.05, 4), "accuracy_stddev": 0.02,
                      "avg_cost_per_task": 0.002, "total_tasks": 300,
                      "last_run_timestamp": as_of.strftime("%Y-%m-%dT%H:%M:%SZ")})
        items.append({"source": "design-arena", "model_permaslug": slug, "display_name": f"Model {m}",
                      "arena": "website", "elo": 1300.0 - 10 * m, "category": "coding"})
    return items


class SnapshotState:
    """What the three endpoints serve now (tests replace parts of it), and the session-cost refresh trigger."""

    def __init__(self, today: dt.date) -> None:
        sunday = today - dt.timedelta(days=today.weekday() + 1)
        self.session_cost = synthetic_session_cost(sunday)
        self.tasks = synthetic_tasks(today - dt.timedelta(days=1))
        self.as_of = dt.datetime.combine(today, dt.time(3))
        self.benchmarks = synthetic_benchmarks(self.as_of)
        self._refresh: list | None = None  # [pages left before the swap, the next snapshot]

    def refresh_after(self, pages: int, snapshot: dict) -> None:
        """Serve `snapshot` as session-cost from the answer after the next `pages` answers on."""
        self._refresh = [pages, snapshot]

    def payload(self, endpoint: str, params: dict[str, str]) -> dict:
        """The 200 payload of a valid query, or `ClientError` (a 400)."""
        if endpoint == "session-cost":
            return self._session_cost(params)
        if endpoint == "task-classifications":
            if (params.get("window") or "7d") != "7d":
                raise ClientError(f"window must be 7d, got {params['window']!r}")
            return {"data": dict(self.tasks["data"])}
        return self._benchmarks(params)

    def _session_cost(self, params: dict[str, str]) -> dict:
        turn_range = params.get("turn_range")
        if turn_range is not None and turn_range not in TURN_RANGES:
            raise ClientError(f"turn_range must be one of {', '.join(TURN_RANGES)}, got {turn_range!r}")
        limit = parse_int(params, "limit", 100, 1, 500)
        offset = parse_int(params, "offset", 0, 0, 5000)
        if self._refresh is not None:
            if self._refresh[0] <= 0:
                self.session_cost, self._refresh = self._refresh[1], None
            else:
                self._refresh[0] -= 1
        snapshot = self.session_cost
        rows = sorted(snapshot["data"], key=lambda r: (r["app_slug"], r["turn_range"], r["model_permaslug"]))
        rows = [r for r in rows if (params.get("app_slug") in (None, r["app_slug"]))
                and (params.get("model") in (None, r["model_permaslug"])) and turn_range in (None, r["turn_range"])]
        return {"data": [dict(r) for r in rows[offset:offset + limit]], "meta": dict(snapshot["meta"])}

    def _benchmarks(self, params: dict[str, str]) -> dict:
        source, task_type = params.get("source"), params.get("task_type")
        if source is not None and source not in SOURCES:
            raise ClientError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
        if task_type is not None and task_type not in TASK_TYPES:
            raise ClientError(f"task_type must be one of {', '.join(TASK_TYPES)}, got {task_type!r}")
        max_results = parse_int(params, "max_results", 1000, 1, 1000)
        items = [dict(i) for i in self.benchmarks if source in (None, i["source"])]
        for name in ("benchmark_type", "arena", "category"):
            if params.get(name):
                items = [i for i in items if i.get(name) == params[name]]
        items = items[:max_results]
        sources = {i["source"] for i in items} or {source}
        one = sources.pop() if len(sources) == 1 else None
        if one is None:
            for item in items:
                item["citation"] = CITATIONS[item["source"]]
        meta = {"as_of": self.as_of.strftime("%Y-%m-%dT%H:%M:%SZ"), "citation": CITATIONS.get(one),
                "model_count": len({i["model_permaslug"] for i in items}), "source": one,
                "source_url": None, "task_type": task_type, "version": "v1"}
        return {"data": items, "meta": meta}


def mutate(fault: str, payload: dict) -> None:
    """Apply one of `BODY_FAULTS` to a good payload, in place."""
    data = payload["data"]
    if fault == "cost_string":
        data[0]["median_session_cost_usd"] = str(data[0]["median_session_cost_usd"])
    elif fault == "turn_range_unknown":
        data[0]["turn_range"] = "100-plus-turns"
    elif fault == "share_out_of_range":
        data["classifications"][0]["usage_share"] = 1.5
    elif fault == "tags_unsorted":
        data["classifications"].reverse()
    elif fault == "no_citation":
        payload["meta"]["citation"] = None
        for item in data:
            item.pop("citation", None)


def parse_int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ClientError(f"{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ClientError(f"{name} must be between {low} and {high}, got {number}")
    return number

"""benchmarks: benchmark scores OpenRouter republishes from Artificial Analysis, Design Arena and its own evals
(API contract §7: `GET /benchmarks`).

Only the current snapshot exists. One request per source per capture (`source=artificial-analysis`,
`design-arena`, `openrouter`). Item shapes differ by source and are only partly documented, so a row keeps the
common columns and the rest of the item as JSON: `model` (the item's `model_permaslug`), `benchmark` (the first
of `benchmark_type`, `arena`, `benchmark` the item has, else NULL), `score` (the first number among `score`,
`accuracy`, `elo`, `rating`, else NULL) and `citation`: the item's own, else `meta.citation`, exactly as given
(whether CC BY covers this endpoint is not stated: the line is never rewritten).

Grain: one row per (snapshot_date, source, item_key); `item_key` = 'model|benchmark|n', n counting repeats of
the same model and benchmark within the response (0 first). Partition: one source's snapshot of one UTC day
(`snapshot_date` = the date of `meta.as_of`): `lake/benchmarks/<day>_<source>.parquet`. A changed score for the
same day and source is a restatement (`benchmark_restatements`).
"""

from __future__ import annotations

import json
from collections import Counter
import functools
from typing import Any

from transforms.arrow import pa
from transforms.contract import CONTRACT_VERSION, ContractError, check_keys, parse_json, parse_timestamp
from transforms.datasets.base import Page, Partition, Request
from transforms.datasets.snapshot import SnapshotDataset, snapshot_request, text

ENDPOINT = "benchmarks"
SOURCES = ("artificial-analysis", "design-arena", "openrouter")
TASK_TYPES = ("coding", "intelligence", "agentic", "search")
BENCHMARK_FIELDS = ("benchmark_type", "arena", "benchmark")
SCORE_FIELDS = ("score", "accuracy", "elo", "rating")
META_REQUIRED = frozenset({"as_of", "version", "citation", "model_count"})

@functools.cache
def benchmark_schema() -> pa.Schema:
    return pa.schema(
        [
            pa.field("snapshot_date", pa.date32(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("item_key", pa.string(), nullable=False),
            pa.field("model", pa.string(), nullable=False),
            pa.field("benchmark", pa.string()),
            pa.field("score", pa.float64()),
            pa.field("citation", pa.string(), nullable=False),
            pa.field("item_json", pa.string(), nullable=False),
            pa.field("as_of", pa.timestamp("us"), nullable=False),
            pa.field("raw_file", pa.string(), nullable=False),
        ]
    )
"""Grain: one row per (snapshot_date, source, item_key). `score` is on the source's own scale; `item_json` holds
the item's other fields (sorted keys)."""


def _first(item: dict, fields: tuple[str, ...], number: bool) -> tuple[str | None, Any]:
    for name in fields:
        value = item.get(name)
        if number and isinstance(value, (int, float)) and not isinstance(value, bool):
            return name, float(value)
        if not number and isinstance(value, str) and value:
            return name, value
    return None, None


def normalize_benchmarks(body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
    """Validate one benchmarks body and return it as a `benchmark_schema()` table.

    Checks: exactly `data` + `meta`; `meta` has `as_of`, `version` ('v1'), `citation` (a string or null),
    `model_count` (other meta fields are allowed); every item is an object with `source` (the requested one,
    when a source was asked for) and a non-empty `model_permaslug`, and has a citation (its own or meta's).
    """
    payload = parse_json(body, raw_file)
    try:
        return _normalize(payload, raw_file, params)
    except ContractError as exc:
        raise ContractError(f"{raw_file}: {exc}") from None


def _normalize(payload: Any, raw_file: str, params: dict[str, str]) -> pa.Table:
    check_keys(payload, frozenset({"data", "meta"}), "response")
    meta = payload["meta"]
    if not isinstance(meta, dict) or not META_REQUIRED <= set(meta):
        raise ContractError(f"meta lacks {', '.join(sorted(META_REQUIRED - set(meta or {})))}")
    if meta["version"] != CONTRACT_VERSION:
        raise ContractError(f"meta.version is {meta['version']!r}, this pipeline speaks {CONTRACT_VERSION!r}")
    as_of = parse_timestamp(meta["as_of"], "meta.as_of")
    if meta["citation"] is not None and not isinstance(meta["citation"], str):
        raise ContractError(f"meta.citation {meta['citation']!r} is not a string or null")
    items = payload["data"]
    if not isinstance(items, list):
        raise ContractError(f"data is {type(items).__name__}, expected a list")
    wanted = params.get("source")
    rows, repeats = [], Counter()
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict):
            raise ContractError(f"{where} is {type(item).__name__}, expected an object")
        source = item.get("source")
        if source not in SOURCES or (wanted and source != wanted):
            raise ContractError(f"{where} source {source!r} is not " + (repr(wanted) if wanted else "a known source"))
        model = text(item.get("model_permaslug"), f"{where} model_permaslug")
        citation = item.get("citation") if isinstance(item.get("citation"), str) else meta["citation"]
        if not citation:
            raise ContractError(f"{where} ({model}) has no citation (neither its own nor meta.citation)")
        bench_field, benchmark = _first(item, BENCHMARK_FIELDS, number=False)
        score_field, score = _first(item, SCORE_FIELDS, number=True)
        n = repeats[(model, benchmark)]
        repeats[(model, benchmark)] += 1
        rest = {k: v for k, v in item.items() if k not in {"source", "model_permaslug", "citation", bench_field, score_field}}
        rows.append(dict(snapshot_date=as_of.date(), source=source, item_key=f"{model}|{benchmark or ''}|{n}",
                         model=model, benchmark=benchmark, score=score, citation=citation,
                         item_json=json.dumps(rest, sort_keys=True), as_of=as_of, raw_file=raw_file))
    return pa.Table.from_pylist(rows, schema=benchmark_schema())


class Benchmarks(SnapshotDataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        return normalize_benchmarks(body, raw_file=raw_file, params=params)

    def snapshot_requests(self) -> list[Request]:
        return [snapshot_request(ENDPOINT, (("source", source),), source) for source in SOURCES]

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """One partition per response with items: (the date of its `meta.as_of`, its source)."""
        parts = []
        for page in pages:
            if page.rows.num_rows:
                rows = page.rows.sort_by("item_key")
                key = (rows["snapshot_date"][0].as_py(), rows["source"][0].as_py())
                parts.append(Partition(key, rows, page.as_of, (page.raw_file,)))
        return parts, []

    def file_tag(self, params: dict[str, str]) -> str:
        return f"source.{params.get('source') or 'all'}"

    def params_from_tag(self, window, tag: str | None) -> dict[str, str]:
        source = tag.split(".", 1)[1] if tag else "all"
        return {} if source == "all" else {"source": source}


DATASET = Benchmarks(
    name=ENDPOINT,
    path="benchmarks",
    params=("source", "task_type", "benchmark_type", "arena", "category", "max_results"),
    arrow_schema=benchmark_schema,
    lake_table="benchmarks",
    table="fact_benchmarks",
    key=("snapshot_date", "source", "item_key"),
    partition_by=("snapshot_date", "source"),
    item="item_key",
    sort_by=("item_key",),
    compared=(("score", "score"),),
    restatements_table="benchmark_restatements",
    citation="{as_of}",
    licensed=False,
    snapshot=True,
)
"""`citation` is a placeholder: every row carries its endpoint-given line in the `citation` column; cite that."""

"""task-classifications: what people use models for, as shares of a sampled, classified set of requests over the
trailing 7 days (API contract §6: `GET /classifications/task?window=7d`).

Only the current snapshot exists (cached 60 s server-side); the body has no `meta` block: `data.as_of` is the
window's last day. **Shares only, never volumes** (the data are sampled). One request per capture.

Grain: one row per (snapshot_date, level, tag, model_id), long form: `level` 'macro' (a macro category: `tag` and
`model_id` NULL), 'tag' (a classification tag: `model_id` NULL) or 'model' (one of a tag's top models: shares of
that tag). The derived tables `task_macro_categories`, `task_tags` and `task_tag_models` give each level its own
table. Partition: one snapshot, keyed by `snapshot_date` = `data.as_of` (`lake/task_classifications/<day>.parquet`);
a changed share for the same day is a restatement (`task_restatements`). `as_of` is `data.as_of` at 00:00.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from transforms.contract import ContractError, check_keys, parse_date, parse_json
from transforms.dataset_facts import CITATIONS
from transforms.datasets.base import Page, Partition, Request
from transforms.datasets.snapshot import SnapshotDataset, share, snapshot_request, text

ENDPOINT = "task-classifications"
WINDOW = "7d"
SHARE_SLACK = 1e-9
"""Rounding a sum of shares may exceed 1 by."""

DATA_KEYS = frozenset({"window_days", "as_of", "classifications", "macro_categories"})
TAG_KEYS = frozenset({"tag", "display_name", "macro_category", "usage_share", "token_share", "category_usage_share",
                      "category_token_share", "models"})
MODEL_KEYS = frozenset({"id", "tag_usage_share", "tag_token_share"})
MACRO_KEYS = frozenset({"key", "label", "usage_share", "token_share"})

TASK_SCHEMA = pa.schema(
    [
        pa.field("snapshot_date", pa.date32(), nullable=False),
        pa.field("window_days", pa.int32(), nullable=False),
        pa.field("level", pa.string(), nullable=False),
        pa.field("macro_category", pa.string(), nullable=False),
        pa.field("tag", pa.string()),
        pa.field("model_id", pa.string()),
        pa.field("display_name", pa.string()),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("usage_share", pa.float64(), nullable=False),
        pa.field("token_share", pa.float64(), nullable=False),
        pa.field("category_usage_share", pa.float64()),
        pa.field("category_token_share", pa.float64()),
        pa.field("as_of", pa.timestamp("us"), nullable=False),
        pa.field("raw_file", pa.string(), nullable=False),
    ]
)
"""Shares (0..1) of the classified requests (`usage_share`) and tokens (`token_share`) over the 7 days ending
`snapshot_date`: of all of them for 'macro' and 'tag' rows (`category_*`: of the tag's macro category), of the
tag's for 'model' rows. `position` is the order as published (tags by usage share, models within their tag)."""


def normalize_task_classifications(body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
    """Validate one task-classifications body and return it as a `TASK_SCHEMA` table.

    Checks: exactly `data`; `data` exactly `window_days` (7), `as_of` (a date), `classifications`,
    `macro_categories`; every share a number in 0..1; a tag's `macro_category` is one of `macro_categories`; no
    tag, macro key or model of a tag twice; tags sorted by `usage_share` descending; a tag's models' shares sum
    to at most 1.
    """
    payload = parse_json(body, raw_file)
    try:
        return _normalize(payload, raw_file)
    except ContractError as exc:
        raise ContractError(f"{raw_file}: {exc}") from None


def _normalize(payload: Any, raw_file: str) -> pa.Table:
    check_keys(payload, frozenset({"data"}), "response")
    data = payload["data"]
    check_keys(data, DATA_KEYS, "data")
    if data["window_days"] != 7 or isinstance(data["window_days"], bool):
        raise ContractError(f"data.window_days {data['window_days']!r} is not 7")
    day = parse_date(data["as_of"], "data.as_of")
    rows: list[dict] = []
    macros = data["macro_categories"]
    if not isinstance(macros, list) or not isinstance(data["classifications"], list):
        raise ContractError("data.classifications and data.macro_categories must be lists")
    for index, macro in enumerate(macros):
        where = f"macro_categories[{index}]"
        check_keys(macro, MACRO_KEYS, where)
        key = text(macro["key"], f"{where} key")
        if any(r["macro_category"] == key for r in rows):
            raise ContractError(f"{where} repeats macro category {key!r}")
        rows.append(dict(level="macro", macro_category=key, tag=None, model_id=None,
                         display_name=text(macro["label"], f"{where} label"), position=index + 1,
                         usage_share=share(macro["usage_share"], f"{where} usage_share"),
                         token_share=share(macro["token_share"], f"{where} token_share"),
                         category_usage_share=None, category_token_share=None))
    keys = {r["macro_category"] for r in rows}
    tags: set[str] = set()
    previous = None
    for index, item in enumerate(data["classifications"]):
        where = f"classifications[{index}]"
        check_keys(item, TAG_KEYS, where)
        tag = text(item["tag"], f"{where} tag")
        where = f"{where} ({tag})"
        if tag in tags:
            raise ContractError(f"{where} repeats an earlier tag")
        tags.add(tag)
        if item["macro_category"] not in keys:
            raise ContractError(f"{where} macro_category {item['macro_category']!r} is not in macro_categories")
        usage = share(item["usage_share"], f"{where} usage_share")
        if previous is not None and usage > previous:
            raise ContractError(f"{where} usage_share {usage} is above the tag before it ({previous}): "
                                "tags are sorted by usage_share descending")
        previous = usage
        rows.append(dict(level="tag", macro_category=item["macro_category"], tag=tag, model_id=None,
                         display_name=text(item["display_name"], f"{where} display_name"), position=index + 1,
                         usage_share=usage, token_share=share(item["token_share"], f"{where} token_share"),
                         category_usage_share=share(item["category_usage_share"], f"{where} category_usage_share"),
                         category_token_share=share(item["category_token_share"], f"{where} category_token_share")))
        models = item["models"]
        if not isinstance(models, list):
            raise ContractError(f"{where} models is {type(models).__name__}, expected a list")
        ids: set[str] = set()
        for rank, model in enumerate(models):
            at = f"{where} models[{rank}]"
            check_keys(model, MODEL_KEYS, at)
            model_id = text(model["id"], f"{at} id")
            if model_id in ids:
                raise ContractError(f"{at} repeats model {model_id!r}")
            ids.add(model_id)
            rows.append(dict(level="model", macro_category=item["macro_category"], tag=tag, model_id=model_id,
                             display_name=None, position=rank + 1,
                             usage_share=share(model["tag_usage_share"], f"{at} tag_usage_share"),
                             token_share=share(model["tag_token_share"], f"{at} tag_token_share"),
                             category_usage_share=None, category_token_share=None))
        for column in ("usage_share", "token_share"):
            total = sum(r[column] for r in rows if r["level"] == "model" and r["tag"] == tag)
            if total > 1 + SHARE_SLACK:
                raise ContractError(f"{where} models' tag_{column} sum to {total:.6f}, more than 1")
    as_of = dt.datetime.combine(day, dt.time())
    for row in rows:
        row.update(snapshot_date=day, window_days=7, as_of=as_of, raw_file=raw_file)
    return pa.Table.from_pylist(rows, schema=TASK_SCHEMA)


class TaskClassifications(SnapshotDataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        return normalize_task_classifications(body, raw_file=raw_file, params=params)

    def snapshot_requests(self) -> list[Request]:
        return [snapshot_request(ENDPOINT, (("window", WINDOW),), WINDOW)]

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """One partition per response (its `snapshot_date`); a response without any row stores nothing."""
        parts = []
        for page in pages:
            if page.rows.num_rows:
                rows = page.rows.sort_by([(c, "ascending") for c in self.sort_by])
                parts.append(Partition(rows["snapshot_date"][0].as_py(), rows, page.as_of, (page.raw_file,)))
        return parts, []

    def file_tag(self, params: dict[str, str]) -> str:
        return f"window.{params.get('window') or WINDOW}"

    def params_from_tag(self, window, tag: str | None) -> dict[str, str]:
        return {"window": tag.split(".", 1)[1]} if tag else {}


DATASET = TaskClassifications(
    name=ENDPOINT,
    path="classifications/task",
    params=("window",),
    schema=TASK_SCHEMA,
    lake_table="task_classifications",
    table="fact_task_classifications",
    key=("snapshot_date", "level", "macro_category", "tag", "model_id"),
    partition_by=("snapshot_date",),
    item=("level", "macro_category", "tag", "model_id"),
    sort_by=("level", "macro_category", "position", "tag", "model_id"),
    compared=(("usage_share", "usage_share"), ("token_share", "token_share")),
    restatements_table="task_restatements",
    citation=CITATIONS[ENDPOINT],
    licensed=False,
    snapshot=True,
)

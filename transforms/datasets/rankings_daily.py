"""rankings-daily: the top 50 models by tokens per UTC day, plus the `other` row (API contract §1).

Grain: one row per (date, model_permaslug). Lake: `lake/rankings_daily/YYYY-MM-DD.parquet`, one file per date.
Warehouse: `fact_model_daily`, delete-insert by date. Requests: ≤ 366 days each (`plan_range`).
"""

from __future__ import annotations

from transforms.contract import RANKINGS_SCHEMA, normalize_rankings
from transforms.datasets.base import Dataset
from transforms.responses import RANKINGS_ENDPOINT

DATASET = Dataset(
    name=RANKINGS_ENDPOINT,
    path="datasets/rankings-daily",
    params=("start_date", "end_date"),
    normalize=normalize_rankings,
    lake_table="rankings_daily",
    table="fact_model_daily",
    key=("date", "model_permaslug"),
    citation="Source: OpenRouter (openrouter.ai/rankings), as of {as_of}.",
    licensed=True,
    schema=RANKINGS_SCHEMA,
)

FULL_DAY_ROWS = 51
"""A complete day: the top 50 models plus the `other` row (every day of 2026-02..08 had exactly this)."""

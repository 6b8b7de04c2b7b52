"""rankings-daily: the top 50 models by tokens per UTC day, plus the `other` row (API contract §1).

Grain: one row per (date, model_permaslug). Partition: one UTC day (`lake/rankings_daily/YYYY-MM-DD.parquet`);
a day without rows is not a partition (the next run asks for it again). Warehouse: `fact_model_daily`,
delete-insert by date; restatements in `restatements`. Requests: ≤ 366 days each (`plan_range`).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from transforms.contract import RANKINGS_SCHEMA, normalize_rankings
from transforms.dataset_facts import CITATIONS
from transforms.datasets.base import Dataset, FetchPlan, Page, Partition, Request, plan_range, window_params
from transforms.quality import FULL_DAY_ROWS, day_quality
from transforms.responses import RANKINGS_ENDPOINT
from transforms.windows import MAX_WINDOW_DAYS, Window

__all__ = ["DATASET", "FULL_DAY_ROWS", "RankingsDaily", "request"]


def request(window: Window) -> Request:
    """The rankings-daily request for one window (labelled by the window, as run logs show it)."""
    return Request(RANKINGS_ENDPOINT, window, window_params(window), str(window))


class RankingsDaily(Dataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        start, end = params.get("start_date"), params.get("end_date")
        return normalize_rankings(body, raw_file=raw_file,
                                  window_start=dt.date.fromisoformat(start) if start else None,
                                  window_end=dt.date.fromisoformat(end) if end else None)

    def partitions_of(self, rows: pa.Table) -> list[Partition]:
        parts = []
        for day in sorted(pc.unique(rows["date"]).to_pylist()):
            day_rows = rows.filter(pc.equal(rows["date"], pa.scalar(day, pa.date32()))).sort_by("model_permaslug")
            parts.append(Partition(day, day_rows, day_rows["as_of"][0].as_py(), (day_rows["raw_file"][0].as_py(),)))
        return parts

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        return [part for page in pages for part in self.partitions_of(page.rows)], []

    def plan_backfill(self, start, end, *, last_complete_day, have=frozenset(), window_days=MAX_WINDOW_DAYS):
        plan = plan_range(start, end, last_complete_day=last_complete_day, have=have, window_days=window_days)
        return FetchPlan(self.name, plan.requested, plan.effective, [request(w) for w in plan.windows],
                         plan.clamped, plan.skipped)

    def plan_weekly(self, end, *, last_complete_day, lookback_days, window_days=MAX_WINDOW_DAYS):
        return self.plan_backfill(end - dt.timedelta(days=lookback_days - 1), end,
                                  last_complete_day=last_complete_day, window_days=window_days)

    def quality(self, done: list[Request], pages: list[Page]) -> tuple[list[dt.date], list[dt.date]]:
        return day_quality([r.window for r in done], [page.rows for page in pages])


DATASET = RankingsDaily(
    name=RANKINGS_ENDPOINT,
    path="datasets/rankings-daily",
    params=("start_date", "end_date"),
    schema=RANKINGS_SCHEMA,
    lake_table="rankings_daily",
    table="fact_model_daily",
    key=("date", "model_permaslug"),
    partition_by=("date",),
    item="model_permaslug",
    sort_by=("model_permaslug",),
    compared=(("total_tokens", "tokens"),),
    restatements_table="restatements",
    citation=CITATIONS[RANKINGS_ENDPOINT],
    licensed=True,
    uses_catalogue=True,
)

"""rankings-daily-facets: rankings-daily filtered by one exact facet value (API contract §1: `modality`,
`context_bucket`): the top 50 models by tokens per UTC day within that traffic, plus the `other` row.

These figures are exact (the same daily counts as rankings-daily, restricted by the filter). One request per
facet value and window (≤ 366 days, `plan_range`, as rankings-daily): 10 series. The query is the window plus
the one filter (`period` left at its default, `day`); the raw file name carries the filter
(`..._modality.tool-calling_...`).

Grain: one row per (date, facet, facet_value, model_permaslug). Partition: one UTC day of one facet value
(`lake/rankings_daily_facet/<date>_<facet>_<value>.parquet`, names coded by `facets.code`). A day without
rows *before* the answer's last day with rows is a partition without rows (a small facet such as audio can be
empty some days: the answer is recorded, not asked again, so sporadic gaps do not fragment later backfills);
days after it, and every day of an answer without any row, are not partitions: as with rankings-daily, the
next run asks for them again (a day not yet published, or a 200 that lacks days).
Warehouse: `fact_model_daily_facet`, delete-insert by partition; restatements in `facet_restatements`.
"""

from __future__ import annotations

import datetime as dt

from transforms.arrow import pa, pc
from transforms.contract import ContractError, normalize_rankings
from transforms.datasets.base import FetchPlan, Page, Partition, Request, plan_range, window_params
from transforms.datasets.facets import FacetDataset, EXACT, code, decode_facet, decode_value, facet_of, facet_rows, facet_schema
from transforms.windows import MAX_WINDOW_DAYS, Window

__all__ = ["DATASET", "facet_daily_schema", "RankingsFacets", "request"]

ENDPOINT = "rankings-daily-facets"

def facet_daily_schema() -> pa.Schema:
    return facet_schema("date")
"""Grain: one row per (date, facet, facet_value, model_permaslug); exact tokens (prompt + completion) of that UTC
day within the facet value's traffic; 'other' sums the models outside that day's top 50; as_of is UTC."""


def request(window: Window, facet: str, value: str) -> Request:
    """The request for one facet value over one window."""
    return Request(ENDPOINT, window, (*window_params(window), (facet, value)), f"{window} {facet}={value}")


def split_by(rows: pa.Table, column: str) -> dict[dt.date, pa.Table]:
    """Rows grouped by a date column, each group sorted by model_permaslug."""
    rows = rows.sort_by([(column, "ascending"), ("model_permaslug", "ascending")])
    runs = pc.run_end_encode(rows[column].combine_chunks())  # one run per date: the groups' bounds, without a loop per row
    groups: dict[dt.date, pa.Table] = {}
    start = 0
    for day, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist()):
        groups[day] = rows.slice(start, end - start)
        start = end
    return groups


class RankingsFacets(FacetDataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        try:
            facet, value = facet_of(params, EXACT)
        except ValueError as exc:
            raise ContractError(f"{raw_file}: {exc}") from None
        if params.get("period", "day") != "day":
            raise ContractError(f"{raw_file}: exact facets are stored by day, the request asked period={params['period']}")
        start, end = params.get("start_date"), params.get("end_date")
        rows = normalize_rankings(body, raw_file=raw_file,
                                  window_start=dt.date.fromisoformat(start) if start else None,
                                  window_end=dt.date.fromisoformat(end) if end else None)
        return facet_rows(self.schema, rows, facet, value)

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """Every day of each page's window up to its last day with rows is a partition of its facet value, with
        or without rows; days after it (or every day of an answer without rows) are not: asked for again."""
        parts = []
        for page in pages:
            facet, value = facet_of(page.params, EXACT)
            groups = split_by(page.rows, "date")
            for day in Window(dt.date.fromisoformat(page.params["start_date"]), max(groups, default=dt.date.min)).dates():
                rows = groups.get(day, page.rows.slice(0, 0))
                parts.append(Partition((day, facet, value), rows, page.as_of, (page.raw_file,)))
        return parts, []

    def file_tag(self, params: dict[str, str]) -> str:
        facet, value = facet_of(params, EXACT)
        return f"{code(facet)}.{code(value)}"

    def params_from_tag(self, window: Window | None, tag: str | None) -> dict[str, str]:
        if window is None or not tag:
            return super().params_from_tag(window, tag)
        facet_code, value_code = tag.split(".")
        facet = decode_facet(facet_code)
        return request(window, facet, decode_value(facet, value_code)).query

    def plan_backfill(self, start, end, *, last_complete_day, have=frozenset(), window_days=MAX_WINDOW_DAYS):
        """For each facet value in turn, the windows covering its days of [start, end] not in `have`."""
        requests, skipped, plan = [], 0, None
        for facet, values in EXACT.items():
            for value in values:
                held = {day for day, f, v in have if (f, v) == (facet, value)}
                plan = plan_range(start, end, last_complete_day=last_complete_day, have=held, window_days=window_days)
                requests += [request(w, facet, value) for w in plan.windows]
                skipped += plan.skipped
        return FetchPlan(self.name, plan.requested, plan.effective, requests, plan.clamped, skipped)

    def plan_weekly(self, end, *, last_complete_day, lookback_days, window_days=MAX_WINDOW_DAYS):
        """Every facet value over the `lookback_days` ending `end` (re-fetched: restatements are caught)."""
        return self.plan_backfill(end - dt.timedelta(days=lookback_days - 1), end,
                                  last_complete_day=last_complete_day, window_days=window_days)


DATASET = RankingsFacets(
    name=ENDPOINT,
    path="datasets/rankings-daily",
    params=("start_date", "end_date", *EXACT),
    arrow_schema=facet_daily_schema,
    lake_table="rankings_daily_facet",
    table="fact_model_daily_facet",
    key=("date", "facet", "facet_value", "model_permaslug"),
    partition_by=("date", "facet", "facet_value"),
    item="model_permaslug",
    sort_by=("model_permaslug",),
    compared=(("total_tokens", "tokens"),),
    restatements_table="facet_restatements",
    citation="Source: OpenRouter (openrouter.ai/rankings), as of {as_of}.",
    licensed=True,
)

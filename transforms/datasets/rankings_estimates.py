"""rankings-weekly-estimates: rankings-daily filtered by one sampled facet value (API contract §1: `category`,
`language_type`) with `period=week`. These are weekly **estimates** from a classified sample, not counts: they
are stored apart from every exact figure and every table, column and report line built on them says so.

What the API leaves undocumented, and what tokenrank assumes (the contract check quarantines a response that
contradicts it, so a wrong assumption is loud, never silently stored):
- `date` under `period=week` is the **Monday** that starts a Monday–Sunday UTC bucket; a row dated any other
  weekday, before the requested window or after it, breaks the contract.
- the top 50 (plus `other`) is **per bucket**: at most 51 rows per `date`, one `other`, no model twice.
- each bucket's total covers its whole week. tokenrank only asks for whole weeks (start a Monday, end a
  Sunday, ≤ 52 weeks), so the last bucket never reaches past `end_date`.
Each response is archived with its query (window, filter, `period=week`: the raw file name carries
`<facet>.<value>.week`), so a later reading of the API can re-derive everything from raw/.

Grain: one row per (week_start, facet, facet_value, model_permaslug). Partition: one week of one facet value
(`lake/rankings_weekly_estimate/<week_start>_<facet>_<value>.parquet`); a week without rows is one only before
the answer's last week with rows (as for the exact facets; later weeks are asked for again). Warehouse:
`fact_model_weekly_estimate`, delete-insert by partition; restatements in `estimate_restatements`. Requests:
one per facet value (14) and run of ≤ 52 missing weeks.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from transforms.contract import ContractError, normalize_rankings
from transforms.datasets.app_rankings import FIRST_WEEK, monday
from transforms.dataset_facts import CITATIONS, FACET_TABLES
from transforms.datasets.base import FetchPlan, Page, Partition, RangeOutsideData, Request, window_params
from transforms.datasets.facets import FacetDataset, SAMPLED, code, decode_facet, decode_value, facet_of, facet_rows, facet_schema
from transforms.datasets.rankings_facets import split_by
from transforms.windows import MAX_WINDOW_DAYS, Window

__all__ = ["DATASET", "WEEKLY_ESTIMATE_SCHEMA", "RankingsEstimates", "request"]

ENDPOINT = "rankings-weekly-estimates"
PERIOD = "week"
MAX_WEEKS = MAX_WINDOW_DAYS // 7
"""52 whole weeks (364 days) fit in one request."""

WEEKLY_ESTIMATE_SCHEMA = facet_schema("week_start")
"""Grain: one row per (week_start, facet, facet_value, model_permaslug). total_tokens is OpenRouter's weekly
ESTIMATE for the Monday–Sunday week starting week_start (sampled data; never an exact count); 'other' sums the
models outside the bucket's top 50; as_of is UTC."""


def request(window: Window, facet: str, value: str) -> Request:
    """The request for one sampled facet value over whole weeks."""
    params = (*window_params(window), (facet, value), ("period", PERIOD))
    return Request(ENDPOINT, window, params, f"{window} {facet}={value} (weekly estimates)")


def _request_window(params: dict[str, str]) -> Window:
    try:
        window = Window(dt.date.fromisoformat(params["start_date"]), dt.date.fromisoformat(params["end_date"]))
    except (KeyError, ValueError):
        raise ContractError("the request has no start_date/end_date window") from None
    if window.start.weekday() != 0 or window.end.weekday() != 6:
        raise ContractError(f"the request window {window} is not whole Monday–Sunday weeks")
    return window


def _mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(weeks=k) for k in range((last - first).days // 7 + 1)] if first <= last else []


class RankingsEstimates(FacetDataset):
    def normalize(self, body: bytes, *, raw_file: str, params: dict[str, str]) -> pa.Table:
        """The rankings contract, plus the weekly assumption: every `date` a Monday inside the window."""
        try:
            facet, value = facet_of(params, SAMPLED)
            if params.get("period") != PERIOD:
                raise ContractError(f"sampled facets are weekly, the request asked period={params.get('period')}")
            window = _request_window(params)
        except (ValueError, ContractError) as exc:
            raise ContractError(f"{raw_file}: {exc}") from None
        rows = normalize_rankings(body, raw_file=raw_file, window_start=window.start, window_end=window.end)
        for day in set(rows["date"].to_pylist()):
            if day.weekday() != 0:
                raise ContractError(f"{raw_file}: date {day} is a {day:%A}: under period=week a date is assumed to "
                                    "be the Monday starting its bucket")
        return facet_rows(self.schema, rows, facet, value)

    def split(self, pages: list[Page]) -> tuple[list[Partition], list[tuple[str, str]]]:
        """Every week of each page's window up to its last week with rows is a partition of its facet value, with or
        without rows; weeks after it (or every week of an answer without rows) are not: asked for again."""
        parts = []
        for page in pages:
            facet, value = facet_of(page.params, SAMPLED)
            window = _request_window(page.params)
            groups = split_by(page.rows, "week_start")
            for week in _mondays(window.start, max(groups, default=dt.date.min)):
                rows = groups.get(week, page.rows.slice(0, 0))
                parts.append(Partition((week, facet, value), rows, page.as_of, (page.raw_file,)))
        return parts, []

    def file_tag(self, params: dict[str, str]) -> str:
        facet, value = facet_of(params, SAMPLED)
        return f"{code(facet)}.{code(value)}.{params.get('period') or 'day'}"

    def params_from_tag(self, window: Window | None, tag: str | None) -> dict[str, str]:
        if window is None or not tag:
            return super().params_from_tag(window, tag)
        facet_code, value_code, period = tag.split(".")
        facet = decode_facet(facet_code)
        params = request(window, facet, decode_value(facet, value_code)).query
        params["period"] = period
        return params

    @staticmethod
    def _weeks(start: dt.date, end: dt.date, last_complete_day: dt.date) -> tuple[dt.date, dt.date, list[str]]:
        """(first, last) Monday of the complete weeks overlapping [start, end] inside the data, and clamp notes."""
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        latest = monday(last_complete_day + dt.timedelta(days=1)) - dt.timedelta(days=7)
        first, last = max(monday(start), FIRST_WEEK), min(monday(end), latest)
        if first > last:
            raise RangeOutsideData(f"{start}..{end} holds no complete Monday–Sunday week of weekly estimates "
                                   f"({FIRST_WEEK}..{latest + dt.timedelta(days=6)}): nothing to fetch")
        notes = []
        if first > monday(start):
            notes.append(f"start {start} clamped to {first}, the first whole week of the dataset")
        if last < monday(end):
            notes.append(f"end {end} clamped to {last + dt.timedelta(days=6)}, the Sunday of the last complete week")
        return first, last, notes

    def _plan(self, requested: Window, first: dt.date, last: dt.date, notes: list[str], have, window_days: int
              ) -> FetchPlan:
        chunk = max(1, min(MAX_WEEKS, window_days // 7))
        requests, skipped = [], 0
        for facet, values in SAMPLED.items():
            for value in values:
                missing = [w for w in _mondays(first, last) if (w, facet, value) not in have]
                skipped += (last - first).days // 7 + 1 - len(missing)
                runs: list[list[dt.date]] = []
                for week in missing:
                    if runs and week - runs[-1][-1] == dt.timedelta(days=7) and len(runs[-1]) < chunk:
                        runs[-1].append(week)
                    else:
                        runs.append([week])
                requests += [request(Window(run[0], run[-1] + dt.timedelta(days=6)), facet, value) for run in runs]
        return FetchPlan(self.name, requested, Window(first, last + dt.timedelta(days=6)), requests, notes, skipped)

    def plan_backfill(self, start, end, *, last_complete_day, have=frozenset(), window_days=MAX_WINDOW_DAYS):
        """For each facet value, the complete weeks overlapping [start, end] not in `have`, ≤ 52 per request."""
        first, last, notes = self._weeks(start, end, last_complete_day)
        return self._plan(Window(start, end), first, last, notes, have, window_days)

    def plan_weekly(self, end, *, last_complete_day, lookback_days, window_days=MAX_WINDOW_DAYS):
        """Every facet value over the complete weeks overlapping the `lookback_days` ending `end` (re-fetched:
        estimates are restated as snapshots refresh)."""
        if lookback_days < 1:
            raise ValueError("lookback_days must be at least 1")
        start = end - dt.timedelta(days=lookback_days - 1)
        latest = monday(min(end, last_complete_day) + dt.timedelta(days=1)) - dt.timedelta(days=7)
        first, last, _ = self._weeks(min(start, latest), latest + dt.timedelta(days=6), last_complete_day)
        return self._plan(Window(start, end), first, last, [], frozenset(), window_days)


DATASET = RankingsEstimates(
    name=ENDPOINT,
    path="datasets/rankings-daily",
    params=("start_date", "end_date", *SAMPLED, "period"),
    schema=WEEKLY_ESTIMATE_SCHEMA,
    lake_table="rankings_weekly_estimate",
    table=FACET_TABLES[ENDPOINT],
    key=("week_start", "facet", "facet_value", "model_permaslug"),
    partition_by=("week_start", "facet", "facet_value"),
    item="model_permaslug",
    sort_by=("model_permaslug",),
    compared=(("total_tokens", "tokens"),),
    restatements_table="estimate_restatements",
    citation=CITATIONS[ENDPOINT],
    licensed=True,
)

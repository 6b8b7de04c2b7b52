"""A throw-away DuckDB warehouse for the derived-table tests, plus a plain-Python weekly reference.

`Warehouse` holds the base schema and the hand-made rows a test inserts; `reference_weeks` recomputes the
weekly sums from those same rows with ordinary loops, independently of the SQL under test.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.resources import files

import duckdb
import pytest

from warehouse.materialize import build_table, derived_sql, dependency_order, materialize, referenced_names

MONDAY = dt.date(2026, 3, 2)
AS_OF = dt.datetime(2026, 4, 7, 2, 0)


def week(k: int) -> dt.date:
    """The Monday k weeks after the fixtures' first Monday (2026-03-02)."""
    return MONDAY + dt.timedelta(weeks=k)


class Warehouse:
    """An in-memory warehouse with the base schema; rows go in through small helpers, not SQL."""

    def __init__(self) -> None:
        self._con = duckdb.connect(config={"threads": 1})  # tiny tables: a second thread only adds its waits
        self._con.execute(files("warehouse").joinpath("schema.sql").read_text())
        self._days: list[list] = []
        self.ranked: dict[tuple[dt.date, str], int] = {}
        self.other: dict[dt.date, int] = {}

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection, holding every row given so far: the rows of `day` go in as one INSERT when it is next
        used (a statement costs DuckDB milliseconds, a row almost nothing)."""
        if self._days:
            rows, self._days = self._days, []
            self._con.execute("INSERT INTO fact_model_daily VALUES "
                              + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, 'raw-test')"] * len(rows)),
                              [value for row in rows for value in row])
        return self._con

    def day(self, date: dt.date, ranked: dict[str, int], other: int | None = None, as_of: dt.datetime = AS_OF) -> None:
        """One published day: the ranked entries and, unless None, the `other` row."""
        for slug, tokens in ranked.items():
            author, _, rest = slug.partition("/")
            model_slug, _, variant = rest.partition(":")
            self._days.append([date, slug, author, model_slug, variant or None, tokens, False, as_of])
            self.ranked[(date, slug)] = tokens
        if other is not None:
            self._days.append([date, "other", None, None, None, other, True, as_of])
            self.other[date] = other

    def week(self, start: dt.date, ranked: dict[str, int], other: int | None = None, skip: tuple[int, ...] = ()) -> None:
        """The same day repeated Monday..Sunday, leaving out the weekday offsets in `skip` (0 = Monday)."""
        for offset in range(7):
            if offset not in skip:
                self.day(start + dt.timedelta(days=offset), ranked, other)

    def restate(self, date: dt.date, slug: str, tokens: int) -> None:
        """A later snapshot changed one value (what the loader does on a restatement)."""
        self.con.execute(
            "UPDATE fact_model_daily SET total_tokens = ? WHERE date = ? AND model_permaslug = ?", [tokens, date, slug]
        )
        if slug == "other":
            self.other[date] = tokens
        else:
            self.ranked[(date, slug)] = tokens

    def app_list(self, start: dt.date, entries: list[tuple[int, str, int, int]], sort: str = "popular",
                 category: str = "all", subcategory: str = "all", as_of: dt.datetime = AS_OF) -> None:
        """One published app-rankings list of the week starting `start`: (app_id, name, tokens, requests) by rank."""
        for rank, (app_id, name, tokens, requests) in enumerate(entries, start=1):
            self.con.execute(
                "INSERT INTO fact_app_rankings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'raw-test')",
                [start, start + dt.timedelta(days=6), sort, category, subcategory, rank, app_id, name, tokens,
                 requests, as_of],
            )

    def author(self, key: str, country: str) -> None:
        self.con.execute("INSERT INTO dim_origin VALUES ('author', ?, ?, ?, NULL, NULL)", [key, country, key])

    def override(self, key: str, country: str, effective_from: dt.date | None) -> None:
        self.con.execute(
            "INSERT INTO dim_origin VALUES ('model', ?, ?, 'maker', ?, 'test override')", [key, country, effective_from]
        )

    def display(self, slug: str, name: str) -> None:
        self.con.execute("INSERT INTO dim_model VALUES (?, ?, DATE '2026-01-01', DATE '2026-12-31')", [slug, name])

    def build(self, *tables: str) -> list[str]:
        """Every derived table (`materialize`), or only `tables` and the derived tables they read, in build order:
        what a test that reads a few of them needs (each table costs DuckDB milliseconds)."""
        if not tables:
            return materialize(self.con)
        sql = derived_sql()
        needed: set[str] = set()
        wanted = list(tables)
        while wanted:
            table = wanted.pop()
            if table not in needed:
                needed.add(table)
                wanted += [name for name in referenced_names(sql[table]) if name in sql]
        order = [table for table in dependency_order(sql) if table in needed]
        for table in order:
            build_table(self.con, table, sql[table])
        return order

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values)) for values in cursor.fetchall()]


@pytest.fixture
def wh() -> Warehouse:
    warehouse = Warehouse()
    yield warehouse
    warehouse.con.close()


@dataclass
class WeekRef:
    """One week recomputed in Python from the inserted rows."""

    days: set[dt.date] = field(default_factory=set)
    other: int = 0
    models: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    upper: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.days) == 7

    @property
    def total(self) -> int:
        return self.other + sum(self.models.values())

    def ranking(self) -> list[str]:
        return sorted(self.models, key=lambda slug: (-self.models[slug], slug))


def reference_weeks(wh: Warehouse) -> dict[dt.date, WeekRef]:
    """Weekly sums, `other` and per-model upper bounds, by plain loops over the rows `wh` holds."""
    days = {date for date, _ in wh.ranked} | set(wh.other)
    weeks: dict[dt.date, WeekRef] = defaultdict(WeekRef)
    for date in days:
        weeks[date - dt.timedelta(days=date.weekday())].days.add(date)
    for date, tokens in wh.other.items():
        weeks[date - dt.timedelta(days=date.weekday())].other += tokens
    for (date, slug), tokens in wh.ranked.items():
        weeks[date - dt.timedelta(days=date.weekday())].models[slug] += tokens
    for ref in weeks.values():
        for slug, tokens in ref.models.items():
            absent_days = [d for d in ref.days if (d, slug) not in wh.ranked]
            ref.upper[slug] = tokens + sum(_absent_bound(wh, d) for d in absent_days)
    return dict(weeks)


def _absent_bound(wh: Warehouse, date: dt.date) -> int:
    """Most a model missing from `date`'s ranking can have had: below the floor and inside `other`."""
    ranked = [tokens for (d, _), tokens in wh.ranked.items() if d == date]
    other = wh.other.get(date, 0)
    return min(min(ranked), other) if ranked else other


def seed_country_weeks(wh: Warehouse) -> None:
    """Three complete weeks of ten-ish models from five makers, for the author/country/streak tests.

    week 0: ten models, the 10th (cohere, CA) outside the top 9; `stealth/h` is unattributed.
    week 1: mistralai (FR) is absent; `stealth/h` is revealed as CN from that week's Thursday.
    week 2: mistralai is back, pushing cohere out of the top 9 again.
    """
    for author, country in [("qwen", "CN"), ("xiaomi", "CN"), ("openai", "US"), ("anthropic", "US"),
                            ("google", "US"), ("mistralai", "FR"), ("cohere", "CA")]:
        wh.author(author, country)
    wh.override("stealth/h", "CN", week(1) + dt.timedelta(days=3))
    base = {"qwen/a": 100, "qwen/a:free": 90, "xiaomi/m": 80, "openai/g": 70, "anthropic/c": 60,
            "stealth/h": 50, "google/ge": 40, "mistralai/mi": 30, "google/gf": 20, "cohere/co": 10}
    wh.week(week(0), base, other=5)
    week1 = {**base, "qwen/a": 110}
    del week1["mistralai/mi"]
    wh.week(week(1), week1, other=5)
    wh.week(week(2), {**base, "qwen/a": 110}, other=5)

"""Incremental builds equal full builds (warehouse.materialize).

Each example draws a published history, builds it whole, then applies a random load (days republished with
other values or another top K, days removed, new days, models renamed, sometimes a changed origin) and builds
again, told only which dates and models (and base tables) changed; every derived table must equal a whole build
of the result.
"""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.transforms.conftest import AS_OF, week
from warehouse import db
from warehouse.materialize import derived_tables, materialize

AUTHORS = {"qwen": "CN", "xiaomi": "CN", "openai": "US", "anthropic": "US", "google": "US", "mistralai": "FR"}
POOL = ["qwen/q1", "qwen/q1:free", "xiaomi/m", "openai/g", "openai/g:free", "anthropic/c", "google/ge",
        "mistralai/mi", "stealth/s", "stealth/t:free"]
Day = dict[str, int]  # one published day: ranked slug -> tokens, plus "other" when the long tail is not empty


def publish(rnd, slugs: list[str], top_k: int) -> Day:
    tokens = {slug: rnd.randint(1, 30) for slug in rnd.sample(slugs, rnd.randint(1, len(slugs)))}
    ranked = sorted(tokens, key=lambda s: (-tokens[s], s))[:top_k]
    day = {slug: tokens[slug] for slug in ranked}
    if rest := sum(t for s, t in tokens.items() if s not in ranked):
        day["other"] = rest
    return day


@st.composite
def loads(draw):
    """(days before, days after, names before, names after, origin before, origin after)."""
    rnd = random.Random(draw(st.integers(0, 2**32)))  # hypothesis' own randoms lean to the smallest choices
    slugs = rnd.sample(POOL, rnd.randint(3, len(POOL)))
    top_k = rnd.randint(2, 8)
    first = rnd.randint(0, 3)
    weeks = [k for k in range(first, first + rnd.randint(1, 6)) if rnd.random() < 0.85]  # mostly consecutive
    before: dict[dt.date, Day] = {}
    for k in weeks:
        for offset in rnd.sample(range(7), rnd.choice([7, 7, 7, 6, 5])):
            before[week(k) + dt.timedelta(days=offset)] = publish(rnd, slugs, top_k)
    after = dict(before)
    held = sorted(before)
    kind = rnd.random()
    if held and kind < 0.5:  # one week changes, its neighbours do not: a restated day, or a day added or removed
        some_day = rnd.choice(held)
        day = some_day - dt.timedelta(days=some_day.weekday() - rnd.randint(0, 6))
        if day in after and rnd.random() < 0.2:
            del after[day]
        else:
            after[day] = publish(rnd, slugs, top_k)
    elif held and kind < 0.8:  # like a weekly run: some of the last 14 days restated, up to 7 new days
        for day in rnd.sample(held[-14:], rnd.randint(0, min(3, len(held)))):
            after[day] = publish(rnd, slugs, top_k)
        for k in range(1, rnd.randint(1, 8)):
            after[held[-1] + dt.timedelta(days=k)] = publish(rnd, slugs, top_k)
    else:  # a backfill or a repair: a few days anywhere, republished, removed or new
        for day in rnd.sample(held, rnd.randint(0, min(3, len(held)))):
            if rnd.random() < 0.25:
                del after[day]
            else:
                after[day] = publish(rnd, slugs, top_k)
        for _ in range(rnd.choice([0, 1, 3])):
            after[week(rnd.randint(0, 9)) + dt.timedelta(days=rnd.randint(0, 6))] = publish(rnd, slugs, top_k)
    names = {slug: f"Model {slug}" for slug in rnd.sample(slugs, rnd.randint(0, len(slugs)))}
    new_names = {**names, **{slug: f"Renamed {slug}" for slug in rnd.sample(slugs, rnd.randint(0, 2))}}
    origin = dict(AUTHORS)
    new_origin = {**origin, "mistralai": "CN"} if rnd.random() < 0.2 else origin
    return before, after, names, new_names, origin, new_origin


def fill(con: duckdb.DuckDBPyConnection, days: dict[dt.date, Day], names: dict[str, str], origin: dict[str, str]):
    """Replace the base tables the derived tables read with the given days, display names and origins."""
    for table in ("fact_model_daily", "dim_model", "dim_origin"):
        con.execute(f"DELETE FROM {table}")
    rows = []
    for date, day in days.items():
        for slug, tokens in day.items():
            if slug == "other":
                rows.append([date, slug, None, None, None, tokens, True, AS_OF, "raw"])
            else:
                author, _, rest = slug.partition("/")
                model_slug, _, variant = rest.partition(":")
                rows.append([date, slug, author, model_slug, variant or None, tokens, False, AS_OF, "raw"])
    db.insert_rows(con, "fact_model_daily", rows)
    db.insert_rows(con, "dim_model", [[slug, name, week(0), week(9)] for slug, name in names.items()])
    db.insert_rows(con, "dim_origin", [["author", author, country, author, None, None]
                                       for author, country in origin.items()])


def warehouse() -> duckdb.DuckDBPyConnection:
    from importlib.resources import files

    con = duckdb.connect(config={"threads": 1})  # tiny tables: a second thread only adds its waits
    con.execute(files("warehouse").joinpath("schema.sql").read_text())
    return con


def contents(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    return {table: sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall()))
            for table in [*derived_tables(), "derived_state"]}


def check_incremental(before, after, names, new_names, origin, new_origin) -> None:
    incremental, whole = warehouse(), warehouse()
    try:
        fill(incremental, before, names, origin)
        materialize(incremental)
        fill(incremental, after, new_names, new_origin)
        changed = [d for d in before.keys() | after.keys() if before.get(d) != after.get(d)]
        renamed = [s for s in names.keys() | new_names.keys() if names.get(s) != new_names.get(s)]
        inputs = {"fact_model_daily", "dim_model"} if changed or renamed else set()  # what the load reports
        materialize(incremental, changed_dates=changed, changed_models=renamed, changed_inputs=inputs)
        fill(whole, after, new_names, new_origin)
        materialize(whole)
        assert contents(incremental) == contents(whole)
    finally:
        incremental.close()
        whole.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loads())
def test_an_incremental_build_equals_a_whole_build(load):
    check_incremental(*load)


THREE_WEEKS = {week(k) + dt.timedelta(days=d): {"qwen/q1": 10 + k, "openai/g": 8 - k, "stealth/s": 5, "other": 2}
               for k in range(3) for d in range(7)}


@pytest.mark.parametrize("changed_week", [0, 1, 2])
def test_a_restated_day_is_compared_with_the_weeks_around_it(changed_week):
    day = week(changed_week) + dt.timedelta(days=3)
    after = {**THREE_WEEKS, day: {"openai/g": 40, "qwen/q1": 1, "other": 2}}
    check_incremental(THREE_WEEKS, after, {}, {}, AUTHORS, AUTHORS)


def test_a_removed_day_and_a_renamed_model():
    after = {d: rows for d, rows in THREE_WEEKS.items() if d != week(1)}
    check_incremental(THREE_WEEKS, after, {"openai/g": "G"}, {"openai/g": "G 2"}, AUTHORS, AUTHORS)


def test_nothing_changed_rebuilds_only_what_spans_all_history_or_what_reads_a_changed_table(monkeypatch):
    """No date changed: the weekly tables are kept. Told nothing of the inputs, every other table is rebuilt; told
    which base tables changed, only the tables reading them (directly or through another table); told none, none.
    A changed origin rebuilds everything whatever it is told (the fingerprint)."""
    import warehouse.materialize as m

    con = warehouse()
    fill(con, {week(0) + dt.timedelta(days=k): {"qwen/q1": 5, "openai/g": 3, "other": 1} for k in range(7)}, {},
         AUTHORS)
    materialize(con)
    built: list[str] = []
    monkeypatch.setattr(m, "build_table", lambda con, table, select: built.append(table))
    materialize(con, changed_dates=[])
    assert built and not set(built) & m.WEEKLY
    built.clear()
    materialize(con, changed_dates=[], changed_inputs=[])
    assert built == []
    materialize(con, changed_dates=[], changed_inputs=["fact_session_cost"])
    assert built == ["session_cost_extremes"]
    built.clear()
    materialize(con, changed_dates=[], changed_inputs=["requested_dates"])
    assert "dq_days" in built and not set(built) & m.WEEKLY and "session_cost_extremes" not in built
    built.clear()
    con.execute("UPDATE dim_origin SET country = 'US' WHERE key = 'qwen'")
    materialize(con, changed_dates=[], changed_inputs=[])
    assert built == derived_tables()
    con.close()

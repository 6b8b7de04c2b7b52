"""rankings-daily-facets and rankings-weekly-estimates runs against the fake OpenRouter, in-process: a 60-day
backfill makes exactly the planned requests (one per facet value and window) and a rerun none; a response that
contradicts the weekly assumption is quarantined and asked for again; a later snapshot is a restatement; a
rebuild from raw/ alone (lost manifests included) gives the same tables; the weekly run and the CLI take them."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from tests.fake_openrouter import EXACT_FILTERS, SAMPLED_FILTERS, synthetic_facet_rows
from tests.helpers import warehouse_rows as fact
from warehouse.paths import Home
from warehouse.raw_archive import MANIFEST_SUFFIX
from warehouse.session import rebuild_home

D = dt.date
SIXTY = (D(2026, 4, 23), D(2026, 6, 21))  # the fake's last complete day is Sunday 2026-06-21
EXACT, WEEKLY = "rankings-daily-facets", "rankings-weekly-estimates"


@pytest.fixture
def facet_fake(fake_openrouter):
    """Every facet value has 12 models a day from 2026-04-13 to 2026-06-21."""
    for filters in (EXACT_FILTERS, SAMPLED_FILTERS):
        for facet, values in filters.items():
            for value in values:
                fake_openrouter.set_facet_rows({facet: value}, synthetic_facet_rows(D(2026, 4, 13), 70, value))
    return fake_openrouter


def filtered(fake):
    return [r for r in fake.rankings_requests() if set(r.params) - {"start_date", "end_date"}]


def test_a_60_day_backfill_makes_exactly_the_planned_requests_and_its_rerun_none(facet_fake):
    exact = pipeline.backfill(*SIXTY, dataset=EXACT).summary()
    weekly = pipeline.backfill(*SIXTY, dataset=WEEKLY).summary()
    sent = filtered(facet_fake)
    assert exact["requests_planned"] == exact["requests"] == 10  # one 60-day window per facet value
    assert weekly["requests_planned"] == weekly["requests"] == 14  # 9 whole weeks (2026-04-20..) per value
    assert len(sent) == 24 and all(len(set(r.params) - {"start_date", "end_date", "period"}) == 1 for r in sent)
    assert {r.params["period"] for r in sent if "period" in r.params} == {"week"}
    assert fact("SELECT count(*), count(DISTINCT date), count(DISTINCT facet_value) FROM fact_model_daily_facet") == [
        (60 * 10 * 13, 60, 10)]
    assert fact("SELECT count(DISTINCT week_start), min(week_start), max(week_start), count(DISTINCT facet_value) "
                "FROM fact_model_weekly_estimate") == [(9, D(2026, 4, 20), D(2026, 6, 15), 13)]
    # 'programming' is a value of both category and language_type: 14 series
    assert fact("SELECT count(DISTINCT (facet, facet_value)) FROM fact_model_weekly_estimate") == [(14,)]
    for name in (EXACT, WEEKLY):
        again = pipeline.backfill(*SIXTY, dataset=name).summary()
        assert (again["requests"], again["windows"]) == (0, [])
    assert len(filtered(facet_fake)) == 24 and not facet_fake.app_requests()


def test_a_response_contradicting_the_weekly_assumption_is_quarantined_and_asked_again(facet_fake):
    facet_fake.inject("bucket_not_monday")
    run = pipeline.backfill(*SIXTY, dataset=WEEKLY)
    assert len(run.quarantined) == 1 and "is a Tuesday" in run.quarantined[0]
    assert "category.programming.week" in run.quarantined[0]
    assert fact("SELECT count(DISTINCT (facet, facet_value)) FROM fact_model_weekly_estimate") == [(13,)]
    again = pipeline.backfill(*SIXTY, dataset=WEEKLY)
    assert again.requests == 1 and not again.quarantined
    assert fact("SELECT count(DISTINCT (facet, facet_value)) FROM fact_model_weekly_estimate") == [(14,)]


@pytest.mark.parametrize("fault, opts, again", [("empty_data", {}, 60), ("drop_last_days", {"days": 2}, 2)])
def test_days_a_200_lacks_are_not_partitions_and_are_asked_for_again(facet_fake, fault, opts, again):
    facet_fake.inject(fault, **opts)
    pipeline.backfill(*SIXTY, dataset=EXACT)
    assert fact("SELECT count(*) FROM lake_partitions WHERE dataset = ?", [EXACT]) == [(600 - again,)]
    pipeline.backfill(*SIXTY, dataset=EXACT)
    [retry] = filtered(facet_fake)[10:]
    assert (retry.params["modality"], dt.date.fromisoformat(retry.params["end_date"]) - dt.date.fromisoformat(
        retry.params["start_date"])) == ("text", dt.timedelta(days=again - 1))
    assert fact("SELECT count(*) FROM lake_partitions WHERE dataset = ? AND rows = 0", [EXACT]) == [(0,)]


def test_a_later_snapshot_is_a_restatement_and_a_rebuild_from_raw_alone_agrees(facet_fake):
    span = (D(2026, 6, 8), D(2026, 6, 21))
    pipeline.backfill(*span, dataset=EXACT)
    pipeline.backfill(*span, dataset=WEEKLY)
    rows = synthetic_facet_rows(D(2026, 4, 13), 70, "tool_calling")
    rows[-1] = {**rows[-1], "total_tokens": "60000000"}  # 2026-06-21's `other` row raised
    facet_fake.set_facet_rows({"modality": "tool_calling"}, rows)
    facet_fake.as_of = "2026-06-23T02:00:00Z"
    pipeline.weekly(end_date=span[1], lookback_days=14, dataset=EXACT)
    pipeline.weekly(end_date=span[1], lookback_days=14, dataset=WEEKLY)
    assert fact("SELECT date, facet_value, model_permaslug, old_tokens, new_tokens FROM facet_restatements") == [
        (D(2026, 6, 21), "tool_calling", "other", 50_000_000, 60_000_000)]
    assert fact("SELECT count(*) FROM estimate_restatements") == [(0,)]  # same estimates, a later as_of only
    tables = ("fact_model_daily_facet", "fact_model_weekly_estimate", "facet_restatements", "weekly_facet_usage")
    before = {t: fact(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    home = Home.from_env()
    for manifest in list(home.raw.glob(f"{WEEKLY}/*/*/*{MANIFEST_SUFFIX}"))[:3]:
        manifest.unlink()  # the file name alone must identify the request
    result = rebuild_home(home)
    assert result.recovered == 3 and not result.problems
    assert {t: fact(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_the_weekly_run_takes_every_dataset_and_the_cli_backfills_one_facet_dataset(facet_fake):
    runs = pipeline.weekly_all(end_date=D(2026, 6, 21), lookback_days=7)
    assert [r.dataset for r in runs][-2:] == [EXACT, WEEKLY]
    assert len(filtered(facet_fake)) == 10 + 14
    result = CliRunner().invoke(app, ["backfill", "--dataset", EXACT, "--start", "2026-06-01", "--end", "2026-06-21"])
    assert result.exit_code == 0, result.output
    assert f"({facet_fake.url and 'openrouter'}, {EXACT})" in result.output
    assert len(filtered(facet_fake)) == 24 + 10  # 2026-06-01..07 for each value; the rest is held

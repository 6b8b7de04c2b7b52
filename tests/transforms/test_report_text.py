"""The report's sentences, from the demo week's tables (tests/transforms/report_demo_week.py)."""

import dataclasses

import pytest

from tests.transforms.conftest import week
from tests.transforms.report_demo_week import DEMO_WEEK, changed, demo_warehouse, with_overlapping_bounds
from transforms.report.text import TOP10_COLUMNS, write_text
from warehouse.report_store import load_report_data


@pytest.fixture
def demo():
    return load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True)


def headline(data) -> str:
    return " ".join(write_text(data).headline)


def test_the_demo_week_states_the_seed_figures(demo):
    text = headline(demo)
    assert "Total usage rose 18.9% to 27.0T tokens." in text
    assert (
        "China-origin models: 12.96T (+31.48%), ahead of the US (3.03T, +0.76%) for the 5th consecutive week."
        in text
    )
    assert "#1: Qwen3.6 Plus (free), 4.6T, new at #1, ending MiMo-V2-Pro's 2-week run." in text
    assert "#2: MiMo-V2-Pro, 3.08T; #3: Qwen3.6 Plus Preview (free), 1.64T." in text
    assert "The top 9 by maker's country: #1–#6 China, #7–#9 the US." in text
    assert "not certain" not in text


def test_overlapping_bounds_give_hedged_sentences():
    data = load_report_data(with_overlapping_bounds(demo_warehouse()), DEMO_WEEK, synthetic=True)
    text = headline(data)
    assert (
        "China-origin models: 12.96T (+31.48%), ahead of the US (3.03T, +0.76%) for the 5th consecutive week "
        "(the lead was certain in 4 of those 5 weeks); but the bounds overlap (the US could have had up to 13.2T), "
        "so this week's lead is not certain."
    ) in text
    assert (
        "ending MiMo-V2-Pro's 2-week run; but the bounds overlap (MiMo-V2-Pro could have had up to 4.7T), "
        "so this #1 is not certain."
    ) in text


def test_every_report_cites_the_source(demo):
    assert write_text(demo).citation == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z."


def test_synthetic_data_are_said_to_be_synthetic(demo):
    assert write_text(demo).synthetic_notice.startswith("Synthetic data:")
    assert write_text(dataclasses.replace(demo, synthetic=False)).synthetic_notice is None


def test_unattributed_models_above_one_percent_are_named(demo):
    sentence = write_text(demo).unattributed
    assert "Hunter Beta (openrouter/hunter-beta, 0.5T, 1.9%)" in sentence
    assert "Quiet Owl" not in sentence  # 0.7% of the week


def test_no_unattributed_model_above_one_percent(demo):
    models = changed(demo.models, {"country": "unattributed"}, country="FR")
    assert write_text(dataclasses.replace(demo, models=models)).unattributed.startswith("No unattributed model")


def test_figures_restated_since_the_previous_week_are_listed(demo):
    text = write_text(demo)
    assert text.restated_intro.startswith("Figures of earlier weeks restated since 2026-03-30")
    assert text.restated == [
        "Week of 2026-03-23, other (models outside the daily top 50): +18.0B (+6.00%) over 1 restated day",
        "Week of 2026-03-23, MiMo-V2-Pro: +5.0B (+0.53%) over 2 restated days",
    ]


def test_a_long_list_of_restatements_is_cut(demo):
    many = [{**demo.restated[0], "display_name": f"Model {i}"} for i in range(12)]
    lines = write_text(dataclasses.replace(demo, restated=many)).restated
    assert len(lines) == 11 and lines[-1] == "Week of 2026-03-23: 2 more figures restated"


def test_no_restatement_is_said(demo):
    text = write_text(dataclasses.replace(demo, restated=[]))
    assert text.restated == []
    assert text.restated_intro == "No figure of an earlier week has been restated since 2026-03-30."


def test_an_incomplete_week_is_marked(demo):
    totals = changed(demo.totals, {"week_start": DEMO_WEEK}, is_complete=False, days=4)
    notices = write_text(dataclasses.replace(demo, totals=totals)).notices
    assert notices == ["This week is incomplete: 4 of its 7 days are published, so its figures are partial."]


def test_total_without_a_previous_week_and_a_fall(demo):
    totals = changed(demo.totals, {"week_start": DEMO_WEEK}, wow_growth=None)
    assert headline(dataclasses.replace(demo, totals=totals)).startswith(
        "Total usage was 27.0T tokens (no complete previous week to compare with)."
    )
    totals = changed(demo.totals, {"week_start": DEMO_WEEK}, wow_growth=-0.052)
    assert headline(dataclasses.replace(demo, totals=totals)).startswith("Total usage fell 5.2% to 27.0T tokens.")


def test_a_us_lead_new_this_week(demo):
    countries = changed(demo.countries, {"week_start": DEMO_WEEK, "country": "US", "basis": "chart_top9"},
                        tokens=14 * 10**12, tokens_upper=14 * 10**12)
    streaks = changed(demo.streaks, {"week_start": DEMO_WEEK, "kind": "country_vs"},
                      subject="US", rival="CN", streak_weeks=1, certain_weeks=1)
    text = headline(dataclasses.replace(demo, countries=countries, streaks=streaks))
    assert "US-origin models: 14.0T (+0.76%), ahead of China (12.96T, +31.48%), a lead new this week." in text


def test_a_model_that_stays_at_number_one(demo):
    streaks = changed(demo.streaks, {"week_start": DEMO_WEEK, "kind": "model_top1"}, streak_weeks=3)
    text = headline(dataclasses.replace(demo, streaks=streaks))
    assert "#1: Qwen3.6 Plus (free), 4.6T, #1 for the 3rd consecutive week." in text


def test_the_top10_table(demo):
    table = write_text(demo).top10
    assert all(list(row) == TOP10_COLUMNS for row in table)
    assert [row["rank"] for row in table] == list(range(1, 11))
    assert all(type(row["rank"]) is int and type(row["tokens"]) is int for row in table)
    first, second = table[0], table[1]
    assert (first["model"], first["tokens_T"], first["wow_change"], first["rank_change"]) == (
        "Qwen3.6 Plus (free)", "4.60T", "new", "new"
    )
    assert (second["wow_change"], second["rank_change"]) == ("-6.7%", "▼1")
    assert [row["country"] for row in table][:9] == ["CN"] * 6 + ["US"] * 3


B = 10**9


@pytest.fixture
def three_weeks(wh):
    """Two complete weeks, then 4 days of a third, materialized by the real SQL (tests/transforms/conftest.py).

    Per day: week 0 qwen/a 300B, openai/b 200B; week 1 qwen/a 400B, openai/b 210B; week 2 qwen/a 500B,
    openai/b 150B and mistralai/m 20B, new. `other` is 60B a day: totals 3.92T, 4.69T (+19.64%), 2.92T.
    """
    for author, country in [("qwen", "CN"), ("openai", "US"), ("mistralai", "FR")]:
        wh.author(author, country)
    wh.week(week(0), {"qwen/a": 300 * B, "openai/b": 200 * B}, other=60 * B)
    wh.week(week(1), {"qwen/a": 400 * B, "openai/b": 210 * B}, other=60 * B)
    wh.week(week(2), {"qwen/a": 500 * B, "openai/b": 150 * B, "mistralai/m": 20 * B}, other=60 * B, skip=(4, 5, 6))
    wh.build()
    return wh


def test_a_partial_week_is_compared_with_nothing_but_names_the_previous_week(three_weeks):
    text = write_text(load_report_data(three_weeks.con, week(2), synthetic=False))
    assert text.headline == [
        "Total usage so far: 2.9T tokens in 4 of its 7 days (the complete previous week: 4.7T; "
        "growth is given once this week is complete).",
        "China-origin models so far: 2.0T, ahead of the US (0.6T).",
        "#1 so far: qwen/a, 2.0T, as in the previous week. #2: openai/b, 0.6T; #3: mistralai/m, 0.08T.",
        "The top 3 by maker's country: #1 China, #2 the US, #3 France.",
    ]
    assert text.lead_note == (
        "This week is incomplete: leads and streaks count complete weeks only. In the previous week China had "
        "been ahead of the US (top-9 basis) for 2 consecutive weeks."
    )
    table = {row["model"]: {"wow_change": row["wow_change"], "rank_change": row["rank_change"]} for row in text.top10}
    assert table == {
        "qwen/a": {"wow_change": "–", "rank_change": "–"},
        "openai/b": {"wow_change": "–", "rank_change": "–"},
        "mistralai/m": {"wow_change": "new", "rank_change": "new"},
    }
    assert text.table_note == (
        "This week is incomplete, so it is not compared with the previous week (–); "
        "“new”: not ranked on any day of the previous week."
    )


def test_the_first_week_of_data_calls_nothing_new(three_weeks):
    text = write_text(load_report_data(three_weeks.con, week(0), synthetic=False))
    assert text.headline[0] == "Total usage was 3.9T tokens (no complete previous week to compare with)."
    assert text.headline[2] == "#1: qwen/a, 2.1T. #2: openai/b, 1.4T."
    assert {row["wow_change"] for row in text.top10} == {row["rank_change"] for row in text.top10} == {"–"}
    assert text.table_note == "There is no complete previous week to compare with (–)."
    assert text.lead_note == "China has been ahead of the US (top-9 basis) for 1 consecutive week, since the week of 2026-03-02; its longest lead on record is 1 week."


def test_a_complete_week_after_a_complete_one(three_weeks):
    text = write_text(load_report_data(three_weeks.con, week(1), synthetic=False))
    assert text.headline[0] == "Total usage rose 19.6% to 4.7T tokens."
    assert text.headline[2] == "#1: qwen/a, 2.8T, #1 for the 2nd consecutive week. #2: openai/b, 1.47T."
    assert [[row["wow_change"], row["rank_change"]] for row in text.top10] == [["+33.3%", "="], ["+5.0%", "="]]
    assert text.table_note is None

"""The demo dataset through the whole weekly run, checked against the seed figures by independent code.

The expected values are the published seed figures (../shared/docs/seed-figures.md); the checks recompute them
from `fact_model_daily` with plain Python, then compare the derived tables and the report with them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import pytest

from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY
from warehouse.paths import Home

pytestmark = pytest.mark.xdist_group("demo-pipeline")  # one worker builds the module's demo home
WEEK, PREV = dt.date(2026, 3, 30), dt.date(2026, 3, 23)
COUNTRY = {  # seed-figures.md attribution, written out here independently of transforms/reference
    **dict.fromkeys(["qwen", "xiaomi", "stepfun", "minimax", "deepseek", "moonshotai", "z-ai", "tencent",
                     "bytedance-seed", "inclusionai"], "CN"),
    **dict.fromkeys(["anthropic", "google", "openai", "x-ai", "meta-llama", "nvidia", "poolside"], "US"),
}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    """Every dataset's weekly run over the whole demo, then the report, in-process as `tokenrank run` runs them
    without a Prefect server (the Prefect flow wraps the same steps; tests/flows/test_key_echo.py runs it whole)."""
    from flows import pipeline

    home = Home(tmp_path_factory.mktemp("demo-home"))
    runs = pipeline.weekly_all("demo", DEMO_LAST_DAY, (DEMO_LAST_DAY - DEMO_FIRST_DAY).days + 1, home=home)
    files = pipeline.write_report(home)
    for run in runs:
        run.report = str(files.html_path)
    return home, pipeline.combined_summary(runs)


@pytest.fixture(scope="module")
def con(demo_home):
    connection = duckdb.connect(str(demo_home[0].warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def weeks(con):
    """Independent weekly aggregation: week → {'total': int, 'models': {slug: tokens}} from the fact rows."""
    out: dict[dt.date, dict] = defaultdict(lambda: {"total": 0, "models": defaultdict(int), "days": set()})
    for day, slug, tokens in con.execute("SELECT date, model_permaslug, total_tokens FROM fact_model_daily").fetchall():
        week = out[day - dt.timedelta(days=day.weekday())]
        week["total"] += tokens
        week["days"].add(day)
        if slug != "other":
            week["models"][slug] += tokens
    return out


def top(week: dict, n: int) -> list[tuple[str, int]]:
    return sorted(week["models"].items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def top9_by_country(week: dict) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for slug, tokens in top(week, 9):
        sums[COUNTRY.get(slug.split("/")[0], "unattributed")] += tokens
    return sums


def test_every_demo_day_is_loaded_and_marked_synthetic(demo_home, con):
    home, summary = demo_home
    assert (summary["dates_loaded"], summary["inserted"]) == (182, 182 * 51)
    assert summary["source"] == "demo (synthetic)"
    assert con.execute("SELECT DISTINCT source FROM ingest_log").fetchall() == [("demo (synthetic)",)]


def test_seed_figures_recomputed_independently(weeks):
    this, prev = weeks[WEEK], weeks[PREV]
    assert len(this["days"]) == 7 and this["total"] == 27_000_000_000_000
    assert round((this["total"] - prev["total"]) / prev["total"] * 100, 1) == 18.9
    cn, us = top9_by_country(this), top9_by_country(prev)
    assert (cn["CN"], cn["US"]) == (12_960_000_000_000, 3_030_000_000_000)
    assert round((cn["CN"] - us["CN"]) / us["CN"] * 100, 2) == 31.48
    assert round((cn["US"] - us["US"]) / us["US"] * 100, 2) == 0.76
    assert [slug for slug, _ in top(this, 6)] == [
        "qwen/qwen3.6-plus-04-02:free", "xiaomi/mimo-v2-pro-20260318", "qwen/qwen3.6-plus-preview:free",
        "stepfun/step-3.5-flash:free", "minimax/minimax-m2.7-20260318", "deepseek/deepseek-v3.2-20251201",
    ]
    assert [t for _, t in top(this, 2)] == [4_600_000_000_000, 3_080_000_000_000]
    leaders = {week: top(data, 1)[0][0] for week, data in weeks.items()}
    assert [leaders[WEEK - dt.timedelta(weeks=k)] for k in range(4)] == [
        "qwen/qwen3.6-plus-04-02:free", "xiaomi/mimo-v2-pro-20260318", "xiaomi/mimo-v2-pro-20260318",
        leaders[WEEK - dt.timedelta(weeks=3)]]
    assert leaders[WEEK - dt.timedelta(weeks=3)] != "xiaomi/mimo-v2-pro-20260318"
    ahead, week = 0, WEEK
    while week in weeks and (c := top9_by_country(weeks[week]))["CN"] > c["US"]:
        ahead, week = ahead + 1, week - dt.timedelta(weeks=1)
    assert ahead == 5


def test_derived_tables_state_the_seed_figures(con):
    total, growth, complete = con.execute(
        "SELECT total_tokens, wow_growth, is_complete FROM weekly_totals WHERE week_start = ?", [WEEK]).fetchone()
    assert (total, round(growth * 100, 1), complete) == (27_000_000_000_000, 18.9, True)
    countries = dict(((c), (t, round(g * 100, 2))) for c, t, g in con.execute(
        "SELECT country, tokens, wow_growth FROM weekly_country_usage WHERE week_start = ? AND basis = 'chart_top9'",
        [WEEK]).fetchall())
    assert countries == {"CN": (12_960_000_000_000, 31.48), "US": (3_030_000_000_000, 0.76)}
    streak = con.execute(
        "SELECT streak_weeks, streak_start FROM leadership_streaks WHERE week_start = ? AND kind = 'country_vs' "
        "AND subject = 'CN' AND rival = 'US' AND basis = 'chart_top9'", [WEEK]).fetchone()
    assert streak == (5, dt.date(2026, 3, 2))
    top1 = con.execute(
        "SELECT s.week_start, m.display_name, s.streak_weeks FROM leadership_streaks s "
        "JOIN dim_model m ON m.model_permaslug = s.subject WHERE kind = 'model_top1' AND week_start IN (?, ?) ORDER BY 1",
        [PREV, WEEK]).fetchall()
    assert top1 == [(PREV, "MiMo-V2-Pro", 2), (WEEK, "Qwen3.6 Plus (free)", 1)]


def test_report_states_the_seed_figures_and_cites_the_source(demo_home):
    home, summary = demo_home
    assert summary["report"] and summary["report"].endswith("2026-03-30/report.html")
    markdown = (home.reports / "2026-03-30" / "report.md").read_text()
    assert "Total usage rose 18.9% to 27.0T tokens." in markdown
    assert "China-origin models: 12.96T (+31.48%), ahead of the US (3.03T, +0.76%) for the 5th consecutive week." in markdown
    assert "#1: Qwen3.6 Plus (free), 4.6T, new at #1, ending MiMo-V2-Pro's 2-week run" in markdown
    assert "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z." in markdown
    assert "Synthetic data" in markdown.splitlines()[2]


def test_demo_app_rankings_take_the_same_path_and_are_marked_synthetic(demo_home, con):
    home, summary = demo_home
    apps = summary["datasets"]["app-rankings"]
    second_pages = [w for w in apps["windows"] if w.endswith("offset 100") and "popular all offset" not in w]
    assert apps["source"] == "demo (synthetic)" and "2026-03-30..2026-04-05 popular coding offset 100" in second_pages
    assert apps["requests"] == apps["requests_planned"] == 26 + 25 * 3 + len(second_pages)  # last week whole
    assert con.execute("SELECT DISTINCT source FROM ingest_log WHERE dataset = 'app-rankings'").fetchall() == [
        ("demo (synthetic)",)]
    overall = con.execute("SELECT week_start, app_id, total_tokens FROM fact_app_rankings WHERE sort = 'popular' "
                          "AND category = 'all' ORDER BY week_start, rank").fetchall()
    leaders: dict[dt.date, int] = {}
    for week, app_id, _ in overall:
        leaders.setdefault(week, app_id)
    assert len(leaders) == 26
    streak, week = 0, max(leaders)
    while week in leaders and leaders[week] == leaders[max(leaders)]:
        streak, week = streak + 1, week - dt.timedelta(weeks=1)
    got = con.execute("SELECT subject, streak_weeks FROM leadership_streaks WHERE kind = 'app_top1' AND scope = 'all' "
                      "AND week_start = ?", [max(leaders)]).fetchone()
    assert got == (str(leaders[max(leaders)]), streak)


def test_demo_facets_take_the_same_path_and_the_report_shows_them_as_synthetic(demo_home, con):
    home, summary = demo_home
    for name in ("rankings-daily-facets", "rankings-weekly-estimates"):
        assert summary["datasets"][name]["source"] == "demo (synthetic)"
    assert con.execute("SELECT count(DISTINCT date), count(DISTINCT (facet, facet_value)) "
                       "FROM fact_model_daily_facet").fetchone() == (182, 10)
    assert con.execute("SELECT count(DISTINCT week_start), count(DISTINCT (facet, facet_value)) "
                       "FROM fact_model_weekly_estimate").fetchone() == (26, 14)
    markdown = (home.reports / "2026-03-30" / "report.md").read_text()
    section = markdown.split("## By traffic: tool calling and programming\n", 1)[1].split("\n## ", 1)[0]
    assert "| Programming (estimate) | estimate |" in section and "Synthetic data" in markdown.splitlines()[2]
    assert "Programming (estimate): Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z. " \
           "Licensed under CC BY 4.0." in section

"""Reading a week of the derived tables and writing the report's files."""

import datetime as dt
import json
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.transforms.conftest import Warehouse, week
from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse
from transforms.report.charts import CHARTS
from warehouse.report_store import (
    ReportError,
    is_synthetic,
    latest_complete_week,
    load_history,
    load_report_data,
    week_of,
    write_report,
)

CHART_FILES = [f"{spec.stem}.svg" for spec in CHARTS]
B = 10**9


def test_the_latest_complete_week_is_the_default():
    con = demo_warehouse()
    assert latest_complete_week(con) == DEMO_WEEK
    con.execute("UPDATE weekly_totals SET is_complete = false, days = 5 WHERE week_start = ?", [DEMO_WEEK])
    assert latest_complete_week(con) == DEMO_WEEK - dt.timedelta(weeks=1)
    con.execute("UPDATE weekly_totals SET is_complete = false")
    with pytest.raises(ReportError, match="no complete week"):
        latest_complete_week(con)


def test_any_day_names_its_week():
    assert week_of(dt.date(2026, 4, 5)) == DEMO_WEEK
    assert week_of(DEMO_WEEK) == DEMO_WEEK


def test_a_week_not_in_the_tables_is_an_error(tmp_path):
    with pytest.raises(ReportError, match="2027-01-04 is not in weekly_totals"):
        write_report(demo_warehouse(), tmp_path, week=dt.date(2027, 1, 6))
    assert not any(tmp_path.iterdir())


def test_a_week_without_models_is_an_error(tmp_path):
    con = demo_warehouse()
    con.execute("DELETE FROM weekly_model_usage")
    with pytest.raises(ReportError, match="no rows in weekly_model_usage"):
        write_report(con, tmp_path)


def test_synthetic_data_are_detected_from_the_latest_successful_ingest():
    assert is_synthetic(demo_warehouse()) is True
    assert is_synthetic(demo_warehouse("openrouter")) is False
    con = demo_warehouse()
    con.execute(
        "INSERT INTO ingest_log (run_id, flow, source, started_at, status) "
        "VALUES ('run-2', 'weekly', 'openrouter', TIMESTAMP '2026-04-07 02:00:00', 'failed')"
    )
    assert is_synthetic(con) is True
    con.execute("DELETE FROM ingest_log")
    assert is_synthetic(con) is False


def test_history_covers_26_weeks_and_streaks_two():
    con = demo_warehouse()
    con.execute(
        "INSERT INTO weekly_totals SELECT week_start - INTERVAL 30 WEEK, days, is_complete, total_tokens, "
        "other_tokens, ranked_tokens, wow_growth, as_of FROM weekly_totals WHERE week_start = ?",
        [DEMO_WEEK],
    )
    data = load_report_data(con, DEMO_WEEK, synthetic=True)
    assert [row["week_start"] for row in data.totals] == [DEMO_WEEK - dt.timedelta(weeks=n) for n in range(7, -1, -1)]
    assert {row["week_start"] for row in data.streaks} == {DEMO_WEEK, DEMO_WEEK - dt.timedelta(weeks=1)}
    top1 = data.streak("model_top1", week=data.previous_week)
    assert (top1["subject"], top1["subject_name"], top1["streak_weeks"]) == (
        "xiaomi/mimo-v2-pro-20260318", "MiMo-V2-Pro", 2
    )
    assert [row["rank"] for row in data.models] == list(range(1, 13))


def test_a_figure_restated_twice_counts_once():
    con = demo_warehouse()
    con.execute(
        "INSERT INTO restatements VALUES (DATE '2026-03-28', 'xiaomi/mimo-v2-pro-20260318', 474000000000, "
        "476000000000, TIMESTAMP '2026-03-31 02:00:00', TIMESTAMP '2026-04-02 02:00:00', 'r2', 'r3')"
    )
    restated = {row["model_permaslug"]: row for row in load_report_data(con, DEMO_WEEK, synthetic=True).restated}
    mimo = restated["xiaomi/mimo-v2-pro-20260318"]
    assert (mimo["days"], mimo["old_tokens"], mimo["new_tokens"]) == (2, 950 * 10**9, 957 * 10**9)
    assert "anthropic/claude-opus-4.6" not in restated  # restated before the week began
    assert {row["week_start"] for row in restated.values()} == {dt.date(2026, 3, 23)}


def test_write_report_writes_every_file(tmp_path):
    out = tmp_path / "reports" / "2026-03-30"
    files = write_report(demo_warehouse(), out)
    assert files.week_start == DEMO_WEEK and files.synthetic is True
    assert sorted(p.name for p in out.iterdir()) == sorted(["report.md", "report.html", *CHART_FILES])
    assert files.paths == [out / "report.md", out / "report.html", *(out / name for name in CHART_FILES)]
    assert files.markdown_path.read_text() == files.markdown
    assert "Total usage rose 18.9% to 27.0T tokens." in files.markdown
    assert "![" not in files.artifact_markdown
    html = files.html_path.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Source: OpenRouter (openrouter.ai/rankings)" in html
    for path in files.chart_paths.values():
        assert ET.fromstring(path.read_text()).get("width") == "960"
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in files.paths)


def test_a_report_is_replaced_whole(tmp_path):
    con = demo_warehouse()
    write_report(con, tmp_path)
    con.execute("UPDATE weekly_totals SET wow_growth = 0.2 WHERE week_start = ?", [DEMO_WEEK])
    files = write_report(con, tmp_path, week=dt.date(2026, 4, 1), synthetic=False)
    assert "Total usage rose 20.0% to 27.0T tokens." in files.markdown_path.read_text()
    assert "Synthetic" not in files.html_path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.md", "report.html", *CHART_FILES])


def test_the_top10_frame_serialises_for_a_table_artifact(tmp_path):
    files = write_report(demo_warehouse(), tmp_path)
    records = json.loads(json.dumps(files.top10.to_dict("records")))
    assert len(records) == 10
    assert records[0] == {
        "rank": 1, "model": "Qwen3.6 Plus (free)", "model_permaslug": "qwen/qwen3.6-plus-04-02:free",
        "country": "CN", "tokens": 4_604_000_000_000, "tokens_T": "4.60T", "wow_change": "new", "rank_change": "new",
    }


def test_the_chart_frames_of_the_demo_week():
    """Top-9 remainder, author and country shares and the China–US lead, from report_demo_week's literal rows."""
    data = load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True)
    this, first = data.totals[-1], data.totals[0]
    # 27,003B in all; the top 9 of DEMO_MODELS sum to 15,990B; earlier weeks have no model rows
    assert this["week_start"] == DEMO_WEEK and (this["top9_tokens"], this["others_tokens"]) == (15_990 * B, 11_013 * B)
    assert (first["top9_tokens"], first["others_tokens"]) == (0, 19_100 * B)
    authors = [row for row in data.authors if row["week_start"] == DEMO_WEEK]
    assert [(row["position"], row["author"] or "*", row["tokens"]) for row in authors] == [
        (1, "qwen", 6_244 * B), (2, "xiaomi", 3_080 * B), (3, "anthropic", 2_040 * B), (4, "stepfun", 1_400 * B),
        (5, "minimax", 1_190 * B), (6, "deepseek", 1_046 * B), (7, "google", 990 * B), (8, "openrouter", 700 * B),
        (9, "*", 450 * B),  # x-ai, the only other author
        (10, "*", 1_890_210 * 10**6),  # the `other` rows: 7% of the total
    ]
    assert [row["share"] for row in authors] == pytest.approx([row["tokens"] / (27_003 * B) for row in authors])
    countries = [row for row in data.country_shares if row["week_start"] == DEMO_WEEK]
    assert [(row["position"], row["country"] or "*", row["tokens"]) for row in countries] == [
        (1, "CN", 16_700 * B), (2, "US", 8_700 * B), (7, "*", 1_890_210 * 10**6)
    ]
    assert [row["share"] for row in countries] == pytest.approx([0.618450, 0.322186, 0.07], abs=5e-7)
    # CN 12.96T (≤12.99T) against US 3.03T (≤3.05T); the first week: 2.5T against 3.3T, no bounds
    assert data.lead[-1] == {"week_start": DEMO_WEEK, "lead": 9_930 * B, "lead_low": 9_910 * B, "lead_high": 9_960 * B}
    assert data.lead[0] == {"week_start": first["week_start"], "lead": -800 * B, "lead_low": -800 * B,
                            "lead_high": -800 * B}


def test_the_history_of_models_and_countries():
    """Three weeks through the real SQL: 2 complete, the third 4 days (qwen/a CN, openai/b US, mistralai/m FR)."""
    wh = Warehouse()
    for author, country in [("qwen", "CN"), ("openai", "US"), ("mistralai", "FR")]:
        wh.author(author, country)
    wh.week(week(0), {"qwen/a": 300 * B, "openai/b": 200 * B}, other=60 * B)
    wh.week(week(1), {"qwen/a": 400 * B, "openai/b": 210 * B}, other=60 * B)
    wh.week(week(2), {"qwen/a": 500 * B, "openai/b": 150 * B, "mistralai/m": 20 * B}, other=60 * B, skip=(4, 5, 6))
    wh.build()
    history = load_history(wh.con, synthetic=False)
    assert [row["week_start"] for row in history.weeks] == [week(0), week(1), week(2)]
    assert [row["is_complete"] for row in history.weeks] == [True, True, False]
    summary = {row["model_permaslug"]: row for row in history.model_summary}
    assert [summary["qwen/a"][c] for c in ("weeks", "best_rank", "peak_tokens", "total_tokens")] == [
        3, 1, 2_800 * B, 6_900 * B  # 2,100B + 2,800B + 2,000B
    ]
    assert [summary["mistralai/m"][c] for c in ("weeks", "best_rank", "peak_tokens", "country")] == [1, 3, 80 * B, "FR"]
    assert list(summary) == ["qwen/a", "openai/b", "mistralai/m"]  # latest first, then by total tokens
    cn = next(row for row in history.countries if (row["country"], row["week_start"]) == ("CN", week(2)))
    assert (cn["tokens"], cn["top9_tokens"], cn["models"]) == (2_000 * B, 2_000 * B, 1)
    assert cn["share"] == pytest.approx(2_000 / 2_920)  # of the week's total, `other` included
    latest = {row["country"]: row["latest_share"] for row in history.country_summary}
    assert latest == pytest.approx({"CN": 2_000 / 2_920, "US": 600 / 2_920, "FR": 80 / 2_920})


def test_the_apps_of_a_week_are_read_from_the_app_tables():
    from tests.transforms.apps_week import ALPHA, BETA, apps_warehouse

    wh = apps_warehouse()
    apps = load_report_data(wh.con, week(1), synthetic=True).apps
    assert [r["rank"] for r in apps.top10] == list(range(1, 11))
    assert [r["app_id"] for r in apps.top10[:2]] == [BETA, ALPHA]
    assert [r["tokens"] for r in apps.top10[:3]] == [600 * B, 400 * B, 100 * B]
    assert (apps.top10[0]["prev_rank"], apps.top10[0]["rank_change"]) == (2, 1)
    assert [(r["scope"], r["app_id"], r["app_name"], r["streak_weeks"]) for r in apps.leaders] \
        == [("coding", ALPHA, "Alpha Code", 2), ("creative", BETA, "Beta", 1)]
    assert [r["app_name"] for r in apps.trending] == ["T0", "T1", "T2", "T3", "T4"]
    assert [r["total_tokens"] for r in apps.trending] == [10 * B, 11 * B, 12 * B, 13 * B, 14 * B]
    assert apps.as_of == dt.datetime(2026, 4, 7, 2)
    empty = load_report_data(wh.con, week(2), synthetic=True).apps
    assert empty.empty and not empty.top10 and not empty.trending
    history = load_history(wh.con, synthetic=True)
    alpha = next(row for row in history.app_summary if row["app_id"] == ALPHA)
    assert (alpha["names_seen"], alpha["weeks_overall"], alpha["best_rank"]) == (["Alpha", "Alpha Code"], 2, 1)
    rows = [row for row in history.apps if row["app_id"] == ALPHA]
    assert [(r["category"], r["rank"], r["published_name"]) for r in rows] == [
        ("all", 1, "Alpha"), ("coding", 1, "Alpha"), ("all", 2, "Alpha Code"), ("coding", 1, "Alpha Code")]
    assert load_history(demo_warehouse(), synthetic=True).apps is None


def test_the_bytes_of_every_report_file_are_pinned(tmp_path):
    """Every file of the seed week's report, by the first 16 hex digits of its sha256: a change of a single byte
    (a faster drawing, say) must be meant. When it is, paste the digests the failure shows."""
    import hashlib

    files = write_report(demo_warehouse(), tmp_path)
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16] for path in files.paths}
    assert digests == PINNED_REPORT


def test_the_report_path_imports_neither_pandas_nor_pyarrow():
    """`tokenrank report` reads plain rows: pandas, pyarrow and numpy would cost it ~0.5 s of imports (the dataset
    declarations it cites import Arrow only on first use: `transforms.arrow`)."""
    code = ("import sys, warehouse.report_store, warehouse.site_store; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


PINNED_REPORT = {
    "report.md": "d6ab260d49e34bd0", "report.html": "574c87724edbedb7", "weekly_models.svg": "77043f8c6d025f30",
    "top10_models.svg": "0e9e8641fee2c0ab", "author_share.svg": "a7d6c3dda28eac33",
    "country_share.svg": "e6c289ea6e78e2ab", "cn_vs_us_lead.svg": "b329aa6610f2166d",
}

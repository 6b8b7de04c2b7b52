"""Reading a week of the derived tables and writing the report's files."""

import datetime as dt
import json
import stat
import struct

import pytest

from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse
from transforms.report.charts import CHART_SIZE_PX, CHARTS
from warehouse.report_store import (
    ReportError,
    is_synthetic,
    latest_complete_week,
    load_report_data,
    week_of,
    write_report,
)


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
    assert len(data.totals) == 8 and data.totals["week_start"].is_monotonic_increasing
    assert set(data.streaks["week_start"].dt.date) == {DEMO_WEEK, DEMO_WEEK - dt.timedelta(weeks=1)}
    top1 = data.streak("model_top1", week=data.previous_week)
    assert (top1["subject"], top1["subject_name"], top1["streak_weeks"]) == (
        "xiaomi/mimo-v2-pro-20260318", "MiMo-V2-Pro", 2
    )
    assert data.models["rank"].tolist() == list(range(1, 13))


def test_a_figure_restated_twice_counts_once():
    con = demo_warehouse()
    con.execute(
        "INSERT INTO restatements VALUES (DATE '2026-03-28', 'xiaomi/mimo-v2-pro-20260318', 474000000000, "
        "476000000000, TIMESTAMP '2026-03-31 02:00:00', TIMESTAMP '2026-04-02 02:00:00', 'r2', 'r3')"
    )
    restated = load_report_data(con, DEMO_WEEK, synthetic=True).restated.set_index("model_permaslug")
    mimo = restated.loc["xiaomi/mimo-v2-pro-20260318"]
    assert (mimo["days"], mimo["old_tokens"], mimo["new_tokens"]) == (2, 950 * 10**9, 957 * 10**9)
    assert "anthropic/claude-opus-4.6" not in restated.index  # restated before the week began
    assert restated["week_start"].dt.date.unique().tolist() == [dt.date(2026, 3, 23)]


def test_write_report_writes_every_file(tmp_path):
    out = tmp_path / "reports" / "2026-03-30"
    files = write_report(demo_warehouse(), out)
    assert files.week_start == DEMO_WEEK and files.synthetic is True
    assert sorted(p.name for p in out.iterdir()) == sorted(["report.md", "report.html", *CHARTS])
    assert files.paths == [out / "report.md", out / "report.html", *(out / name for name in CHARTS)]
    assert files.markdown_path.read_text() == files.markdown
    assert "Total usage rose 18.9% to 27.0T tokens." in files.markdown
    assert "![" not in files.artifact_markdown
    html = files.html_path.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Source: OpenRouter (openrouter.ai/rankings)" in html
    for path in files.chart_paths.values():
        png = path.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == CHART_SIZE_PX
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in files.paths)


def test_a_report_is_replaced_whole(tmp_path):
    con = demo_warehouse()
    write_report(con, tmp_path)
    con.execute("UPDATE weekly_totals SET wow_growth = 0.2 WHERE week_start = ?", [DEMO_WEEK])
    files = write_report(con, tmp_path, week=dt.date(2026, 4, 1), synthetic=False)
    assert "Total usage rose 20.0% to 27.0T tokens." in files.markdown_path.read_text()
    assert "Synthetic" not in files.html_path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.md", "report.html", *CHARTS])


def test_the_top10_frame_serialises_for_a_table_artifact(tmp_path):
    files = write_report(demo_warehouse(), tmp_path)
    records = json.loads(json.dumps(files.top10.to_dict("records")))
    assert len(records) == 10
    assert records[0] == {
        "rank": 1, "model": "Qwen3.6 Plus (free)", "model_permaslug": "qwen/qwen3.6-plus-04-02:free",
        "country": "CN", "tokens": 4_604_000_000_000, "tokens_T": "4.6T", "wow_change": "new", "rank_change": "new",
    }

"""The report's Apps section: every figure against values worked out by hand from `apps_week`'s rows."""

from __future__ import annotations

import re

import pytest

from tests.transforms.apps_week import apps_warehouse
from tests.transforms.conftest import week
from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse
from transforms.report import render
from transforms.report.apps import NO_APPS
from warehouse.report_store import load_report_data

APPS_CITATION = "Source: OpenRouter (openrouter.ai/apps), as of 2026-04-07T02:00:00Z."


@pytest.fixture(scope="module")
def con():
    wh = apps_warehouse()
    yield wh.con
    wh.con.close()


def section(markdown: str) -> str:
    return markdown.split("## Apps\n\n", 1)[1].split("\n## Unattributed", 1)[0]


def test_the_apps_section_of_a_week_with_apps(con):
    report = render(load_report_data(con, week(1), synthetic=True))
    text = section(report.markdown)
    # tokens in B with one decimal; 600/300-1 = +100%, 400/500-1 = -20%; Beta 2->1, Alpha 1->2; the rest are new
    expected_rows = [
        "| 1 | Beta | 600.0B | +100.0% | ▲1 |",
        "| 2 | Alpha Code | 400.0B | -20.0% | ▼1 |",
        "| 3 | Delta | 100.0B | new | new |",
        *(f"| {4 + i} | App {i} | {90 - i}.0B | new | new |" for i in range(7)),
    ]
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert rows == expected_rows  # App 7 is #11
    assert "![Top 10 apps on OpenRouter by tokens in the week of 9 March 2026: #1 Beta 600.0B; " \
           "#2 Alpha Code 400.0B; #3 Delta 100.0B.](top10_apps.svg)" in text
    assert ("- Coding: Alpha Code, #1 for 2 consecutive weeks (since the week of 2026-03-02)\n"
            "- Creative: Beta, #1 this week\n- Productivity: no list loaded\n- Entertainment: no list loaded\n") in text
    assert "1. T0 (10.0B tokens)\n2. T1 (11.0B tokens)\n3. T2 (12.0B tokens)\n4. T3 (13.0B tokens)\n" \
           "5. T4 (14.0B tokens)\n\n" in text
    assert f"{APPS_CITATION} Licensed under CC BY 4.0." in text
    assert report.markdown.rstrip().endswith(
        "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-07T02:00:00Z. Licensed under CC BY 4.0.")
    assert '<h2 id="apps">Apps</h2>' in report.html and "<td class=\"name\">Alpha Code</td>" in report.html


def test_the_apps_chart_carries_its_source_licence_and_synthetic_mark(con):
    report = render(load_report_data(con, week(1), synthetic=True))
    assert "top10_apps.svg" in report.charts and "top10_apps-narrow.svg" in report.chart_files
    for name in ("top10_apps.svg", "top10_apps-narrow.svg"):
        svg = report.chart_files[name].decode()
        words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
        assert APPS_CITATION in words and "Licensed under CC BY 4.0." in words and "SYNTHETIC" in words
        labels = re.findall(r"<text[^>]*>(#\d+ [^<]*)</text>", svg)
        assert len(labels) == 10 and labels[0] == "#1 Beta" and labels[9] == "#10 App 6"
    wide = report.chart_files["top10_apps.svg"].decode()
    assert ">600.0B<" in wide and ">▲ 100.0%<" in wide and ">▼ 20.0%<" in wide
    real = render(load_report_data(con, week(1), synthetic=False)).chart_files["top10_apps.svg"].decode()
    assert "SYNTHETIC" not in real


def test_a_week_without_app_rows_says_so_in_one_line(con):
    report = render(load_report_data(con, week(2), synthetic=True))
    assert section(report.markdown) == f"{NO_APPS}\n"
    assert "top10_apps.svg" not in report.charts
    assert f"<p>{NO_APPS}</p>" in report.html


def test_the_first_week_has_nothing_to_compare_with(con):
    text = section(render(load_report_data(con, week(0), synthetic=True)).markdown)
    assert "| 1 | Alpha Code | 500.0B | – | – |" in text and "| 3 | Gamma | 200.0B | – | – |" in text
    assert "The previous week's overall list is not loaded" in text
    assert "- Coding: Alpha Code, #1 this week\n- Creative: Gamma, #1 this week\n" in text
    assert "No trending list is loaded for this week." in text


def test_a_warehouse_without_apps_has_no_apps_section():
    data = load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True)
    assert data.apps is None
    report = render(data)
    assert "Apps" not in report.markdown and 'id="apps"' not in report.html and len(report.images) == 5

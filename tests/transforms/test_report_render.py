"""The Markdown and the self-contained HTML of the demo week's report."""

import base64
import dataclasses
import re

import pytest

from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse
from transforms.report import render
from transforms.report.charts import CHARTS
from warehouse.report_store import load_report_data

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z."


@pytest.fixture(scope="module")
def report():
    return render(load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True))


def test_markdown_leads_with_the_synthetic_notice_and_ends_with_the_citation(report):
    lines = report.markdown.splitlines()
    assert lines[0] == "# OpenRouter usage, week of 30 March – 5 April 2026"
    assert lines[2].startswith("> **Synthetic data: this report was built from the demo dataset.")
    assert report.markdown.rstrip().endswith(CITATION)
    assert "| 1 | Qwen3.6 Plus (free) | CN | 4.6T | new | new |" in lines


def test_markdown_links_every_chart_and_the_artifact_links_none(report):
    assert re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report.markdown) == list(CHARTS)
    assert "![" not in report.artifact_markdown
    assert CITATION in report.artifact_markdown


def test_html_is_self_contained(report):
    html = report.html
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == len(CHARTS)
    for source, png in zip(sources, report.charts.values()):
        assert source == "data:image/png;base64," + base64.b64encode(png).decode()
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing to fetch
    assert "<link" not in html and "<script" not in html
    assert '<div class="synthetic" role="alert">Synthetic data:' in html
    assert f'<p class="citation">{CITATION}</p>' in html


def test_real_data_carry_no_synthetic_notice():
    report = render(load_report_data(demo_warehouse("openrouter"), DEMO_WEEK, synthetic=False))
    assert "Synthetic" not in report.markdown and 'class="synthetic"' not in report.html
    assert CITATION in report.markdown and CITATION in report.html


def test_html_escapes_names(report):
    data = load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=False)
    models = data.models.copy()
    models.loc[0, "display_name"] = "<b>Odd | Name</b>"
    rendered = render(dataclasses.replace(data, models=models))
    assert "&lt;b&gt;Odd | Name&lt;/b&gt;" in rendered.html and "<b>Odd" not in rendered.html
    assert "<b>Odd \\| Name</b>" in rendered.markdown

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
FILES = [f"{spec.stem}.svg" for spec in CHARTS]


@pytest.fixture(scope="module")
def report():
    return render(load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True))


def test_markdown_leads_with_the_synthetic_notice_and_ends_with_citation_and_licence(report):
    lines = report.markdown.splitlines()
    assert lines[0] == "# OpenRouter usage, week of 30 March – 5 April 2026"
    assert lines[2].startswith("> **Synthetic data: this report was built from the demo dataset.")
    assert report.markdown.rstrip().endswith(f"{CITATION} Licensed under CC BY 4.0.")
    assert "| 1 | Qwen3.6 Plus (free) | CN | 4.60T | new | new |" in lines
    assert "| 2 | MiMo-V2-Pro | CN | 3.08T | -6.7% | ▼1 |" in lines


def test_markdown_links_every_chart_with_its_point_and_the_artifact_links_none(report):
    links = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", report.markdown)
    assert [name for _, name in links] == FILES
    assert links[-1][0].startswith("China minus the US, weekly tokens of their top-9 models, 8 weeks to the week "
                                   "of 30 March 2026: China ahead by 9.93T")
    assert "![" not in report.artifact_markdown
    assert CITATION in report.artifact_markdown
    assert list(report.charts) == FILES and all(svg.startswith(b"<svg") for svg in report.charts.values())


def test_html_is_self_contained(report):
    html = report.html
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    narrow = re.findall(r'<source media="\(max-width: 599px\)" srcset="([^"]+)"', html)
    assert len(images) == len(narrow) == len(CHARTS)
    for (source, alt), phone, image in zip(images, narrow, report.images):
        assert source == "data:image/svg+xml;base64," + base64.b64encode(image.layouts[""].svg.encode()).decode()
        assert phone == "data:image/svg+xml;base64," + base64.b64encode(image.layouts["-narrow"].svg.encode()).decode()
        assert alt == image.alt.replace("'", "&#39;")
    assert not re.search(r'(src|href|srcset)="(?!data:)', html)  # nothing to fetch
    assert "<link" not in html and "<script" not in html and "<style>" in html
    assert '<p class="synthetic" role="note">Synthetic data:' in html
    assert f'<p class="citation">{CITATION} Licensed under CC BY 4.0.</p>' in html
    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="Top 10 models">' in html


def test_the_lead_figure_explains_the_bounds_in_its_caption(report):
    assert "<figcaption>Whiskers: the range the difference can take." in report.html


def test_real_data_carry_no_synthetic_notice():
    report = render(load_report_data(demo_warehouse("openrouter"), DEMO_WEEK, synthetic=False))
    assert "Synthetic" not in report.markdown and 'class="synthetic"' not in report.html
    assert "SYNTHETIC" not in report.html and not any(b"SYNTHETIC" in svg for svg in report.charts.values())
    assert CITATION in report.markdown and CITATION in report.html


def test_html_escapes_names(report):
    data = load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=False)
    models = [dict(row) for row in data.models]
    models[0]["display_name"] = "<b>Odd | Name</b>"
    rendered = render(dataclasses.replace(data, models=models))
    assert "&lt;b&gt;Odd | Name&lt;/b&gt;" in rendered.html and "<b>Odd" not in rendered.html
    assert "<b>Odd \\| Name</b>" in rendered.markdown
    assert all(b"<b>Odd" not in svg for svg in rendered.charts.values())  # escaped in the SVG text too

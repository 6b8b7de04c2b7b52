"""The SVG charts of the demo week: well-formed, stamped with source, licence and SYNTHETIC, labelled with
the week's own values (literal figures of tests/transforms/report_demo_week.py)."""

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest

from tests.transforms.report_demo_week import DEMO_WEEK, changed, demo_warehouse, with_overlapping_bounds
from transforms.report.charts import CHARTS, LAYOUTS, country_colour, country_label
from transforms.report.render import stamp
from warehouse.report_store import load_report_data

SVG = "{http://www.w3.org/2000/svg}"
CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z."
SPECS = {spec.stem: spec for spec in CHARTS}


@pytest.fixture(scope="module")
def demo():
    return load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True)


def draw(data, stem: str, suffix: str = ""):
    return SPECS[stem].draw(data, LAYOUTS[suffix], stamp(data))


def texts(svg: str) -> list[str]:
    """Every <text> of the image, in drawing order."""
    return [node.text or "" for node in ET.fromstring(svg).iter(f"{SVG}text")]


def words(svg: str) -> str:
    return " ".join(texts(svg))


@pytest.mark.parametrize("suffix", list(LAYOUTS))
@pytest.mark.parametrize("stem", list(SPECS))
def test_each_chart_is_an_svg_that_carries_its_source_licence_and_synthetic_mark(demo, stem, suffix):
    image = draw(demo, stem, suffix)
    root = ET.fromstring(image.svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert (int(root.get("width")), int(root.get("height"))) == (image.width, image.height)
    assert root.get("viewBox") == f"0 0 {image.width} {image.height}"
    assert image.width == (360 if suffix else 960)
    assert root.find(f"{SVG}desc").text == SPECS[stem].describe(demo)
    text = words(image.svg)  # the footer wraps at spaces: joined again, it reads whole
    assert f"{CITATION} Licensed under CC BY 4.0. SYNTHETIC: demo data, not OpenRouter figures." in text
    assert texts(image.svg)[0].startswith("SYNTHETIC")  # the badge above the title
    assert re.search(r"<(image|script|use|a)\b|href=", image.svg) is None  # nothing to fetch, nothing to run


@pytest.mark.parametrize("stem", list(SPECS))
def test_real_data_carry_no_synthetic_mark(demo, stem):
    real = dataclasses.replace(demo, synthetic=False)
    for suffix in LAYOUTS:
        assert "SYNTHETIC" not in draw(real, stem, suffix).svg


def test_the_stacked_chart_labels_the_week_and_its_top_9(demo):
    wide, narrow = draw(demo, "weekly_models"), draw(demo, "weekly_models", "-narrow")
    for svg in (wide.svg, narrow.svg):
        labels = texts(svg)
        assert "27.00T" in labels  # the week's total over its bar
        assert "30 Mar" in labels  # the report's own week is on the axis
    wide_labels = texts(wide.svg)
    # latest values beside the last bar: value first, then the model
    assert [wide_labels[i:i + 2] for i, t in enumerate(wide_labels) if t in ("4.60T", "3.08T", "11.01T")] == [
        ["11.01T", "Others"], ["3.08T", "#2 MiMo-V2-Pro"], ["4.60T", "#1 Qwen3.6 Plus (free)"]
    ]
    assert "#9 Gemini 3 Flash Preview 0.99T" in texts(narrow.svg)  # the phone layout lists them in its legend
    assert "Labelled: the week of 30 March 2026, total 27.00T." in texts(wide.svg)


def test_the_top10_chart_shows_change_country_and_bounds(demo):
    labels = texts(draw(demo, "top10_models").svg)
    assert labels[labels.index("#1 Qwen3.6 Plus (free)"):labels.index("#1 Qwen3.6 Plus (free)") + 4] == [
        "#1 Qwen3.6 Plus (free)", "CN", "4.60T", "new"
    ]
    assert labels[labels.index("#2 MiMo-V2-Pro"):labels.index("#2 MiMo-V2-Pro") + 4] == [
        "#2 MiMo-V2-Pro", "CN", "3.08T", "▼ 6.7%"
    ]
    assert "url(#hatch-c8102e)" in draw(demo, "top10_models").svg  # China is hatched, not only red
    overlapping = load_report_data(with_overlapping_bounds(demo_warehouse()), DEMO_WEEK, synthetic=True)
    assert "3.08T (≤4.70T)" in texts(draw(overlapping, "top10_models").svg)


def test_share_charts_label_the_latest_shares(demo):
    authors = texts(draw(demo, "author_share").svg)
    # qwen 6,244B of 27,003B; every other author (x-ai) 450B; outside the top 50: the 7% `other` rows
    for value, name in [("23.1%", "qwen"), ("1.7%", "Other authors"), ("7.0%", "Outside the daily top 50")]:
        assert authors[authors.index(value) + 1] == name
    countries = texts(draw(demo, "country_share").svg)
    for value, name in [("61.8%", "China (CN)"), ("32.2%", "US"), ("7.0%", "Outside the daily top 50")]:
        assert countries[countries.index(value) + 1] == name
    assert "China (CN) 61.8%" in texts(draw(demo, "country_share", "-narrow").svg)


def test_the_lead_chart_states_the_lead_and_its_bounds(demo):
    image = draw(demo, "cn_vs_us_lead")
    assert "+9.93T" in texts(image.svg)
    assert "▲ China ahead" in texts(image.svg) and "▼ US ahead" in texts(image.svg)  # the US led in earlier weeks
    assert SPECS["cn_vs_us_lead"].describe(demo).endswith(
        "China ahead by 9.93T in the week of 30 March 2026 (between 9.91T and 9.96T within the bounds; certain)."
    )
    assert "Whiskers: the range the difference can take." in words(image.svg)


def test_one_week_of_history_says_one_week(demo):
    one = dataclasses.replace(demo, totals=demo.totals[-1:])
    for stem in ("weekly_models", "author_share", "country_share", "cn_vs_us_lead"):
        assert "1 week to the week of 30 March 2026." in words(draw(one, stem).svg)
        assert "1 weeks" not in words(draw(one, stem).svg)


def test_an_incomplete_week_is_faded_and_said(demo):
    totals = changed(demo.totals, {"week_start": DEMO_WEEK}, is_complete=False, days=4)
    partial = dataclasses.replace(demo, totals=totals)
    svg = draw(partial, "weekly_models").svg
    assert 'fill-opacity="0.45"' in svg
    assert "Faded: the week of 30 March 2026 is incomplete (4 of its 7 days loaded)." in words(svg)


def test_phone_layouts_show_the_last_12_weeks_only():
    con = demo_warehouse()
    con.execute("INSERT INTO weekly_totals SELECT week_start - INTERVAL 8 WEEK, days, is_complete, total_tokens, "
                "other_tokens, ranked_tokens, wow_growth, as_of FROM weekly_totals")
    data = load_report_data(con, DEMO_WEEK, synthetic=True)
    assert len(data.totals) == 16
    assert "16 weeks to the week of 30 March 2026." in words(draw(data, "weekly_models").svg)
    assert "12 weeks to the week of 30 March 2026." in words(draw(data, "weekly_models", "-narrow").svg)


def test_drawing_is_deterministic(demo):
    assert all(draw(demo, stem).svg == draw(demo, stem).svg for stem in SPECS)


def test_country_colours_and_labels_are_fixed():
    assert country_colour("CN") == "#c8102e"
    assert country_colour("US") == "#1f4e99"
    assert country_colour("ZZ") == country_colour("XX")  # every other country: one fixed colour
    assert [country_label(c) for c in ("CN", "US", "FR", "unattributed")] == [
        "China (CN)", "US", "France (FR)", "Unattributed"
    ]

"""The charts are real PNGs of the fixed size, drawn for the demo week and for odd weeks."""

import dataclasses
import struct

import pytest

from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse, with_overlapping_bounds
from transforms.report.charts import CHART_SIZE_PX, CHARTS, country_colour, country_label
from warehouse.report_store import load_report_data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture(scope="module")
def demo():
    return load_report_data(demo_warehouse(), DEMO_WEEK, synthetic=True)


@pytest.mark.parametrize("name", list(CHARTS))
def test_each_chart_is_a_png_of_the_fixed_size(demo, name):
    png = CHARTS[name](demo)
    assert png_size(png) == CHART_SIZE_PX == (1200, 600)
    assert png.endswith(b"IEND\xaeB`\x82")
    assert len(png) > 20_000  # drawn, not blank


@pytest.mark.parametrize("name", list(CHARTS))
def test_charts_cope_with_overlapping_bounds_and_a_single_week(demo, name):
    overlapping = load_report_data(with_overlapping_bounds(demo_warehouse()), DEMO_WEEK, synthetic=True)
    assert png_size(CHARTS[name](overlapping)) == CHART_SIZE_PX
    one_week = dataclasses.replace(demo, totals=demo.totals.tail(1), countries=demo.countries.tail(4))
    assert png_size(CHARTS[name](one_week)) == CHART_SIZE_PX


def test_country_colours_are_fixed():
    assert country_colour("CN") == "#d62728"  # red
    assert country_colour("US") == "#1f77b4"  # blue
    assert country_colour("unattributed") == "#7f7f7f"
    assert country_colour("ZZ") == country_colour("XX")  # every other country: one fixed colour
    assert [country_label(c) for c in ("CN", "US", "FR", "unattributed")] == [
        "China (CN)", "US", "France (FR)", "Unattributed"
    ]

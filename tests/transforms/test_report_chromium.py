"""The written report.html opens in headless Chromium, offline, and every chart loads in the layout that
fits the screen: the wide SVGs on a desktop, the narrow ones on a phone."""

import pytest

from tests.chromium import CHROMIUM, Chromium
from tests.transforms.report_demo_week import demo_warehouse
from transforms.report.charts import CHARTS
from warehouse.report_store import write_report

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Debian's chromium is not installed at {CHROMIUM} (.ci/run installs it)"
)
IMAGES = "[...document.images].map(i => [i.complete, i.naturalWidth, i.currentSrc.slice(0, 26)])"


def test_report_html_opens_in_chromium_and_every_chart_loads(tmp_path):
    files = write_report(demo_warehouse(), tmp_path / "report")
    browser = Chromium(tmp_path / "profile")
    try:
        for width, image_width in ((1280, 960), (390, 360)):
            browser.open(files.html_path.as_uri(), width)
            assert browser.evaluate("document.title") == "OpenRouter usage, week of 30 March – 5 April 2026"
            assert browser.evaluate(IMAGES) == [[True, image_width, "data:image/svg+xml;base64,"]] * len(CHARTS)
            assert browser.evaluate("document.documentElement.scrollWidth") == width  # nothing sticks out
        assert {url.split(":", 1)[0] for url in browser.requests} <= {"file", "data", "about"}
    finally:
        browser.close()

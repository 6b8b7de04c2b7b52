"""The written report.html opens in headless Chromium, offline, and every chart image in it loads."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.transforms.report_demo_week import demo_warehouse
from transforms.report.charts import CHART_SIZE_PX, CHARTS
from warehouse.report_store import write_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--virtual-time-budget=10000",
]
# Appended to a copy of the page: reports each image's state into the DOM once the page has loaded.
IMAGE_CHECK = """<script>
window.addEventListener("load", () => {
  const out = document.createElement("pre");
  out.id = "image-check";
  out.textContent = JSON.stringify([...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]));
  document.body.appendChild(out);
});
</script>"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Debian's chromium is not installed at {CHROMIUM} (.ci/run installs it)"
)


def test_report_html_opens_in_chromium_and_every_chart_loads(tmp_path):
    files = write_report(demo_warehouse(), tmp_path / "report")
    page = files.html_path.with_name("image-check.html")
    page.write_text(files.html_path.read_text().replace("</body>", IMAGE_CHECK + "</body>"))
    result = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<title>OpenRouter usage, week of 30 March – 5 April 2026</title>" in result.stdout
    found = re.search(r'<pre id="image-check">(.*?)</pre>', result.stdout)
    assert found, "the page's load handler did not run:\n" + result.stderr[-2000:]
    images = json.loads(found.group(1))
    assert images == [[True, *CHART_SIZE_PX]] * len(CHARTS)

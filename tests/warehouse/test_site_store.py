"""The static site built from the SYNTHETIC demo home: every page, every link, every number checked against an
independent recomputation from the fact rows; incremental rebuilds; and the pages in headless Chromium at
phone and desktop widths (screenshots kept under .artifacts/site/)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.chromium import CHROMIUM, Chromium
from tests.demo_home import GROUP, load_demo
from tests.transforms.conftest import Warehouse, week
from transforms.site.links import folder_names
from warehouse.materialize import materialize
from warehouse.site_store import MANIFEST, build_site

pytestmark = pytest.mark.xdist_group(GROUP)
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TOKENRANK_ARTIFACTS", REPO / ".artifacts")) / "site"
WEEK = dt.date(2026, 3, 30)
T = 10**12
CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z. Licensed under CC BY 4.0."
CN_AUTHORS = {"qwen", "xiaomi", "stepfun", "minimax", "deepseek", "moonshotai", "z-ai", "tencent", "bytedance-seed",
              "inclusionai"}  # seed-figures.md, written out independently of transforms/reference


class Links(HTMLParser):
    """Every URL a page refers to: (tag, attribute, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "srcset") and value is not None:
                self.found.append((tag, name, value))


def links(page: Path) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(page.read_text())
    return parser.found


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("site-demo")
    home = load_demo(root / "home")
    database = (home.root / "published" / "current.duckdb").resolve()
    con = duckdb.connect(str(database), read_only=True)
    result = build_site(con, root / "site")
    yield con, root / "site", result, database
    con.close()


@pytest.fixture(scope="module")
def facts(demo):
    """Independent weekly sums from fact_model_daily: week -> {'total', 'days', 'models': {slug: tokens}}."""
    con = demo[0]
    weeks: dict[dt.date, dict] = defaultdict(lambda: {"total": 0, "days": set(), "models": defaultdict(int)})
    for day, slug, tokens in con.execute("SELECT date, model_permaslug, total_tokens FROM fact_model_daily").fetchall():
        entry = weeks[day - dt.timedelta(days=day.weekday())]
        entry["total"] += tokens
        entry["days"].add(day)
        if slug != "other":
            entry["models"][slug] += tokens
    return weeks


def test_the_site_has_a_page_per_week_model_and_country(demo, facts):
    _, site, result, _ = demo
    models = {slug for entry in facts.values() for slug in entry["models"]}
    assert (len(facts), len(models)) == (26, 86)
    weeks = sorted(p.parent.name for p in site.glob("weeks/*/index.html"))
    assert weeks == sorted(w.isoformat() for w in facts)
    assert len(list(site.glob("models/*/index.html"))) == len(models)
    assert sorted(p.parent.name for p in site.glob("countries/*/index.html")) == ["cn", "fr", "unattributed", "us"]
    assert (site / "index.html").is_file() and (site / "assets" / "site.css").is_file()
    # the stylesheet, the index, 26 weeks, 3 section indexes (apps: none loaded), 86 models, 4 countries
    assert (len(result.written), result.unchanged, result.removed) == (1 + 1 + 26 + 3 + 86 + 4, 0, [])
    assert result.index_path == site / "index.html"


def test_every_link_and_image_of_every_page_is_a_file_of_the_site(demo):
    _, site, _, _ = demo
    pages = list(site.rglob("*.html"))
    checked = 0
    for page in pages:
        for tag, attribute, url in links(page):
            assert not re.match(r"[a-z]+:", url), f"{page}: {url} leaves the site"
            target = (page.parent / url.split("#")[0]).resolve()
            assert target.is_file() and site.resolve() in target.parents, f"{page}: {url} is missing"
            assert target.name == "index.html" or tag != "a" or target.suffix != ""
            checked += 1
    assert checked > 3000


def test_every_page_and_chart_carries_source_licence_and_synthetic_mark(demo):
    _, site, _, _ = demo
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert '<p class="citation">' in html and "Licensed under CC BY 4.0." in html, page
        assert '<p class="synthetic" role="note">Synthetic data:' in html, page
    for chart in site.rglob("*.svg"):
        text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", chart.read_text()))
        assert "Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z." in text, chart
        assert "Licensed under CC BY 4.0." in text and "SYNTHETIC" in text, chart
    week_page = (site / "weeks" / "2026-03-30" / "index.html").read_text()
    assert f'<p class="citation">{CITATION}</p>' in week_page
    alts = re.findall(r'<img src="[^"]+" alt="([^"]*)"', week_page)
    assert len(alts) == 5 and all(len(alt) > 60 for alt in alts)


def test_the_index_lists_every_week_newest_first_with_its_headline(demo, facts):
    _, site, _, _ = demo
    html = (site / "index.html").read_text()
    entries = re.findall(r'<li><a class="week" href="weeks/([\d-]+)/index.html">([^<]+)</a>(?:[^<]*)<br>([^<]+)</li>',
                         html)
    assert [dt.date.fromisoformat(w) for w, _, _ in entries] == sorted(facts, reverse=True)
    newest, oldest = entries[0], entries[-1]
    this, before = facts[WEEK], facts[WEEK - dt.timedelta(weeks=1)]
    assert this["total"] == 27 * T and round((this["total"] / before["total"] - 1) * 100, 1) == 18.9
    assert newest[1] == "Week of 30 March – 5 April 2026"
    assert newest[2] == ("Total usage rose 18.9% to 27.0T tokens. #1: Qwen3.6 Plus (free), 4.6T, new at #1, "
                         "ending MiMo-V2-Pro&#39;s 2-week run.")
    first = min(facts)
    top = max(facts[first]["models"].items(), key=lambda kv: kv[1])
    assert round(facts[first]["total"] / T, 1) == 10.0 and round(top[1] / T, 2) == 1.21
    assert oldest[2] == "Total usage was 10.0T tokens (no complete previous week to compare with). #1: Grok Code Fast 1, 1.21T."
    assert "26 weeks loaded, from the week of 6 Oct 2025 to the week of 30 Mar 2026: 86 models ranked, by makers from 3 countries." in html


def test_week_model_and_country_pages_state_the_recomputed_figures(demo, facts):
    _, site, _, _ = demo
    this = facts[WEEK]
    qwen = this["models"]["qwen/qwen3.6-plus-04-02:free"]
    assert (qwen, round(qwen / this["total"] * 100, 1)) == (4_600 * 10**9, 17.0)
    week_page = (site / "weeks" / "2026-03-30" / "index.html").read_text()
    assert ('<td class="name"><a href="../../models/qwen-qwen3.6-plus-04-02-free/index.html">Qwen3.6 Plus (free)</a>'
            '</td><td><a href="../../countries/cn/index.html">CN</a></td><td class="num">4.60T (≤4.64T)</td>') in week_page
    assert '<a href="../2026-03-23/index.html" rel="prev">← Week of 23 Mar 2026</a>' in week_page
    model = (site / "models" / "qwen-qwen3.6-plus-04-02-free" / "index.html").read_text()
    assert "<p>Ranked in 1 week, the week of 30 Mar 2026; best rank #1; peak 4.60T in a week.</p>" in model
    assert ('<td class="num">#1</td><td class="num">4.60T (≤4.64T)</td><td class="num">17.0%</td>'
            '<td class="num">4 of 7</td><td class="num">new</td>') in model
    cn = sum(tokens for slug, tokens in this["models"].items() if slug.split("/")[0] in CN_AUTHORS)
    assert (round(cn / T, 2), round(cn / this["total"] * 100, 1)) == (16.42, 60.8)
    country = (site / "countries" / "cn" / "index.html").read_text()
    assert ('<a href="../../weeks/2026-03-30/index.html">30 Mar 2026</a></td><td class="num">16.42T</td>'
            '<td class="num">60.8%</td><td class="num">12.96T</td>') in country


def test_a_second_build_draws_nothing_and_force_draws_everything(demo, tmp_path):
    con, site, first, _ = demo
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    again = build_site(con, copy)
    assert (again.written, again.unchanged, again.removed) == ([], len(first.written), [])
    forced = build_site(con, copy, force=True)
    assert len(forced.written) == len(first.written)


def test_only_pages_whose_data_changed_are_drawn_and_gone_pages_are_removed(demo, tmp_path):
    _, site, _, database = demo
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    writable = tmp_path / "warehouse.duckdb"
    shutil.copyfile(database, writable)
    rw = duckdb.connect(str(writable))
    try:
        # A restatement inside the last week: its page, the index and that week's models and countries change.
        rw.execute("UPDATE fact_model_daily SET total_tokens = total_tokens + 10_000_000_000 "
                   "WHERE date = DATE '2026-04-05' AND model_permaslug = 'x-ai/grok-code-fast-1'")
        materialize(rw)
        result = build_site(rw, copy)
        written = set(result.written)
        assert {"index.html", "weeks/2026-03-30/index.html", "models/x-ai-grok-code-fast-1/index.html",
                "countries/us/index.html"} <= written
        assert not any(path.startswith("weeks/") and path != "weeks/2026-03-30/index.html" for path in written)
        unranked = {slug for (slug,) in rw.execute(
            "SELECT DISTINCT model_permaslug FROM weekly_model_usage WHERE model_permaslug NOT IN "
            "(SELECT model_permaslug FROM weekly_model_usage WHERE week_start = DATE '2026-03-30')").fetchall()}
        folders = folder_names(sorted(unranked))
        assert unranked and not any(p.startswith(f"models/{folders[slug]}/") for p in written for slug in unranked)
        # The last week unloaded: its page and the pages of models ranked only then are removed.
        rw.execute("DELETE FROM fact_model_daily WHERE date >= DATE '2026-03-30'")
        materialize(rw)
        result = build_site(rw, copy)
    finally:
        rw.close()
    assert "weeks/2026-03-30/index.html" in result.removed
    assert "models/qwen-qwen3.6-plus-04-02-free/index.html" in result.removed
    assert not (copy / "weeks" / "2026-03-30").exists() and not (copy / "models" / "qwen-qwen3.6-plus-04-02-free").exists()
    assert "weeks/2026-03-23/index.html" in result.written  # its link to the next week is gone
    assert "weeks/2026-03-16/index.html" not in result.written
    manifest = json.loads((copy / MANIFEST).read_text())
    assert "weeks/2026-03-30/index.html" not in manifest["pages"]


def test_a_bad_manifest_redraws_everything_and_deletes_nothing_outside(tmp_path):
    wh = small_warehouse()
    site = tmp_path / "site"
    first = build_site(wh.con, site)
    outside = tmp_path / "keep.txt"
    outside.write_text("not the site's")
    manifest = json.loads((site / MANIFEST).read_text())
    manifest["pages"]["gone.html"] = {"key": "x", "files": ["../keep.txt", "/etc/hostname"]}
    (site / MANIFEST).write_text(json.dumps(manifest))
    build_site(wh.con, site)
    assert outside.read_text() == "not the site's"
    (site / MANIFEST).write_text("{not json")
    assert len(build_site(wh.con, site).written) == len(first.written)


def small_warehouse() -> Warehouse:
    """Two complete weeks and 4 days of a third (real SQL; no ingest_log: not synthetic)."""
    b = 10**9
    wh = Warehouse()
    for author, country in [("qwen", "CN"), ("openai", "US"), ("mistralai", "FR")]:
        wh.author(author, country)
    wh.week(week(0), {"qwen/a": 300 * b, "openai/b": 200 * b}, other=60 * b)
    wh.week(week(1), {"qwen/a": 400 * b, "openai/b": 210 * b}, other=60 * b)
    wh.week(week(2), {"qwen/a": 500 * b, "openai/b": 150 * b, "mistralai/m": 20 * b}, other=60 * b, skip=(4, 5, 6))
    wh.build()
    return wh


def test_a_partial_latest_week_is_listed_as_such_and_real_data_are_not_marked(tmp_path):
    wh = small_warehouse()
    site = tmp_path / "site"
    build_site(wh.con, site)
    index = (site / "index.html").read_text()
    assert ('<a class="week" href="weeks/2026-03-16/index.html">Week of 16 March – 22 March 2026</a> '
            '<span class="meta">(incomplete: 4 of 7 days)</span><br>Total usage so far: 2.9T tokens in 4 of its 7 '
            'days (the complete previous week: 4.7T; growth is given once this week is complete). '
            '#1 so far: qwen/a, 2.0T, as in the previous week.</li>') in index
    week_page = (site / "weeks" / "2026-03-16" / "index.html").read_text()
    assert '<td class="num">–</td><td>–</td>' in week_page and '<td class="num">new</td><td>new</td>' in week_page
    assert "SYNTHETIC" not in week_page and "Synthetic" not in week_page
    assert all("SYNTHETIC" not in svg.read_text() for svg in site.rglob("*.svg"))


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's chromium is not installed at {CHROMIUM}")
def test_the_site_in_chromium_at_phone_and_desktop_widths(demo, tmp_path):
    """Index and a week page at 390 px and 1280 px: every image loads with its alt text, nothing is wider
    than the screen (tables scroll inside their box), every internal link opens, no request leaves file://."""
    _, site, _, _ = demo
    browser = Chromium(tmp_path / "profile")
    images = "[...document.images].map(i => [i.currentSrc.split('/').pop(), i.complete && i.naturalWidth > 0, i.alt.length > 40])"
    try:
        followed: set[str] = set()
        for page in ("index.html", "weeks/2026-03-30/index.html"):
            for width in (390, 1280):
                browser.open((site / page).as_uri(), width)
                loaded = browser.evaluate(images)
                assert loaded and all(ok and alt for _, ok, alt in loaded), loaded
                phone = width < 600  # the narrow charts on a phone, the wide ones on a desktop
                assert all(name.endswith(".svg") and name.endswith("-narrow.svg") == phone for name, _, _ in loaded)
                assert browser.evaluate("document.documentElement.scrollWidth") == width
                browser.screenshot(ARTIFACTS / f"{page.replace('/', '_').removesuffix('.html')}-{width}.png")
            hrefs = browser.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
            followed |= {url.split("#")[0] for url in hrefs if url.startswith(site.as_uri())}
        assert len(followed) > 40
        for url in sorted(followed):
            browser.open(url, 1280)
            assert browser.evaluate("document.title") and browser.evaluate(images) is not None
            assert all(ok for _, ok, _ in browser.evaluate(images)), url
        assert {url.split(":", 1)[0] for url in browser.requests} == {"file"}
    finally:
        browser.close()
    assert sorted(p.name for p in ARTIFACTS.glob("*.png")) >= sorted(
        ["index-390.png", "index-1280.png", "weeks_2026-03-30_index-390.png", "weeks_2026-03-30_index-1280.png"]
    )


def test_the_apps_section_has_an_index_and_a_page_per_app(tmp_path):
    from tests.transforms.apps_week import ALPHA, apps_warehouse

    wh = apps_warehouse()
    site = tmp_path / "site"
    result = build_site(wh.con, site, synthetic=True)
    # 8 + 3 overall-only/category apps, Gamma, 6 trending-only: every app of dim_app
    assert sorted(int(p.parent.name) for p in site.glob("apps/*/index.html")) == sorted(
        [1, 2, 3, 4, *range(100, 108), *range(200, 206)])
    assert "apps/index.html" in result.written
    alpha = (site / "apps" / str(ALPHA) / "index.html").read_text()
    assert "names seen: Alpha, Alpha Code" in alpha
    assert "Ranked in popular lists in 2 weeks, from the week of 2 Mar 2026 to the week of 9 Mar 2026; " \
           "2 weeks in the overall top 200, best overall rank #1." in alpha
    assert ('<tr><td><a href="../../weeks/2026-03-09/index.html">9 Mar 2026</a></td><td>overall</td>'
            '<td class="num">#2</td><td class="num">400.0B</td><td class="num">-20.0%</td><td>Alpha Code</td></tr>') in alpha
    assert ('<td>coding</td><td class="num">#1</td><td class="num">500.0B</td><td class="num">–</td>'
            '<td>Alpha</td></tr>') in alpha
    assert '<p class="citation">Source: OpenRouter (openrouter.ai/apps), as of 2026-04-07T02:00:00Z. ' \
           'Licensed under CC BY 4.0.</p>' in alpha
    assert "Ranked only in trending lists" in (site / "apps" / "200" / "index.html").read_text()
    week_page = (site / "weeks" / "2026-03-09" / "index.html").read_text()
    assert '<td class="name"><a href="../../apps/2/index.html">Beta</a></td>' in week_page
    assert '<a href="../../apps/index.html">Every app ranked</a>' in week_page
    assert (site / "weeks" / "2026-03-09" / "top10_apps.svg").is_file()
    for page in site.rglob("*.html"):
        for tag, attribute, url in links(page):
            assert (page.parent / url.split("#")[0]).resolve().is_file(), f"{page}: {url}"


def test_the_bytes_of_the_small_site_are_pinned(tmp_path):
    """Every file of the small warehouse's site (all but the manifest, whose keys hash the code too), in one
    sha256 over path and bytes: a change of a single byte (a faster drawing, say) must be meant."""
    import hashlib

    site = tmp_path / "site"
    build_site(small_warehouse().con, site)
    files = sorted(path for path in site.rglob("*") if path.is_file() and path.name not in (MANIFEST, ".build.lock"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(site)).encode() + b"\x00" + path.read_bytes() + b"\x00")
    assert (len(files), digest.hexdigest()) == PINNED_SITE


PINNED_SITE = (60, "20c8dd980801aa3813872e8de51a294e0b60c588dfe445d374fb0c4372873d88")

"""Page keys, navigation and the site map (pure; the built site is tested in tests/warehouse/test_site_store.py)."""

import dataclasses
import datetime as dt

from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse
from transforms.site.pages import SECTIONS, SiteMap, app_pages, data_key, nav, week_page
from warehouse.report_store import load_history, load_report_data


def test_a_key_follows_the_data_not_the_object():
    rows = [{"week_start": dt.date(2026, 3, 30), "tokens": 4_600 * 10**9, "share": 0.17}]
    assert data_key(rows, {"a": 1}) == data_key([dict(row) for row in rows], {"a": 1})
    assert data_key(rows, {"a": 1}) != data_key([{**rows[0], "tokens": 4_601 * 10**9}], {"a": 1})
    assert data_key(rows, {"a": 1}) != data_key([{**rows[0], "share": 0.17 + 1e-16}], {"a": 1})  # floats exactly
    assert data_key(rows, {"a": 1}) != data_key([{**rows[0], "week_start": dt.date(2026, 3, 23)}], {"a": 1})
    assert data_key(rows, {"a": 1}) != data_key(rows, {"a": 2})
    assert data_key("ab", "c") != data_key("a", "bc")  # parts are delimited


def test_navigation_is_relative_and_marks_the_current_page():
    assert nav("models/index.html") == [
        {"label": "tokenrank", "href": "../index.html", "current": False},
        {"label": "Models", "href": "index.html", "current": True},
        {"label": "Countries", "href": "../countries/index.html", "current": False},
        {"label": "Apps", "href": "../apps/index.html", "current": False},
    ]
    assert [section.folder for section in SECTIONS] == ["models", "countries", "apps"]


def test_a_week_page_key_changes_with_its_neighbours_and_its_data_only():
    con = demo_warehouse()
    data = load_report_data(con, DEMO_WEEK, synthetic=True)
    site = SiteMap.of(load_history(con, synthetic=True))
    assert site.weeks[-1] == DEMO_WEEK and len(site.weeks) == 8
    page = week_page(data, site)
    assert page.path == "weeks/2026-03-30/index.html"
    assert week_page(data, site).key == page.key
    fewer = dataclasses.replace(site, weeks=site.weeks[-1:])  # no previous week to link to
    assert week_page(data, fewer).key != page.key
    assert week_page(dataclasses.replace(data, synthetic=False), site).key != page.key
    files = page.render()
    assert sorted(files)[:2] == ["weeks/2026-03-30/author_share-narrow.svg", "weeks/2026-03-30/author_share.svg"]
    assert len(files) == 11  # the page and 5 charts in 2 layouts
    html = files["weeks/2026-03-30/index.html"].decode()
    assert '<link rel="stylesheet" href="../../assets/site.css">' in html and "<style>" not in html
    assert '<a href="../2026-03-23/index.html" rel="prev">← Week of 23 Mar 2026</a>' in html


def test_an_app_page_key_changes_with_the_weeks_its_table_links():
    """An app page draws its table only when its key changed: the key holds the app's rows and which of their
    weeks have a page to link to."""
    from tests.transforms.apps_week import ALPHA, apps_warehouse

    history = load_history(apps_warehouse().con, synthetic=True)
    site = SiteMap.of(history)

    def alpha(site: SiteMap):
        return next(page for page in app_pages(history, site) if page.path == f"apps/{ALPHA}/index.html")

    assert alpha(site).key == alpha(SiteMap.of(history)).key
    unlinked = dataclasses.replace(site, weeks=site.weeks[1:])  # week 0 (one of Alpha's) has no page
    assert alpha(unlinked).key != alpha(site).key
    assert 'href="../../weeks/2026-03-02/index.html"' not in alpha(unlinked).render()[alpha(site).path].decode()
    without_week2 = dataclasses.replace(site, weeks=site.weeks[:2])  # Alpha has no row in week 2
    assert alpha(without_week2).key == alpha(site).key

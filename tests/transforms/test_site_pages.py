"""Page keys, navigation and the site map (pure; the built site is tested in tests/warehouse/test_site_store.py)."""

import dataclasses
import datetime as dt

from tests.transforms.report_demo_week import DEMO_WEEK, demo_warehouse
from transforms.site.pages import SECTIONS, SiteMap, data_key, nav, week_page
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

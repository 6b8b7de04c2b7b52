"""Independent checks of the synthetic demo app rankings: every served list follows the API's rules, checked here
from the served bodies alone (the trending lists are recomputed from the popular ones)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flows.sources.demo import DemoSource
from flows.sources.demo_apps import app_rankings_payload
from flows.sources.demo_dataset import DEMO_AS_OF, DEMO_FIRST_DAY
from transforms.datasets.app_rankings import SLICES, normalize_app_rankings, page_request, week_of

WEEKS = [DEMO_FIRST_DAY + dt.timedelta(weeks=k) for k in range(26)]


def whole_list(monday: dt.date, sort: str, category: str = "all", subcategory: str = "all") -> list[dict]:
    rows = []
    for offset in (0, 100):
        query = page_request(week_of(monday), sort, category, subcategory, offset).query
        payload = app_rankings_payload(query)
        assert payload["meta"] == {"as_of": DEMO_AS_OF, "start_date": query["start_date"],
                                   "end_date": query["end_date"], "version": "v1"}
        rows += payload["data"]
    return rows


@pytest.fixture(scope="module")
def overall() -> dict[dt.date, dict[int, int]]:
    """Week → {app_id: tokens} from the popular overall lists (every app with tokens: fewer than 200)."""
    out = {}
    for monday in WEEKS:
        rows = whole_list(monday, "popular")
        assert len(rows) < 200
        out[monday] = {r["app_id"]: int(r["total_tokens"]) for r in rows}
    return out


def test_every_served_page_passes_the_contract():
    for monday in WEEKS[::5] + [WEEKS[-1]]:
        for sort, category, subcategory in SLICES:
            for offset in (0, 100):
                query = page_request(week_of(monday), sort, category, subcategory, offset).query
                body = json.dumps(app_rankings_payload(query)).encode()
                normalize_app_rankings(body, raw_file="demo", params=query)


def test_popular_lists_are_in_token_order_and_filtered_lists_are_subsets(overall):
    last = WEEKS[-1]
    rows = whole_list(last, "popular")
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    coding = whole_list(last, "popular", "coding")
    cli = whole_list(last, "popular", "coding", "cli-agent")
    assert len(coding) > 100  # the coding list needs its second page by the end
    assert {r["app_id"] for r in cli} < {r["app_id"] for r in coding} < set(overall[last])
    assert all(overall[last][r["app_id"]] == int(r["total_tokens"]) for r in coding)


def test_trending_is_excess_growth_over_the_three_weeks_before(overall):
    for monday in WEEKS[3:]:
        before = [overall[monday - dt.timedelta(weeks=k)] for k in (1, 2, 3)]
        excess = {app: 3 * tokens - sum(week.get(app, 0) for week in before) for app, tokens in overall[monday].items()}
        expected = sorted((app for app in excess if excess[app] > 0), key=lambda app: (-excess[app], app))
        assert [r["app_id"] for r in whole_list(monday, "trending")] == expected[:200]


def test_names_change_and_repeat_as_in_real_data():
    names = {}
    for monday in WEEKS:
        for row in whole_list(monday, "popular"):
            names.setdefault(row["app_id"], []).append(row["app_name"])
    assert list(dict.fromkeys(names[1000115])) == ["Z Code", "ZCode"]
    assert sorted(app for app, seen in names.items() if seen[-1] == "pi") == [2526753, 2853275, 3282295]


def test_the_source_serves_app_requests_through_the_same_path():
    request = page_request(week_of(WEEKS[-1]), "popular", "coding")
    fetched = DemoSource().fetch(request)
    assert (fetched.endpoint, fetched.params, fetched.window) == ("app-rankings", request.query, request.window)
    assert json.loads(fetched.body) == app_rankings_payload(request.query)
    outside = page_request(week_of(WEEKS[0] - dt.timedelta(weeks=1)), "popular")
    assert json.loads(DemoSource().fetch(outside).body)["data"] == []

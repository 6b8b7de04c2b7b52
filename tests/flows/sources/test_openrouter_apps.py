"""The client's app-rankings requests against the fake OpenRouter, and the fake's app-rankings contract: its
parameters, paging, trending, the 400s for bad values and combinations."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from flows.sources.base import SourceError
from flows.sources.openrouter import OpenRouterClient
from tests.fake_openrouter import synthetic_apps
from transforms.datasets.app_rankings import normalize_app_rankings, page_request
from transforms.windows import Window

D = dt.date.fromisoformat
WEEK = Window(D("2026-06-15"), D("2026-06-21"))


@pytest.fixture
def apps_fake(fake_openrouter):
    rows, members = synthetic_apps(D("2026-05-25"), weeks=4, apps=150)
    members[1000] = ("cli-agent", "personal-agent")  # one app in two subcategories of two categories
    fake_openrouter.set_apps(rows, members)
    return fake_openrouter


def get(server, params: dict, key: str | None = "default") -> requests.Response:
    headers = {"Authorization": f"Bearer {server.key if key == 'default' else key}"} if key else {}
    return requests.get(f"{server.url}/datasets/app-rankings", params=params, headers=headers, timeout=5)


def week(**params) -> dict:
    return {"start_date": WEEK.start.isoformat(), "end_date": WEEK.end.isoformat(), **params}


def test_the_client_fetches_a_planned_request_verbatim(apps_fake):
    client = OpenRouterClient(apps_fake.url, apps_fake.key, timeout=2)
    request = page_request(WEEK, "popular", "coding", "cli-agent")
    fetched = client.fetch(request)
    [sent] = apps_fake.app_requests()
    assert sent.params == request.query and sent.had_auth and fetched.params == request.query
    table = normalize_app_rankings(fetched.body, raw_file="f", params=fetched.params)
    assert table.num_rows == 10 and set(table["category"].to_pylist()) == {"coding"}  # round-robin: 150 / 15
    assert client.requests_made == 1


def test_pages_keep_absolute_ranks_and_end_at_rank_200(apps_fake):
    first = get(apps_fake, week(limit="100")).json()["data"]
    second = get(apps_fake, week(limit="100", offset="100")).json()["data"]
    assert [r["rank"] for r in first] == list(range(1, 101)) and [r["rank"] for r in second] == list(range(101, 151))
    tokens = [int(r["total_tokens"]) for r in first + second]
    assert tokens == sorted(tokens, reverse=True) and len({r["app_id"] for r in first + second}) == 150
    default = get(apps_fake, week()).json()["data"]
    assert len(default) == 50  # limit defaults to 50


def test_filters_renumber_ranks_and_a_subcategory_implies_its_category(apps_fake):
    coding = get(apps_fake, week(category="coding", limit="100")).json()["data"]
    cli = get(apps_fake, week(subcategory="cli-agent", limit="100")).json()["data"]
    both = get(apps_fake, week(category="coding", subcategory="cli-agent", limit="100")).json()["data"]
    personal = get(apps_fake, week(subcategory="personal-agent", limit="100")).json()["data"]
    assert [r["rank"] for r in coding] == list(range(1, 51))  # 5 subcategories x 10 apps
    assert cli == both and {r["app_id"] for r in cli} <= {r["app_id"] for r in coding}
    assert [r["rank"] for r in cli] == list(range(1, 11)) and len(personal) == 11  # app 1000 sits in both
    assert 1000 in {r["app_id"] for r in cli} and 1000 in {r["app_id"] for r in personal}


def test_trending_keeps_only_apps_with_excess_growth(apps_fake):
    trending = get(apps_fake, week(sort="trending", limit="100")).json()["data"]
    assert [r["app_id"] % 2 for r in trending[:75]] == [0] * 75  # the 75 growing apps lead, by excess growth
    assert [r["rank"] for r in trending] == list(range(1, len(trending) + 1))
    tokens = [int(r["total_tokens"]) for r in trending[:75]]
    assert tokens != sorted(tokens, reverse=True)  # not in token order


def test_the_window_defaults_to_the_30_days_ending_yesterday(apps_fake):
    meta = get(apps_fake, {}).json()["meta"]
    assert (meta["start_date"], meta["end_date"]) == ("2026-05-23", "2026-06-21")


@pytest.mark.parametrize(
    "params",
    [
        week(sort="newest"),
        week(category="gaming"),
        week(subcategory="cli"),
        week(category="creative", subcategory="cli-agent"),
        week(limit="0"),
        week(limit="101"),
        week(limit="ten"),
        week(offset="-1"),
        week(offset="101"),
        {"start_date": "2025-01-01", "end_date": "2026-01-02"},
        {"start_date": "2026-06-21", "end_date": "2026-06-20"},
        {"start_date": "2026-02-30", "end_date": "2026-03-05"},
        {"end_date": "2024-12-31"},
    ],
)
def test_bad_values_and_combinations_are_400(apps_fake, params):
    response = get(apps_fake, params)
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_the_key_is_required_and_a_400_is_one_line_without_it(apps_fake):
    assert get(apps_fake, week(), key=None).status_code == 401
    client = OpenRouterClient(apps_fake.url, apps_fake.key, timeout=2)
    bad = page_request(Window(D("2026-06-15"), D("2026-06-21")), "popular", "creative", "cli-agent")
    bad = type(bad)(bad.endpoint, bad.window, bad.params + (("category", "creative"),), bad.label)
    with pytest.raises(SourceError) as info:
        client.fetch(bad)
    message = str(info.value)
    assert message.startswith("app-rankings 2026-06-15..2026-06-21 popular creative/cli-agent: rejected as a bad request")
    assert apps_fake.key not in message and "\n" not in message

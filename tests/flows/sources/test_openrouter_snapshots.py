"""The client's snapshot requests (session-cost, task classifications, benchmarks) against the fake OpenRouter, the
fake's contract for them (parameters, paging, 400s) and the faults rankings-daily is tested with: retried 429 /
5xx / timeouts / resets / drips, a 401 that fails at once, and bodies that break the contract."""

from __future__ import annotations

import pytest
import requests

from flows.sources.base import SourceError
from flows.sources.openrouter import OpenRouterClient
from tests import fake_snapshots
from transforms.contract import ContractError
from transforms.datasets import DATASETS
from transforms.datasets.session_cost import page_request

PATHS = {name: path.removeprefix("/api/v1/") for path, name in fake_snapshots.PATHS.items()}
REQUESTS = {name: DATASETS[name].snapshot_requests()[0] for name in PATHS}


def get(server, endpoint: str, params: dict, key: str | None = "default") -> requests.Response:
    headers = {"Authorization": f"Bearer {server.key if key == 'default' else key}"} if key else {}
    return requests.get(f"{server.url}/{PATHS[endpoint]}", params=params, headers=headers, timeout=5)


def client(server, **kwargs) -> OpenRouterClient:
    return OpenRouterClient(server.url, server.key, timeout=kwargs.pop("timeout", 2), backoff_base=0.01,
                            backoff_max=0.05, **kwargs)


def test_session_cost_pages_through_the_snapshot_and_the_default_limit_truncates(fake_openrouter):
    default = get(fake_openrouter, "session-cost", {}).json()
    assert len(default["data"]) == 100  # the default limit silently truncates the ~650 cells
    pages = [get(fake_openrouter, "session-cost", {"limit": "500", "offset": o}).json()["data"] for o in ("0", "500")]
    assert [len(p) for p in pages] == [500, 160]
    cells = {(r["app_slug"], r["turn_range"], r["model_permaslug"]) for p in pages for r in p}
    assert len(cells) == 660
    assert default["meta"] == {"as_of": "2026-06-22T05:00:00Z", "version": "v1", "window_days": 30,
                               "window_end_date": "2026-06-21"}


def test_session_cost_filters(fake_openrouter):
    rows = get(fake_openrouter, "session-cost", {"app_slug": "codex", "turn_range": "1-turn", "limit": "500"}).json()["data"]
    assert len(rows) == 33 and {(r["app_slug"], r["turn_range"]) for r in rows} == {("codex", "1-turn")}
    one = get(fake_openrouter, "session-cost", {"model": "lab1/model-07"}).json()["data"]
    assert len(one) == 5 * 4 and {r["model_permaslug"] for r in one} == {"lab1/model-07"}


@pytest.mark.parametrize("endpoint, params", [
    ("session-cost", {"turn_range": "3-turns"}), ("session-cost", {"limit": "501"}), ("session-cost", {"limit": "0"}),
    ("session-cost", {"offset": "5001"}), ("session-cost", {"offset": "-1"}), ("session-cost", {"limit": "ten"}),
    ("task-classifications", {"window": "30d"}),
    ("benchmarks", {"source": "lmarena"}), ("benchmarks", {"task_type": "math"}),
    ("benchmarks", {"max_results": "0"}), ("benchmarks", {"max_results": "x"}),
])
def test_invalid_parameters_are_a_400(fake_openrouter, endpoint, params):
    answer = get(fake_openrouter, endpoint, params)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 400


@pytest.mark.parametrize("endpoint", list(PATHS))
def test_a_missing_or_wrong_key_is_a_401(fake_openrouter, endpoint):
    assert get(fake_openrouter, endpoint, {}, key=None).status_code == 401
    assert get(fake_openrouter, endpoint, {}, key="sk-or-v1-wrong").status_code == 401
    with pytest.raises(SourceError, match=f"OPENROUTER_API_KEY is missing or invalid \\(HTTP 401 from {endpoint}\\)"):
        OpenRouterClient(fake_openrouter.url, "sk-or-v1-wrong", timeout=2).fetch(REQUESTS[endpoint])


def test_task_classifications_and_benchmarks_shapes(fake_openrouter):
    tasks = get(fake_openrouter, "task-classifications", {"window": "7d"}).json()
    assert set(tasks) == {"data"} and tasks["data"]["as_of"] == "2026-06-21"
    one = get(fake_openrouter, "benchmarks", {"source": "openrouter"}).json()
    assert one["meta"]["citation"] == fake_snapshots.CITATIONS["openrouter"] and len(one["data"]) == 5
    assert all("citation" not in item for item in one["data"])
    mixed = get(fake_openrouter, "benchmarks", {}).json()  # items span sources: cite per item
    assert mixed["meta"]["citation"] is None and {i["citation"] for i in mixed["data"]} == set(fake_snapshots.CITATIONS.values())
    arena = get(fake_openrouter, "benchmarks", {"arena": "website", "max_results": "2"}).json()["data"]
    assert [i["source"] for i in arena] == ["design-arena"] * 2


@pytest.mark.parametrize("endpoint", list(PATHS))
@pytest.mark.parametrize("fault, opts", [("status", {"code": 500}), ("status", {"code": 429, "retry_after": 0}),
                                         ("status", {"code": 503}), ("reset", {}), ("timeout", {"seconds": 0.5})])
def test_transient_failures_are_retried(fake_openrouter, endpoint, fault, opts):
    fake_openrouter.inject(fault, times=2, endpoint=endpoint, **opts)
    source = client(fake_openrouter, timeout=0.3)
    fetched = source.fetch(REQUESTS[endpoint])
    assert fetched.status == 200 and source.requests_made == 3
    DATASETS[endpoint].normalize(fetched.body, raw_file="f", params=fetched.params)


@pytest.mark.parametrize("endpoint", list(PATHS))
def test_a_dripping_body_is_cut_off_and_retried(fake_openrouter, endpoint):
    fake_openrouter.inject("drip", endpoint=endpoint, interval=0.05)
    source = client(fake_openrouter, timeout=0.5)
    assert source.fetch(REQUESTS[endpoint]).status == 200 and source.requests_made == 2


@pytest.mark.parametrize("endpoint", list(PATHS))
def test_giving_up_names_the_request(fake_openrouter, endpoint):
    fake_openrouter.inject("status", times=10, endpoint=endpoint, code=500)
    with pytest.raises(SourceError, match=f"{endpoint} .*gave up after 3 attempts \\(last: HTTP 500\\)"):
        client(fake_openrouter, max_attempts=3).fetch(REQUESTS[endpoint])


@pytest.mark.parametrize("endpoint, fault, opts, message", [
    ("session-cost", "truncated_json", {}, "not valid JSON"),
    ("session-cost", "html", {}, "body is HTML"),
    ("session-cost", "extra_key", {"where": "top"}, "unexpected extra_top_level"),
    ("session-cost", "cost_string", {}, "is not a non-negative number"),
    ("session-cost", "turn_range_unknown", {}, "turn_range '100-plus-turns'"),
    ("task-classifications", "truncated_json", {}, "not valid JSON"),
    ("task-classifications", "extra_key", {"where": "top"}, "unexpected extra_top_level"),
    ("task-classifications", "share_out_of_range", {}, "usage_share 1.5 is not a number in 0..1"),
    ("task-classifications", "tags_unsorted", {}, "sorted by usage_share descending"),
    ("benchmarks", "html", {}, "body is HTML"),
    ("benchmarks", "extra_key", {"where": "top"}, "unexpected extra_top_level"),
    ("benchmarks", "no_citation", {}, "has no citation"),
])
def test_bodies_that_break_the_contract_are_refused_with_one_line(fake_openrouter, endpoint, fault, opts, message):
    fake_openrouter.inject(fault, endpoint=endpoint, **opts)
    fetched = client(fake_openrouter).fetch(REQUESTS[endpoint])
    with pytest.raises(ContractError, match=message) as caught:
        DATASETS[endpoint].normalize(fetched.body, raw_file="the-file", params=fetched.params)
    assert str(caught.value).startswith("the-file") and "\n" not in str(caught.value)


def test_an_echoed_key_is_redacted(fake_openrouter):
    fake_openrouter.inject("echo_key", endpoint="session-cost", where="top")
    fetched = client(fake_openrouter).fetch(page_request(0))
    assert fake_openrouter.key.encode() not in fetched.body and fetched.redacted

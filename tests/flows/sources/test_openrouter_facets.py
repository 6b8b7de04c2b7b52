"""The client's filtered rankings-daily requests against the fake OpenRouter, and the fake's filter contract
(API §1): every parameter, the 400s for bad values and combinations, weekly buckets as tokenrank assumes them,
and the faults rankings-daily has (retried, or caught by the facet datasets' contract)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from flows.sources.openrouter import OpenRouterClient
from tests.fake_openrouter import BODY_FAULTS, INCOMPLETE_FAULTS, synthetic_facet_rows
from transforms.contract import ContractError
from transforms.datasets.rankings_estimates import DATASET as ESTIMATES
from transforms.datasets.rankings_estimates import request as estimate_request
from transforms.datasets.rankings_facets import DATASET as FACETS
from transforms.datasets.rankings_facets import request as facet_request
from transforms.windows import Window

D = dt.date.fromisoformat
TWO_WEEKS = Window(D("2026-06-08"), D("2026-06-21"))


@pytest.fixture
def facet_fake(fake_openrouter):
    fake_openrouter.set_facet_rows({"modality": "tool_calling"}, synthetic_facet_rows(D("2026-06-01"), 21, "tool"))
    fake_openrouter.set_facet_rows({"category": "programming"}, [
        row for day in range(21) for row in (
            {"date": (D("2026-06-01") + dt.timedelta(days=day)).isoformat(), "model_permaslug": "qwen/a",
             "total_tokens": "10"},
            {"date": (D("2026-06-01") + dt.timedelta(days=day)).isoformat(), "model_permaslug": "other",
             "total_tokens": "1"})])
    return fake_openrouter


def get(server, params: dict) -> requests.Response:
    return requests.get(f"{server.url}/datasets/rankings-daily", params=params,
                        headers={"Authorization": f"Bearer {server.key}"}, timeout=5)


def client(server) -> OpenRouterClient:
    return OpenRouterClient(server.url, server.key, timeout=0.5, backoff_base=0.01, backoff_max=0.05)


def test_the_client_sends_one_filter_per_request_verbatim(facet_fake):
    for request, dataset in [(facet_request(TWO_WEEKS, "modality", "tool_calling"), FACETS),
                             (estimate_request(TWO_WEEKS, "category", "programming"), ESTIMATES)]:
        fetched = client(facet_fake).fetch(request)
        assert facet_fake.requests[-1].params == request.query == fetched.params
        rows = dataset.normalize(fetched.body, raw_file="f", params=fetched.params)
        assert rows.num_rows and set(rows["facet_value"].to_pylist()) == {request.query.get("modality") or "programming"}


@pytest.mark.parametrize("params, message", [
    ({"category": "programming", "modality": "text", "period": "week"}, "cannot be combined"),
    ({"language_type": "natural", "category": "legal", "period": "week"}, "cannot be combined"),
    ({"category": "programming"}, "period=day is not available"),  # day is the default
    ({"language_type": "code", "period": "week"}, "unknown language_type"),
    ({"category": "programming", "period": "day"}, "period=day is not available"),
    ({"modality": "video"}, "unknown modality"),
    ({"context_bucket": "1k"}, "unknown context_bucket"),
    ({"period": "year"}, "period must be one of"),
])
def test_invalid_values_and_combinations_are_400(facet_fake, params, message):
    response = get(facet_fake, {"start_date": "2026-06-08", "end_date": "2026-06-14", **params})
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_exact_filters_combine_and_unfiltered_periods_are_served(facet_fake):
    facet_fake.set_facet_rows({"modality": "text", "context_bucket": "1M"}, synthetic_facet_rows(D("2026-06-08"), 7, "x"))
    both = get(facet_fake, {"start_date": "2026-06-08", "end_date": "2026-06-14", "modality": "text",
                            "context_bucket": "1M"})
    assert both.status_code == 200 and len(both.json()["data"]) == 7 * 13
    monthly = get(facet_fake, {"start_date": "2026-06-08", "end_date": "2026-06-21", "modality": "tool_calling",
                               "period": "month"}).json()["data"]
    assert {row["date"] for row in monthly} == {"2026-06-01"} and len(monthly) == 13


def test_weekly_buckets_start_on_monday_cover_the_whole_week_and_may_reach_past_end_date(facet_fake):
    rows = get(facet_fake, {"start_date": "2026-06-03", "end_date": "2026-06-09", "category": "programming",
                            "period": "week"}).json()["data"]
    assert rows == [
        {"date": "2026-06-01", "model_permaslug": "qwen/a", "total_tokens": "70"},
        {"date": "2026-06-01", "model_permaslug": "other", "total_tokens": "7"},
        {"date": "2026-06-08", "model_permaslug": "qwen/a", "total_tokens": "70"},  # reaches past 2026-06-09
        {"date": "2026-06-08", "model_permaslug": "other", "total_tokens": "7"},
    ]


def test_a_date_that_is_not_a_monday_is_caught_by_the_contract(facet_fake):
    facet_fake.inject("bucket_not_monday")
    fetched = client(facet_fake).fetch(estimate_request(TWO_WEEKS, "category", "programming"))
    with pytest.raises(ContractError, match="2026-06-09 is a Tuesday"):
        ESTIMATES.normalize(fetched.body, raw_file="f", params=fetched.params)


@pytest.mark.parametrize("fault, opts", [("status", {"code": 429}), ("status", {"code": 500}),
                                         ("timeout", {"seconds": 1.0}), ("reset", {})])
def test_retryable_faults_are_retried_for_facet_requests(facet_fake, fault, opts):
    facet_fake.inject(fault, times=2, **opts)
    fetched = client(facet_fake).fetch(facet_request(TWO_WEEKS, "modality", "tool_calling"))
    assert fetched.status == 200 and len(facet_fake.rankings_requests()) == 3


@pytest.mark.parametrize("fault", sorted(BODY_FAULTS - INCOMPLETE_FAULTS - {"echo_key"}))
@pytest.mark.parametrize("dataset, request_of", [(FACETS, facet_request), (ESTIMATES, estimate_request)])
def test_body_faults_break_the_facet_contracts(facet_fake, fault, dataset, request_of):
    facet_fake.inject(fault)
    value = ("modality", "tool_calling") if dataset is FACETS else ("category", "programming")
    fetched = client(facet_fake).fetch(request_of(TWO_WEEKS, *value))
    with pytest.raises(ContractError):
        dataset.normalize(fetched.body, raw_file="f", params=fetched.params)

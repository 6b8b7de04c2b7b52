"""`OpenRouterClient` against the fake OpenRouter (real HTTP on 127.0.0.1), and the fake's own contract."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import logging
import time

import pytest
import requests

from flows.sources.base import SourceError

from transforms.responses import MODELS_ENDPOINT, RANKINGS_ENDPOINT

from transforms.windows import Window
from flows.sources.openrouter import DEFAULT_BASE_URL, OpenRouterClient, parse_retry_after
from tests.conftest import FAKE_TODAY
from tests.fake_openrouter import BODY_FAULTS, INCOMPLETE_FAULTS, contract_order
from tests.helpers import FakeTime

D = dt.date.fromisoformat
WEEK = Window(D("2026-06-15"), D("2026-06-21"))
CANARY_KEY = "sk-or-v1-CANARY-c4n4ry-5ecret-9f8e7d"


def make_client(server, **overrides) -> OpenRouterClient:
    options = dict(timeout=0.3, backoff_base=0.01, backoff_max=0.05)
    options.update(overrides)
    return OpenRouterClient(server.url, server.key, **options)


# --- success ---------------------------------------------------------------------------------------------------


def test_fetch_rankings_returns_the_body_verbatim_with_its_context(fake_openrouter):
    client = make_client(fake_openrouter)
    fetched = client.fetch_rankings(WEEK)

    assert fetched.endpoint == RANKINGS_ENDPOINT
    assert fetched.params == {"start_date": "2026-06-15", "end_date": "2026-06-21"}
    assert fetched.window == WEEK
    assert (fetched.status, fetched.content_type) == (200, "application/json")
    assert fetched.fetched_at.tzinfo is None
    assert abs(fetched.fetched_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=1)
    payload = json.loads(fetched.body)
    assert len(payload["data"]) == 7 * 51
    assert payload["meta"] == {
        "as_of": "2026-06-22T02:00:00Z",
        "start_date": "2026-06-15",
        "end_date": "2026-06-21",
        "version": "v1",
    }
    [sent] = fake_openrouter.requests
    assert sent.params == fetched.params and sent.had_auth
    assert client.requests_made == 1
    assert (fetched.redacted, fetched.original_sha256) == (False, None)


def test_fetch_models_is_public_and_sends_no_key(fake_openrouter):
    fetched = make_client(fake_openrouter).fetch_models()
    assert (fetched.endpoint, fetched.params, fetched.window) == (MODELS_ENDPOINT, {}, None)
    assert json.loads(fetched.body)["data"][0]["canonical_slug"]
    assert fake_openrouter.requests[-1].had_auth is False


def test_fetch_models_needs_no_key(fake_openrouter):
    client = OpenRouterClient(fake_openrouter.url, None, timeout=0.3)
    assert client.fetch_models().status == 200


def test_from_env_reads_the_environment(fake_openrouter):
    client = OpenRouterClient.from_env(timeout=1)
    assert client.base_url == fake_openrouter.url
    assert client.fetch_rankings(WEEK).status == 200


def test_from_env_defaults_to_the_public_api_and_fails_without_a_key_before_any_request(monkeypatch):
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    client = OpenRouterClient.from_env()
    assert client.base_url == DEFAULT_BASE_URL
    assert (client.name, client.synthetic, client.timeout, client.max_attempts) == ("openrouter", False, 30.0, 6)
    with pytest.raises(SourceError, match="OPENROUTER_API_KEY is missing or invalid"):
        client.fetch_rankings(WEEK)
    assert client.requests_made == 0


def test_missing_key_fails_before_any_request(fake_openrouter):
    client = OpenRouterClient(fake_openrouter.url, "", timeout=0.3)
    with pytest.raises(SourceError, match="OPENROUTER_API_KEY is missing or invalid"):
        client.fetch_rankings(WEEK)
    assert fake_openrouter.requests == []


def test_last_complete_day_is_yesterday_utc():
    client = OpenRouterClient("http://127.0.0.1:9", "k")
    assert client.last_complete_day() == dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


# --- retries ---------------------------------------------------------------------------------------------------

RETRYABLE = [
    pytest.param("status", {"code": 429}, id="429"),
    pytest.param("status", {"code": 429, "retry_after": 0}, id="429-retry-after"),
    pytest.param("status", {"code": 500}, id="500"),
    pytest.param("status", {"code": 502}, id="502"),
    pytest.param("status", {"code": 503}, id="503"),
    pytest.param("timeout", {"seconds": 1.0}, id="timeout"),
    pytest.param("reset", {}, id="reset"),
]


@pytest.mark.parametrize("fault, opts", RETRYABLE)
def test_retryable_faults_are_retried_until_success(fake_openrouter, fault, opts):
    fake_openrouter.inject(fault, times=2, **opts)
    client = make_client(fake_openrouter)
    fetched = client.fetch_rankings(WEEK)
    assert fetched.status == 200 and json.loads(fetched.body)["data"]
    assert len(fake_openrouter.rankings_requests()) == 3
    assert client.requests_made == 3


def test_models_are_retried_too(fake_openrouter):
    fake_openrouter.inject("status", endpoint="models", code=502)
    assert make_client(fake_openrouter).fetch_models().status == 200
    assert len(fake_openrouter.requests) == 2


@pytest.mark.parametrize(
    "fault, opts, last",
    [
        ("status", {"code": 503}, "HTTP 503"),
        ("status", {"code": 429}, "HTTP 429"),
        ("timeout", {"seconds": 1.0}, "timeout after 0.3 s"),
        ("reset", {}, "connection failed"),
    ],
)
def test_gives_up_after_bounded_attempts_with_one_line(fake_openrouter, fault, opts, last):
    fake_openrouter.inject(fault, times=10, **opts)
    client = make_client(fake_openrouter, max_attempts=3)
    with pytest.raises(SourceError) as raised:
        client.fetch_rankings(WEEK)
    message = str(raised.value)
    assert message.startswith("rankings-daily 2026-06-15..2026-06-21: gave up after 3 attempts (last: ")
    assert last in message and "\n" not in message
    assert len(fake_openrouter.rankings_requests()) == 3


def test_give_up_message_exactly(fake_openrouter):
    fake_openrouter.inject("status", times=6, code=503)
    with pytest.raises(SourceError) as raised:
        make_client(fake_openrouter).fetch_rankings(Window(D("2026-05-23"), D("2026-06-21")))
    assert str(raised.value) == "rankings-daily 2026-05-23..2026-06-21: gave up after 6 attempts (last: HTTP 503)"


def test_retry_after_seconds_is_honoured(fake_openrouter):
    fake = FakeTime()
    fake_openrouter.inject("status", code=429, retry_after=7)
    client = make_client(fake_openrouter, backoff_max=60, clock=fake.clock, sleep=fake.sleep)
    assert client.fetch_rankings(WEEK).status == 200
    assert fake.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(fake_openrouter):
    fake = FakeTime()
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    fake_openrouter.inject("status", code=503, retry_after=email.utils.format_datetime(when, usegmt=True))
    client = make_client(fake_openrouter, backoff_max=60, clock=fake.clock, sleep=fake.sleep)
    assert client.fetch_rankings(WEEK).status == 200
    [waited] = fake.sleeps
    assert 25 <= waited <= 31


def test_a_retry_after_beyond_backoff_max_ends_the_retries(fake_openrouter):
    fake_openrouter.inject("status", times=5, code=429, retry_after=3600)
    with pytest.raises(SourceError, match=r"gave up after 1 attempt \(last: HTTP 429, Retry-After 3600 s\)"):
        make_client(fake_openrouter, backoff_max=60).fetch_rankings(WEEK)
    assert len(fake_openrouter.rankings_requests()) == 1


def test_without_retry_after_backoff_is_exponential_and_bounded(fake_openrouter):
    fake = FakeTime()
    fake_openrouter.inject("status", times=5, code=500)
    client = make_client(fake_openrouter, backoff_base=1.0, backoff_max=5.0, clock=fake.clock, sleep=fake.sleep)
    client.fetch_rankings(WEEK)
    assert len(fake.sleeps) == 5
    for attempt, waited in enumerate(fake.sleeps, start=1):
        assert min(2 ** (attempt - 1), 5.0) <= waited <= min(2 ** (attempt - 1) + 1.0, 5.0)


@pytest.mark.parametrize(
    "header, seconds",
    [("12", 12.0), ("0", 0.0), ("-3", 0.0), ("soon", None), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header) == seconds


# --- the timeout bounds the whole request -----------------------------------------------------------------------

DRIP_INTERVAL = 0.05  # one byte per 50 ms: a 7-day body (~30 kB) would take ~25 minutes


def wait_for_drips(server, count: int) -> list[int]:
    """The bytes each dripped response sent; the fake records one once the client has hung up."""
    for _ in range(200):
        if len(server.dripped) >= count:
            break
        time.sleep(0.05)
    return server.dripped


@pytest.mark.timeout(60)
def test_a_dripping_server_is_cut_off_at_the_timeout_and_retried(fake_openrouter):
    fake_openrouter.inject("drip", times=2, interval=DRIP_INTERVAL)
    client = make_client(fake_openrouter, timeout=0.5)
    started = time.monotonic()
    fetched = client.fetch_rankings(WEEK)
    elapsed = time.monotonic() - started
    assert json.loads(fetched.body)["data"]
    assert len(fake_openrouter.rankings_requests()) == 3 and client.requests_made == 3
    assert elapsed < 10, f"two dripped attempts of 0.5 s each took {elapsed:.1f} s"
    dripped = wait_for_drips(fake_openrouter, 2)
    assert len(dripped) == 2 and all(sent < len(fetched.body) // 10 for sent in dripped)


@pytest.mark.timeout(60)
def test_a_dripping_server_ends_in_one_line_after_bounded_attempts(fake_openrouter, caplog):
    fake_openrouter.inject("drip", times=10, interval=DRIP_INTERVAL)
    with caplog.at_level(logging.INFO, logger="tokenrank.source"):
        with pytest.raises(SourceError) as raised:
            make_client(fake_openrouter, timeout=0.5, max_attempts=2).fetch_rankings(WEEK)
    assert str(raised.value) == "rankings-daily 2026-06-15..2026-06-21: gave up after 2 attempts (last: timeout after 0.5 s)"
    assert len(fake_openrouter.rankings_requests()) == 2
    assert [r.getMessage().split(" in ")[0] for r in caplog.records if r.getMessage().startswith("GET")] == [
        "GET rankings-daily 2026-06-15..2026-06-21 attempt 1: timeout after 0.5 s",
        "GET rankings-daily 2026-06-15..2026-06-21 attempt 2: timeout after 0.5 s",
    ]


@pytest.mark.timeout(60)
def test_a_dripped_body_that_arrives_in_time_is_kept(fake_openrouter):
    fake_openrouter.models = [{"id": "a/b"}]
    fake_openrouter.inject("drip", endpoint="models", interval=0.01)
    fetched = make_client(fake_openrouter, timeout=5).fetch_models()
    assert json.loads(fetched.body) == {"data": [{"id": "a/b"}]}
    assert wait_for_drips(fake_openrouter, 1) == [len(fetched.body)]


# --- failures that are not retried -----------------------------------------------------------------------------


def test_invalid_key_is_one_request_and_a_clear_message(fake_openrouter):
    client = OpenRouterClient(fake_openrouter.url, "sk-or-v1-wrong", timeout=0.3, backoff_base=0.01)
    with pytest.raises(SourceError) as raised:
        client.fetch_rankings(WEEK)
    assert str(raised.value) == "OPENROUTER_API_KEY is missing or invalid (HTTP 401 from rankings-daily)"
    assert len(fake_openrouter.requests) == 1


def test_forbidden_is_one_request_and_the_key_message(fake_openrouter):
    fake_openrouter.inject("status", times=3, code=403)
    with pytest.raises(SourceError) as raised:
        make_client(fake_openrouter).fetch_rankings(WEEK)
    assert str(raised.value) == "OPENROUTER_API_KEY is missing or invalid (HTTP 403 from rankings-daily)"
    assert len(fake_openrouter.requests) == 1


def test_bad_request_names_the_window_and_the_server_message(fake_openrouter):
    today = Window(FAKE_TODAY, FAKE_TODAY)
    with pytest.raises(SourceError) as raised:
        make_client(fake_openrouter).fetch_rankings(today)
    message = str(raised.value)
    assert message.startswith("rankings-daily 2026-06-22..2026-06-22: rejected as a bad request (HTTP 400): ")
    assert "start_date 2026-06-22 is after end_date 2026-06-21" in message
    assert len(fake_openrouter.requests) == 1


def test_other_client_errors_are_not_retried(fake_openrouter):
    fake_openrouter.inject("status", times=3, code=404, message="no such dataset")
    with pytest.raises(SourceError) as raised:
        make_client(fake_openrouter).fetch_rankings(WEEK)
    assert str(raised.value) == "rankings-daily 2026-06-15..2026-06-21: HTTP 404 Not Found: no such dataset"
    assert len(fake_openrouter.requests) == 1


# --- malformed 200s reach downstream validation ------------------------------------------------------------------


def test_a_200_with_html_is_returned_verbatim(fake_openrouter):
    fake_openrouter.inject("html")
    fetched = make_client(fake_openrouter).fetch_rankings(WEEK)
    assert fetched.status == 200 and fetched.content_type == "text/html"
    assert fetched.body.startswith(b"<!DOCTYPE html>")


def test_a_200_with_truncated_json_is_returned_verbatim(fake_openrouter):
    fake_openrouter.inject("truncated_json")
    fetched = make_client(fake_openrouter).fetch_rankings(WEEK)
    with pytest.raises(json.JSONDecodeError):
        json.loads(fetched.body)


# --- pacing ----------------------------------------------------------------------------------------------------


def test_the_31st_request_in_a_minute_waits(fake_openrouter):
    fake_openrouter.rate_limit = 1000
    fake = FakeTime()
    client = make_client(fake_openrouter, clock=fake.clock, sleep=fake.sleep)
    for _ in range(30):
        client.fetch_models()
    assert fake.sleeps == []
    client.fetch_models()
    assert fake.sleeps == [60.0]
    client.fetch_models()  # 60 s later the window has room again
    assert fake.sleeps == [60.0]


def test_retries_count_against_the_pace(fake_openrouter, caplog):
    fake_openrouter.rate_limit = 1000
    fake = FakeTime()
    fake_openrouter.inject("status", code=503)
    client = make_client(fake_openrouter, max_requests_per_minute=5, clock=fake.clock, sleep=fake.sleep)
    with caplog.at_level(logging.INFO, logger="tokenrank.source"):
        for _ in range(5):
            client.fetch_rankings(WEEK)
    assert client.requests_made == 6
    [backoff, pace] = fake.sleeps
    assert backoff < 0.05 and pace == pytest.approx(60.0 - backoff)
    assert "paced 59.9" in caplog.records[-1].getMessage()


# --- the key stays secret --------------------------------------------------------------------------------------


def test_the_key_never_leaks(fake_openrouter, caplog):
    fake_openrouter.key = CANARY_KEY
    client = make_client(fake_openrouter, max_attempts=2)
    texts = [repr(client), str(client)]
    # the source's own logger too: a CLI invocation earlier in the session may have quietened it
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="tokenrank.source"):
        texts.append(repr(client.fetch_rankings(WEEK)))
        # a server (or proxy) that echoes the key back in its error message
        fake_openrouter.inject("status", code=400, message=f"bad request from Bearer {CANARY_KEY}")
        fake_openrouter.inject("status", times=2, code=503)
        fake_openrouter.inject("reset", times=2)
        fake_openrouter.inject("status", code=401)
        for _ in range(4):
            with pytest.raises(SourceError) as raised:
                client.fetch_rankings(WEEK)
            texts.append(str(raised.value))
            texts.append(repr(raised.value))
    assert "[redacted]" in texts[3]
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    assert any("tokenrank.source" == record.name for record in caplog.records)
    assert not [text for text in texts if CANARY_KEY in text]


@pytest.mark.parametrize("where", ["row", "top", "text"])
def test_a_body_echoing_the_key_comes_back_redacted_with_the_original_hash(fake_openrouter, where):
    fake_openrouter.key = CANARY_KEY
    fake_openrouter.inject("echo_key", where=where)
    fetched = make_client(fake_openrouter).fetch_rankings(WEEK)
    assert CANARY_KEY.encode() not in fetched.body and b"[redacted]" in fetched.body
    assert fetched.redacted is True
    received = fetched.body.replace(b"[redacted]", CANARY_KEY.encode())
    assert fetched.original_sha256 == hashlib.sha256(received).hexdigest()
    assert CANARY_KEY not in repr(fetched)


# --- the fake server's own contract ----------------------------------------------------------------------------


def get(server, params=None, key: str | None = "server", path="/datasets/rankings-daily"):
    headers = {} if key is None else {"Authorization": f"Bearer {server.key if key == 'server' else key}"}
    return requests.get(server.url + path, params=params, headers=headers, timeout=5)


def test_fake_defaults_end_to_last_complete_day_and_start_30_days_before(fake_openrouter):
    meta = get(fake_openrouter).json()["meta"]
    assert (meta["start_date"], meta["end_date"], meta["version"]) == ("2026-05-22", "2026-06-21", "v1")


def test_fake_clamps_end_to_last_complete_day_and_start_to_the_floor(fake_openrouter):
    meta = get(fake_openrouter, {"start_date": "2026-06-20", "end_date": "2026-08-01"}).json()["meta"]
    assert (meta["start_date"], meta["end_date"]) == ("2026-06-20", "2026-06-21")
    meta = get(fake_openrouter, {"start_date": "2024-06-01", "end_date": "2025-01-03"}).json()["meta"]
    assert (meta["start_date"], meta["end_date"]) == ("2025-01-01", "2025-01-03")


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-6-1"},
        {"end_date": "yesterday"},
        {"end_date": "2024-12-31"},
        {"start_date": "2026-06-21", "end_date": "2026-06-20"},
        {"start_date": "2026-06-22", "end_date": "2026-06-22"},
    ],
)
def test_fake_rejects_bad_queries_with_400(fake_openrouter, params):
    response = get(fake_openrouter, params)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


@pytest.mark.parametrize("key", [None, "sk-or-v1-wrong"])
def test_fake_requires_the_key(fake_openrouter, key):
    response = get(fake_openrouter, key=key)
    assert response.status_code == 401
    assert fake_openrouter.requests[-1].had_auth is (key is not None)


def test_fake_models_are_public(fake_openrouter):
    assert get(fake_openrouter, key=None, path="/models").json()["data"]


def test_fake_orders_rows_per_contract(fake_openrouter):
    fake_openrouter.set_rows(
        [
            {"date": "2026-06-21", "model_permaslug": "other", "total_tokens": "900"},
            {"date": "2026-06-21", "model_permaslug": "b/two", "total_tokens": "50"},
            {"date": "2026-06-21", "model_permaslug": "a/one", "total_tokens": "50"},
            {"date": "2026-06-21", "model_permaslug": "c/big", "total_tokens": "10000000000000"},
            {"date": "2026-06-20", "model_permaslug": "z/small", "total_tokens": "9"},
        ]
    )
    data = get(fake_openrouter, {"start_date": "2026-06-20"}).json()["data"]
    assert [(row["date"], row["model_permaslug"]) for row in data] == [
        ("2026-06-20", "z/small"),
        ("2026-06-21", "c/big"),
        ("2026-06-21", "a/one"),
        ("2026-06-21", "b/two"),
        ("2026-06-21", "other"),
    ]
    assert all(isinstance(row["total_tokens"], str) for row in data)


def test_fake_serves_the_real_sample_in_its_published_order(fake_openrouter, sample_payload):
    fake_openrouter.load(sample_payload)
    payload = get(fake_openrouter, {"start_date": "2026-06-08", "end_date": "2026-06-21"}).json()
    assert payload["data"] == sample_payload["data"]
    assert payload["data"] == sorted(payload["data"], key=contract_order)
    assert payload["meta"]["as_of"] == sample_payload["meta"]["as_of"]


def test_fake_restatements_replace_rows_and_as_of(fake_openrouter):
    fake_openrouter.set_rows([{"date": "2026-06-21", "model_permaslug": "a/one", "total_tokens": "100"}])
    fake_openrouter.as_of = "2026-06-23T02:00:00Z"
    payload = get(fake_openrouter, {"start_date": "2026-06-21"}).json()
    assert payload["data"] == [{"date": "2026-06-21", "model_permaslug": "a/one", "total_tokens": "100"}]
    assert payload["meta"]["as_of"] == "2026-06-23T02:00:00Z"


def test_fake_rate_limits_per_rolling_minute(fake_openrouter):
    fake_openrouter.rate_limit = 3
    statuses = [get(fake_openrouter, {"start_date": "2026-06-21"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = get(fake_openrouter, {"start_date": "2026-06-21"})
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60


def test_fake_faults_are_queued_per_endpoint_and_consumed(fake_openrouter):
    fake_openrouter.inject("status", times=2, code=502)
    assert get(fake_openrouter, key=None, path="/models").status_code == 200
    assert [get(fake_openrouter).status_code for _ in range(3)] == [502, 502, 200]


def _one_day(server) -> requests.Response:
    response = get(server, {"start_date": "2026-06-21"})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("fault", sorted(BODY_FAULTS - INCOMPLETE_FAULTS - {"html", "truncated_json", "echo_key"}))
def test_fake_body_faults_break_the_contract(fake_openrouter, fault):
    fake_openrouter.inject(fault)
    payload = _one_day(fake_openrouter).json()
    rows, meta = payload["data"], payload["meta"]
    first = rows[0]
    broken = {
        "extra_key": lambda: "extra_field" in first and "extra_top_level" in payload,
        "missing_key": lambda: "total_tokens" not in first,
        "tokens_non_numeric": lambda: not first["total_tokens"].lstrip("-").isdigit(),
        "tokens_negative": lambda: int(first["total_tokens"]) < 0,
        "tokens_float": lambda: first["total_tokens"] == "1.5e12",
        "tokens_overflow": lambda: int(first["total_tokens"]) > 2**63 - 1,
        "date_outside_window": lambda: rows[-1]["date"] > meta["end_date"],
        "two_other_rows": lambda: sum(row["model_permaslug"] == "other" for row in rows) == 2,
        "duplicate_row": lambda: rows[0] == rows[1],
        "version": lambda: meta["version"] == "v2",
    }[fault]
    assert broken()
    clean = _one_day(fake_openrouter).json()  # the fault was used up
    assert len(clean["data"]) == 51 and clean["meta"]["version"] == "v1" and "extra_top_level" not in clean
    assert all(
        set(row) == {"date", "model_permaslug", "total_tokens"} and row["total_tokens"].isdigit()
        for row in clean["data"]
    )


def test_every_attempt_is_charged_to_the_accounts_limiter(fake_openrouter, tmp_path):
    from warehouse.request_budget import BudgetSpent, RequestBudget

    budget = RequestBudget(path=tmp_path / "requests.json", per_day=2)
    client = OpenRouterClient(fake_openrouter.url, fake_openrouter.key, backoff_base=0.01, limiter=budget)
    fake_openrouter.inject("status", code=500)
    client.fetch_rankings(Window(dt.date(2026, 6, 21), dt.date(2026, 6, 21)))
    assert budget.used_today() == 2  # the retry counts
    with pytest.raises(BudgetSpent):
        client.fetch_rankings(Window(dt.date(2026, 6, 21), dt.date(2026, 6, 21)))
    assert len(fake_openrouter.rankings_requests()) == 2  # refused before it was sent
    client.fetch_models()  # the public catalogue is not a Data API endpoint: not charged
    assert budget.used_today() == 2


def test_fake_echo_key_puts_the_authorization_header_in_the_body(fake_openrouter):
    auth = f"Bearer {fake_openrouter.key}"
    fake_openrouter.inject("echo_key", where="row")
    assert _one_day(fake_openrouter).json()["data"][0]["model_permaslug"] == f"echo/{fake_openrouter.key}"
    fake_openrouter.inject("echo_key", where="top")
    assert _one_day(fake_openrouter).json()["debug"] == {"authorization": auth}
    fake_openrouter.inject("echo_key", where="text")
    text = _one_day(fake_openrouter)
    assert text.headers["Content-Type"] == "text/plain" and auth in text.text
    fake_openrouter.inject("status", code=400, echo_key=True)
    assert auth in get(fake_openrouter, {"start_date": "2026-06-21"}).json()["error"]["message"]


def test_fake_drip_sends_the_whole_body_to_a_patient_client(fake_openrouter):
    fake_openrouter.models = [{"id": "a/b"}]
    fake_openrouter.inject("drip", endpoint="models", interval=0.001)
    body = get(fake_openrouter, key=None, path="/models").content
    assert json.loads(body) == {"data": [{"id": "a/b"}]}
    assert wait_for_drips(fake_openrouter, 1) == [len(body)]

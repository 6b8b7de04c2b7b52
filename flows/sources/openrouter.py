"""The live OpenRouter Data API client: the only code in tokenrank that speaks HTTP.

Contract (see docs/openrouter-data-api.md in ../shared):
- `fetch(request)` GETs a planned request of any dataset (`{base}/<dataset.path>?<query>`, e.g.
  `datasets/app-rankings?start_date=..&end_date=..&sort=..&limit=..&offset=..`) with the key as a Bearer token;
  `fetch_rankings(window)` is the rankings-daily one; `fetch_models()` GETs the public `{base}/models` without it. A 200 body is returned verbatim
  (bytes, unparsed) so a malformed 200 reaches downstream validation and is quarantined there.
- `timeout` bounds each attempt from its start to the body's last byte, not only the gap between bytes: a
  server that drips its body is cut off at that deadline and the attempt counts as a timeout. (Connecting and
  each wait for header bytes are bounded by `timeout` too; a server dripping its headers is bounded per byte.)
- 429, 5xx, timeouts and connection failures are retried with jittered exponential backoff, honouring
  `Retry-After`, for at most `max_attempts` attempts; 401/403/400/other 4xx fail at once. Every failure is a
  one-line `SourceError` naming what failed.
- Every Data API attempt (retries included) is charged to `limiter` (the account's shared per-minute pacing and
  daily budget, `warehouse.request_budget.RequestBudget`) before it is sent; without one, a per-process pacer keeps
  at most `max_requests_per_minute` starts in any rolling 60 s. `BudgetSpent` from the limiter ends the request;
  so does a 429 whose `Retry-After` exceeds `backoff_max` (the account's daily limit, spent elsewhere): it
  raises `ServerBudgetSpent`, both a `SourceError` and a `BudgetSpent`.
- The API key never appears in logs, exception text, `repr` or return values: a 200 body that echoes it is
  returned with every occurrence replaced by `[redacted]`, flagged `redacted` with the original's sha256.
"""

from __future__ import annotations

import collections
import datetime as dt
import email.utils
import hashlib
import json
import logging
import os
import socket
import threading
import time
from typing import Callable

import requests
from tenacity import (
    Retrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from flows.sources.base import SourceError
from transforms.datasets import DATASETS
from transforms.datasets.base import Request
from transforms.datasets.rankings_daily import request as rankings_request
from transforms.responses import MODELS_ENDPOINT, FetchedResponse
from transforms.windows import Window, utc_now
from warehouse.request_budget import BudgetSpent

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
USER_AGENT = "tokenrank/0.1 (+https://openrouter.ai/rankings)"
RATE_PERIOD_SECONDS = 60.0
MAX_DETAIL_CHARS = 200
REDACTED = "[redacted]"

log = logging.getLogger("tokenrank.source")


class ServerBudgetSpent(SourceError, BudgetSpent):
    """The API answered 429 with a `Retry-After` beyond `backoff_max`: the account's limit is spent for now."""


class _Retryable(Exception):
    """One failed attempt that may succeed if repeated; `reason` is a short, key-free phrase."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


class _DeadlinePassed(Exception):
    """An attempt's body was still arriving when its deadline passed."""


class _Watchdog:
    """Shuts a streamed response's socket down at `deadline`, waking a read blocked on a dripping server.

    It holds a duplicate of the socket's descriptor (shutdown acts on the connection, whichever descriptor
    names it), so the descriptor cannot be reused for another file before the watchdog is stopped.
    """

    def __init__(self, response: requests.Response, deadline: float) -> None:
        try:
            self._socket: socket.socket | None = socket.socket(fileno=os.dup(response.raw.fileno()))
        except (OSError, ValueError):  # no socket left: the whole body is already buffered
            self._socket = None
        self._lock = threading.Lock()
        self._done = False
        self.fired = False
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            if self._socket is not None:
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

    def stop(self) -> bool:
        """Disarm; return whether the deadline had already passed (the body is then incomplete)."""
        with self._lock:
            self._done = True
            if self._socket is not None:
                self._socket.close()
                self._socket = None
        self._timer.cancel()
        return self.fired


class _Pacer:
    """Lets at most `limit` requests start in any rolling `period` seconds, sleeping until one may."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        if limit < 1:
            raise ValueError("max_requests_per_minute must be at least 1")
        self._limit = limit
        self._period = period
        self._clock = clock
        self._sleep = sleep
        self._starts: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until a request may start, record its start, and return the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self._period:
                    self._starts.popleft()
                if len(self._starts) < self._limit:
                    self._starts.append(now)
                    return waited
                delay = self._starts[0] + self._period - now
                self._sleep(delay)
                waited += delay


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max((when - now).total_seconds(), 0.0)


class OpenRouterClient:
    """A `RankingsSource` over one `requests.Session` to OpenRouter's Data API (or a fake of it in tests)."""

    name = "openrouter"
    synthetic = False

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_requests_per_minute: int = 30,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        limiter=None,
    ) -> None:
        """`backoff_base`/`backoff_max` are seconds; a `Retry-After` longer than `backoff_max` ends the retries.

        `clock`/`sleep` drive both the pacer and the retry waits (inject fakes in tests).
        """
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key or None
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_max = backoff_max
        self._backoff = wait_exponential_jitter(multiplier=backoff_base, max=backoff_max, jitter=backoff_base)
        self._sleep = sleep
        self._pacer = _Pacer(max_requests_per_minute, RATE_PERIOD_SECONDS, clock, sleep)
        self.limiter = limiter
        """The account's shared limiter (`RequestBudget`), or None."""
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self.requests_made = 0
        """HTTP requests sent by this client, retries included (for the daily request budget)."""

    @classmethod
    def from_env(cls, **kwargs) -> OpenRouterClient:
        """Build from `OPENROUTER_BASE_URL` (default the public API), `OPENROUTER_API_KEY` and
        `TOKENRANK_HTTP_TIMEOUT` (seconds per request, default 30)."""
        if os.environ.get("TOKENRANK_HTTP_TIMEOUT"):
            kwargs.setdefault("timeout", float(os.environ["TOKENRANK_HTTP_TIMEOUT"]))
        return cls(
            base_url=os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL,
            api_key=os.environ.get("OPENROUTER_API_KEY") or None,
            **kwargs,
        )

    def __repr__(self) -> str:
        key_state = "set" if self._api_key else "unset"
        return f"OpenRouterClient(base_url={self.base_url!r}, api_key=<{key_state}>)"

    def __enter__(self) -> OpenRouterClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def last_complete_day(self) -> dt.date:
        """Yesterday in UTC: OpenRouter publishes a day once it has ended."""
        return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)

    def fetch(self, request: Request) -> FetchedResponse:
        return self._get(request.endpoint, DATASETS[request.endpoint].path, request.query, window=request.window,
                         authenticated=True, what=request.what)

    def fetch_rankings(self, window: Window) -> FetchedResponse:
        return self.fetch(rankings_request(window))

    def fetch_models(self) -> FetchedResponse:
        return self._get(MODELS_ENDPOINT, "models", {}, window=None, authenticated=False, what=MODELS_ENDPOINT)

    def _get(
        self, endpoint: str, path: str, params: dict[str, str], *, window: Window | None, authenticated: bool,
        what: str,
    ) -> FetchedResponse:
        headers = {}
        if authenticated:
            if not self._api_key:
                raise SourceError(f"OPENROUTER_API_KEY is missing or invalid (not set; {endpoint} needs it)")
            headers["Authorization"] = f"Bearer {self._api_key}"
        url = f"{self.base_url}/{path}"
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts) | self._stop_on_long_retry_after,
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(what, state),
            reraise=True,
        )
        attempt_number = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempt_number = attempt.retry_state.attempt_number
                    response = self._attempt(url, params, headers, what, endpoint, attempt_number, authenticated)
        except _Retryable as failure:
            spent = failure.status == 429 and (failure.retry_after or 0) > self.backoff_max
            raise (ServerBudgetSpent if spent else SourceError)(
                f"{what}: gave up after {attempt_number} attempt{'s' if attempt_number != 1 else ''} "
                f"(last: {failure.reason})"
            ) from None
        body, original_sha256 = self._redact_body(response.content)
        return FetchedResponse(
            endpoint=endpoint,
            params=dict(params),
            body=body,
            fetched_at=utc_now(),
            status=response.status_code,
            content_type=self._one_line(response.headers.get("Content-Type", "")),
            window=window,
            redacted=original_sha256 is not None,
            original_sha256=original_sha256,
        )

    def _redact_body(self, body: bytes) -> tuple[bytes, str | None]:
        """The body with every occurrence of the key replaced by `[redacted]`, and the original's sha256
        (None, and the body untouched, when the key does not occur)."""
        if not self._api_key or self._api_key.encode() not in body:
            return body, None
        return body.replace(self._api_key.encode(), REDACTED.encode()), hashlib.sha256(body).hexdigest()

    def _attempt(
        self, url: str, params: dict[str, str], headers: dict[str, str], what: str, endpoint: str, attempt: int,
        data_api: bool,
    ) -> requests.Response:
        """Send one request; return a 200, raise `_Retryable` for a transient failure, `SourceError` otherwise.

        The returned response's body has been read in full within the attempt's deadline.
        """
        paced = (self.limiter if data_api and self.limiter is not None else self._pacer).acquire()
        self.requests_made += 1
        started = time.monotonic()
        try:
            response = self._get_within_deadline(url, params, headers, deadline=started + self.timeout)
        except (requests.Timeout, _DeadlinePassed):
            reason = f"timeout after {self.timeout:g} s"
            self._log_request(what, attempt, reason, started, paced)
            raise _Retryable(reason) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            reason = f"connection failed: {self._one_line(str(exc))}"
            self._log_request(what, attempt, reason, started, paced)
            raise _Retryable(reason) from None
        status = response.status_code
        self._log_request(what, attempt, f"HTTP {status}", started, paced)
        if status == 200:
            return response
        if status == 429 or 500 <= status <= 599:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            reason = f"HTTP {status}"
            if retry_after is not None:
                reason += f", Retry-After {retry_after:g} s"
            raise _Retryable(reason, retry_after, status)
        if status in (401, 403):
            raise SourceError(f"OPENROUTER_API_KEY is missing or invalid (HTTP {status} from {endpoint})")
        detail = self._server_message(response)
        if status == 400:
            raise SourceError(f"{what}: rejected as a bad request (HTTP 400): {detail}")
        raise SourceError(f"{what}: HTTP {status} {response.reason or ''}".rstrip() + f": {detail}")

    def _get_within_deadline(
        self, url: str, params: dict[str, str], headers: dict[str, str], deadline: float
    ) -> requests.Response:
        """GET and read the whole body by `deadline` (a `time.monotonic()` value), else raise `_DeadlinePassed`.

        The requests timeout bounds connecting and each wait for the headers, but a read timeout only bounds the
        gap between bytes, so the body is read under a watchdog that shuts the socket down at the deadline.
        """
        timeout = max(deadline - time.monotonic(), 0.001)
        response = self._session.get(url, params=params, headers=headers, timeout=timeout, stream=True)
        watchdog = _Watchdog(response, deadline)
        try:
            response.content  # noqa: B018 - reads the body into the response
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            if watchdog.stop():
                raise _DeadlinePassed from None
            raise
        finally:
            late = watchdog.stop()  # before close() hands the connection back to the pool
            response.close()
        if late:  # the socket was shut down: a body without Content-Length would look complete
            raise _DeadlinePassed
        return response

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retryable) and failure.retry_after is not None:
            return failure.retry_after
        return self._backoff(state)

    def _stop_on_long_retry_after(self, state: RetryCallState) -> bool:
        # A Retry-After beyond backoff_max usually means the daily budget is spent: fail now, keep the requests.
        failure = state.outcome.exception() if state.outcome else None
        return (
            isinstance(failure, _Retryable)
            and failure.retry_after is not None
            and failure.retry_after > self.backoff_max
        )

    def _log_retry(self, what: str, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s attempt %d failed (%s); retrying in %.2f s",
            what,
            state.attempt_number,
            failure.reason if isinstance(failure, _Retryable) else "error",
            wait,
        )

    def _log_request(self, what: str, attempt: int, outcome: str, started: float, paced: float) -> None:
        log.info(
            "GET %s attempt %d: %s in %.2f s (paced %.2f s)",
            what,
            attempt,
            outcome,
            time.monotonic() - started,
            paced,
        )

    def _server_message(self, response: requests.Response) -> str:
        """The server's error message from a JSON `{"error": {"message"}}` body, else the start of the body."""
        text = response.text
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            error = payload.get("error")
            message = error.get("message") if isinstance(error, dict) else error or payload.get("message")
            if message:
                text = str(message)
        return self._one_line(text) or "(empty body)"

    def _one_line(self, text: str) -> str:
        """Collapse whitespace, bound the length and redact the key from text that came from outside."""
        if self._api_key:
            text = text.replace(self._api_key, REDACTED)
        text = " ".join(text.split())
        return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"

"""Failure notifications: failed flow runs, and deployment runs that never start, POST to a webhook receiver on
127.0.0.1 (flows/notify.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from flows.notify import AUTOMATION_NAME, WEBHOOK_BLOCK_NAME, WEBHOOK_ENV, failure_payload, notify_failure
from tests.conftest import DEPLOYMENTS_GROUP

END = dt.date(2026, 6, 21)
CANARY_KEY = "sk-or-v1-NOTIFY-canary-5ecret-77aa"


class Receiver:
    """A webhook on 127.0.0.1 (random port) that records each POSTed JSON body and answers `status`."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200
        self.posted = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append({"content_type": self.headers["Content-Type"], **json.loads(body)})
                receiver.posted.set()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hook/s3cr3t-token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receiver(monkeypatch):
    hook = Receiver()
    monkeypatch.setenv(WEBHOOK_ENV, hook.url)
    yield hook
    hook.stop()


# --- whole flows against the session's Prefect server ----------------------------------------------------------


@pytest.mark.flow
def test_a_failed_weekly_run_notifies_the_webhook_once_and_a_successful_one_nobody(
    home, fake_openrouter, prefect_server, receiver
):
    from flows.weekly import weekly_rankings

    fake_openrouter.inject("status", code=401)
    state = weekly_rankings(source="openrouter", end_date=END, lookback_days=7, return_state=True)
    assert state.is_failed()
    [posted] = receiver.posts
    run_id = str(state.state_details.flow_run_id)
    reason = "Flow run encountered an exception: SourceError: OPENROUTER_API_KEY is missing or invalid (HTTP 401 from rankings-daily)"
    assert {k: posted[k] for k in ("content_type", "flow", "flow_run_id", "state", "reason")} == {
        "content_type": "application/json", "flow": "weekly-rankings", "flow_run_id": run_id, "state": "Failed",
        "reason": reason,
    }
    assert posted["text"] == f"tokenrank: weekly-rankings run {posted['flow_run_name']} ({run_id}) Failed: {reason}"
    assert fake_openrouter.key not in json.dumps(posted)
    # the next run succeeds (one dataset: what it loads does not matter here) and notifies nobody
    assert weekly_rankings(source="openrouter", end_date=END, lookback_days=7, datasets=["rankings-daily"],
                           return_state=True).is_completed()
    assert receiver.posts == [posted]


@pytest.mark.flow
def test_a_failed_backfill_notifies_and_the_key_never_reaches_the_webhook(
    home, fake_openrouter, prefect_server, receiver, monkeypatch
):
    from flows.backfill import backfill

    fake_openrouter.key = CANARY_KEY
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY_KEY)
    fake_openrouter.inject("status", code=404, echo_key=True)
    state = backfill(start=dt.date(2026, 6, 15), end=END, return_state=True)
    assert state.is_failed()
    [posted] = receiver.posts
    assert (posted["flow"], posted["state"]) == ("backfill", "Failed")
    assert "rankings-daily 2026-06-15..2026-06-21: HTTP 404 Not Found" in posted["reason"]
    assert "[redacted]" in posted["reason"] and CANARY_KEY not in json.dumps(posted)


def test_both_scheduled_flows_carry_the_hooks():
    from flows.backfill import backfill
    from flows.weekly import weekly_rankings

    for flow in (weekly_rankings, backfill):
        assert (flow.on_failure_hooks, flow.on_crashed_hooks) == ([notify_failure], [notify_failure])


# --- runs that never start: the server's automation (`tokenrank notifications`) ---------------------------------


def wait_for_posts(receiver: Receiver, timeout: float = 90) -> list[dict]:
    receiver.posted.wait(timeout)
    time.sleep(2)  # a second POST for the same run would come right after the first
    return receiver.posts


@pytest.mark.flow
@pytest.mark.xdist_group(DEPLOYMENTS_GROUP)  # any late weekly run would notify its automation
def test_a_late_deployment_run_notifies_through_the_server(prefect_server, receiver, monkeypatch):
    from prefect import get_client
    from prefect.states import Scheduled
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY_KEY)
    runner = CliRunner()
    first = runner.invoke(app, ["notifications", "--webhook", receiver.url])
    again = runner.invoke(app, ["notifications"])  # the webhook from TOKENRANK_NOTIFY_WEBHOOK
    assert (first.exit_code, again.exit_code) == (0, 0), (first.output, again.output)
    assert f"automation {AUTOMATION_NAME} created" in first.output and f"{AUTOMATION_NAME} updated" in again.output
    assert "s3cr3t-token" not in first.output + again.output
    with get_client(sync_client=True) as client:
        [automation] = client.read_automations_by_name(AUTOMATION_NAME)
        assert client.read_block_document_by_name(WEBHOOK_BLOCK_NAME, "webhook").id == automation.actions[0].block_document_id
        # A deployment of the weekly flow that no worker serves; its run was due an hour ago, so the server's
        # late-runs service marks it Late and the automation fires.
        flow_id = client.create_flow_from_name("weekly-rankings")
        deployment_id = client.create_deployment(flow_id=flow_id, name="notify-late-check",
                                                 entrypoint="flows/weekly.py:weekly_rankings")
        due = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        run = client.create_flow_run_from_deployment(deployment_id, state=Scheduled(scheduled_time=due))
        try:
            posts = wait_for_posts(receiver)
            assert client.read_flow_run(run.id).state.name == "Late"
        finally:
            client.delete_deployment(deployment_id)  # and its run
            client.delete_automation(automation.id)
    [posted] = posts
    assert {k: posted[k] for k in ("content_type", "flow", "flow_run_id", "flow_run_name", "deployment", "state")} == {
        "content_type": "application/json", "flow": "weekly-rankings", "flow_run_id": str(run.id),
        "flow_run_name": run.name, "deployment": "notify-late-check", "state": "Late"}
    assert posted["reason"].startswith("not started by its scheduled time ")
    assert posted["text"] == f"tokenrank: weekly-rankings run {run.name} ({run.id}) Late: {posted['reason']}"
    assert CANARY_KEY not in json.dumps(posted)


def test_notifications_refuses_a_bad_webhook_or_no_server_in_one_line(monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    runner = CliRunner()
    no_server = runner.invoke(app, ["notifications", "--webhook", "http://127.0.0.1:9/hook"])
    assert (no_server.exit_code, no_server.output) == (
        2, "error: set PREFECT_API_URL to the Prefect server the deployments run on\n")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    no_webhook = runner.invoke(app, ["notifications"])
    bad_webhook = runner.invoke(app, ["notifications", "--webhook", "hooks.example.com/x"])
    assert (no_webhook.exit_code, no_webhook.output) == (2, "error: give --webhook URL (or set TOKENRANK_NOTIFY_WEBHOOK)\n")
    assert (bad_webhook.exit_code, bad_webhook.output) == (2, "error: the webhook must be an http:// or https:// URL\n")


# --- the hook and its payload -----------------------------------------------------------------------------------


def run_of(name: str = "weekly-rankings"):
    return SimpleNamespace(name=name), SimpleNamespace(id=uuid.UUID(int=7), name="brave-otter")


def test_a_crashed_run_notifies_with_its_state(receiver):
    from prefect.states import Crashed

    notify_failure(*run_of(), Crashed(message="Execution was aborted by an interrupt signal."))
    [posted] = receiver.posts
    assert (posted["state"], posted["reason"]) == ("Crashed", "Execution was aborted by an interrupt signal.")
    assert posted["flow_run_id"] == "00000000-0000-0000-0000-000000000007"


def test_the_payload_is_one_bounded_line_without_the_key(monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY_KEY)
    message = f"Flow run encountered an exception:\n  boom with Bearer {CANARY_KEY}\n" + "x" * 1000
    payload = failure_payload("backfill", "id-1", "brave-otter", "Failed", message)
    assert payload["reason"].startswith("Flow run encountered an exception: boom with Bearer [redacted] xxx")
    assert len(payload["reason"]) == 300 and payload["reason"].endswith("…") and "\n" not in payload["text"]
    assert failure_payload("backfill", "id-1", "brave-otter", "Crashed", None)["reason"] == "no reason recorded"


def test_without_a_webhook_nothing_is_sent(monkeypatch, receiver):
    from prefect.states import Failed

    monkeypatch.delenv(WEBHOOK_ENV)
    notify_failure(*run_of(), Failed(message="boom"))
    assert receiver.posts == []


@pytest.mark.parametrize("broken", ["refused", "http-500"])
def test_an_undeliverable_notification_is_logged_without_the_url_and_never_raises(receiver, monkeypatch, caplog, broken):
    from prefect.states import Failed

    from tests.conftest import free_port

    if broken == "refused":
        monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{free_port()}/hook/s3cr3t-token")
    else:
        receiver.status = 500
    with caplog.at_level(logging.WARNING, logger="tokenrank.notify"):
        notify_failure(*run_of(), Failed(message="boom"))
    [record] = caplog.records
    assert record.getMessage().startswith("failure notification for 00000000-0000-0000-0000-000000000007 not delivered: ")
    assert "s3cr3t-token" not in record.getMessage()

"""Failure notifications: Prefect state hooks that POST a failed or crashed flow run to a webhook, and a server
automation that POSTs a deployment run that never started.

Attached as `on_failure`/`on_crashed` hooks to the `weekly-rankings` and `backfill` flows, so every run of them
(scheduled, deployment or CLI) that ends Failed or Crashed notifies `TOKENRANK_NOTIFY_WEBHOOK` when it is set.
The hook runs where the flow ran (the worker's flow-run process), so the variable belongs in that environment.

The POST body is JSON: `flow`, `flow_run_id`, `flow_run_name`, `state`, `reason` (one line, at most
`MAX_REASON_CHARS`) and `text`, the same as one readable sentence (what Slack/Mattermost-style incoming
webhooks display). The API key is replaced by `[redacted]` wherever it would appear. Delivery is best effort:
one attempt, `NOTIFY_TIMEOUT_SECONDS`; a failed delivery is logged (without the webhook URL, which often
holds a token) and never changes the run's state.

A deployment run that never starts cannot run a hook: no worker picked it up (it goes Late), it was Cancelled,
or its process was killed (Crashed by the worker). `setup_server_notifications` covers those on the Prefect
server itself: a `Webhook` block (`WEBHOOK_BLOCK_NAME`, URL kept secret) and an automation
(`AUTOMATION_NAME`) that POSTs the same JSON, plus `deployment`, when a deployment run of `WATCHED_FLOWS`
enters one of `WATCHED_STATES`. A deployment run that crashes while its process is alive notifies twice, once
from each. The API key is never sent to the server; the template reads only Prefect's run records.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

import requests

from flows.secrets import API_KEY_ENV

WEBHOOK_ENV = "TOKENRANK_NOTIFY_WEBHOOK"
NOTIFY_TIMEOUT_SECONDS = 10.0
MAX_REASON_CHARS = 300
REDACTED = "[redacted]"

WEBHOOK_BLOCK_NAME = "tokenrank-notify-webhook"
AUTOMATION_NAME = "tokenrank-late-or-skipped-runs"
WATCHED_FLOWS = ("weekly-rankings", "backfill", "capture-snapshots")
WATCHED_STATES = ("Late", "Cancelled", "Crashed")

# Rendered by the server's sandboxed Jinja for each triggering event; `flow`, `flow_run` and `deployment` are
# read from the event's related resources, `tojson` quotes and escapes.
PAYLOAD_TEMPLATE = """\
{% set reason = (flow_run.state.message or "") | replace("\\n", " ") | trim | truncate(MAX_REASON_CHARS, true, "…", 0) %}
{% if not reason and flow_run.state.name == "Late" %}\
{% set reason = "not started by its scheduled time " ~ flow_run.expected_start_time ~ " (no worker picked it up)" %}\
{% elif not reason %}{% set reason = "no reason recorded" %}{% endif %}
{"flow": {{ flow.name | tojson }}, "flow_run_id": "{{ flow_run.id }}", "flow_run_name": {{ flow_run.name | tojson }},
 "deployment": {{ deployment.name | tojson }}, "state": {{ flow_run.state.name | tojson }},
 "reason": {{ reason | tojson }},
 "text": {{ ("tokenrank: " ~ flow.name ~ " run " ~ flow_run.name ~ " (" ~ flow_run.id ~ ") "
            ~ flow_run.state.name ~ ": " ~ reason) | tojson }}
}
""".replace("MAX_REASON_CHARS", str(MAX_REASON_CHARS))

log = logging.getLogger("tokenrank.notify")


def failure_payload(flow_name: str, flow_run_id: str, flow_run_name: str, state_name: str, message: str | None) -> dict:
    """The webhook's JSON body for one run that ended in `state_name` with Prefect's state `message`."""
    reason = _one_line(message or "") or "no reason recorded"
    return {
        "flow": flow_name,
        "flow_run_id": flow_run_id,
        "flow_run_name": flow_run_name,
        "state": state_name,
        "reason": reason,
        "text": f"tokenrank: {flow_name} run {flow_run_name} ({flow_run_id}) {state_name}: {reason}",
    }


def notify_failure(flow, flow_run, state) -> None:
    """Prefect `on_failure`/`on_crashed` hook: POST the run's failure to `TOKENRANK_NOTIFY_WEBHOOK`, if set."""
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return
    payload = failure_payload(flow.name, str(flow_run.id), flow_run.name, state.name, state.message)
    try:
        response = requests.post(url, json=payload, timeout=NOTIFY_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        log.warning("failure notification for %s not delivered: %s", flow_run.id, type(exc).__name__)
        return
    if not response.ok:
        log.warning("failure notification for %s not delivered: webhook answered HTTP %d", flow_run.id,
                    response.status_code)


@dataclass(frozen=True)
class ServerNotifications:
    """What `setup_server_notifications` left on the server: the block's and the automation's ids."""

    block_id: UUID
    automation_id: UUID
    created: bool  # False: an existing automation of that name was updated


def setup_server_notifications(webhook_url: str) -> ServerNotifications:
    """Create, or update in place, the webhook block and the automation on the server at `PREFECT_API_URL`.

    Idempotent: one block named `WEBHOOK_BLOCK_NAME` and one automation named `AUTOMATION_NAME` afterwards,
    however often it runs (extra automations of that name, e.g. made by hand, are deleted). Raises ValueError
    for a URL that is not http(s).
    """
    from prefect.automations import AutomationCore, CallWebhook, EventTrigger
    from prefect.blocks.webhook import Webhook
    from prefect.client.orchestration import get_client

    if urlsplit(webhook_url).scheme not in ("http", "https") or not urlsplit(webhook_url).netloc:
        raise ValueError("the webhook must be an http:// or https:// URL")
    block_id = Webhook(url=webhook_url, headers={"Content-Type": "application/json"}).save(
        WEBHOOK_BLOCK_NAME, overwrite=True)
    automation = AutomationCore(
        name=AUTOMATION_NAME,
        description=f"POST to the {WEBHOOK_BLOCK_NAME} block when a deployment run of tokenrank is "
                    f"{', '.join(WATCHED_STATES)} (set up by `tokenrank notifications`)",
        trigger=EventTrigger(
            expect={f"prefect.flow-run.{state}" for state in WATCHED_STATES},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related=[{"prefect.resource.role": "flow", "prefect.resource.name": list(WATCHED_FLOWS)},
                           {"prefect.resource.role": "deployment"}],
            posture="Reactive",
            threshold=1,
        ),
        actions=[CallWebhook(block_document_id=block_id, payload=PAYLOAD_TEMPLATE)],
    )
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(AUTOMATION_NAME)
        for extra in existing[1:]:
            client.delete_automation(extra.id)
        if existing:
            client.update_automation(existing[0].id, automation)
            return ServerNotifications(block_id, existing[0].id, created=False)
        return ServerNotifications(block_id, client.create_automation(automation), created=True)


def _one_line(text: str) -> str:
    key = os.environ.get(API_KEY_ENV)
    if key:
        text = text.replace(key, REDACTED)
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"

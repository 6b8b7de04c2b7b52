"""Failure notifications: Prefect state hooks that POST a failed or crashed flow run to a webhook.

Attached as `on_failure`/`on_crashed` hooks to the `weekly-rankings` and `backfill` flows, so every run of them
(scheduled, deployment or CLI) that ends Failed or Crashed notifies `TOKENRANK_NOTIFY_WEBHOOK` when it is set.
The hook runs where the flow ran (the worker's flow-run process), so the variable belongs in that environment.

The POST body is JSON: `flow`, `flow_run_id`, `flow_run_name`, `state`, `reason` (one line, at most
`MAX_REASON_CHARS`) and `text`, the same as one readable sentence (what Slack/Mattermost-style incoming
webhooks display). The API key is replaced by `[redacted]` wherever it would appear. Delivery is best effort:
one attempt, `NOTIFY_TIMEOUT_SECONDS`; a failed delivery is logged (without the webhook URL, which often
holds a token) and never changes the run's state.
"""

from __future__ import annotations

import logging
import os

import requests

from flows.secrets import API_KEY_ENV

WEBHOOK_ENV = "TOKENRANK_NOTIFY_WEBHOOK"
NOTIFY_TIMEOUT_SECONDS = 10.0
MAX_REASON_CHARS = 300
REDACTED = "[redacted]"

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


def _one_line(text: str) -> str:
    key = os.environ.get(API_KEY_ENV)
    if key:
        text = text.replace(key, REDACTED)
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"

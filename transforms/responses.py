"""What a source hands downstream: one HTTP response body as received, and the endpoint names.

A source returns bodies *verbatim* (bytes): validation happens in `transforms.contract`, so a malformed
200 is archived and quarantined rather than lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from transforms.windows import Window

RANKINGS_ENDPOINT = "rankings-daily"
APPS_ENDPOINT = "app-rankings"
MODELS_ENDPOINT = "models"


@dataclass(frozen=True)
class FetchedResponse:
    """One HTTP response body as received, plus what is needed to archive it.

    `params` never holds credentials; `fetched_at` is naive UTC. `redacted` says the source replaced the API key,
    echoed by the server, in `body`; `original_sha256` is then the sha256 of the body as received.
    """

    endpoint: str
    params: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    status: int = 200
    content_type: str = "application/json"
    window: Window | None = field(default=None, compare=False)
    redacted: bool = False
    original_sha256: str | None = None

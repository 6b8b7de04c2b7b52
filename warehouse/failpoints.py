"""Fail points for crash tests: `TOKENRANK_FAILPOINT=<name>` kills the process (SIGKILL) when it reaches `<name>`.

Off unless the variable is set; the names are the step boundaries of a write (see `warehouse.session`
and `warehouse.rebuild`), so a test can crash a run at each one and check that a plain rerun converges.
"""

from __future__ import annotations

import os
import signal

FAILPOINT_ENV = "TOKENRANK_FAILPOINT"


def failpoint(name: str) -> None:
    if os.environ.get(FAILPOINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)

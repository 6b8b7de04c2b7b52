"""`tokenrank worker`: a Prefect process worker that stops on one SIGTERM, however it was started.

`prefect worker start` turns its first SIGTERM into a SIGINT to itself. A job started in the background with `&`
by a non-interactive shell (a script, cron, most service wrappers) inherits SIGINT *ignored*, so that SIGINT does
nothing and the worker keeps running. `exec_worker` restores the default SIGINT and SIGTERM handling, records
its process id, and replaces itself with `prefect worker start` (same process id), so one SIGTERM, or Ctrl-C,
stops it.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from warehouse.files import write_atomic


def worker_command(pool: str) -> list[str]:
    """The `prefect worker start` command line, with this interpreter (so the worker runs this environment)."""
    return [sys.executable, "-m", "prefect", "worker", "start", "--pool", pool]


def exec_worker(pool: str, pid_file: Path | None = None) -> NoReturn:
    """Become `prefect worker start --pool POOL` with default SIGINT/SIGTERM; write our pid to `pid_file` first.

    The pid file holds the worker's process id (exec keeps it), one line; it is not removed when the worker stops.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    if pid_file is not None:
        write_atomic(pid_file, f"{os.getpid()}\n".encode())
    command = worker_command(pool)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)

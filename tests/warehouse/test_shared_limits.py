"""Cross-machine guards on a real Prefect server on loopback: the account's request log and the writer slot."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from warehouse.paths import Home
from warehouse.request_budget import BudgetSpent, Usage, utc_day
from warehouse.shared_limits import (VARIABLE_CHARACTERS, LogTooLarge, LogTooSlow, SharedRequestBudget, admit, log_value,
                                     writer_limit_name)
from warehouse.writer_lock import WriterBusy, writer_lock

NOON = dt.datetime(2026, 6, 22, 12, tzinfo=dt.timezone.utc).timestamp()


def most_in_any_window(starts: list[float], window: float) -> int:
    """The largest number of starts inside any half-open span (t - window, t] ending at a start (brute force)."""
    return max((sum(1 for s in starts if t - window < s <= t) for t in starts), default=0)


@settings(max_examples=200, deadline=None)
@given(
    per_minute=st.integers(1, 5),
    per_day=st.integers(0, 40),
    # each attempt: which machine tries, how far the shared clock moved since the last attempt, and that
    # machine's clock error (machines disagree by up to 2 s either way)
    attempts=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 30), st.floats(-2, 2)), max_size=80),
)
def test_admission_never_exceeds_the_window_or_the_day_whatever_the_interleaving(per_minute, per_day, attempts):
    window = 61.0
    usage, now, admitted = Usage(), NOON, []
    for _machine, step, skew in attempts:
        now += step
        try:
            usage, wait = admit(usage, now + skew, per_day=per_day, per_minute=per_minute, window=window)
        except BudgetSpent:
            assert len(admitted) == per_day
            continue
        if wait == 0.0:
            admitted.append(usage.recent[-1])
    assert admitted == sorted(admitted)  # the log keeps the order the mutex gave
    assert most_in_any_window(admitted, window) <= per_minute
    assert all(sum(1 for t in admitted if utc_day(t) == day) <= per_day for day in map(utc_day, admitted))


def test_a_waiting_request_is_told_when_the_oldest_start_leaves_the_window():
    usage = Usage(days={utc_day(NOON): 2}, recent=[NOON - 50, NOON - 10])
    assert admit(usage, NOON, per_day=10, per_minute=2, window=61.0) == (usage, pytest.approx(11.0))


CONTENDER = """
import json, sys
from warehouse.request_budget import BudgetSpent
from warehouse.shared_limits import SharedRequestBudget
budget = SharedRequestBudget(account=sys.argv[1], per_day=10, per_minute=3, window=1.5)
spent = 0
for _ in range(4):
    try:
        budget.acquire()
    except BudgetSpent:
        spent += 1
print(json.dumps({"starts": budget.starts, "spent": spent}))
"""


COPIES = """
import json, os, sys, traceback
from prefect.client.orchestration import get_client  # what every copy imports, once: ~3 s of CPU a process
import prefect.concurrency.sync, prefect.exceptions, httpx
import warehouse.shared_limits
script, copies, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pipes = []
for _ in range(copies):  # no thread runs yet: forking here is safe
    read, write = os.pipe()
    if os.fork() == 0:
        try:
            os.close(read)
            os.dup2(write, 1)
            sys.argv = ["-c", *args]
            exec(compile(script, "<copy>", "exec"), {"__name__": "__main__"})
            sys.stdout.flush()
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    os.close(write)
    pipes.append(read)
outs = [os.fdopen(read).read() for read in pipes]
codes = [os.waitstatus_to_exitcode(os.wait()[1]) for _ in pipes]
print(json.dumps({"outs": outs, "codes": codes}))
"""


def contend(prefect_server, script: str, processes: int, *, forked: bool = True) -> tuple[str, dict, list[dict]]:
    """`processes` copies of `script` at once on one new account: (account, their env, what each printed). Forked,
    the copies come from one process that has imported Prefect, so they import it once and start together;
    otherwise each is its own interpreter (they start seconds apart, as they import)."""
    account = uuid.uuid4().hex[:16]
    env = {**prefect_server["env"], "PYTHONPATH": str(REPO)}
    if not forked:
        procs = [subprocess.Popen([sys.executable, "-c", script, account], env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(processes)]
        return account, env, [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    out = subprocess.run([sys.executable, "-c", COPIES, script, str(processes), account], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    copies = json.loads(out.stdout)
    assert copies["codes"] == [0] * processes, out.stderr[-3000:]
    return account, env, [json.loads(text) for text in copies["outs"]]


@pytest.mark.waits  # for its four processes contending for the log
def test_processes_sharing_the_log_on_a_prefect_server_keep_both_limits(prefect_server):
    _, _, results = contend(prefect_server, CONTENDER, 4)
    starts = sorted(t for r in results for t in r["starts"])
    assert len(starts) == 10 and sum(r["spent"] for r in results) == 6  # 16 attempts, a daily budget of 10
    assert most_in_any_window(starts, 1.5) <= 3


BATCHER = """
import json, sys, time
from warehouse.request_budget import BudgetSpent
from warehouse.shared_limits import SharedRequestBudget
budget = SharedRequestBudget(account=sys.argv[1], per_day=10, per_minute=3, lag=0.5, window=2.0)
budget.expect(5)
used, spent = [], 0
for _ in range(4):
    try:
        budget.acquire()
        used.append(time.time())
    except BudgetSpent:
        spent += 1
budget.give_back()
print(json.dumps({"starts": budget.starts, "used": used, "spent": spent}))
"""


@pytest.mark.waits  # for its three interpreters contending for the log
def test_starts_admitted_in_batches_keep_both_limits_and_unused_ones_are_given_back(prefect_server):
    """Each process expects 5 requests and makes 4: batches of up to 3 starts, used within `lag` of their
    recorded time, so the actual starts keep the limit over window - lag; the unused start is given back.

    Separate interpreters, not forked copies: copies started in lockstep under load once used 9 of the 10. A batch
    recorded too late is given back and admitted afresh, and a copy that asked meanwhile found the day's 10
    taken and stopped (`BudgetSpent` counts the starts others hold, never more than the budget)."""
    account, _, results = contend(prefect_server, BATCHER, 3, forked=False)
    used = sorted(t for r in results for t in r["used"])
    assert all(len(r["starts"]) == len(r["used"]) for r in results)  # every start kept was used
    assert len(used) == 10 and sum(r["spent"] for r in results) == 2  # 12 attempts, a daily budget of 10
    assert most_in_any_window(used, 1.5) <= 3
    assert SharedRequestBudget(account=account, per_day=10, per_minute=3).used_today() == 10


def late_budget(account: str, now: list[float], slow: list[bool]) -> SharedRequestBudget:
    """A budget on a fake clock whose server answers a second late (more than the lag) the next `len(slow)` times."""
    kept = SharedRequestBudget(account=account, per_day=10, per_minute=3, lag=0.5, window=2.0, clock=lambda: now[0],
                               sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    write = kept._write

    def slow_write(client, usage):
        write(client, usage)
        if slow:
            slow.pop()
            now[0] += 1.0
    kept._write = slow_write
    return kept


def test_nested_plans_are_admitted_in_one_batch_and_given_back_once(prefect_server):
    """A run announces every dataset's requests (`planned(4)`), then each dataset announces its own inside: the
    inner blocks neither shrink the batch nor give anything back, so one read-write of the log admits all four
    starts, and the one not used goes back when the run's block ends (a second read-write)."""
    now = [1000.0]
    budget = SharedRequestBudget(account=uuid.uuid4().hex[:16], per_day=10, per_minute=5, lag=0.5, window=2.0,
                                 clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    writes = []
    write = budget._write
    budget._write = lambda client, usage: writes.append(len(usage.recent)) or write(client, usage)
    with budget.planned(4):
        with budget.planned(1):
            budget.acquire()
        with budget.planned(2):
            budget.acquire()
            budget.acquire()
        assert writes == [4] and budget.used_today() == 4
    assert writes == [4, 3] and budget.used_today() == 3 and budget.starts == [1000.0] * 3
    with budget.planned(2):  # on its own, a block is a run's: it announces and gives back
        budget.acquire()
    assert writes == [4, 3, 5, 4] and budget.used_today() == 4


def test_a_start_recorded_longer_ago_than_the_lag_is_given_back_and_admitted_afresh(prefect_server):
    account, now = uuid.uuid4().hex[:16], [1000.0]
    once = late_budget(account, now, [True])
    once.expect(2)
    once.acquire()
    # the first batch (two starts at 1000.0) was written a second before it could be used: given back; the batch
    # admitted at 1001.0 is used at once, and it is all the log holds
    assert once.starts == [1001.0, 1001.0] and once.used_today() == 2
    always = late_budget(account + "-always", now, [True] * 10)
    with pytest.raises(LogTooSlow, match=r"^the Prefect server took more than 0\.5 s to record 4 batches"):
        always.acquire()
    assert always.used_today() == 0  # a budget that never got a start in time leaves nothing in the log


def test_a_busy_server_is_asked_again_after_50_ms_not_after_prefects_2_s_back_off(monkeypatch):
    """A SQLite Prefect server answers 503 while another write holds its database (every few flow runs, on the
    mutex of the request log). The mutex is asked for again after 0.05 s, then 0.1 s: Prefect's client would
    sleep 2 s, then 4 s. A stand-in for the two endpoints on loopback answers 503 twice, then grants the slot; then
    answers 503 to every ask, and the error comes after 6.35 s of pauses."""
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx
    from threading import Thread

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from warehouse import shared_limits

    answers, seen = [503, 503, 200], []

    class Endpoints(BaseHTTPRequestHandler):
        def do_GET(self):  # the client's CSRF token: none on this server
            self._answer(404, {"detail": "Not Found"})

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append(self.path)
            if self.path.endswith("/increment-with-lease"):
                status = answers.pop(0)
                self._answer(status, {"lease_id": str(uuid.uuid4()), "limits": [{"name": "log", "limit": 1}]}
                             if status == 200 else {"exception_message": "Service Unavailable"})
            else:
                self._answer(204, None)

        def _answer(self, status, body):
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoints)
    Thread(target=server.serve_forever, daemon=True).start()
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(shared_limits, "_created", {"log"})
    try:
        with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{server.server_port}/api"}):
            with shared_limits._brief_mutex("log", lease=60):
                pass
            assert slept == [0.05, 0.1]
            assert [path.rsplit("/", 1)[1] for path in seen] == ["increment-with-lease"] * 3 + ["decrement-with-lease"]
            answers[:], slept[:] = [503] * 8, []  # a server that stays busy: the error after 6.35 s of pauses
            with pytest.raises(httpx.HTTPStatusError, match="^Server error '503 Service Unavailable'"):
                with shared_limits._brief_mutex("log", lease=60):
                    pass
            assert slept == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2] and not answers
    finally:
        server.shutdown()


HOLDER = """
import sys, time
from warehouse.paths import Home
from warehouse.writer_lock import writer_lock
with writer_lock(Home.at(sys.argv[1])):
    print("held", flush=True)
    time.sleep(3600)
"""


@pytest.mark.waits  # out the killed holder's 60 s lease
def test_one_writer_across_working_folders_and_a_killed_one_frees_the_slot(prefect_server, tmp_path, monkeypatch):
    url = f"s3://team-{uuid.uuid4().hex[:8]}/home"  # one home, seen from two working folders
    env = {**prefect_server["env"], "PYTHONPATH": str(REPO), "TOKENRANK_CACHE": str(tmp_path / "a"),
           "TOKENRANK_WRITER_LEASE_SECONDS": "60"}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url], env=env, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("TOKENRANK_CACHE", str(tmp_path / "b"))
        with pytest.raises(WriterBusy, match="writer slot on the Prefect server"):
            with writer_lock(Home.at(url), timeout=2):
                pass
        os.killpg(holder.pid, signal.SIGKILL)  # crashed mid-write: its slot lives until its lease runs out
        holder.wait()
        with writer_lock(Home.at(url), timeout=240):
            pass
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()
    assert writer_limit_name(url) != writer_limit_name(url + "2")


def test_a_minute_of_starts_too_long_for_a_prefect_variable_is_a_clear_error_not_a_bare_422(prefect_server):
    """400 starts admitted at once (a per-minute limit lifted far above the API's 30) are ~7,600 characters of
    JSON; a Prefect Variable holds 5,000."""
    budget = SharedRequestBudget(account=uuid.uuid4().hex[:16], per_day=10**6, per_minute=10**6)
    budget.expect(400)
    with pytest.raises(LogTooLarge) as error:
        budget.acquire()
    assert str(error.value).startswith("the shared request log's 400 request starts of the last minute need ")
    assert "set TOKENRANK_REQUESTS_PER_MINUTE (1000000) at most to the API's limit" in str(error.value)


def test_a_minute_of_starts_at_the_apis_limit_fits_in_a_prefect_variable():
    from prefect.types import MAX_VARIABLE_VALUE_LENGTH

    assert VARIABLE_CHARACTERS == MAX_VARIABLE_VALUE_LENGTH
    week = {utc_day(NOON - day * 86400): 500 for day in range(8)}
    usage = Usage(days=week, recent=[NOON + i / 7 for i in range(30)])
    assert log_value(usage, 30) == {"days": week, "recent": usage.recent}

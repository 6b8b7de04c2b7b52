"""`make bench`: every `tokenrank` command timed beside its floor, in one run, as one table.

tokenrank = the command as a user runs it: a fresh `tokenrank` process (wall seconds, and its CPU seconds).
floor = the same work by the same functions in one fresh process with no CLI and no orchestration
(bench/floor.py), wall and CPU seconds too; `warm` is the floor's work alone once its imports are done. On
shared cores wall time follows the load; the CPU columns do not, so both ratios are printed.

Runs hit the fake OpenRouter (tests/fake_openrouter.py) on 127.0.0.1 with the rate limits lifted, so no row
waits for pacing (`paced`: what the client waited). At the real 30 requests/minute a weekly run's ~31 requests
(rankings-daily, the catalogue, every app-rankings list of the week) wait for the API's pacing: that is the
API's cost, not ours. Homes hold SYNTHETIC days (bench/synthetic.py), built through the warehouse's own write
session; the 1x home has its site, as a home that has run before does.

Nothing is asserted: the `target` column states issue 9's target and whether this run met it (on wall time).

Run: make bench   (or .venv/bin/python bench/speed.py [--scales 1,10,100] [--no-prefect] [--no-demo])
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # bench/ and tests/ (the fake API) are not installed packages

from bench import synthetic  # noqa: E402
from tests.fake_openrouter import FakeOpenRouter  # noqa: E402
from warehouse.paths import Home  # noqa: E402

BIN = Path(sys.executable).parent
HISTORY_DAYS = 202
"""1x history: the days a home holds before the weekly run (the issue's measurement on main)."""
LIFTED = "1000000"
PREFECT_PAIRS = 3
"""Runs with and without the Prefect server, alternated; the row compares the fastest of each (two processes share
the 2 cores then, and one pair's difference varies by ±0.3 s). Four runs through the server within a minute record
220 request starts: a Prefect Variable holds ~250 (`warehouse.shared_limits.LogTooLarge`)."""


@dataclass
class Row:
    command: str
    tokenrank: float | None
    cpu: float | None = None
    floor: float | None = None
    warm: float | None = None
    paced: float | None = None
    requests: str = ""
    floor_cpu: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        return self.tokenrank / self.floor if self.tokenrank and self.floor else None

    @property
    def cpu_ratio(self) -> float | None:
        return self.cpu / self.floor_cpu if self.cpu and self.floor_cpu else None


class Bench:
    def __init__(self, root: Path, api: FakeOpenRouter) -> None:
        self.root = root
        self.api = api
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "TOKENRANK_"))},
            "OPENROUTER_BASE_URL": api.url, "OPENROUTER_API_KEY": api.key,
            "TOKENRANK_STATE_DIR": str(root / "state"), "TOKENRANK_DAILY_REQUEST_BUDGET": LIFTED,
            "TOKENRANK_REQUESTS_PER_MINUTE": LIFTED, "TOKENRANK_DEMO_HOME": str(root / "demo"),
            "PREFECT_HOME": str(root / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
        }
        self.rows: list[Row] = []
        self._copies = 0

    # --- processes ------------------------------------------------------------------------------------------
    def tokenrank(self, home: Path | None, *args: str, env: dict | None = None) -> tuple[float, float, int]:
        """Wall and CPU seconds of one `tokenrank` command, and the requests it made to the API."""
        before = len(self.api.requests)
        command = [str(BIN / "tokenrank"), *(["--home", str(home)] if home else []), *args]
        seconds, cpu = _timed(command, env or self.env)
        return seconds, cpu, len(self.api.requests) - before

    def floor(self, op: str, home: Path, *args: str) -> tuple[float, dict]:
        """Wall seconds of bench/floor.py doing the same work, and what it measured inside."""
        command = [sys.executable, str(REPO / "bench" / "floor.py"), op, str(home), *args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(command, env=self.env, cwd=REPO, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode:
            raise RuntimeError(f"floor {op} failed:\n{out.stderr[-3000:]}")
        inside = json.loads(out.stdout.strip().splitlines()[-1])
        inside["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return seconds, inside

    def compare(self, command: str, cli_args: list[str], op: str, op_args: list[str], *, cli_home: Path | None,
                floor_home: Path, target: str = "", limit: float | None = None, best_of: int = 1) -> Row:
        """One table row: the tokenrank command, then its floor (each the fastest of `best_of` runs, for commands
        that leave their home as they found it)."""
        seconds, cpu, requests = min(self.tokenrank(cli_home, *cli_args) for _ in range(best_of))
        floor, inside = min((self.floor(op, floor_home, *op_args) for _ in range(best_of)), key=lambda run: run[0])
        row = Row(command, seconds, cpu, floor, inside["work"], inside["paced"], f"{requests} requests" if requests else "",
                  floor_cpu=inside["cpu"])
        if limit is not None:
            row.target, row.met = target, (row.ratio if target.startswith("ratio") else seconds) <= limit
        self.rows.append(row)
        print(f"  {command}: {seconds:.2f} s (floor {floor:.2f} s)", file=sys.stderr, flush=True)
        return row

    def copy(self, template: Path) -> Path:
        self._copies += 1
        target = self.root / f"home-{self._copies}"
        shutil.copytree(template, target, symlinks=True)
        return target

    # --- the rows -----------------------------------------------------------------------------------------
    def runs(self, template: Path) -> Path:
        """run: empty home, 1x history (7 new days, 7 re-fetched), a no-op rerun, and the site's share of the
        no-op. Returns the 1x home after its runs."""
        self.compare("run, empty home (14 days)", ["run"], "run", [], cli_home=self.root / "empty-cli",
                     floor_home=self.root / "empty-floor", target="ratio ≤ 1.5", limit=1.5)
        cli, floor = self.copy(template), self.copy(template)
        self.compare(f"run, 1x history ({HISTORY_DAYS} days held)", ["run"], "run", [], cli_home=cli, floor_home=floor,
                     target="ratio ≤ 1.5", limit=1.5)
        self.compare("run, no-op (nothing changed)", ["run"], "run", [], cli_home=cli, floor_home=floor,
                     target="ratio ≤ 1.5", limit=1.5)
        site, inside = self.floor("site", floor)
        self.rows.append(Row(f"  the site alone, nothing changed (1x, {HISTORY_DAYS // 7} weeks)", None, floor=site,
                             warm=inside["work"], requests="reads every week's data: O(weeks)", floor_cpu=inside["cpu"]))
        return cli

    def scales(self, scales: list[int], build) -> None:
        """The weekly pipeline without the site (every dataset's weekly run, load, derive, publish, the report) at
        every history size, each in a fresh home built by `build(scale)`: the incremental target."""
        base = base_cpu = None
        for scale in scales:
            template = build(scale)
            seconds, inside = self.floor("weekly", self.copy(template))
            shutil.rmtree(template)
            base, base_cpu = base or seconds, base_cpu or inside["cpu"]
            growth = seconds / base
            self.rows.append(Row(f"weekly pipeline, no site, {scale}x ({scale * HISTORY_DAYS:,} days held)", None,
                                 floor=seconds, warm=inside["work"], paced=inside["paced"],
                                 requests=f"{growth:.2f}x the 1x row (cpu {inside['cpu'] / base_cpu:.2f}x)",
                                 target="≤ 2x the 1x row" if scale != 1 else "", met=growth <= 2 if scale != 1 else None,
                                 floor_cpu=inside["cpu"]))
            print(f"  weekly pipeline {scale}x: {seconds:.2f} s", file=sys.stderr, flush=True)

    def backfill(self, start: dt.date, end: dt.date) -> None:
        args = ["backfill", "--start", start.isoformat(), "--end", end.isoformat()]
        days = (end - start).days + 1
        cli, floor = self.root / "backfill-cli", self.root / "backfill-floor"
        row = self.compare(f"backfill, {days} days (empty home)", args, "backfill", args[2::2], cli_home=cli,
                           floor_home=floor, target="ratio ≤ 1.5", limit=1.5)
        row.requests += f" (target {-(-days // 366)} + catalogue)"
        self.compare("backfill, finished (rerun)", args, "backfill", args[2::2], cli_home=cli, floor_home=floor,
                     target="≤ 2 s", limit=2.0)

    def readers(self, home: Path) -> None:
        sql = ("SELECT week_start, model_permaslug, tokens, rank FROM weekly_model_usage "
               "WHERE rank <= 10 ORDER BY week_start DESC, rank LIMIT 20")
        for name, args, op, op_args in [("query", ["query", sql], "query", [sql]), ("status", ["status"], "status", [])]:
            row = self.compare(name, args, op, op_args, cli_home=home, floor_home=home, target="≤ 1 s", limit=1.0)
            heavy = _heavy_imports([str(BIN / "tokenrank"), "--home", str(home), *args], self.env)
            row.requests = f"imports {', '.join(heavy) or 'neither prefect nor matplotlib'}"
            row.met = row.met and not heavy
        self.compare("report (one week)", ["report"], "report", [], cli_home=home, floor_home=home,
                     target="≤ 1.5 s", limit=1.5)

    def rebuild(self, template: Path, extra_runs: int) -> None:
        cli, floor = self.copy(template), self.copy(template)
        first = self.compare(f"rebuild ({_runs(cli)} run recorded, best of 3)", ["rebuild"], "rebuild", [],
                             cli_home=cli, floor_home=floor, best_of=3)
        cli, floor = self.copy(template), self.copy(template)
        for home in (cli, floor):
            _add_runs(Home(home), extra_runs)
        row = self.compare(f"rebuild (+{extra_runs} runs recorded, best of 3)", ["rebuild"], "rebuild", [],
                           cli_home=cli, floor_home=floor, best_of=3)
        row.target, row.met = "≈ the row above", row.tokenrank <= 1.25 * first.tokenrank

    def prefect(self, template: Path) -> None:
        """`tokenrank run` with PREFECT_API_URL pointing at a running server, against the same run without."""
        port = _free_port()
        url = f"http://127.0.0.1:{port}/api"
        env = {**self.env, "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port),
               "PREFECT_UI_ENABLED": "false"}
        log = open(self.root / "prefect-server.log", "wb")
        started = time.perf_counter()
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for(f"{url}/health", server)
            ready = time.perf_counter() - started
            with_server = {**self.env, "PREFECT_API_URL": url}
            self.tokenrank(self.copy(template), "run", env=with_server)  # the first run also registers the flow
            pairs = [(self.tokenrank(self.copy(template), "run"),
                      self.tokenrank(self.copy(template), "run", env=with_server)) for _ in range(PREFECT_PAIRS)]
            plain, plain_cpu, _ = min(plain for plain, _ in pairs)
            orchestrated, cpu, _ = min(orchestrated for _, orchestrated in pairs)
            added = orchestrated - plain
            each = ", ".join(f"{orchestrated[0] - plain[0]:+.2f}" for plain, orchestrated in pairs)
            self.rows.append(Row(f"run, 1x, Prefect server (up in {ready:.0f} s)", orchestrated, cpu, plain,
                                 floor_cpu=plain_cpu,
                                 requests=f"+{added:.2f} s over `run` without a server (floor column; fastest of "
                                          f"{PREFECT_PAIRS} each; pair by pair {each} s)",
                                 target="added ≤ 3 s", met=added <= 3))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log.close()

    def demo(self) -> None:
        seconds, cpu = _timed(["make", "-s", "demo"], self.env)
        floor, inside = self.floor("demo", self.root / "demo-floor")
        self.rows.append(Row("make demo (after install)", seconds, cpu, floor, inside["work"], inside["paced"],
                             target="≤ 15 s", met=seconds <= 15, floor_cpu=inside["cpu"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="history sizes, in multiples of 202 days")
    parser.add_argument("--no-prefect", action="store_true", help="skip the row with a Prefect server")
    parser.add_argument("--no-demo", action="store_true", help="skip the `make demo` row")
    parser.add_argument("--extra-runs", type=int, default=500, help="runs added to the journal for the rebuild row")
    options = parser.parse_args()
    scales = sorted({1, *map(int, options.scales.split(","))})

    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    held_until = yesterday - dt.timedelta(days=7)  # the weekly run brings 7 new days and re-fetches 7 held ones
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tokenrank-bench-") as tmp, FakeOpenRouter(
        synthetic.rows(dt.date(2025, 1, 1), yesterday), today=today, as_of=synthetic.AS_OF, rate_limit=10**9,
        daily_limit=10**9,
    ) as api:
        root = Path(tmp)
        bench = Bench(root, api)
        os.environ.update(TOKENRANK_STATE_DIR=str(root / "state"))

        def build(scale: int, site: bool = False) -> Path:
            start = time.perf_counter()
            template = root / f"template-{scale}x{'-site' if site else ''}"
            synthetic.build_home(Home(template), held_until - dt.timedelta(days=scale * HISTORY_DAYS - 1), held_until,
                                 site=site)
            print(f"built {scale}x history{' and its site' if site else ''} in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
            return template

        try:
            template = build(1, site=True)  # a home that has run before has its site
            after = bench.runs(template)
            bench.backfill(yesterday - dt.timedelta(days=HISTORY_DAYS - 1), yesterday)
            bench.readers(after)
            bench.rebuild(template, options.extra_runs)
            if not options.no_prefect:
                bench.prefect(template)
            if not options.no_demo:
                bench.demo()
            bench.scales(scales, build)
        finally:  # what was measured, even when a row failed or the run was interrupted
            print_table(bench.rows, load, os.getloadavg())


def print_table(rows: list[Row], load_before, load_after) -> None:
    def s(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    head = ["command", "tokenrank s", "floor s", "ratio", "cpu s", "floor cpu s", "cpu ratio", "warm s", "paced s",
            "target", "met", "notes"]
    body = [[r.command, s(r.tokenrank), s(r.floor), s(r.ratio), s(r.cpu), s(r.floor_cpu), s(r.cpu_ratio), s(r.warm),
             s(r.paced), r.target,
             "" if r.met is None else "yes" if r.met else "NO", r.requests] for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    print(f"tokenrank speed, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average "
          f"{load_before[0]:.1f} before / {load_after[0]:.1f} after; SYNTHETIC data, fake API on 127.0.0.1\n")
    for line in [head, ["-" * w for w in widths], *body]:
        print("  ".join(cell.ljust(w) if i in (0, 9, 10, 11) else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))).rstrip())


def _timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system, children included) of one command that must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise RuntimeError(f"{' '.join(command[:4])} … failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _heavy_imports(command: list[str], env: dict) -> list[str]:
    """Which of prefect and matplotlib the command imports (python -X importtime)."""
    out = subprocess.run([sys.executable, "-X", "importtime", *command], env=env, cwd=REPO, capture_output=True,
                         text=True)
    modules = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    return [name for name in ("prefect", "matplotlib") if name in modules]


def _runs(home: Path) -> int:
    return len(list(Home(home).runs.glob("*.json")))


def _add_runs(home: Home, count: int) -> None:
    """Record `count` more finished runs in the journal (no-op weekly runs: no raw file of their own)."""
    journal = json.loads(next(home.runs.glob("*.json")).read_text())
    for i in range(count):
        row = {**journal, "run_id": f"bench-extra-{i:05d}", "flow": "weekly", "raw_files": []}
        (home.runs / f"{row['run_id']}.json").write_text(json.dumps(row))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the Prefect server exited; see its log")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the Prefect server did not answer {url} in {timeout:.0f} s")


if __name__ == "__main__":
    main()

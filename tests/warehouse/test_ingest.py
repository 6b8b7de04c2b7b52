"""The ingestion steps end to end on disk (no Prefect): loads, restatements, faults, crash repair, rebuild."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from transforms.windows import Window
from tests.helpers import day_rows, payload, response, snapshot
from transforms.contract import ContractError
from warehouse import ingest
from warehouse.lake import Lake
from warehouse.paths import Home
from warehouse.rebuild import rebuild
from warehouse.runs import RunStats
from warehouse.session import commit_run, record_failure

D1, D2, D3 = dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)
W12, W23 = Window(D1, D2), Window(D2, D3)


def body(window: Window, tokens: dict[dt.date, dict[str, int]], as_of="2026-04-06T02:00:00Z") -> dict:
    rows = [r for day in window.dates() for r in day_rows(day, tokens[day], other=sum(tokens[day].values()) // 10)]
    return payload(rows, window.start, window.end, as_of=as_of)


BASE = {
    D1: {"qwen/qwen3.6-plus-04-02:free": 700, "xiaomi/mimo-v2-pro-20260318": 500, "openrouter/hunter-alpha": 50},
    D2: {"qwen/qwen3.6-plus-04-02:free": 710, "xiaomi/mimo-v2-pro-20260318": 480, "mystery/model-x": 60},
    D3: {"qwen/qwen3.6-plus-04-02:free": 720, "xiaomi/mimo-v2-pro-20260318": 470},
}


def run_once(home: Home, run_id: str, *bodies: tuple[Window, dict | bytes], crash_before_load=False):
    """What the flow does, step by step."""
    run = RunStats(run_id, "weekly", "test", bodies[0][0].start, bodies[-1][0].end)
    raws = [ingest.archive_response(home, response(b, w), run_id) for w, b in bodies]
    try:
        tables = [ingest.normalize_archived(home, raw) for raw in raws]
        if crash_before_load:
            Lake(home).write(tables)
            return None
        return commit_run(home, run, tables=tables, raws=raws)
    except Exception as exc:
        record_failure(home, run, exc)
        raise


def fact(home: Home) -> list[tuple]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute("SELECT date, model_permaslug, total_tokens FROM fact_model_daily ORDER BY 1, 2").fetchall()
    finally:
        con.close()


def test_first_load_and_identical_rerun(tmp_path):
    home = Home(tmp_path)
    stats = run_once(home, "r1", (W12, body(W12, BASE)))
    assert (stats.inserted, stats.updated, stats.restatements, stats.dates_loaded) == (8, 0, 0, 2)
    before = snapshot(home.warehouse)
    again = run_once(home, "r2", (W12, body(W12, BASE)))
    assert (again.inserted, again.updated, again.dates_loaded) == (0, 0, 0)
    assert snapshot(home.warehouse) == before
    assert len(list((tmp_path / "raw").rglob("*.json.gz"))) == 2  # the re-fetch is archived all the same
    con = duckdb.connect(str(home.warehouse), read_only=True)
    names = dict(con.execute("SELECT model_permaslug, display_name FROM dim_model").fetchall())
    origin = con.execute("SELECT country FROM dim_origin WHERE scope='model' AND key='openrouter/hunter-alpha'").fetchone()
    con.close()
    assert names["qwen/qwen3.6-plus-04-02:free"] == "Qwen3.6 Plus (free)" and origin == ("CN",)


def test_archived_bodies_are_made_durable_before_the_warehouse_commits_their_rows(tmp_path, monkeypatch):
    """raw/ is written without an fsync per file; the write session fsyncs the bodies and manifests it loads (on
    threads, so the filesystem commits them together) before its transaction: no committed row names a body that
    a power loss could take back."""
    from warehouse import raw_archive
    from warehouse.files import sync_files

    home, seen = Home(tmp_path), []

    def spy(paths):
        seen.append((sorted(path.relative_to(home.raw).name for path in paths),
                     fact(home) if home.warehouse.exists() else []))
        sync_files(paths)

    monkeypatch.setattr(raw_archive, "sync_files", spy)
    run_once(home, "r1", (W12, body(W12, BASE)))
    [(synced, held)] = seen
    assert held == [] and len(fact(home)) == 8
    archived = sorted(path.name for path in (home.raw / "rankings-daily").rglob("*") if path.is_file())
    assert synced == archived and len(archived) == 2  # the body and its manifest


def derived(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    from warehouse.materialize import derived_tables

    return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in derived_tables()}


def test_a_load_that_changes_nothing_keeps_the_derived_tables_and_one_that_only_asks_a_new_day_rebuilds(tmp_path):
    """A rerun loads nothing, so nothing is rebuilt; a day asked for and answered empty changes only
    requested_dates, and dq_days (which reads it) must show the day: both equal a whole rebuild."""
    from warehouse.materialize import materialize

    home = Home(tmp_path)
    run_once(home, "r1", (W12, body(W12, BASE)))
    run_once(home, "r2", (W12, body(W12, BASE)))
    empty = payload([], D3, D3)
    run_once(home, "r3", (Window(D3, D3), empty))
    con = duckdb.connect(str(home.warehouse))
    try:
        held = derived(con)
        assert con.execute("SELECT date, status FROM dq_days WHERE date = ?", [D3]).fetchall() == [(D3, "empty")]
        materialize(con)
        assert derived(con) == held
    finally:
        con.close()


def test_restatement_is_recorded_with_both_snapshots(tmp_path):
    home = Home(tmp_path)
    run_once(home, "r1", (W12, body(W12, BASE)))
    restated = {**BASE, D2: {**BASE[D2], "xiaomi/mimo-v2-pro-20260318": 481}}
    del restated[D2]["mystery/model-x"]
    stats = run_once(home, "r2", (W23, body(W23, restated, as_of="2026-04-07T02:00:00Z")))
    assert (stats.inserted, stats.updated, stats.deleted, stats.unchanged) == (3, 2, 1, 1)  # D3 new; D2 mimo + other changed
    con = duckdb.connect(str(home.warehouse), read_only=True)
    rows = con.execute("SELECT date, model_permaslug, old_tokens, new_tokens, old_as_of, new_as_of FROM restatements ORDER BY 2").fetchall()
    con.close()
    old, new = dt.datetime(2026, 4, 6, 2), dt.datetime(2026, 4, 7, 2)
    assert rows == [
        (D2, "mystery/model-x", 60, None, old, new),
        (D2, "other", 125, 119, old, new),
        (D2, "xiaomi/mimo-v2-pro-20260318", 480, 481, old, new),
    ]


@pytest.mark.parametrize(
    "bad",
    [b"<html>502 Bad Gateway</html>", b'{"data": [', "v2", "float", "outside", "two_other", "duplicate"],
)
def test_bad_body_quarantined_and_warehouse_untouched(tmp_path, bad):
    home = Home(tmp_path)
    run_once(home, "r1", (W12, body(W12, BASE)))
    before, lake_before = snapshot(home.warehouse), sorted((p, p.read_bytes()) for p in home.lake.rglob("*"  ) if p.is_file())
    broken = body(W23, BASE)
    if bad == "v2":
        broken["meta"]["version"] = "v2"
    elif bad == "float":
        broken["data"][0]["total_tokens"] = "1.5e12"
    elif bad == "outside":
        broken["data"][0]["date"] = "2026-04-09"
    elif bad == "two_other":
        broken["data"].insert(1, {"date": D2.isoformat(), "model_permaslug": "other", "total_tokens": "3"})
    elif bad == "duplicate":
        broken["data"].insert(1, dict(broken["data"][0]))
    else:
        broken = bad
    good_window = (Window(D3, D3), body(Window(D3, D3), BASE))
    with pytest.raises(ContractError):
        run_once(home, "r2", good_window, (W23, broken))
    assert snapshot(home.warehouse) == before
    assert sorted((p, p.read_bytes()) for p in home.lake.rglob("*") if p.is_file()) == lake_before
    assert len(list((tmp_path / "raw/quarantine").glob("*.json.gz"))) == 1
    con = duckdb.connect(str(home.warehouse), read_only=True)
    log = con.execute("SELECT run_id, status, error FROM ingest_log ORDER BY started_at").fetchall()
    con.close()
    assert [(r, s) for r, s, _ in log] == [("r1", "success"), ("r2", "failed")] and "\n" not in log[1][2]


def test_crash_between_lake_and_load_is_repaired_by_next_run(tmp_path):
    clean, crashed = Home(tmp_path / "clean"), Home(tmp_path / "crashed")
    for home in (clean, crashed):
        run_once(home, "r1", (W12, body(W12, BASE)))
    run_once(crashed, "r2", (W23, body(W23, BASE, as_of="2026-04-07T02:00:00Z")), crash_before_load=True)
    assert D3 not in {d for d, _, _ in fact(crashed)}
    run_once(crashed, "r3", (Window(D1, D1), body(Window(D1, D1), BASE)))
    run_once(clean, "r2", (W23, body(W23, BASE, as_of="2026-04-07T02:00:00Z")))
    assert fact(crashed) == fact(clean)


def test_a_partition_written_again_since_the_session_wrote_it_is_loaded_from_its_file(tmp_path):
    from warehouse import db
    from warehouse.load import sync_from_lake

    home = Home(tmp_path)
    lake = Lake(home)

    def rows(tokens, as_of, run_id):
        return ingest.normalize_archived(home, ingest.archive_response(home, response(body(W12, tokens, as_of), W12),
                                                                       run_id))

    first = lake.write([rows(BASE, "2026-04-06T02:00:00Z", "r1")])
    lake.write([rows({**BASE, D1: {**BASE[D1], "qwen/qwen3.6-plus-04-02:free": 999}}, "2026-04-07T02:00:00Z", "r2")])
    con = db.connect(home.warehouse)
    try:
        stats = sync_from_lake(con, lake, first.fresh)  # D1 and D2's files changed since `first` wrote them
        loaded = con.execute("SELECT total_tokens FROM fact_model_daily WHERE date = ? AND model_permaslug = ?",
                             [D1, "qwen/qwen3.6-plus-04-02:free"]).fetchone()
    finally:
        con.close()
    assert stats.partitions == [D1, D2] and loaded == (999,)


def test_rebuild_equals_incremental_table_for_table(tmp_path):
    home = Home(tmp_path)
    run_once(home, "r1", (W12, body(W12, BASE)))
    restated = {**BASE, D2: {**BASE[D2], "xiaomi/mimo-v2-pro-20260318": 490}}
    run_once(home, "r2", (W23, body(W23, restated, as_of="2026-04-07T02:00:00Z")))
    with pytest.raises(ContractError):
        run_once(home, "r3", (W23, b"<html/>"))
    incremental = snapshot(home.warehouse)
    shutil.copy(home.warehouse, tmp_path / "incremental.duckdb")
    result = rebuild(home)
    assert (result.runs, result.dates) == (3, 3)  # runs in the history: r1, r2 and the failed r3
    assert snapshot(home.warehouse) == incremental
    assert incremental["restatements"] and incremental["fact_model_daily"]
    con = duckdb.connect(str(home.warehouse), read_only=True)
    flows = con.execute("SELECT flow, status FROM ingest_log ORDER BY started_at").fetchall()
    con.close()
    assert flows == [("weekly", "success"), ("weekly", "success"), ("weekly", "failed"), ("rebuild", "success")]
    shutil.rmtree(home.lake)
    home.warehouse.unlink()
    rebuild(home)
    assert snapshot(home.warehouse) == incremental


def test_run_log_rows_go_in_one_statement_iso_strings_cast_and_a_rerun_replaces():
    from importlib.resources import files

    from warehouse.runs import LOG_COLUMNS

    con = duckdb.connect()
    con.execute(files("warehouse").joinpath("schema.sql").read_text())
    rows = [[f"run-{i}", "weekly", "openrouter", "2026-06-15" if i % 2 else dt.date(2026, 6, 15), None,
             "2026-06-22T02:00:00" if i % 2 else dt.datetime(2026, 6, 22, 2), None, ["raw-a"] if i % 2 else [],
             i, 0, 0, 0, 0, "success", None, "rankings-daily"] for i in range(5)]
    ingest.log_runs(con, rows)
    ingest.log_runs(con, [["run-4", *rows[4][1:13], "failed", "boom", "rankings-daily"]])
    got = con.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM ingest_log ORDER BY run_id").fetchall()
    assert got == [(f"run-{i}", "weekly", "openrouter", dt.date(2026, 6, 15), None, dt.datetime(2026, 6, 22, 2), None,
                    ["raw-a"] if i % 2 else [], i, 0, 0, 0, 0, "failed" if i == 4 else "success",
                    "boom" if i == 4 else None, "rankings-daily") for i in range(5)]

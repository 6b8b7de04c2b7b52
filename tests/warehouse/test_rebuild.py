"""`rebuild` from the raw bodies alone: lost manifests, unreadable files, a truncated warehouse, refused losses."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from tests.helpers import snapshot
from tests.warehouse.test_ingest import BASE, W12, W23, body, run_once
from warehouse.paths import Home
from warehouse.rebuild import RebuildRefused, rebuild

D1, D2, D3 = dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)


@pytest.fixture
def loaded(tmp_path) -> Home:
    home = Home(tmp_path)
    run_once(home, "r1", (W12, body(W12, BASE)))
    restated = {**BASE, D2: {**BASE[D2], "xiaomi/mimo-v2-pro-20260318": 490}}
    run_once(home, "r2", (W23, body(W23, restated, as_of="2026-04-07T02:00:00Z")))
    return home


def bodies(home: Home) -> list:
    return sorted(home.raw.glob("rankings-daily/*/*/*.json.gz"))


def history(home: Home) -> list[tuple]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute("SELECT run_id, flow, status FROM ingest_log WHERE flow <> 'rebuild' ORDER BY started_at").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("lost", ["one", "all"])
def test_lost_manifests_are_recovered_from_the_bodies(loaded, lost):
    before = snapshot(loaded.warehouse)
    manifests = sorted(loaded.raw.glob("rankings-daily/*/*/*.manifest.json"))
    for manifest in manifests[:1] if lost == "one" else manifests:
        manifest.unlink()
    result = rebuild(loaded)
    assert result.dates == 3 and result.recovered == (1 if lost == "one" else 2) and result.problems == []
    assert snapshot(loaded.warehouse) == before


def test_an_unreadable_body_is_named_and_a_loss_is_refused_unless_allowed(loaded):
    before = loaded.warehouse.read_bytes()
    bodies(loaded)[-1].write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(RebuildRefused) as info:
        rebuild(loaded)
    message = str(info.value)
    assert "would hold 2 rankings-daily partitions, the current warehouse 3" in message and bodies(loaded)[-1].name in message
    assert "\n" not in message and loaded.warehouse.read_bytes() == before
    assert not list(loaded.root.glob(".rebuild-*"))
    result = rebuild(loaded, allow_loss=True)
    assert result.dates == 2 and len(result.problems) == 1 and "not a readable gzip file" in result.problems[0]


def test_a_bad_journal_is_named_and_the_rest_of_the_history_kept(loaded):
    (loaded.runs / "r1.json").write_text("{garbage")
    result = rebuild(loaded)
    assert any("r1.json" in p and "unreadable run journal" in p for p in result.problems)
    assert history(loaded) == [("r1", "weekly", "success"), ("r2", "weekly", "success")]  # r1 from the old warehouse


def test_a_truncated_warehouse_is_rebuilt_with_its_run_history_from_the_journals(loaded):
    before = snapshot(loaded.warehouse)
    with pytest.raises(Exception):
        run_once(loaded, "r3", (W23, b"<html/>"))
    loaded.warehouse.write_bytes(loaded.warehouse.read_bytes()[:4096])
    result = rebuild(loaded)
    assert result.dates == 3 and snapshot(loaded.warehouse) == before
    assert history(loaded) == [("r1", "weekly", "success"), ("r2", "weekly", "success"), ("r3", "weekly", "failed")]


def test_staging_folders_of_killed_rebuilds_are_removed(loaded):
    (loaded.root / ".rebuild-deadbeef" / "lake").mkdir(parents=True)
    rebuild(loaded)
    assert not list(loaded.root.glob(".rebuild-*"))


def test_the_history_survives_in_the_journals(loaded):
    journal = json.loads((loaded.runs / "r2.json").read_text())
    assert (journal["run_id"], journal["status"], journal["rows_inserted"], journal["restatements"]) == ("r2", "success", 3, 2)  # D3: two models and other

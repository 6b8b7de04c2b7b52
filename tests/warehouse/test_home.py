"""The home marker: one source per home, and homes of the old layout migrated in place, losing nothing."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from tests.helpers import snapshot
from tests.warehouse.test_ingest import BASE, W12, W23, body, run_once
from warehouse.home import LAYOUT, HomeError, HomeMismatch, claim, home_source, migrate, needs_migration
from warehouse.paths import Home


def make_layout_1(home: Home) -> None:
    """Turn a current home into what the previous main wrote: hive-style lake folders, journals listing raw files,
    no marker, no lake_partitions/requested_dates/dq_days tables, no ingest_log.dataset column."""
    for part in sorted(home.rankings_lake.glob("*.parquet")):
        folder = home.rankings_lake / f"date={part.stem}"
        folder.mkdir()
        os.replace(part, folder / "part.parquet")
    for journal in home.runs.glob("*.json"):
        row = json.loads(journal.read_text())
        journal.write_text(json.dumps({"run_id": row["run_id"], "flow": row["flow"], "source": row["source"],
                                       "committed_at": row["finished_at"] + "Z", "raw_files": row["raw_files"]}))
    home.marker.unlink()
    con = duckdb.connect(str(home.warehouse))
    con.execute("DROP TABLE lake_partitions; DROP TABLE requested_dates; DROP TABLE dq_days; "
                "ALTER TABLE ingest_log DROP COLUMN dataset; DROP TABLE schema_applied")
    con.close()


def test_a_home_of_the_old_layout_is_migrated_and_loads_as_before(tmp_path):
    home = Home(tmp_path)
    run_once(home, "r1", (W12, body(W12, BASE)))
    facts = snapshot(home.warehouse)["fact_model_daily"]
    make_layout_1(home)
    assert needs_migration(home)
    done = migrate(home)
    assert done[0].startswith("lake: 2 partitions moved") and done[-1] == f"home migrated to layout {LAYOUT} (holds test)"
    assert sorted(p.name for p in home.rankings_lake.iterdir()) == ["2026-03-30.parquet", "2026-03-31.parquet"]
    assert home_source(home) == "test" and not needs_migration(home) and migrate(home) == []
    journal = json.loads((home.runs / "r1.json").read_text())
    assert (journal["journal"], journal["status"], journal["rows_inserted"]) == (2, "success", 8)
    run_once(home, "r2", (W23, body(W23, BASE)))  # the next write works on the migrated home
    after = snapshot(home.warehouse)["fact_model_daily"]
    assert [r for r in after if r[0] != W23.end] == facts


def test_a_home_holds_one_source(tmp_path):
    home = Home(tmp_path)
    assert claim(home, "openrouter") == [] and home_source(home) == "openrouter"
    with pytest.raises(HomeMismatch, match="holds openrouter data; it will not take demo \\(synthetic\\) rows"):
        claim(home, "demo (synthetic)")


def test_a_home_that_already_mixes_sources_is_refused_with_what_to_do(tmp_path):
    home = Home(tmp_path)
    home.runs.mkdir(parents=True)
    for run_id, source in (("a", "openrouter"), ("b", "demo (synthetic)")):
        (home.runs / f"{run_id}.json").write_text(json.dumps(
            {"run_id": run_id, "flow": "weekly", "source": source, "committed_at": "2026-04-06T02:00:00Z", "raw_files": []}))
    with pytest.raises(HomeMismatch, match="both real and synthetic data"):
        claim(home, "openrouter")


@pytest.mark.parametrize("marker", ['{"layout": 99, "source": "openrouter"}', "{broken"])
def test_a_marker_from_a_newer_tokenrank_or_broken_is_a_clear_error(tmp_path, marker):
    home = Home(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    home.marker.write_text(marker)
    with pytest.raises(HomeError) as info:
        claim(home, "openrouter")
    assert "\n" not in str(info.value) and str(tmp_path) in str(info.value)

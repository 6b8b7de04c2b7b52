import datetime as dt
import json

from tests.helpers import day_rows, payload
from transforms.contract import normalize_rankings
from warehouse.lake import Lake
from warehouse.paths import Home

D1, D2 = dt.date(2026, 3, 30), dt.date(2026, 3, 31)


def table(tokens: int, as_of: str, raw_file: str):
    rows = day_rows(D1, {"a/m": tokens}, other=1) + day_rows(D2, {"a/m": 7}, other=1)
    return normalize_rankings(json.dumps(payload(rows, D1, D2, as_of=as_of)).encode(), raw_file=raw_file)


def test_one_partition_per_date_flat_files(tmp_path):
    lake = Lake(Home(tmp_path))
    result = lake.write([table(5, "2026-04-06T02:00:00Z", "f1")])
    assert result.written == [D1, D2]
    assert (tmp_path / "lake/rankings_daily/2026-03-30.parquet").exists()
    assert lake.dates() == [D1, D2]
    assert lake.read(D1)["total_tokens"].to_pylist() == [5, 1]


def test_same_snapshot_keeps_partition_newer_replaces_older_never_does(tmp_path):
    lake = Lake(Home(tmp_path))
    lake.write([table(5, "2026-04-06T02:00:00Z", "f1")])
    same = lake.write([table(5, "2026-04-06T02:00:00Z", "f2")])
    assert same.unchanged == [D1, D2] and lake.read(D1)["raw_file"][0].as_py() == "f1"
    newer = lake.write([table(6, "2026-04-07T02:00:00Z", "f3")])
    assert newer.written == [D1, D2] and lake.read(D1)["total_tokens"][0].as_py() == 6
    older = lake.write([table(4, "2026-04-05T02:00:00Z", "f4")])
    assert older.stale == [D1, D2] and lake.read(D1)["raw_file"][0].as_py() == "f3"
    assert not list((tmp_path / "lake").rglob("*.tmp"))


def test_every_reader_opens_the_lake_folder_with_no_options(tmp_path):
    import duckdb
    import pandas as pd
    import pyarrow.dataset as ds

    Lake(Home(tmp_path)).write([table(5, "2026-04-06T02:00:00Z", "f1")])
    folder = tmp_path / "lake/rankings_daily"
    frame = pd.read_parquet(folder)
    assert sorted(zip(frame["date"], frame["model_permaslug"], frame["total_tokens"])) == [
        (D1, "a/m", 5), (D1, "other", 1), (D2, "a/m", 7), (D2, "other", 1)]
    assert ds.dataset(folder).to_table().num_rows == 4
    import polars as pl

    assert pl.scan_parquet(f"{folder}/*.parquet").select(pl.col("total_tokens").sum()).collect().item() == 14
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*), sum(total_tokens) FROM read_parquet('{folder}/*.parquet', "
                       "hive_partitioning = true)").fetchone() == (4, 14)


def test_a_write_hands_back_each_partition_as_a_read_returns_it_with_its_files_signature(tmp_path):
    lake = Lake(Home(tmp_path))
    result = lake.write([table(5, "2026-04-06T02:00:00Z", "f1")])
    signatures = lake.signatures()
    assert sorted(result.fresh) == [D1, D2]
    for key, (part, signature) in result.fresh.items():
        held = lake.read_partition(key)
        assert signature == signatures[key]
        assert part.rows.schema.equals(held.rows.schema, check_metadata=True) and part.rows.equals(held.rows)
        assert (part.key, part.as_of, part.raw_files) == (held.key, held.as_of, held.raw_files)
    assert lake.write([table(5, "2026-04-06T02:00:00Z", "f2")]).fresh == {}  # unchanged: nothing written


def test_a_damaged_lake_file_is_a_one_line_error_naming_it(tmp_path):
    import pytest

    from warehouse.lake import UnreadablePartition

    lake = Lake(Home(tmp_path))
    lake.write([table(5, "2026-04-06T02:00:00Z", "f1")])
    path = lake.partition(D1)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(UnreadablePartition) as caught:
        lake.read_partition(D1)
    assert str(path) in str(caught.value) and "tokenrank rebuild" in str(caught.value)
    assert "\n" not in str(caught.value)

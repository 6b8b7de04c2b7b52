"""A home in an object store, against a real S3 endpoint on loopback (moto server): three working folders
stand in for three machines."""

from __future__ import annotations

import gzip
import shutil

import pytest

from tests.helpers import snapshot
from tests.s3_server import new_bucket, s3_server
from tests.warehouse.test_ingest import BASE, D1, D2, D3, W12, W23, body, run_once
from warehouse import published
from warehouse.lake import Lake
from warehouse.paths import Home
from warehouse.rebuild import rebuild
from warehouse.session import Writing, rebuild_home, writing
from warehouse.store import StaleWarehouse, Store


pytestmark = pytest.mark.xdist_group("s3-store")
"""One xdist worker runs the module, so it starts one S3 endpoint (moto: ~2.5 s of CPU), not one per worker."""


@pytest.fixture(scope="module")
def s3():
    with s3_server() as env:
        yield env


@pytest.fixture
def url(s3, monkeypatch):
    for key, value in s3.items():
        monkeypatch.setenv(key, value)
    return new_bucket(s3)


def machine(tmp_path, monkeypatch, url: str, name: str) -> Home:
    """The store home as seen from a machine whose working folder is tmp_path/name."""
    monkeypatch.setenv("TOKENRANK_CACHE", str(tmp_path / name))
    home = Home.at(url)
    assert home.store == url and home.root.is_relative_to(tmp_path / name)
    return home


def test_two_machines_write_one_warehouse_and_a_third_reads_it(tmp_path, monkeypatch, url):
    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    b = machine(tmp_path, monkeypatch, url, "b")
    run_once(b, "r2", (W23, body(W23, BASE)))
    store = Store(url, b.root)
    assert store.versions() == [1, 2] and store.versions("published") == [1, 2]

    local = Home(tmp_path / "single")  # one machine builds from the same responses
    shutil.copytree(b.raw, local.raw)
    rebuild(local)
    assert snapshot(b.warehouse) == snapshot(local.warehouse)

    reader = machine(tmp_path, monkeypatch, url, "c")
    con = published.connect_read_only(reader)
    try:
        dates = [d for (d,) in con.execute("SELECT DISTINCT date FROM fact_model_daily ORDER BY 1").fetchall()]
    finally:
        con.close()
    assert dates == [D1, D2, D3]
    assert not reader.warehouse.exists()  # a reader downloads the published copy, never the warehouse


def test_a_machine_that_wrote_before_catches_up_without_reloading_what_it_has(tmp_path, monkeypatch, url):
    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    b = machine(tmp_path, monkeypatch, url, "b")
    run_once(b, "r2", (W23, body(W23, BASE)))
    a = machine(tmp_path, monkeypatch, url, "a")
    again = run_once(a, "r3", (W12, body(W12, BASE)))
    assert (again.inserted, again.updated, again.dates_loaded) == (0, 0, 0)
    # the lake's signatures travel with the partitions: every machine sees the ones the warehouse loaded
    assert Lake(a).signatures() == Lake(b).signatures()
    assert Store(url, a.root).versions() == [1, 2, 3]


def test_raw_bodies_in_the_store_are_never_overwritten(tmp_path, monkeypatch, url):
    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    stored = sorted(a.raw.rglob("*.json.gz"))[0]
    original = stored.read_bytes()
    stored.write_bytes(gzip.compress(b"tampered"))
    store = Store(url, a.root)
    store.push()
    rel = stored.relative_to(a.root).as_posix()
    assert store.fs.cat_file(store.key(rel)) == original


def test_a_stale_writer_is_refused_and_publishes_nothing(tmp_path, monkeypatch, url):
    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    b = machine(tmp_path, monkeypatch, url, "b")
    late = Writing(b)
    late.pull()  # b starts from version 1 ...
    run_once(a, "r2", (W23, body(W23, BASE)))  # ... while a (its lease gone, say) publishes version 2
    store = Store(url, a.root)
    before = {key: info["ETag"] for key, info in store.fs.find(store.base, detail=True).items()}
    Lake(b).write_partitions([Lake(a).read_partition(D2)])  # b rewrites a partition a has just replaced
    with pytest.raises(StaleWarehouse, match="version 2"):
        late.publish()
    store.fs.invalidate_cache()
    assert {key: info["ETag"] for key, info in store.fs.find(store.base, detail=True).items()} == before
    assert store.versions() == [1, 2] and store.versions("published") == [1, 2]
    with writing(b) as session:  # the next session starts from the newest version
        assert session.based_on == 2


def test_a_store_without_a_warehouse_is_rebuilt_from_its_raw_archive(tmp_path, monkeypatch, url):
    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    run_once(a, "r2", (W23, body(W23, BASE)))
    expected = snapshot(a.warehouse)
    store = Store(url, a.root)
    for kind in ("warehouse", "published"):
        store.fs.rm(store.key(kind), recursive=True)
    store.fs.rm(store.key("lake"), recursive=True)
    b = machine(tmp_path, monkeypatch, url, "b")
    with writing(b) as session:
        assert session.notes and "rebuilt from its raw archive" in session.notes[0]
        assert snapshot(b.warehouse) == expected
        session.publish()
    assert Store(url, b.root).versions() == [1]


def test_rebuild_of_a_store_home_publishes_a_new_version(tmp_path, monkeypatch, url):
    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    b = machine(tmp_path, monkeypatch, url, "b")
    rebuild_home(b)
    assert Store(url, b.root).versions() == [1, 2]
    assert snapshot(b.warehouse) == snapshot(a.warehouse)


def test_a_response_is_in_the_store_as_soon_as_it_is_archived(tmp_path, monkeypatch, url):
    """A worker killed between fetching and its write session's publish loses nothing it fetched."""
    from tests.helpers import response
    from warehouse import ingest
    from warehouse.raw_archive import manifest_path

    a = machine(tmp_path, monkeypatch, url, "a")
    raw = ingest.archive_response(a, response(body(W12, BASE), W12), "killed-before-commit")
    store = Store(url, a.root)
    assert store.fs.cat_file(store.key(f"raw/{raw.path}")) == (a.raw / raw.path).read_bytes()
    assert store.fs.exists(store.key(f"raw/{manifest_path(raw)}"))
    b = machine(tmp_path, monkeypatch, url, "b")  # the next writer, elsewhere, loads what the dead one fetched
    run_once(b, "r2", (W23, body(W23, BASE)))
    con = published.connect_read_only(b)
    try:
        assert con.execute("SELECT min(date) FROM fact_model_daily").fetchone() == (D1,)
    finally:
        con.close()


def test_a_fresh_machine_plans_around_what_the_store_holds(tmp_path, monkeypatch, url):
    from transforms.datasets import DATASETS
    from warehouse.coverage import held_partitions

    a = machine(tmp_path, monkeypatch, url, "a")
    run_once(a, "r1", (W12, body(W12, BASE)))
    b = machine(tmp_path, monkeypatch, url, "b")  # has pulled nothing yet
    assert not b.lake.exists()
    assert held_partitions(b, DATASETS["rankings-daily"]) == {D1, D2}


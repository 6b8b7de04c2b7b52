"""A server that echoes the API key back: the weekly flow writes it nowhere (files, logs, errors, Prefect's store)."""

from __future__ import annotations

import datetime as dt
import gzip
import logging

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse.paths import Home
from warehouse.raw_archive import RawArchive

pytestmark = pytest.mark.flow
END = dt.date(2026, 6, 21)
CANARY_KEY = "sk-or-v1-ECHO-canary-5ecret-0a1b2c3d4e"


def texts_under(root) -> dict[str, bytes]:
    """Every file's bytes, a gzip's decompressed too, and every Parquet or DuckDB table's values as text."""
    found = {}
    for path in (p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found[str(path)] = data
        if path.suffix == ".gz":
            found[f"{path} (gunzipped)"] = gzip.decompress(data)
        elif path.suffix == ".parquet":
            found[f"{path} (values)"] = repr(pq.read_table(path).to_pylist()).encode()
        elif path.suffix == ".duckdb" and not path.is_symlink():
            con = duckdb.connect(str(path), read_only=True)
            try:
                tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
                found[f"{path} (values)"] = repr([con.execute(f'FROM "{t}"').fetchall() for t in tables]).encode()
            finally:
                con.close()
    return found


def test_an_echoed_key_is_redacted_everywhere(home, fake_openrouter, prefect_server, monkeypatch, caplog, capfd):
    from prefect.logging.handlers import APILogWorker

    from flows.weekly import weekly_rankings

    fake_openrouter.key = CANARY_KEY
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY_KEY)
    errors = []
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="tokenrank.source"):
        # a valid body echoing the key (in a permaslug): archived, loaded, derived and reported, redacted
        fake_openrouter.inject("echo_key", where="row")
        weekly_rankings(source="openrouter", end_date=END, lookback_days=7)
        # bodies that break the contract: quarantined, redacted; and an error body echoing it
        for fault, opts in [("echo_key", {"where": "top"}), ("echo_key", {"where": "text"}),
                            ("status", {"code": 400, "echo_key": True})]:
            fake_openrouter.inject(fault, **opts)
            with pytest.raises(Exception) as failed:
                weekly_rankings(source="openrouter", end_date=END, lookback_days=7)
            errors += [str(failed.value), repr(failed.value)]
    APILogWorker.drain_all(timeout=10)

    archive = RawArchive(Home(home))
    redacted = [r for r in archive.manifest() + archive.quarantined() if r.redacted]
    assert len(redacted) == 3 and all(r.original_sha256 and r.original_sha256 != r.sha256 for r in redacted)
    assert sum(b"[redacted]" in archive.read_body(r) for r in redacted) == 3
    con = duckdb.connect(str(Home(home).warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM fact_model_daily WHERE model_permaslug = 'echo/[redacted]'").fetchone() == (1,)
    con.close()

    key = CANARY_KEY.encode()
    written = texts_under(Home(home).root)
    assert any(name.endswith("(gunzipped)") for name in written) and any(".duckdb" in name for name in written)
    assert [name for name, data in written.items() if key in data] == []
    assert [name for name, data in texts_under(prefect_server["home"]).items() if key in data] == []
    out, err = capfd.readouterr()
    logged = [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    assert len(errors) == 6 and [t for t in errors + logged + [out, err] if CANARY_KEY in t] == []

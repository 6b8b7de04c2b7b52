import dataclasses
import datetime as dt
import gzip
import hashlib
import json

from transforms.windows import Window
from tests.helpers import day_rows, payload, response
from warehouse.paths import Home
from warehouse.raw_archive import RawArchive

W = Window(dt.date(2026, 3, 30), dt.date(2026, 3, 30))


def test_store_is_verbatim_with_manifest_and_never_overwrites(tmp_path):
    archive = RawArchive(Home(tmp_path))
    body = payload(day_rows(W.start, {"a/b": 5}, other=1), W.start, W.end)
    first = archive.store(response(body, W, dt.datetime(2026, 4, 6, 3)), run_id="r1")
    again = archive.store(response(body, W, dt.datetime(2026, 4, 6, 4)), run_id="r2")
    assert first.file_id != again.file_id and len(archive.manifest()) == 2
    raw_bytes = archive.read_body(first)
    assert raw_bytes == response(body, W).body
    assert first.sha256 == hashlib.sha256(raw_bytes).hexdigest()
    assert (first.rows, first.as_of, first.params) == (2, "2026-04-06T02:00:00Z", {"start_date": "2026-03-30", "end_date": "2026-03-30"})
    assert gzip.decompress((tmp_path / "raw" / first.path).read_bytes()) == raw_bytes
    assert [r.file_id for r in archive.manifest()] == [first.file_id, again.file_id]


def test_quarantine_moves_body_and_keeps_reason(tmp_path):
    archive = RawArchive(Home(tmp_path))
    bad = archive.store(response(b"<html>oops</html>", W), run_id="r1")
    moved = archive.quarantine(bad, "body is HTML")
    assert archive.manifest() == []
    assert [q.reason for q in archive.quarantined()] == ["body is HTML"]
    assert archive.read_body(moved) == b"<html>oops</html>"
    assert moved.path.startswith("quarantine/")


def test_run_journal_in_start_order_and_unreadable_ones_named(tmp_path):
    archive = RawArchive(Home(tmp_path))
    archive.record_run({"run_id": "b", "flow": "weekly", "source": "demo", "started_at": "2026-04-06T03:00:00"})
    archive.record_run({"run_id": "a", "flow": "weekly", "source": "demo", "started_at": "2026-04-06T02:00:00"})
    (tmp_path / "raw/runs/c.json").write_text("{not json")
    rows, problems = archive.runs()
    assert [r["run_id"] for r in rows] == ["a", "b"]
    assert len(problems) == 1 and "raw/runs/c.json" in problems[0] and "\n" not in problems[0]


def test_a_body_whose_manifest_is_lost_is_identified_by_its_name(tmp_path):
    archive = RawArchive(Home(tmp_path))
    body = payload(day_rows(W.start, {"a/b": 5}, other=1), W.start, W.end)
    kept = archive.store(response(body, W, dt.datetime(2026, 4, 6, 3)), run_id="r1")
    (tmp_path / "raw" / kept.path.replace(".json.gz", ".manifest.json")).unlink()
    (tmp_path / "raw/rankings-daily/2026/04/garbage.json.gz").write_bytes(b"x")
    records, problems = archive.bodies("rankings-daily")
    assert [(r.file_id, r.window, r.as_of, r.rows, r.sha256, r.fetched_at) for r in records] == [
        (kept.file_id, W, kept.as_of, 2, kept.sha256, kept.fetched_at)]
    assert len(problems) == 1 and "garbage.json.gz" in problems[0]


def test_a_redacted_body_says_so_in_its_manifest_and_quarantine_keeps_it(tmp_path):
    archive = RawArchive(Home(tmp_path))
    fetched = dataclasses.replace(response(b"echo [redacted]", W), redacted=True, original_sha256="ab" * 32)
    stored = archive.store(fetched, run_id="r1")
    manifest = json.loads((tmp_path / "raw" / stored.path.replace(".json.gz", ".manifest.json")).read_text())
    assert (manifest["redacted"], manifest["original_sha256"]) == (True, "ab" * 32)
    assert manifest["sha256"] == hashlib.sha256(b"echo [redacted]").hexdigest()
    moved = archive.quarantine(stored, "body is not valid JSON")
    assert [(q.redacted, q.original_sha256) for q in archive.quarantined()] == [(True, "ab" * 32)]
    assert archive.read_body(moved) == b"echo [redacted]"


def test_manifests_written_before_redaction_was_recorded_still_load(tmp_path):
    archive = RawArchive(Home(tmp_path))
    stored = archive.store(response(payload(day_rows(W.start, {"a/b": 5}, other=1), W.start, W.end), W), run_id="r1")
    path = tmp_path / "raw" / stored.path.replace(".json.gz", ".manifest.json")
    old = {k: v for k, v in json.loads(path.read_text()).items() if k not in ("redacted", "original_sha256")}
    path.write_text(json.dumps(old))
    [loaded] = archive.manifest()
    assert (loaded.redacted, loaded.original_sha256) == (False, None)
    assert loaded == stored

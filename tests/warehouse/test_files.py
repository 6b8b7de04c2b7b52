"""Atomic writes: the folder made when missing, the old file or the new one and never a part, no temp file left."""

from __future__ import annotations

import os
import stat

import pytest

from warehouse.files import create_atomic, write_atomic


def test_write_atomic_makes_the_folder_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a" / "b" / "x.parquet"
    write_atomic(target, b"one", durable=False)
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and os.listdir(target.parent) == ["x.parquet"]


def test_files_are_readable_by_others_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "r.md", b"report")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.md").stat().st_mode) == 0o644


def test_create_atomic_never_overwrites(tmp_path):
    create_atomic(tmp_path / "new" / "body.json.gz", b"first")
    with pytest.raises(FileExistsError):
        create_atomic(tmp_path / "new" / "body.json.gz", b"second")
    assert (tmp_path / "new" / "body.json.gz").read_bytes() == b"first"
    assert os.listdir(tmp_path / "new") == ["body.json.gz"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    write_atomic(tmp_path / "x", b"old")
    with pytest.raises(TypeError):
        write_atomic(tmp_path / "x", "not bytes")  # type: ignore[arg-type]
    assert (tmp_path / "x").read_bytes() == b"old" and os.listdir(tmp_path) == ["x"]

"""Reads the reviewed origin reference CSVs (package data of `transforms`) into a validated table.

`TOKENRANK_ORIGIN_OVERRIDES` may name another overrides CSV: which overrides are in force is
configuration, so a publication that counts a revealed stealth model differently needs no code change.
"""

from __future__ import annotations

import csv
import io
import os
from importlib import resources
from pathlib import Path

from transforms.origin import origin_rows

REFERENCE = resources.files("transforms").joinpath("reference")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def load_origin_reference() -> list[dict]:
    authors = REFERENCE.joinpath("origin_authors.csv").read_text()
    override_path = os.environ.get("TOKENRANK_ORIGIN_OVERRIDES")
    overrides = Path(override_path).read_text() if override_path else REFERENCE.joinpath("origin_overrides.csv").read_text()
    return origin_rows(_rows(authors), _rows(overrides))

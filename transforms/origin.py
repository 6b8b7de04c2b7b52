"""Origin attribution reference: who makes a model, and in which country (by headquarters). Pure.

Two inputs, both reviewed CSVs in `transforms/reference/` (configuration, not code):
- authors: `author,country,maker,note` — the maker behind an author prefix;
- overrides: `model,country,maker,effective_from,note` — a model (permaslug without `:variant`) whose
  maker differs from its author prefix, e.g. a stealth model under `openrouter/` once revealed.
Authors in neither file are `unattributed`; `dq_unattributed` lists them for a maintainer to map.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Mapping

UNATTRIBUTED = "unattributed"
_COUNTRY = re.compile(r"[A-Z]{2}")

ORIGIN_COLUMNS = ("scope", "key", "country", "maker", "effective_from", "note")
"""`dim_origin`'s columns. Grain: one row per (scope, key); scope 'author' or 'model'; effective_from and note may
be None."""


class ReferenceError(ValueError):
    """A reference CSV row that would attribute models wrongly; the load stops before using it."""


def origin_rows(authors: Iterable[Mapping[str, str]], overrides: Iterable[Mapping[str, str]]) -> list[dict]:
    """Validate the two reference row sets and combine them into `ORIGIN_COLUMNS` rows (plain Python values: a
    few dozen rows, not worth building Arrow for, which costs a run that loads nothing pandas' import)."""
    rows: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(scope: str, key: str, row: Mapping[str, str], effective_from: dt.date | None, where: str) -> None:
        country = (row.get("country") or "").strip()
        maker = (row.get("maker") or "").strip()
        if not _COUNTRY.fullmatch(country):
            raise ReferenceError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
        if not maker:
            raise ReferenceError(f"{where}: maker is empty")
        if (scope, key) in seen:
            raise ReferenceError(f"{where}: {key!r} is listed twice")
        seen.add((scope, key))
        note = (row.get("note") or "").strip() or None
        rows.append(dict(scope=scope, key=key, country=country, maker=maker, effective_from=effective_from, note=note))

    for line, row in enumerate(authors, start=2):
        author = (row.get("author") or "").strip()
        if not author or "/" in author:
            raise ReferenceError(f"origin_authors line {line}: author {author!r} must be a bare author prefix")
        add("author", author, row, None, f"origin_authors line {line}")
    for line, row in enumerate(overrides, start=2):
        model = (row.get("model") or "").strip()
        where = f"origin_overrides line {line}"
        if model.count("/") != 1 or ":" in model:
            raise ReferenceError(f"{where}: model {model!r} must be 'author/model-slug' without a variant")
        try:
            effective_from = dt.date.fromisoformat((row.get("effective_from") or "").strip())
        except ValueError:
            raise ReferenceError(f"{where}: effective_from must be a YYYY-MM-DD date") from None
        add("model", model, row, effective_from, where)
    return rows

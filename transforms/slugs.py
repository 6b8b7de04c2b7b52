"""Permaslug anatomy and display names. Pure.

A permaslug is `author/model-slug[:variant]`, e.g. `qwen/qwen3.6-plus-04-02:free`; `other` is reserved for
the daily long-tail row. Variants rank as separate entries; dated slugs are never merged.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

OTHER = "other"
_DATE_SUFFIX = re.compile(r"-(\d{8}|\d{2}-\d{2}|\d{4})$")
_VARIANT_LABEL = {"free": "(free)"}


def split_permaslug(permaslug: str) -> tuple[str, str, str | None]:
    """`author/model-slug[:variant]` → (author, model_slug, variant or None)."""
    author, sep, rest = permaslug.partition("/")
    if not sep or not author or not rest:
        raise ValueError(f"permaslug {permaslug!r} is not of the form author/model-slug[:variant]")
    model_slug, sep, variant = rest.partition(":")
    if not model_slug or (sep and not variant):
        raise ValueError(f"permaslug {permaslug!r} has an empty model slug or variant")
    return author, model_slug, variant or None


def base_slug(permaslug: str) -> str:
    """The permaslug without its `:variant` (what the catalogue calls `canonical_slug`)."""
    return permaslug.partition(":")[0]


def _with_variant(name: str, variant: str | None) -> str:
    if not variant:
        return name
    label = _VARIANT_LABEL.get(variant, f"({variant})")
    return name if name.endswith(label) else f"{name} {label}"


def slug_display_name(permaslug: str) -> str:
    """A readable name derived from the slug alone: `qwen/qwen3.6-plus-04-02:free` → 'Qwen3.6 Plus (free)'."""
    _, model_slug, variant = split_permaslug(permaslug)
    words = _DATE_SUFFIX.sub("", model_slug).split("-")
    return _with_variant(" ".join(w[:1].upper() + w[1:] for w in words if w), variant)


def catalogue_names(entries: Iterable[tuple[str, str | None, str | None]]) -> dict[str, str]:
    """(id, canonical_slug, name) rows → lookup of display names by id and by canonical slug.

    Names lose their 'Maker: ' prefix ('Xiaomi: MiMo-V2-Pro' → 'MiMo-V2-Pro'). An id match wins over a
    canonical-slug match; among canonical-slug matches the variant-free id wins.
    """
    by_id: dict[str, str] = {}
    by_canonical: dict[str, str] = {}
    for model_id, canonical, name in entries:
        if not name:
            continue
        short = name.split(": ", 1)[-1].strip()
        by_id[model_id] = short
        if canonical and (":" not in model_id or canonical not in by_canonical):
            by_canonical[canonical] = re.sub(r"\s*\([^)]*\)$", "", short) if ":" in model_id else short
    return {**{f"canonical:{k}": v for k, v in by_canonical.items()}, **by_id}


def display_name(permaslug: str, names: Mapping[str, str]) -> str:
    """The name a reader knows: catalogue name by id, else by canonical slug (+ variant label), else from the slug."""
    if permaslug in names:
        return _with_variant(names[permaslug], split_permaslug(permaslug)[2])
    canonical = names.get(f"canonical:{base_slug(permaslug)}")
    if canonical:
        return _with_variant(canonical, split_permaslug(permaslug)[2])
    return slug_display_name(permaslug)

"""The rankings-daily filters ("facets", API contract §1) and what the two facet datasets share.

Exact facets (`modality`, `context_bucket`) filter the daily figures themselves: `rankings_facets`. Sampled
facets (`category`, `language_type`) are weekly *estimates* from a classified sample: `rankings_estimates`.
Each request carries exactly one filter (one facet value), so each facet value is its own series.

Names: facet values contain '_' ('image_output') and '/' ('marketing/seo'), which neither a raw file name nor a
lake partition name may hold; `code` maps a facet or value to [a-z0-9-] ('image-output', 'marketing--seo',
'1k') and `decode_*` maps back through the closed lists below (an unknown code is a ValueError).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from transforms.dataset_facts import EXACT, SAMPLED
from transforms.datasets.base import Dataset

FACETS: dict[str, tuple[str, ...]] = {**EXACT, **SAMPLED}


def code(text: str) -> str:
    """A facet or value as it appears in file names: lower case, '_' → '-', '/' → '--'."""
    return text.lower().replace("_", "-").replace("/", "--")


_FACET_CODES = {code(facet): facet for facet in FACETS}
_VALUE_CODES = {(facet, code(value)): value for facet, values in FACETS.items() for value in values}


def decode_facet(text: str) -> str:
    try:
        return _FACET_CODES[text]
    except KeyError:
        raise ValueError(f"{text!r} is not a facet") from None


def decode_value(facet: str, text: str) -> str:
    try:
        return _VALUE_CODES[(facet, text)]
    except KeyError:
        raise ValueError(f"{text!r} is not a value of {facet}") from None


def facet_of(params: dict[str, str], facets: dict[str, tuple[str, ...]]) -> tuple[str, str]:
    """(facet, value) of a query that filters by exactly one of `facets`; ValueError otherwise."""
    given = [(facet, params[facet]) for facet in FACETS if params.get(facet)]
    if len(given) != 1 or given[0][0] not in facets or given[0][1] not in facets[given[0][0]]:
        raise ValueError(f"the request filters by {given or 'nothing'}, expected one of {', '.join(facets)}")
    return given[0]


def facet_schema(first: str) -> pa.Schema:
    """The rows of a facet table: `first` (the date column), facet, facet_value, model_permaslug, tokens, as_of,
    raw_file. `model_permaslug` 'other' is the row summing everything outside the top 50."""
    return pa.schema(
        [
            pa.field(first, pa.date32(), nullable=False),
            pa.field("facet", pa.string(), nullable=False),
            pa.field("facet_value", pa.string(), nullable=False),
            pa.field("model_permaslug", pa.string(), nullable=False),
            pa.field("total_tokens", pa.int64(), nullable=False),
            pa.field("as_of", pa.timestamp("us"), nullable=False),
            pa.field("raw_file", pa.string(), nullable=False),
        ]
    )


def facet_rows(schema: pa.Schema, rankings: pa.Table, facet: str, value: str) -> pa.Table:
    """Validated rankings rows (`RANKINGS_SCHEMA`) as a facet table of `schema` (its first column takes `date`),
    tagged with the facet."""
    n = rankings.num_rows
    return pa.table({
        schema.names[0]: rankings["date"],
        "facet": pa.array([facet] * n, pa.string()),
        "facet_value": pa.array([value] * n, pa.string()),
        "model_permaslug": rankings["model_permaslug"],
        "total_tokens": rankings["total_tokens"],
        "as_of": rankings["as_of"],
        "raw_file": rankings["raw_file"],
    }, schema=schema)


class FacetDataset(Dataset):
    """A facet dataset's partitions: (date, facet, value), named `<date>_<facet code>_<value code>` (`code`: the
    values hold '_' and '/')."""

    def partition_name(self, key) -> str:
        day, facet, value = key
        return f"{day.isoformat()}_{code(facet)}_{code(value)}"

    def parse_partition(self, name: str):
        parts = name.split("_")
        if len(parts) != 3:
            raise ValueError(f"{name!r} is not a {self.name} partition name")
        facet = decode_facet(parts[1])
        return dt.date.fromisoformat(parts[0]), facet, decode_value(facet, parts[2])

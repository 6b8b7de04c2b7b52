"""What readers of the warehouse (the report, the site) need to know of the datasets, without their declarations:
`transforms.datasets` builds pyarrow schemas, and importing it would cost every `tokenrank report` ~0.3 s.

The declarations take their `citation` (and the facet datasets their `table`, and the facet filters) from here,
so each fact is stated once.
"""

from __future__ import annotations

RANKINGS_CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."

CITATIONS: dict[str, str] = {
    "rankings-daily": RANKINGS_CITATION,
    "app-rankings": "Source: OpenRouter (openrouter.ai/apps), as of {as_of}.",
    "rankings-daily-facets": RANKINGS_CITATION,
    "rankings-weekly-estimates": RANKINGS_CITATION,
    "session-cost": "Source: OpenRouter Data API (openrouter.ai/docs/cookbook/administration/data-api), as of {as_of}.",
    "task-classifications": RANKINGS_CITATION,
}
"""Dataset name -> its source line (`Dataset.citation`), `{as_of}` as the response's meta.as_of gives it."""

FACET_TABLES: dict[str, str] = {
    "rankings-daily-facets": "fact_model_daily_facet",
    "rankings-weekly-estimates": "fact_model_weekly_estimate",
}
"""Facet dataset name -> its warehouse table (`Dataset.table`)."""

EXACT: dict[str, tuple[str, ...]] = {
    "modality": ("text", "image", "image_output", "audio", "tool_calling"),
    "context_bucket": ("1K", "10K", "100K", "1M", "10M"),
}
"""Exact-data filters: the daily figures restricted to that traffic (combinable with each other)."""

SAMPLED: dict[str, tuple[str, ...]] = {
    "category": ("programming", "roleplay", "marketing", "marketing/seo", "technology", "science", "translation",
                 "legal", "finance", "health", "trivia", "academia"),
    "language_type": ("natural", "programming"),
}
"""Sampled-data filters: weekly estimates only (`period=week`), never combined with another filter."""


def cite(dataset: str, as_of: str) -> str:
    """The dataset's source line with `as_of` filled in (what `DATASETS[dataset].cite(as_of)` gives)."""
    return CITATIONS[dataset].format(as_of=as_of)

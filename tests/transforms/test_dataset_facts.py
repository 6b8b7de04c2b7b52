"""The facts about the datasets that the report reads without importing their declarations."""

from transforms.dataset_facts import CITATIONS, EXACT, FACET_TABLES, SAMPLED, cite
from transforms.datasets import DATASETS
from transforms.datasets.facets import FACETS


def test_the_declarations_cite_and_store_as_the_facts_say():
    assert cite("app-rankings", "2026-04-06T02:00:00Z") == "Source: OpenRouter (openrouter.ai/apps), as of 2026-04-06T02:00:00Z."
    assert all(DATASETS[name].cite("2026-04-06T02:00:00Z") == cite(name, "2026-04-06T02:00:00Z") for name in CITATIONS)
    assert [DATASETS[name].table for name in FACET_TABLES] == ["fact_model_daily_facet", "fact_model_weekly_estimate"]
    assert all(DATASETS[name].table == table for name, table in FACET_TABLES.items())


def test_exact_and_sampled_facets_are_apart():
    assert FACETS == {**EXACT, **SAMPLED} and not set(EXACT) & set(SAMPLED)
    assert "category" in SAMPLED and "modality" in EXACT

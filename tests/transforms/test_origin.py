import datetime as dt

import pytest

from transforms.origin import ReferenceError, origin_rows


def test_authors_and_overrides_combine():
    rows = origin_rows(
        [{"author": "qwen", "country": "CN", "maker": "Alibaba (Qwen)", "note": ""}],
        [{"model": "openrouter/hunter-alpha", "country": "CN", "maker": "Xiaomi", "effective_from": "2026-03-18", "note": "revealed"}],
    )
    assert rows == [
        {"scope": "author", "key": "qwen", "country": "CN", "maker": "Alibaba (Qwen)", "effective_from": None, "note": None},
        {"scope": "model", "key": "openrouter/hunter-alpha", "country": "CN", "maker": "Xiaomi",
         "effective_from": dt.date(2026, 3, 18), "note": "revealed"},
    ]


@pytest.mark.parametrize(
    "authors, overrides, message",
    [
        ([{"author": "qwen", "country": "China", "maker": "Q"}], [], "not an ISO 3166-1"),
        ([{"author": "qwen", "country": "CN", "maker": "Q"}] * 2, [], "listed twice"),
        ([{"author": "qwen/x", "country": "CN", "maker": "Q"}], [], "bare author prefix"),
        ([], [{"model": "openrouter/h:free", "country": "CN", "maker": "X", "effective_from": "2026-03-18"}], "without a variant"),
        ([], [{"model": "openrouter/h", "country": "CN", "maker": "X", "effective_from": "soon"}], "YYYY-MM-DD"),
        ([{"author": "qwen", "country": "CN", "maker": ""}], [], "maker is empty"),
    ],
)
def test_bad_reference_rows(authors, overrides, message):
    with pytest.raises(ReferenceError, match=message):
        origin_rows(authors, overrides)


def test_shipped_reference_covers_every_sample_author(sample_payload):
    from warehouse.reference import load_origin_reference

    mapped = {r["key"] for r in load_origin_reference() if r["scope"] == "author"}
    authors = {r["model_permaslug"].split("/")[0] for r in sample_payload["data"]} - {"other", "openrouter"}
    assert authors <= mapped


def test_shipped_reference_covers_every_demo_author():
    from flows.sources.demo_dataset import daily_rows
    from warehouse.reference import load_origin_reference

    mapped = {r["key"] for r in load_origin_reference() if r["scope"] == "author"}
    authors = {r["model_permaslug"].split("/")[0] for r in daily_rows()} - {"other"}
    assert authors - mapped == {"openrouter"}  # stealth models: no country until an override says so

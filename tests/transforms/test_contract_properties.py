"""Property tests: any contract-valid body normalizes losslessly; any single bad token value is refused."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import day_rows, payload
from transforms.contract import INT64_MAX, ContractError, normalize_rankings

FIRST = dt.date(2026, 1, 1)
slugs = st.from_regex(r"[a-z][a-z0-9-]{0,8}/[a-z0-9.-]{1,12}(:free)?", fullmatch=True)
tokens = st.integers(min_value=0, max_value=INT64_MAX)


@st.composite
def bodies(draw):
    days = draw(st.integers(min_value=1, max_value=4))
    rows = []
    for offset in range(days):
        ranked = draw(st.dictionaries(slugs, tokens, min_size=1, max_size=50))
        rows += day_rows(FIRST + dt.timedelta(days=offset), ranked, other=draw(tokens))
    return payload(rows, FIRST, FIRST + dt.timedelta(days=days - 1))


@settings(max_examples=60, deadline=None)
@given(bodies())
def test_valid_bodies_keep_every_token_exactly(body):
    table = normalize_rankings(json.dumps(body).encode(), raw_file="f")
    assert table.num_rows == len(body["data"])
    got = {(r["date"].isoformat(), r["model_permaslug"]): r["total_tokens"] for r in table.to_pylist()}
    assert got == {(r["date"], r["model_permaslug"]): int(r["total_tokens"]) for r in body["data"]}


bad_tokens = st.one_of(
    st.integers(min_value=INT64_MAX + 1).map(str),
    st.integers(max_value=-1).map(str),
    st.floats(allow_nan=True).map(repr),
    st.text(min_size=0, max_size=6).filter(lambda s: not (s.isascii() and s.isdigit())),
    st.integers(min_value=0, max_value=10**6),
)


@settings(max_examples=80, deadline=None)
@given(bodies(), bad_tokens, st.data())
def test_one_bad_token_value_rejects_the_whole_body(body, bad, data):
    index = data.draw(st.integers(min_value=0, max_value=len(body["data"]) - 1))
    body["data"][index]["total_tokens"] = bad
    try:
        normalize_rankings(json.dumps(body).encode(), raw_file="f")
    except ContractError as exc:
        assert f"row {index}" in str(exc)
    else:
        raise AssertionError(f"{bad!r} was accepted")

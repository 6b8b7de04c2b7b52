"""The rankings-daily contract: what passes, and one clear error for every way a body can break it."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pyarrow as pa
import pytest

from tests.helpers import day_rows, payload
from transforms.contract import rankings_schema, ContractError, loads, normalize_catalogue, normalize_rankings

D1, D2 = dt.date(2026, 3, 30), dt.date(2026, 3, 31)


def good() -> dict:
    rows = day_rows(D1, {"qwen/qwen3.6-plus-04-02:free": 700, "xiaomi/mimo-v2-pro-20260318": 500}, other=40)
    rows += day_rows(D2, {"qwen/qwen3.6-plus-04-02:free": 710, "anthropic/claude-sonnet-4.6": 90}, other=41)
    return payload(rows, D1, D2)


def parse(body: dict | bytes, start=D1, end=D2) -> pa.Table:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return normalize_rankings(raw, raw_file="f1", window_start=start, window_end=end)


def test_good_body_becomes_typed_table():
    table = parse(good())
    assert table.schema == rankings_schema()
    assert table.num_rows == 6
    first = table.slice(0, 1).to_pylist()[0]
    assert first == {
        "date": D1, "model_permaslug": "qwen/qwen3.6-plus-04-02:free", "author": "qwen",
        "model_slug": "qwen3.6-plus-04-02", "variant": "free", "total_tokens": 700, "is_other": False,
        "as_of": dt.datetime(2026, 4, 6, 2, 0), "raw_file": "f1",
    }
    other = table.filter(table["is_other"]).to_pylist()
    assert [(r["date"], r["author"], r["model_slug"], r["total_tokens"]) for r in other] == [(D1, None, None, 40), (D2, None, None, 41)]


def test_real_sample_passes_and_keeps_every_token(sample_payload):
    start, end = dt.date(2026, 6, 8), dt.date(2026, 6, 21)
    table = parse(sample_payload, start, end)
    assert table.num_rows == 714
    expected = sum(int(r["total_tokens"]) for r in sample_payload["data"])  # independent: straight from the JSON
    assert pa.compute.sum(table["total_tokens"]).as_py() == expected
    assert table.filter(table["is_other"]).num_rows == 14
    assert set(table["author"].drop_null().to_pylist()) >= {"qwen", "xiaomi", "openrouter", "anthropic"}


def test_int64_extremes_survive_exactly():
    body = good()
    body["data"][0]["total_tokens"] = str(2**63 - 1)
    assert parse(body)["total_tokens"][0].as_py() == 2**63 - 1


def mutate(fn):
    body = copy.deepcopy(good())
    fn(body)
    return body


BAD = {
    "extra top-level key": (lambda b: b.update(extra=1), "unexpected extra"),
    "missing meta key": (lambda b: b["meta"].pop("as_of"), "missing as_of"),
    "extra row key": (lambda b: b["data"][0].update(prompt_tokens="1"), "unexpected prompt_tokens"),
    "missing row key": (lambda b: b["data"][1].pop("total_tokens"), "missing total_tokens"),
    "non-numeric tokens": (lambda b: b["data"][0].update(total_tokens="lots"), "'lots' is not a non-negative decimal-integer"),
    "negative tokens": (lambda b: b["data"][0].update(total_tokens="-5"), "'-5' is not a non-negative"),
    "float tokens": (lambda b: b["data"][0].update(total_tokens="1.5e12"), "'1.5e12' is not a non-negative"),
    "numeric not string": (lambda b: b["data"][0].update(total_tokens=12), "12 is not a non-negative"),
    "beyond int64": (lambda b: b["data"][0].update(total_tokens=str(2**63)), "does not fit in int64"),
    "date outside window": (lambda b: b["data"][0].update(date="2026-04-09"), "outside the requested window"),
    "bad date": (lambda b: b["data"][0].update(date="2026-02-30"), "not a calendar date"),
    "two other rows": (lambda b: b["data"].insert(2, {"date": "2026-03-30", "model_permaslug": "other", "total_tokens": "1"}),
                       "more than one 'other' row"),
    "duplicate row": (lambda b: b["data"].insert(1, dict(b["data"][0])), "duplicate"),
    "version drift": (lambda b: b["meta"].update(version="v2"), "meta.version is 'v2'"),
    "bad permaslug": (lambda b: b["data"][0].update(model_permaslug="no-author"), "not of the form author/model-slug"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_contract_breaches_are_one_line_errors(case):
    change, message = BAD[case]
    with pytest.raises(ContractError) as info:
        parse(mutate(change))
    text = str(info.value)
    assert message in text and text.startswith("f1: ") and "\n" not in text


def test_more_than_51_rows_a_day():
    rows = day_rows(D1, {f"a/m{i:02d}": 100 + i for i in range(51)}, other=5)
    with pytest.raises(ContractError, match="more than 51 rows"):
        parse(payload(rows, D1, D1), D1, D1)


def test_full_day_without_other_row():
    rows = day_rows(D1, {f"a/m{i:02d}": 100 + i for i in range(51)}, other=None)
    with pytest.raises(ContractError, match="51 rows but no 'other' row"):
        parse(payload(rows, D1, D1), D1, D1)


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"data": [{"date": "2026-03-30", "model_perm', "not valid JSON"),
        (b"<!DOCTYPE html><html><body>Cloudflare</body></html>", "body is HTML"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "response is list"),
    ],
)
def test_undecodable_bodies(body, message):
    with pytest.raises(ContractError, match=message):
        parse(body)


def test_catalogue_keeps_names_and_tolerates_new_fields():
    body = {"data": [
        {"id": "xiaomi/mimo-v2-pro", "canonical_slug": "xiaomi/mimo-v2-pro-20260318", "name": "Xiaomi: MiMo-V2-Pro",
         "created": 1773792000, "pricing": {"prompt": "0.000001"}, "brand_new_field": True},
        {"id": "qwen/qwen3.6-plus:free", "name": "Qwen: Qwen3.6 Plus (free)"},
    ]}
    table = normalize_catalogue(json.dumps(body).encode(), raw_file="m1")
    assert table.to_pylist()[0]["created"] == dt.datetime(2026, 3, 18)
    assert table["canonical_slug"].to_pylist() == ["xiaomi/mimo-v2-pro-20260318", None]
    with pytest.raises(ContractError, match="no string 'id'"):
        normalize_catalogue(b'{"data": [{"name": "x"}]}', raw_file="m2")


@pytest.mark.parametrize("text", [
    '{"data": [{"a": 1.5, "b": "\\u00e9", "c": null, "d": [true, false]}], "meta": {}}',
    '{"n": NaN, "i": Infinity}',  # orjson refuses these; json reads them
    '{"big": 123456789012345678901234567890}',  # past 64 bits: orjson would give a float
    '{"big": -18446744073709551616, "u64": 18446744073709551615, "s": "12345678901234567890"}',
    '{"x": 1e400}',
    '{"dup": 1, "dup": 2}',
])
def test_loads_gives_what_json_gives(text):
    got, want = loads(text.encode()), json.loads(text)
    assert repr(got) == repr(want)


@pytest.mark.parametrize("text", ['{"a": ', '[1,]', '"\\ud800', '', '\ufeff{}'])
def test_loads_fails_as_json_does(text):
    with pytest.raises(json.JSONDecodeError) as got:
        loads(text.encode())
    with pytest.raises(json.JSONDecodeError) as want:
        json.loads(text)
    assert str(got.value) == str(want.value)

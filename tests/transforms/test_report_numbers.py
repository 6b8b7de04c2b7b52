import pytest

from transforms.report.numbers import (
    chart_unit, count_of, fmt_fixed, fmt_pct, fmt_share, fmt_token_change, fmt_tokens, fmt_total_tokens, ordinal,
)

T = 10**12


@pytest.mark.parametrize(
    ("tokens", "text"),
    [(12_960 * 10**9, "12.96T"), (3_030 * 10**9, "3.03T"), (4_604 * 10**9, "4.6T"), (3_080 * 10**9, "3.08T"),
     (1_640 * 10**9, "1.64T"), (1_000 * 10**9, "1.0T"), (16_700 * 10**9, "16.7T"), (994 * 10**9, "0.99T")],
)
def test_tokens_read_like_the_seed(tokens, text):
    assert fmt_tokens(tokens) == text


@pytest.mark.parametrize(
    ("tokens", "text"), [(27_003 * 10**9, "27.0T"), (26_960 * 10**9, "27.0T"), (22_710 * 10**9, "22.7T")]
)
def test_the_total_has_one_decimal(tokens, text):
    assert fmt_total_tokens(tokens) == text


@pytest.mark.parametrize(
    ("fraction", "decimals", "text"),
    [(0.189, 1, "+18.9%"), (0.3148, 2, "+31.48%"), (0.0076, 2, "+0.76%"), (-0.0667, 1, "-6.7%"),
     (-0.00001, 1, "+0.0%"), (0.0, 2, "+0.00%")],
)
def test_percentages_are_signed(fraction, decimals, text):
    assert fmt_pct(fraction, decimals) == text


def test_small_changes_are_shown_in_billions():
    assert fmt_token_change(5 * 10**9) == "+5.0B"
    assert fmt_token_change(-18 * 10**9) == "-18.0B"
    assert fmt_token_change(int(0.25 * T)) == "+0.25T"


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (5, "5th"), (11, "11th"),
                                          (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (112, "112th")])
def test_ordinals(n, text):
    assert ordinal(n) == text


@pytest.mark.parametrize(
    ("tokens", "unit", "text"),
    [(4_600 * 10**9, "T", "4.60T"), (27_003 * 10**9, "T", "27.00T"), (4_605 * 10**9, "T", "4.61T"),
     (-9_930 * 10**9, "T", "-9.93T"), (450 * 10**9, "B", "450.0B"), (1_949_999, "M", "1.9M"), (0, "T", "0.00T")],
)
def test_chart_values_have_fixed_decimals(tokens, unit, text):
    assert fmt_fixed(tokens, unit) == text


def test_a_chart_unit_follows_its_largest_value():
    assert [chart_unit(v) for v in (27 * T, T, T - 1, 5 * 10**9, 5 * 10**6, 5)] == ["T", "T", "B", "B", "M", "K"]


def test_shares_and_counts():
    assert (fmt_share(0.248353), fmt_share(0.07), fmt_share(1.0)) == ("24.8%", "7.0%", "100.0%")
    assert (count_of(1, "week"), count_of(2, "week"), count_of(3, "country", "countries")) == (
        "1 week", "2 weeks", "3 countries"
    )

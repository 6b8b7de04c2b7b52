import pytest

from transforms.units import format_tokens


@pytest.mark.parametrize(
    "tokens, text",
    [
        (12_960_000_000_000, "12.96T"),
        (3_080_000_000, "3.08B"),
        (4_600_000_000_000, "4.6T"),
        (1_640_000_000_000, "1.64T"),
        (50_000_000_000_000, "50.0T"),
        (12_955_000_000_000, "12.96T"),  # half up, exact integers
        (999_994, "999.99K"),
        (999_995, "1.0M"),  # rounds into the next unit
        (1_000, "1.0K"),
        (999, "999"),
        (0, "0"),
        (-3_080_000_000, "-3.08B"),
        (9_223_372_036_854_775_807, "9223.37P"),  # int64 max: no float on the way
        (None, ""),
    ],
)
def test_format_tokens(tokens, text):
    assert format_tokens(tokens) == text

"""How the report writes numbers, in the style of the published weekly pieces (seed-figures.md).

Tokens are shown in trillions ("T"): two decimals with trailing zeros trimmed down to one ("12.96T",
"4.6T", "3.08T"); the week's total gets one decimal ("27.0T"). Growth is a fraction (0.189) shown as a
signed percentage: one decimal for the total, two for countries ("+18.9%", "+31.48%").
"""

from __future__ import annotations

from transforms.units import format_tokens

TRILLION = 10**12


def fmt_tokens(tokens: int | float) -> str:
    """Tokens in trillions, two decimals trimmed to at least one: 12_960_000_000_000 -> '12.96T'."""
    return format_tokens(tokens, unit="T")


def fmt_total_tokens(tokens: int | float) -> str:
    """The week's total, in trillions with one decimal: 27_003_000_000_000 -> '27.0T'."""
    return f"{tokens / TRILLION:.1f}T"


def fmt_token_change(delta: int | float) -> str:
    """A signed change in tokens, in billions below 0.1T so that small restatements stay visible."""
    if abs(delta) >= TRILLION / 10:
        return ("-" if delta < 0 else "+") + fmt_tokens(abs(delta))
    return f"{'-' if delta < 0 else '+'}{format_tokens(abs(delta), unit='B')}"


def fmt_pct(fraction: float, decimals: int = 1) -> str:
    """A growth fraction as a signed percentage: 0.3148 -> '+31.48%' (decimals=2); -0.05 -> '-5.0%'."""
    text = f"{abs(fraction) * 100:.{decimals}f}%"
    return ("-" if fraction < 0 and float(text[:-1]) != 0 else "+") + text


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 week', '2 weeks', '3 countries' (with `plural`): a count with its noun, plural unless it is 1."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


_UNIT_SCALES = {"T": 10**12, "B": 10**9, "M": 10**6, "K": 10**3}


def chart_unit(largest: int | float) -> str:
    """The unit a chart writes all its token values in: 'T' from 1T up, else 'B', 'M' or 'K'."""
    for unit, scale in _UNIT_SCALES.items():
        if largest >= scale:
            return unit
    return "K"


def unit_scale(unit: str) -> int:
    return _UNIT_SCALES[unit]


def fmt_fixed(tokens: int | float, unit: str, decimals: int | None = None) -> str:
    """Tokens in `unit` with a fixed number of decimals (default 2 for T, 1 otherwise), so that every
    value of one chart reads alike: 4_600_000_000_000 -> '4.60T', 27_003_000_000_000 -> '27.00T'."""
    decimals = (2 if unit == "T" else 1) if decimals is None else decimals
    value = int(tokens)
    sign, value = ("-", -value) if value < 0 else ("", value)
    scale = _UNIT_SCALES[unit]
    steps = (value * 10**decimals * 2 + scale) // (2 * scale)  # round half up, exactly
    whole, frac = divmod(steps, 10**decimals)
    return f"{sign}{whole}{'.' + str(frac).zfill(decimals) if decimals else ''}{unit}"


def fmt_share(fraction: float) -> str:
    """A share as a percentage with one decimal: 0.24835 -> '24.8%'."""
    return f"{fraction * 100:.1f}%"

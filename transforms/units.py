"""Human-readable token counts: 12_960_000_000_000 -> '12.96T', 3_080_000_000 -> '3.08B', 4.6e12 -> '4.6T'."""

from __future__ import annotations

_UNITS = [(10**3, "K"), (10**6, "M"), (10**9, "B"), (10**12, "T"), (10**15, "P")]


def format_tokens(tokens: int | None) -> str:
    """Two decimals in the largest unit not above the value, trailing zeros trimmed to one decimal; below 1,000 as is.

    Exact integer arithmetic (tokens are int64), rounding half up: 12_955_000_000_000 -> '12.96T', and a value
    that rounds to 1000 of a unit moves up one: 999_995 -> '1.0M'.
    """
    if tokens is None:
        return ""
    sign, value = ("-", -tokens) if tokens < 0 else ("", tokens)
    fitting = [i for i, (scale, _) in enumerate(_UNITS) if value >= scale]
    if not fitting:
        return f"{sign}{value}"
    i = fitting[-1]
    hundredths = _round_hundredths(value, _UNITS[i][0])
    if hundredths >= 100_000 and i + 1 < len(_UNITS):
        i += 1
        hundredths = _round_hundredths(value, _UNITS[i][0])
    whole, frac = divmod(hundredths, 100)
    decimals = f"{frac:02d}".rstrip("0") or "0"
    return f"{sign}{whole}.{decimals}{_UNITS[i][1]}"


def _round_hundredths(value: int, scale: int) -> int:
    return (value * 100 + scale // 2) // scale

"""Human-readable token counts: 12_960_000_000_000 -> '12.96T', 3_080_000_000 -> '3.08B', 4.6e12 -> '4.6T'."""

from __future__ import annotations

_UNITS = [(10**3, "K"), (10**6, "M"), (10**9, "B"), (10**12, "T"), (10**15, "P")]


def format_tokens(tokens: int | None, unit: str | None = None) -> str:
    """Two decimals in the largest unit not above the value, trailing zeros trimmed to one decimal; below 1,000 as is.

    Exact integer arithmetic (tokens are int64), rounding half up: 12_955_000_000_000 -> '12.96T', and a value
    that rounds to 1000 of a unit moves up one: 999_995 -> '1.0M'. `unit` ('K', 'M', 'B', 'T', 'P') fixes the
    unit instead, as the press does with trillions: format_tokens(950_000_000_000, unit="T") -> '0.95T'.
    """
    if tokens is None:
        return ""
    tokens = int(tokens)
    sign, value = ("-", -tokens) if tokens < 0 else ("", tokens)
    if unit is not None:
        i = [suffix for _, suffix in _UNITS].index(unit)
        return _format(sign, _round_hundredths(value, _UNITS[i][0]), unit)
    fitting = [i for i, (scale, _) in enumerate(_UNITS) if value >= scale]
    if not fitting:
        return f"{sign}{value}"
    i = fitting[-1]
    hundredths = _round_hundredths(value, _UNITS[i][0])
    if hundredths >= 100_000 and i + 1 < len(_UNITS):
        i += 1
        hundredths = _round_hundredths(value, _UNITS[i][0])
    return _format(sign, hundredths, _UNITS[i][1])


def _format(sign: str, hundredths: int, suffix: str) -> str:
    whole, frac = divmod(hundredths, 100)
    decimals = f"{frac:02d}".rstrip("0") or "0"
    return f"{sign}{whole}.{decimals}{suffix}"


def _round_hundredths(value: int, scale: int) -> int:
    return (value * 100 + scale // 2) // scale

"""Hand-written SVG: the drawing primitives and the frame every chart shares.

Pure functions of their arguments (no fonts are measured: text widths are estimated from character
classes, generously, so labels never collide in the narrowest layout). Every chart is a `Chart`:

    [SYNTHETIC badge]  title, subtitle          (wrapped to the width)
    plot                                        (drawn by the chart function)
    legend, notes                               (wrapped)
    source line with as_of + licence            (inside the image, so a copied chart keeps it)

Output is deterministic (same input, same bytes): the site's incremental build and the tests rely on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
INK = "#1d1f23"
MUTED = "#4a4f57"
"""Secondary text: 8.3:1 on white."""
GRID = "#dfe2e6"
MARGIN = 16
LICENCE = "Licensed under CC BY 4.0."
SYNTHETIC_BADGE = "SYNTHETIC demo data: made up, not OpenRouter figures"
SYNTHETIC_BADGE_SHORT = "SYNTHETIC: made-up demo data"

_NARROW_CHARS = set("il.,:;'|!()[]jtf ")
_WIDE_CHARS = set("mwMW%@")


def _char_units(char: str) -> float:
    """A character's width in em."""
    if char in _NARROW_CHARS:
        return 0.34
    if char in _WIDE_CHARS:
        return 0.95
    if char.isupper():
        return 0.72
    if char.isdigit():
        return 0.64
    return 0.6


_ASCII_UNITS = {chr(code): _char_units(chr(code)) for code in range(128)}


def _add_units(units: float, text: str) -> float:
    """`units` plus the width of `text` in em, added character by character (so a line's width can be
    carried on word by word and come out exactly as when measured whole)."""
    for char in text:
        units += _ASCII_UNITS.get(char) or _char_units(char)
    return units


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of `text`'s rendered width in px, on the wide side for common sans-serif fonts."""
    return _add_units(0.0, text) * size * (1.13 if bold else 1.0)


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Words of `text` greedily packed into lines no wider than `width` (a longer single word stays whole)."""
    lines: list[str] = []
    units = 0.0  # of the last line
    factor = 1.13 if bold else 1.0
    for word in text.split():
        if lines:
            joined = _add_units(units, " " + word)
            if joined * size * factor <= width:
                lines[-1] = f"{lines[-1]} {word}"
                units = joined
                continue
        lines.append(word)
        units = _add_units(0.0, word)
    return lines


def fit(text: str, size: float, width: float) -> str:
    """`text`, cut with an ellipsis to fit `width`."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def nice_ticks(high: float, low: float = 0.0, count: int = 4) -> list[float]:
    """About `count` round tick values (steps of 1, 2, 2.5 or 5 × 10^k) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def tick_decimals(ticks: list[float]) -> int:
    """Decimals needed to tell the ticks apart (0 for whole steps, 1 for 0.5 or 2.5, …)."""
    for decimals in range(4):
        if all(abs(t * 10**decimals - round(t * 10**decimals)) < 1e-9 for t in ticks):
            return decimals
    return 4


def num(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class SvgImage:
    """A finished SVG document and its size in px (the page's <img> width and height)."""

    svg: str
    width: int
    height: int


@dataclass
class Svg:
    """Elements of one image, in drawing order, plus pattern definitions."""

    width: int
    elements: list[str] = field(default_factory=list)
    patterns: dict[str, str] = field(default_factory=dict)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **attrs: str) -> None:
        self.elements.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(max(h, 0))}" '
            f'fill="{fill}"{_attrs(attrs)}/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = INK, width: float = 1,
             **attrs: str) -> None:
        self.elements.append(
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{stroke}" '
            f'stroke-width="{num(width)}"{_attrs(attrs)}/>'
        )

    def path(self, d: str, stroke: str, width: float = 2, fill: str = "none", **attrs: str) -> None:
        self.elements.append(f'<path d="{d}" stroke="{stroke}" stroke-width="{num(width)}" fill="{fill}"{_attrs(attrs)}/>')

    def text(self, x: float, y: float, text: str, size: float = 12, *, anchor: str = "start", bold: bool = False,
             fill: str = INK, **attrs: str) -> None:
        weight = ' font-weight="700"' if bold else ""
        anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.elements.append(
            f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}"{anchor_attr}{weight} fill="{fill}"'
            f"{_attrs(attrs)}>{escape(text)}</text>"
        )

    def hatch(self, colour: str, stripe: str = "#ffffff") -> str:
        """A fill of `colour` with diagonal `stripe` lines: the pattern that marks China wherever it appears."""
        key = f"hatch-{colour.lstrip('#')}"
        self.patterns[key] = (
            f'<pattern id="{key}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{colour}"/><rect width="2" height="6" fill="{stripe}" fill-opacity="0.55"/>'
            "</pattern>"
        )
        return f"url(#{key})"

    def document(self, height: float, title: str, description: str) -> SvgImage:
        height = math.ceil(height)
        defs = f"<defs>{''.join(self.patterns[k] for k in sorted(self.patterns))}</defs>" if self.patterns else ""
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{height}" '
            f'viewBox="0 0 {self.width} {height}" role="img" aria-labelledby="title desc" '
            f'font-family={quoteattr(FONT)}>'
            f'<title id="title">{escape(title)}</title><desc id="desc">{escape(description)}</desc>{defs}'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(self.elements)
            + "</svg>\n"
        )
        return SvgImage(svg, self.width, height)


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(_attr(name, str(value)) for name, value in attrs.items())


@lru_cache(maxsize=1024)
def _attr(name: str, value: str) -> str:
    """' stroke-width="0.6"': one attribute (a chart uses a handful of them thousands of times)."""
    return f" {name.replace('_', '-')}={quoteattr(value)}"


@dataclass(frozen=True)
class Layout:
    """How wide a chart is drawn: `wide` for desktop pages and files, `narrow` for phone screens."""

    width: int
    narrow: bool

    @property
    def title_size(self) -> float:
        return 15 if self.narrow else 18

    @property
    def text_size(self) -> float:
        return 12 if self.narrow else 13

    @property
    def small_size(self) -> float:
        return 11 if self.narrow else 12


WIDE = Layout(960, narrow=False)
NARROW = Layout(360, narrow=True)


@dataclass(frozen=True)
class Stamp:
    """What every chart carries whatever happens to it: the source with as_of, the licence, SYNTHETIC."""

    citation: str
    """'Source: OpenRouter (openrouter.ai/rankings), as of 2026-04-06T02:00:00Z.'"""
    synthetic: bool


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str
    """A colour, or a pattern reference from `Svg.hatch`."""
    outline: bool = False


class Chart:
    """Lays out one chart top to bottom; the chart function draws its plot into `plot_area`."""

    def __init__(self, layout: Layout, stamp: Stamp, title: str, subtitle: str | None = None) -> None:
        self.layout, self.stamp, self.title = layout, stamp, title
        self.svg = Svg(layout.width)
        self.y = float(MARGIN)
        self.inner = layout.width - 2 * MARGIN
        if stamp.synthetic:
            size = layout.small_size
            self.svg.rect(MARGIN, self.y, self.inner, size + 10, "#fff3cd", stroke="#8a6100", stroke_width="1.5")
            badge = SYNTHETIC_BADGE_SHORT if layout.narrow else SYNTHETIC_BADGE
            self.svg.text(MARGIN + 8, self.y + size + 2, badge, size, bold=True, fill="#5c4400")
            self.y += size + 18
        for line in wrap(title, layout.title_size, self.inner, bold=True):
            self.y += layout.title_size * 1.25
            self.svg.text(MARGIN, self.y, line, layout.title_size, bold=True)
        if subtitle:
            for line in wrap(subtitle, layout.text_size, self.inner):
                self.y += layout.text_size * 1.35
                self.svg.text(MARGIN, self.y, line, layout.text_size, fill=MUTED)
        self.y += 12

    def plot_area(self, height: float) -> tuple[float, float, float, float]:
        """Reserve `height` px for the plot: returns (x, y, width, height), the full inner width."""
        area = (float(MARGIN), self.y, float(self.inner), float(height))
        self.y += height
        if self.stamp.synthetic:
            x, y, w, h = area
            self.svg.text(x + w / 2, y + h / 2, "SYNTHETIC", min(w / 7, 80), anchor="middle", bold=True,
                          fill="#8a6100", fill_opacity="0.13",
                          transform=f"rotate(-18 {num(x + w / 2)} {num(y + h / 2)})", dominant_baseline="middle")
        return area

    def legend(self, items: list[LegendItem]) -> None:
        """Swatches with labels, flowed into rows."""
        size = self.layout.small_size
        self.y += 10
        x, row_height = float(MARGIN), size + 8
        self.y += row_height - 4
        for item in items:
            lines = wrap(item.label, size, self.inner - 16)
            width = 16 + max(text_width(line, size) for line in lines) + 14
            if x > MARGIN and x + width > MARGIN + self.inner:
                x, self.y = float(MARGIN), self.y + row_height
            outline = {"stroke": "#6b7079", "stroke_width": "1"} if item.outline else {}
            self.svg.rect(x, self.y - size + 1, 12, 12, item.fill, **outline)
            for i, line in enumerate(lines):
                self.svg.text(x + 16, self.y + i * (size + 3), line, size)
            if len(lines) > 1:  # a wrapped label takes whole rows
                x, self.y = float(MARGIN) + self.inner, self.y + (len(lines) - 1) * (size + 3)
            else:
                x += width
        self.y += 2

    def notes(self, lines: list[str]) -> None:
        size = self.layout.small_size
        self.y += 6
        for note in lines:
            for line in wrap(note, size, self.inner):
                self.y += size * 1.4
                self.svg.text(MARGIN, self.y, line, size, fill=MUTED)

    def finish(self, description: str) -> SvgImage:
        """Add the source line and licence, and return the SVG document."""
        size = self.layout.small_size
        self.y += 10
        self.svg.line(MARGIN, self.y, MARGIN + self.inner, self.y, GRID)
        self.y += 2
        footer = f"{self.stamp.citation} {LICENCE}"
        if self.stamp.synthetic:
            footer += " SYNTHETIC: demo data, not OpenRouter figures."
        for line in wrap(footer, size, self.inner):
            self.y += size * 1.4
            self.svg.text(MARGIN, self.y, line, size, fill=MUTED)
        return self.svg.document(self.y + MARGIN, self.title, description)

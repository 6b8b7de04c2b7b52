"""The report's and the site's charts, drawn as SVG from the frames the warehouse queries return.

Each chart comes in two layouts (`svg.WIDE` for desktops and files, `svg.NARROW` for phone screens, with
the last `NARROW_WEEKS` weeks only), carries its source line, licence and — on demo data — SYNTHETIC
inside the image (`svg.Chart`), labels its latest values, always labels the report's own week on the
time axis, and writes the numbers of one chart with the same decimals (`numbers.fmt_fixed`). China is
drawn with a hatch pattern wherever it appears, so colour is never the only thing telling it apart.

Every function here only formats and places numbers the warehouse computed; `describe_*` return the
chart's point in one or two sentences (the image's alt text and SVG <desc>).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from transforms.report.data import (
    OTHER_AUTHORS, OTHER_COUNTRIES, OUTSIDE, OUTSIDE_TOP50, UNATTRIBUTED, ReportData, Row, missing,
)
from transforms.report.numbers import chart_unit, count_of, fmt_fixed, fmt_pct, fmt_share, unit_scale
from transforms.report.svg import (
    GRID, INK, MUTED, NARROW, WIDE, Chart, Layout, LegendItem, Stamp, Svg, SvgImage, fit, nice_ticks, text_width,
    tick_decimals,
)
from transforms.report.text import country_name

NARROW_WEEKS = 12
"""Weeks a narrow (phone) time chart shows: the latest ones."""

MODEL_PALETTE = ["#4e79a7", "#e8762b", "#c03d3e", "#3a8a85", "#4f8f3f", "#a88a1f", "#9a5f8f", "#d05a86", "#8a6a55"]
"""One colour per rank of the latest week's top 9 (rank 1 first)."""
OTHERS_FILL = "#9aa0a8"
EARLIER_FILL = "#d3d7dc"
COUNTRY_COLOURS = {"CN": "#c8102e", "US": "#1f4e99", "FR": "#6a4c93", "GB": "#8c564b", "DE": "#5f6b2d",
                   "CA": "#b3541e", "IL": "#127a8a", "KR": "#d9730d", "JP": "#2e7d32", "unattributed": "#7b8089"}
OTHER_COUNTRY_COLOUR = "#a0784a"
OUTSIDE_FILL = "#d3d7dc"
PARTIAL_OPACITY = "0.45"


def country_colour(code: str) -> str:
    """The fixed colour of a country code in every chart ('unattributed' is grey)."""
    return COUNTRY_COLOURS.get(code, OTHER_COUNTRY_COLOUR)


def country_fill(svg: Svg, code: str) -> str:
    """The fill of a country: its colour, hatched for China."""
    return svg.hatch(country_colour(code)) if code == "CN" else country_colour(code)


def country_label(code: str) -> str:
    """'China (CN)', 'US', 'Unattributed': how a country reads in a legend."""
    if code == "unattributed":
        return "Unattributed"
    name = country_name(code).removeprefix("the ")
    return name if name == code else f"{name} ({code})"


def _day(week: dt.date) -> str:
    return f"{week.day} {week:%B %Y}"


# ---------------------------------------------------------------------------------------------- axes


@dataclass(frozen=True)
class Plot:
    """The drawable rectangle inside a plot area, once axis labels and the label column are set aside."""

    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def _plot(area: tuple[float, float, float, float], layout: Layout, axis_width: float,
          label_column: float = 0) -> Plot:
    x, y, w, h = area
    bottom_axis = 2.6 * layout.small_size + 8
    return Plot(x + axis_width, y + 8, w - axis_width - label_column, h - 8 - bottom_axis)


MAX_BAND = 56
"""The widest slot a week gets: a short history is drawn as narrow bars at the right, not as slabs."""


@dataclass(frozen=True)
class Bands:
    """`count` week slots, right-aligned in the plot (the latest week at the right edge)."""

    left: float
    band: float
    bar: float

    @classmethod
    def of(cls, plot: Plot, count: int) -> "Bands":
        band = min(plot.width / max(count, 1), MAX_BAND)
        return cls(plot.right - band * count, band, max(band * 0.72, 1.5))

    def x(self, i: int) -> float:
        """Left edge of week i's bar."""
        return self.left + self.band * i + (self.band - self.bar) / 2

    def centre(self, i: int) -> float:
        return self.left + self.band * (i + 0.5)


def _week_ticks(svg: Svg, plot: Plot, weeks: list[dt.date], layout: Layout) -> None:
    """Week labels under the bars, thinned to fit, counted back from the last week so that it is always
    labelled; the year is written under the first label and wherever it changes."""
    size = layout.small_size
    bands = Bands.of(plot, len(weeks))
    stride = max(1, -(-int(text_width("30 Sep", size) + 10) // max(int(bands.band), 1)))
    last_year = None
    shown = [i for i in range(len(weeks)) if (len(weeks) - 1 - i) % stride == 0]
    for i in shown:
        week = weeks[i]
        x = bands.centre(i)
        svg.line(x, plot.bottom, x, plot.bottom + 4, MUTED)
        svg.text(x, plot.bottom + size + 6, f"{week.day} {week:%b}", size, anchor="middle", fill=MUTED)
        if last_year is None or week.year != last_year:
            svg.text(x, plot.bottom + 2 * size + 9, f"{week:%Y}", size, anchor="middle", fill=MUTED)
        last_year = week.year


def _value_axis(svg: Svg, plot: Plot, ticks: list[float], label: Callable[[float], str], layout: Layout,
                ) -> Callable[[float], float]:
    """Horizontal grid lines with their labels left of the plot; returns value -> y."""
    low, high = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return plot.bottom - (value - low) / (high - low) * plot.height

    for tick in ticks:
        svg.line(plot.left, y(tick), plot.right, y(tick), GRID if tick != 0 else INK, 1)
        svg.text(plot.left - 6, y(tick) + layout.small_size * 0.35, label(tick), layout.small_size, anchor="end",
                 fill=MUTED)
    return y


def _token_ticks(high: float, unit: str, low: float = 0.0) -> tuple[list[float], Callable[[float], str]]:
    """Ticks in tokens and their labels in `unit` ('10T', '2.5T', '−5T')."""
    scale = unit_scale(unit)
    ticks = [t * scale for t in nice_ticks(high / scale, low / scale)]
    decimals = tick_decimals([t / scale for t in ticks])

    def label(value: float) -> str:
        text = f"{abs(value) / scale:.{decimals}f}{unit}" if value else "0"
        return ("−" if value < 0 else "+" if low < 0 and value > 0 else "") + text

    return ticks, label


@dataclass(frozen=True)
class EdgeLabel:
    """A label in the column right of the last bar, pointing at `target_y`: `name` (cut to fit) and `value`."""

    name: str
    value: str
    target_y: float
    fill: str


def _edge_labels(svg: Svg, plot: Plot, labels: list[EdgeLabel], layout: Layout, bar_right: float) -> None:
    """Labels beside the last bar, moved apart just enough not to overlap, with a leader line when moved."""
    size = layout.small_size
    gap = size + 3
    placed = sorted(labels, key=lambda label: label.target_y)
    ys = [label.target_y for label in placed]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    overflow = ys[-1] - (plot.bottom - 2) if ys else 0
    if overflow > 0:
        ys[-1] -= overflow
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    column = plot.right + 18
    width = svg.width - column - 8
    for label, y in zip(placed, ys):
        svg.line(bar_right + 2, label.target_y, column - 4, y, MUTED, 0.8)
        svg.rect(column - 2, y - size * 0.45, 8, 8, label.fill)
        value_width = text_width(label.value, size, bold=True) + 6
        svg.text(column + 10, y + size * 0.35, label.value, size, bold=True)
        svg.text(column + 10 + value_width, y + size * 0.35, fit(label.name, size, width - 10 - value_width), size)


def _partial_note(weeks: list[Row]) -> list[str]:
    return [
        f"Faded: the week of {_day(row['week_start'])} is incomplete ({int(row['days'])} of its 7 days loaded)."
        for row in weeks if not row["is_complete"]
    ]


def _window(data: ReportData, layout: Layout) -> list[Row]:
    """The weekly_totals rows a chart shows: every week of the report, the last `NARROW_WEEKS` on phones."""
    return data.totals[-NARROW_WEEKS:] if layout.narrow else data.totals


def _in_weeks(rows: list[Row], weeks: list[Row]) -> list[Row]:
    """The rows of `rows` whose week_start is one of `weeks`' (weekly_totals rows)."""
    shown = {week["week_start"] for week in weeks}
    return [row for row in rows if row["week_start"] in shown]


def _window_subtitle(weeks: list[dt.date]) -> str:
    return f"{count_of(len(weeks), 'week')} to the week of {_day(weeks[-1])}"


# ---------------------------------------------------------------------------------- stacked weekly bars


@dataclass(frozen=True)
class Segment:
    key: str
    """What the segment is (permaslug, author, country code, or a group name): equal keys, equal fills."""
    value: float
    fill: str


def _stacked_bars(chart: Chart, weeks: list[Row], stacks: dict[dt.date, list[Segment]],
                  top: dict[dt.date, float], value_ticks: tuple[list[float], Callable[[float], str]],
                  edge: list[tuple[str, str, str, str]], top_label: str | None) -> None:
    """Bars of stacked segments, one per week of `weeks` (weekly_totals rows; bottom segment first), with
    the last bar's segments labelled in the right column (wide) — `edge` is (segment key, name, value, fill)
    in stack order."""
    layout = chart.layout
    week_list = [row["week_start"] for row in weeks]
    label_column = 0 if layout.narrow else 270
    plot = _plot(chart.plot_area(260 if layout.narrow else 340), layout, 44, label_column)
    ticks, tick_label = value_ticks
    y = _value_axis(chart.svg, plot, ticks, tick_label, layout)
    bands = Bands.of(plot, len(week_list))
    bar = bands.bar
    for i, row in enumerate(weeks):
        x = bands.x(i)
        base = 0.0
        faded = {} if row["is_complete"] else {"fill_opacity": PARTIAL_OPACITY}
        for segment in stacks.get(row["week_start"], []):
            y0, y1 = y(base), y(base + segment.value)
            chart.svg.rect(x, y1, bar, y0 - y1, segment.fill, stroke="#ffffff",
                           stroke_width="0.6" if bar > 4 else "0", **faded)
            base += segment.value
    _week_ticks(chart.svg, plot, week_list, layout)
    last = week_list[-1]
    x_last = bands.centre(len(week_list) - 1)
    if top_label:
        chart.svg.text(x_last, y(top[last]) - 6, top_label, layout.small_size, anchor="middle", bold=True)
    if layout.narrow:
        return
    centres, base = {}, 0.0
    for segment in stacks.get(last, []):
        centres[segment.key] = y(base + segment.value / 2)
        base += segment.value
    labels = [EdgeLabel(name, value, centres[key], fill) for key, name, value, fill in edge if key in centres]
    _edge_labels(chart.svg, plot, labels, layout, x_last + bar / 2)


def _of_week(rows: list[Row], week: dt.date, order: str) -> list[Row]:
    """The rows of one week, by the column `order`."""
    return sorted((row for row in rows if row["week_start"] == week), key=lambda row: row[order])


def _by_week(rows: list[Row], order: str) -> dict[dt.date, list[Row]]:
    """`rows` grouped by week (in week order), each week's rows by the column `order`."""
    grouped: dict[dt.date, list[Row]] = {}
    for row in sorted(rows, key=lambda row: (row["week_start"], row[order])):
        grouped.setdefault(row["week_start"], []).append(row)
    return grouped


def weekly_models_chart(data: ReportData, layout: Layout, stamp: Stamp) -> SvgImage:
    """Each week's own top 9 models stacked (#1 at the bottom), all other tokens on top as Others: the
    chart of openrouter.ai/rankings. The latest week's top 9 keep one colour each across the weeks; a
    model in an earlier week's top 9 only is drawn in light grey."""
    weeks = _window(data, layout)
    week_list = [row["week_start"] for row in weeks]
    top9 = _in_weeks(data.top9, weeks)
    latest = _of_week(top9, data.week_start, "rank")
    colours = {row["model_permaslug"]: MODEL_PALETTE[i] for i, row in enumerate(latest)}
    chart = Chart(layout, stamp, "Weekly tokens: each week's top 9 models and all others",
                  f"{_window_subtitle(week_list)}. Tokens per week (T = 10¹² tokens).")
    stacks: dict[dt.date, list[Segment]] = {}
    for week, rows in _by_week(top9, "rank").items():
        stacks[week] = [Segment(row["model_permaslug"], row["tokens"], colours.get(row["model_permaslug"], EARLIER_FILL))
                        for row in rows]
    for row in weeks:
        stacks.setdefault(row["week_start"], []).append(Segment("Others", row["others_tokens"], OTHERS_FILL))
    totals = {row["week_start"]: row["total_tokens"] for row in weeks}
    this_week = data.week_totals
    edge = [(row["model_permaslug"], f"#{int(row['rank'])} {row['display_name']}", fmt_fixed(row["tokens"], "T"),
             colours[row["model_permaslug"]]) for row in latest]
    edge.append(("Others", "Others", fmt_fixed(this_week["others_tokens"], "T"), OTHERS_FILL))
    _stacked_bars(chart, weeks, stacks, totals, _token_ticks(max(totals.values()) * 1.06, "T"), edge,
                  fmt_fixed(this_week["total_tokens"], "T"))
    others = "Others: every other model, and tokens outside the daily top 50"
    if layout.narrow:  # no room beside the bars: the legend carries the latest values
        items = [LegendItem(f"{name} {value}", fill) for _, name, value, fill in edge[:-1]]
        items.append(LegendItem(f"{others} ({edge[-1][2]})", OTHERS_FILL))
    else:
        items = [LegendItem(others, OTHERS_FILL)]
    items.append(LegendItem("Other models that were in an earlier week's top 9", EARLIER_FILL, outline=True))
    chart.legend(items)
    chart.notes([f"Labelled: the week of {_day(data.week_start)}, total {fmt_fixed(this_week['total_tokens'], 'T')}.",
                 *_partial_note(weeks)])
    return chart.finish(describe_weekly_models(data))


def describe_weekly_models(data: ReportData) -> str:
    totals = data.week_totals
    first = next(row for row in data.top9 if row["week_start"] == data.week_start and row["rank"] == 1)
    sentence = (
        f"Stacked weekly bars of each week's top 9 models and all others, {_window_subtitle(data.weeks)}: "
        f"{fmt_fixed(totals['total_tokens'], 'T')} tokens in the latest week"
    )
    if not data.is_complete:
        sentence += f" so far ({int(totals['days'])} of 7 days)"
    elif not missing(totals["wow_growth"]):
        sentence += f", {fmt_pct(totals['wow_growth'])} on the week before"
    return (f"{sentence}; #1 {first['display_name']} with {fmt_fixed(first['tokens'], 'T')}, and "
            f"{fmt_fixed(totals['top9_tokens'], 'T')} for the top 9 together.")


def _share_chart(chart: Chart, rows: list[Row], weeks: list[Row], names: dict[int, str],
                 fills: dict[int, str], week: dt.date) -> None:
    """100% stacked bars of `rows`' shares by `position` (bottom first), latest shares labelled."""
    stacks = {
        day: [Segment(str(int(row["position"])), row["share"], fills[int(row["position"])]) for row in shares]
        for day, shares in _by_week(rows, "position").items()
    }
    edge = [(str(int(row["position"])), names[int(row["position"])], fmt_share(row["share"]),
             fills[int(row["position"])]) for row in _of_week(rows, week, "position")]
    _stacked_bars(chart, weeks, stacks, {w: 1.0 for w in stacks}, ([0, 0.25, 0.5, 0.75, 1.0], lambda v: f"{v:.0%}"),
                  edge, None)
    chart.legend([LegendItem(f"{name} {value}" if chart.layout.narrow else name, fill)
                  for _, name, value, fill in edge])


def author_share_chart(data: ReportData, layout: Layout, stamp: Stamp) -> SvgImage:
    """Each week's tokens by model author, as a share of all tokens (the daily `other` rows included)."""
    weeks = _window(data, layout)
    names, fills = _author_names(data)
    chart = Chart(layout, stamp, "Share of tokens by model author",
                  f"{_window_subtitle([row['week_start'] for row in weeks])}. The {len(names) - 2} largest authors "
                  f"of the week of {_day(data.week_start)}, by share of all tokens.")
    _share_chart(chart, _in_weeks(data.authors, weeks), weeks, names, fills, data.week_start)
    chart.notes(["Authors are the maker prefix of a model's slug (qwen/…, anthropic/…).", *_partial_note(weeks)])
    return chart.finish(describe_author_share(data))


def _latest_authors(data: ReportData) -> list[Row]:
    """The report week's named authors (not the groups), by position."""
    return [row for row in _of_week(data.authors, data.week_start, "position") if not missing(row["author"])]


def _author_names(data: ReportData) -> tuple[dict[int, str], dict[int, str]]:
    names = {int(row["position"]): row["author"] for row in _latest_authors(data)}
    fills = {position: MODEL_PALETTE[(position - 1) % len(MODEL_PALETTE)] for position in names}
    names |= {OTHER_AUTHORS: "Other authors", OUTSIDE_TOP50: "Outside the daily top 50"}
    fills |= {OTHER_AUTHORS: OTHERS_FILL, OUTSIDE_TOP50: OUTSIDE_FILL}
    return names, fills


def describe_author_share(data: ReportData) -> str:
    shares = ", ".join(f"{row['author']} {fmt_share(row['share'])}" for row in _latest_authors(data)[:3])
    return (f"Share of all tokens by model author, {_window_subtitle(data.weeks)}; "
            f"the largest in the latest week: {shares}.")


def _country_names(data: ReportData, svg: Svg) -> tuple[dict[int, str], dict[int, str]]:
    codes = {int(row["position"]): row["country"] for row in data.country_shares if not missing(row["country"])}
    names = {position: country_label(code) for position, code in codes.items()}
    fills = {position: country_fill(svg, code) for position, code in codes.items()}
    names |= {OTHER_COUNTRIES: "Other countries", UNATTRIBUTED: "Unattributed", OUTSIDE: "Outside the daily top 50"}
    fills |= {OTHER_COUNTRIES: OTHER_COUNTRY_COLOUR, UNATTRIBUTED: country_colour("unattributed"),
              OUTSIDE: OUTSIDE_FILL}
    return names, fills


def country_share_chart(data: ReportData, layout: Layout, stamp: Stamp) -> SvgImage:
    """Each week's tokens by the maker's country, over all ranked models, as a share of all tokens."""
    weeks = _window(data, layout)
    chart = Chart(layout, stamp, "Share of tokens by maker's country",
                  f"{_window_subtitle([row['week_start'] for row in weeks])}. All ranked models, by share of all "
                  "tokens; China hatched.")
    names, fills = _country_names(data, chart.svg)
    _share_chart(chart, _in_weeks(data.country_shares, weeks), weeks, names, fills, data.week_start)
    chart.notes(["Tokens outside the daily top 50 (OpenRouter's `other` row) are of unknown origin.",
                 *_partial_note(weeks)])
    return chart.finish(describe_country_share(data))


def describe_country_share(data: ReportData) -> str:
    def shares(week: dt.date) -> dict[str, float]:
        return {row["country"]: row["share"] for row in data.country_shares
                if row["week_start"] == week and row["country"] in ("CN", "US")}

    first_week = data.weeks[0]
    now, then = shares(data.week_start), shares(first_week)
    parts = [
        f"{country_name(code).removeprefix('the ')} {fmt_share(now.get(code, 0))}"
        + (f" (from {fmt_share(then.get(code, 0))} in the week of {_day(first_week)})"
           if first_week != data.week_start else "")
        for code in ("CN", "US")
    ]
    return (f"Share of all tokens by maker's country; in the week of {_day(data.week_start)}: "
            + ", ".join(parts) + ".")


# ------------------------------------------------------------------------------------------ top 10


def _change_text(row: Row) -> str:
    """The week-on-week column of the top-10 chart: 'new', '▲ 12.3%', '▼ 6.7%', '–'."""
    if not missing(row["is_new"]) and bool(row["is_new"]):
        return "new"
    if missing(row["wow_growth"]):
        return "–"
    change = fmt_pct(row["wow_growth"])
    if change == "+0.0%":
        return "= 0.0%"
    return ("▲ " if change.startswith("+") else "▼ ") + change[1:]


def top10_chart(data: ReportData, layout: Layout, stamp: Stamp) -> SvgImage:
    """The week's ranks 1–10: tokens (with the upper bound where a model left the top 50 on some
    days), maker's country in words and colour, and the change on the previous week."""
    top = data.ranked[:10]
    chart = Chart(layout, stamp, f"Top 10 models, week of {_day(data.week_start)}",
                  "Tokens this week, by maker's country (China hatched), and the change on the previous week.")
    svg, size = chart.svg, layout.small_size
    row_height = 44.0 if layout.narrow else 30.0
    x0, y0, width, _ = chart.plot_area(row_height * len(top) + 26)
    change_width = 74 if layout.narrow else 110
    if layout.narrow:
        bar_left, name_width = x0 + 30, width - change_width
    else:
        bar_left, name_width = x0 + 300, 256
    bar_room = x0 + width - change_width - bar_left - (84 if layout.narrow else 150)
    largest = max(max(row["tokens_upper"] for row in top), 1)
    unit = "T" if largest >= 10**12 else chart_unit(largest)
    svg.text(bar_left, y0 + size, "Tokens", size, fill=MUTED)
    svg.text(x0 + width, y0 + size, "vs last week", size, anchor="end", fill=MUTED)
    for i, row in enumerate(top):
        top_y = y0 + 26 + i * row_height
        name = f"#{int(row['rank'])} {row['display_name']}"
        bar_y = top_y + (size + 6 if layout.narrow else 4)
        bar_h = row_height - (size + 14 if layout.narrow else 10)
        if layout.narrow:
            svg.text(x0, top_y + size, fit(name, size, name_width - 8), size, bold=True)
            svg.text(x0, bar_y + bar_h - 3, row["country"][:3] if row["country"] != "unattributed" else "?", size,
                     fill=MUTED)
        else:
            svg.text(x0, bar_y + bar_h - 5, fit(name, layout.text_size, name_width - 8), layout.text_size)
            svg.text(x0 + name_width, bar_y + bar_h - 5, row["country"] if row["country"] != "unattributed" else "n/a",
                     layout.text_size, fill=MUTED)
        fill = country_fill(svg, row["country"])
        length = bar_room * row["tokens"] / largest
        svg.rect(bar_left, bar_y, length, bar_h, fill)
        label = fmt_fixed(row["tokens"], unit)
        end = bar_left + length
        if row["tokens_upper"] > row["tokens"]:
            extra = bar_room * (row["tokens_upper"] - row["tokens"]) / largest
            svg.rect(end, bar_y, extra, bar_h, fill, fill_opacity="0.3", stroke=INK, stroke_width="0.8",
                     stroke_dasharray="3 2")
            end += extra
            label += f" (≤{fmt_fixed(row['tokens_upper'], unit)})"
        svg.text(end + 5, bar_y + bar_h - 3 - (0 if layout.narrow else 2), label, size)
        change = _change_text(row)
        svg.text(x0 + width, (top_y + size) if layout.narrow else (bar_y + bar_h - 5), change,
                 size if layout.narrow else layout.text_size, anchor="end", bold=change == "new")
    countries = list(dict.fromkeys(row["country"] for row in top))
    chart.legend([LegendItem(country_label(code), country_fill(svg, code)) for code in countries])
    notes = []
    if any(row["tokens_upper"] > row["tokens"] for row in top):
        notes.append("(≤…), dashed: the most the model could have had. On days it was outside the daily top 50 "
                     "its tokens are hidden in OpenRouter's `other` row, so the bar is a lower bound.")
    if not data.is_complete:
        notes.append(f"The week is incomplete ({int(data.week_totals['days'])} of 7 days): – marks no comparison.")
    chart.notes(notes)
    return chart.finish(describe_top10(data))


def describe_top10(data: ReportData) -> str:
    top = data.ranked[:10]
    leaders = "; ".join(
        f"#{int(row['rank'])} {row['display_name']} {fmt_fixed(row['tokens'], 'T')} ({_change_text(row).replace('▲ ', '+').replace('▼ ', '-')})"
        for row in top[:3]
    )
    counts: dict[str, int] = {}
    for row in top:
        if not missing(row["country"]):
            counts[row["country"]] = counts.get(row["country"], 0) + 1
    makers = ", ".join(f"{count} from {country_name(code) if code != 'unattributed' else 'unattributed makers'}"
                       for code, count in sorted(counts.items(), key=lambda item: -item[1]))
    return f"Top 10 models in the week of {_day(data.week_start)}: {leaders}. Of the 10, {makers}."


# ------------------------------------------------------------------------------------ China vs the US


def lead_chart(data: ReportData, layout: Layout, stamp: Stamp) -> SvgImage:
    """China minus the US on the top-9 basis, week by week, with the range the bounds allow."""
    weeks = _window(data, layout)
    lead_rows = _in_weeks(data.lead, weeks)
    lead = {row["week_start"]: row for row in lead_rows}
    week_list = [row["week_start"] for row in weeks]
    chart = Chart(layout, stamp, "China minus the US: weekly tokens of their top-9 models",
                  f"{_window_subtitle(week_list)}. Above zero China leads, below zero the US.")
    svg, size = chart.svg, layout.small_size
    plot = _plot(chart.plot_area(240 if layout.narrow else 300), layout, 48, 0 if layout.narrow else 90)
    low = min(min(row["lead_low"] for row in lead_rows), min(row["lead"] for row in lead_rows), 0) * 1.06
    high = max(max(row["lead_high"] for row in lead_rows), max(row["lead"] for row in lead_rows), 0) * 1.08
    ticks, label = _token_ticks(high, "T", low)
    y = _value_axis(svg, plot, ticks, label, layout)
    bands = Bands.of(plot, len(week_list))
    bar = bands.bar
    cn, us = svg.hatch(country_colour("CN")), country_colour("US")
    any_uncertain = False
    for i, week in enumerate(weeks):
        row = lead[week["week_start"]]
        x = bands.x(i)
        certain = row["lead_low"] > 0 or row["lead_high"] < 0
        any_uncertain |= not certain
        style = {} if certain else {"fill_opacity": "0.35", "stroke": INK, "stroke_width": "0.8",
                                    "stroke_dasharray": "3 2"}
        if not week["is_complete"]:
            style["fill_opacity"] = PARTIAL_OPACITY
        top, bottom = sorted((y(row["lead"]), y(0)))
        svg.rect(x, top, bar, bottom - top, cn if row["lead"] > 0 else us, **style)
        if row["lead_high"] > row["lead_low"]:
            centre, cap = x + bar / 2, min(bar / 2, 5)
            svg.line(centre, y(row["lead_low"]), centre, y(row["lead_high"]), INK, 1.5)
            for value in (row["lead_low"], row["lead_high"]):
                svg.line(centre - cap, y(value), centre + cap, y(value), INK, 1.5)
    _week_ticks(svg, plot, week_list, layout)
    svg.text(plot.left + 6, plot.top + size + 2, "▲ China ahead", size, bold=True, fill=country_colour("CN"))
    if low < 0:
        svg.text(plot.left + 6, plot.bottom - 6, "▼ US ahead", size, bold=True, fill=us)
    last = lead[week_list[-1]]
    x_last = bands.centre(len(week_list) - 1)
    value = ("+" if last["lead"] > 0 else "") + fmt_fixed(last["lead"], "T").replace("-", "−")
    above = last["lead"] >= 0
    anchor_y = y(max(last["lead"], last["lead_high"])) - 6 if above else y(min(last["lead"], last["lead_low"])) + size + 4
    svg.text(x_last if layout.narrow else x_last + bar / 2 + 8, anchor_y, value, size, bold=True,
             anchor="end" if layout.narrow else "start")
    items = [LegendItem("China ahead", cn), LegendItem("US ahead", us)]
    if any_uncertain:
        items.append(LegendItem("Faded, dashed: bounds overlap, lead not certain", "#c9cdd3", outline=True))
    chart.legend(items)
    chart.notes([lead_caption(), *_partial_note(weeks)])
    return chart.finish(describe_lead(data))


def lead_caption() -> str:
    """What the whiskers of the lead chart are (also the figure's caption on the page)."""
    return (
        "Whiskers: the range the difference can take. A model outside a day's top 50 is hidden in "
        "OpenRouter's `other` row, so each country's tokens are a lower bound with an upper bound beside it "
        "(the ≤ figures); the lead is certain only when one side's lower bound beats the other's upper bound."
    )


def describe_lead(data: ReportData) -> str:
    row = next(row for row in data.lead if row["week_start"] == data.week_start)
    if row["lead"] == 0:
        return f"China and the US are level on the top-9 basis in the week of {_day(data.week_start)}."
    leader = "China" if row["lead"] > 0 else "the US"
    certain = row["lead_low"] > 0 or row["lead_high"] < 0
    return (
        f"China minus the US, weekly tokens of their top-9 models, {_window_subtitle(data.weeks)}: "
        f"{leader} ahead by {fmt_fixed(abs(row['lead']), 'T')} in the week of {_day(data.week_start)}"
        f" (between {fmt_fixed(row['lead_low'], 'T')} and {fmt_fixed(row['lead_high'], 'T')} within the bounds; "
        f"{'certain' if certain else 'not certain'})."
    )


# ------------------------------------------------------------------------------- history (site pages)


@dataclass(frozen=True)
class WeeklySeries:
    """One model's or one country's weekly tokens for a history chart: rows by week_start with `tokens`,
    `tokens_upper` when `has_upper`, and the week's `is_complete` and `days`; weeks without a row have no bar."""

    title: str
    subtitle: str
    rows: list[Row]
    weeks: list[dt.date]
    fill_code: str | None
    """A country code to colour the bars by (China hatched), or None for the neutral colour."""
    has_upper: bool = False


def history_chart(series: WeeklySeries, layout: Layout, stamp: Stamp, description: str) -> SvgImage:
    """Weekly bars over a whole history (the last `NARROW_WEEKS` on phones), the latest bar labelled."""
    weeks = series.weeks[-NARROW_WEEKS:] if layout.narrow else series.weeks
    shown = set(weeks)
    frame = [row for row in series.rows if row["week_start"] in shown]
    rows = {row["week_start"]: row for row in frame}
    chart = Chart(layout, stamp, series.title, series.subtitle)
    svg = chart.svg
    plot = _plot(chart.plot_area(220 if layout.narrow else 280), layout, 48, 0 if layout.narrow else 90)
    has_upper = series.has_upper
    largest = max(max(row["tokens_upper" if has_upper else "tokens"] for row in frame) if frame else 1, 1)
    unit = chart_unit(largest)
    ticks, label = _token_ticks(largest, unit)
    y = _value_axis(svg, plot, ticks, label, layout)
    bands = Bands.of(plot, len(weeks))
    bar = bands.bar
    fill = country_fill(svg, series.fill_code) if series.fill_code else MODEL_PALETTE[0]
    for i, week in enumerate(weeks):
        if week not in rows:
            continue
        row = rows[week]
        x = bands.x(i)
        faded = {} if row["is_complete"] else {"fill_opacity": PARTIAL_OPACITY}
        svg.rect(x, y(row["tokens"]), bar, y(0) - y(row["tokens"]), fill, **faded)
        if has_upper and row["tokens_upper"] > row["tokens"]:
            svg.rect(x, y(row["tokens_upper"]), bar, y(row["tokens"]) - y(row["tokens_upper"]), fill,
                     fill_opacity="0.3", stroke=INK, stroke_width="0.6", stroke_dasharray="3 2")
    _week_ticks(svg, plot, weeks, layout)
    items = []
    if rows:
        last_week = max(rows)
        last = rows[last_week]
        i = weeks.index(last_week)
        x = bands.centre(i)
        top = last["tokens_upper"] if has_upper else last["tokens"]
        text = fmt_fixed(last["tokens"], unit)
        near_end = i >= len(weeks) - 3
        svg.text(x + (bar / 2 + 6 if near_end and not layout.narrow else 0), y(top) - 6, text, layout.small_size,
                 anchor="start" if near_end and not layout.narrow else "middle", bold=True)
    if has_upper and any(row["tokens_upper"] > row["tokens"] for row in frame):
        items.append(LegendItem("Dashed: up to the upper bound (outside the top 50 on some days)", "#c9cdd3",
                                outline=True))
    if rows and not all(row["is_complete"] for row in frame):
        items.append(LegendItem("Faded: incomplete week", fill))
    if items:
        chart.legend(items)
    missing_weeks = [w for w in weeks if w not in rows]
    if missing_weeks:
        chart.notes([f"No bar: not ranked that week ({count_of(len(missing_weeks), 'week')} of {len(weeks)})."])
    return chart.finish(description)


# ------------------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the weekly report: its file stem, drawing function and alt text."""

    stem: str
    draw: Callable[[ReportData, Layout, Stamp], SvgImage]
    describe: Callable[[ReportData], str]
    caption: str | None = None


CHARTS = [
    ChartSpec("weekly_models", weekly_models_chart, describe_weekly_models),
    ChartSpec("top10_models", top10_chart, describe_top10),
    ChartSpec("author_share", author_share_chart, describe_author_share),
    ChartSpec("country_share", country_share_chart, describe_country_share),
    ChartSpec("cn_vs_us_lead", lead_chart, describe_lead, lead_caption()),
]
"""The weekly report's charts, in the order the report shows them."""

LAYOUTS = {"": WIDE, "-narrow": NARROW}
"""File-name suffix -> layout: `weekly_models.svg` (wide) and `weekly_models-narrow.svg`."""

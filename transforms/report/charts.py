"""The report's three charts, drawn with matplotlib's Agg renderer and returned as PNG bytes.

Every chart is `CHART_SIZE_PX` (1200×600 px), has a title, axis labels with units (T = 10^12 tokens)
and a legend, and colours each country the same way (`country_colour`). Figures are built with
`matplotlib.figure.Figure` on an Agg canvas, not pyplot, so no global backend or state is touched.
"""

from __future__ import annotations

import io

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from transforms.report.data import ReportData
from transforms.report.numbers import TRILLION, fmt_pct, fmt_tokens, fmt_total_tokens
from transforms.report.text import country_name

CHART_SIZE_PX = (1200, 600)
DPI = 100
COUNTRY_COLOURS = {
    "CN": "#d62728", "US": "#1f77b4", "FR": "#9467bd", "GB": "#8c564b", "DE": "#e377c2", "CA": "#bcbd22",
    "IL": "#17becf", "KR": "#ff7f0e", "JP": "#2ca02c", "unattributed": "#7f7f7f",
}
OTHER_COUNTRY_COLOUR = "#b8860b"
TOTAL_COLOUR = "#c9ccd1"
WEEK_BAR_DAYS = 5


def country_colour(code: str) -> str:
    """The fixed colour of a country code in every chart ('unattributed' is grey)."""
    return COUNTRY_COLOURS.get(code, OTHER_COUNTRY_COLOUR)


def country_label(code: str) -> str:
    """'China (CN)', 'US', 'Unattributed': how a country reads in a legend."""
    if code == "unattributed":
        return "Unattributed"
    name = country_name(code).removeprefix("the ")
    return name if name == code else f"{name} ({code})"


def _figure() -> Figure:
    width, height = CHART_SIZE_PX
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _week_axis(ax: Axes, weeks: int) -> None:
    """Ticks on Mondays, at most about a dozen of them."""
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=max(1, -(-weeks // 12))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b\n%Y"))
    ax.set_xlabel("Week (starting Monday, UTC)")


def _country_history(data: ReportData, code: str, weeks: pd.Series) -> pd.DataFrame:
    """One country's chart_top9 rows on every week of `weeks` (zero where none of its models ranked)."""
    rows = data.countries[(data.countries["basis"] == "chart_top9") & (data.countries["country"] == code)]
    rows = rows.set_index("week_start")[["tokens", "tokens_upper"]].reindex(weeks)
    return rows.fillna(0).astype("int64")


def weekly_tokens_chart(data: ReportData) -> bytes:
    """Total weekly tokens (bars) and China vs US on the top-9 basis (lines) over the history window.

    Bounds are left to the lead chart: here they would be slivers too thin to see."""
    totals = data.totals.sort_values("week_start")
    weeks = totals["week_start"]
    fig = _figure()
    ax = fig.add_subplot()
    complete = totals["is_complete"].astype(bool)
    ax.bar(weeks[complete], totals.loc[complete, "total_tokens"] / TRILLION, width=WEEK_BAR_DAYS,
           color=TOTAL_COLOUR, label="All models (total)")
    if not complete.all():
        ax.bar(weeks[~complete], totals.loc[~complete, "total_tokens"] / TRILLION, width=WEEK_BAR_DAYS,
               color="white", edgecolor="#888888", hatch="//", label="Incomplete week (partial total)")
    last = totals.iloc[-1]
    ax.annotate(fmt_total_tokens(last["total_tokens"]), (last["week_start"], last["total_tokens"] / TRILLION),
                xytext=(0, 4), textcoords="offset points", ha="center", va="bottom", fontsize=10)
    for code in ("CN", "US"):
        rows = _country_history(data, code, weeks)
        colour = country_colour(code)
        ax.plot(rows.index, rows["tokens"] / TRILLION, color=colour, marker="o", markersize=4, linewidth=2,
                label=f"{country_label(code)}, top-9 models")
    ax.set_title(f"Weekly tokens on OpenRouter, last {len(totals)} weeks: all models, and China vs US")
    ax.set_ylabel("Tokens per week (T)")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    _week_axis(ax, len(weeks))
    ax.legend(loc="upper left")
    return _png(fig)


def top10_chart(data: ReportData) -> bytes:
    """The week's top 10 models: tokens (left) and week-on-week change (right), coloured by country."""
    top = data.models.sort_values("rank").head(10).reset_index(drop=True)
    positions = list(range(len(top)))
    colours = [country_colour(code) for code in top["country"]]
    fig = _figure()
    tokens_ax, change_ax = fig.subplots(1, 2, sharey=True, width_ratios=[3, 2])

    tokens_ax.barh(positions, top["tokens"] / TRILLION, color=colours)
    above = top["tokens_upper"] > top["tokens"]
    if above.any():
        bounded = top[above]
        tokens_ax.errorbar(bounded["tokens"] / TRILLION, bounded.index,
                           xerr=[[0] * len(bounded), (bounded["tokens_upper"] - bounded["tokens"]) / TRILLION],
                           fmt="none", ecolor="black", elinewidth=1.2, capsize=4, label="Range up to the upper bound")
    for position, row in top.iterrows():
        label = fmt_tokens(row["tokens"]) + (f" (≤{fmt_tokens(row['tokens_upper'])})" if above[position] else "")
        tokens_ax.annotate(label, (max(row["tokens"], row["tokens_upper"]) / TRILLION, position), xytext=(4, 0),
                           textcoords="offset points", va="center", fontsize=9)
    tokens_ax.set_yticks(positions, [f"#{int(r)} {name}" for r, name in zip(top["rank"], top["display_name"])])
    tokens_ax.invert_yaxis()
    tokens_ax.set_xlabel("Tokens this week (T)")
    tokens_ax.set_xlim(0, top["tokens_upper"].max() / TRILLION * 1.2)
    tokens_ax.set_title("Tokens")
    tokens_ax.grid(axis="x", alpha=0.3)

    growth = top["wow_growth"].astype("float64") * 100
    change_bars = change_ax.barh(positions, growth.fillna(0), color=colours)
    change_ax.bar_label(change_bars, labels=[
        "new" if pd.isna(g) else fmt_pct(g / 100) for g in growth
    ], padding=3, fontsize=9)
    change_ax.axvline(0, color="black", linewidth=0.8)
    low, high = min(growth.min(skipna=True), 0), max(growth.max(skipna=True), 0)
    if pd.isna(low):
        low, high = 0, 0
    margin = max(high - low, 10) * 0.25
    change_ax.set_xlim(low - (margin if low < 0 else 0), high + margin)
    change_ax.set_xlabel("Change on previous week (%)")
    change_ax.set_title("Week-on-week change")
    change_ax.grid(axis="x", alpha=0.3)

    handles = [Patch(color=country_colour(code), label=country_label(code)) for code in dict.fromkeys(top["country"])]
    handles += tokens_ax.get_legend_handles_labels()[0]
    tokens_ax.legend(handles=handles, title="Maker's country", loc="lower right")
    fig.suptitle(f"Top 10 models, week of {data.week.day} {data.week:%B %Y}", fontsize=14)
    return _png(fig)


def lead_chart(data: ReportData, first: str = "CN", second: str = "US") -> bytes:
    """`first` minus `second` (top-9 basis) week by week, with bounds and the current streak marked."""
    weeks = data.totals.sort_values("week_start")["week_start"]
    a, b = _country_history(data, first, weeks), _country_history(data, second, weeks)
    diff = (a["tokens"] - b["tokens"]) / TRILLION
    low = (a["tokens"] - b["tokens_upper"]) / TRILLION
    high = (a["tokens_upper"] - b["tokens"]) / TRILLION
    uncertain = (low <= 0) & (high >= 0)
    fig = _figure()
    ax = fig.add_subplot()
    colours = [country_colour(first) if d > 0 else country_colour(second) for d in diff]
    ax.bar(weeks, diff, width=WEEK_BAR_DAYS, color=colours,
           hatch=["//" if u else "" for u in uncertain], edgecolor="white")
    bounded = (high > low).to_numpy()
    if bounded.any():
        ax.errorbar(weeks[bounded], diff[bounded], yerr=[(diff - low)[bounded], (high - diff)[bounded]], fmt="none",
                    ecolor="black", elinewidth=1, capsize=3, label="Range allowed by the bounds")
    ax.axhline(0, color="black", linewidth=0.8)
    handles = [
        Patch(color=country_colour(first), label=f"{country_label(first)} ahead"),
        Patch(color=country_colour(second), label=f"{country_label(second)} ahead"),
    ]
    if uncertain.any():
        handles.append(
            Patch(facecolor="#999999", hatch="//", edgecolor="white", label="Bounds overlap: lead not certain")
        )
    for leader, other in ((first, second), (second, first)):
        streak = data.streak("country_vs", subject=leader, rival=other, basis="chart_top9")
        if streak is None or streak["streak_weeks"] < 1:
            continue
        count = int(streak["streak_weeks"])
        start = (pd.Timestamp(streak["streak_start"]) if not pd.isna(streak["streak_start"])
                 else data.week - pd.Timedelta(weeks=count - 1))
        half_week = pd.Timedelta(days=3.5)
        ax.axvspan(max(start, weeks.iloc[0]) - half_week, data.week + half_week, color=country_colour(leader),
                   alpha=0.1, linewidth=0)
        weeks_text = f"{count} week{'s' if count != 1 else ''}"
        handles.append(Patch(color=country_colour(leader), alpha=0.25,
                             label=f"Current streak: {country_name(leader)} ahead for {weeks_text}"))
    ax.set_title(f"{country_label(first)} vs {country_label(second)}: weekly lead in tokens, top-9 models")
    ax.set_ylabel(f"{first} minus {second} (T tokens)")
    ax.grid(axis="y", alpha=0.3)
    _week_axis(ax, len(weeks))
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], loc="upper left")
    return _png(fig)


CHARTS = {
    "weekly_tokens.png": weekly_tokens_chart,
    "top10_models.png": top10_chart,
    "cn_vs_us_lead.png": lead_chart,
}
"""File name -> chart function, in the order the report shows them."""

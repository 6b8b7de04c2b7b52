"""The report's Apps section: the week's top apps on OpenRouter (app-rankings), in words and one chart.

Apps are ranked by OpenRouter per Monday–Sunday week; every figure here is one the warehouse stored or
derived (`AppsData`), and carries the apps source line (`DATASETS["app-rankings"].cite`), not the
model rankings' one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transforms.datasets import DATASETS
from transforms.report.data import APP_CATEGORIES, AppsData, Row, missing
from transforms.report.numbers import chart_unit, count_of, fmt_fixed
from transforms.report.svg import INK, MUTED, Chart, Layout, Stamp, SvgImage, fit
from transforms.report.text import _rank_change, format_as_of, wow_change

NO_APPS = "No app rankings are loaded for this week."
TRENDING_NOTE = "Trending apps are ranked by OpenRouter on growth beyond the three weeks before, not on tokens."
APPS_STEM = "top10_apps"
APP_FILL = "#3a8a85"


def apps_citation(as_of: dt.datetime) -> str:
    """'Source: OpenRouter (openrouter.ai/apps), as of 2026-04-06T02:00:00Z.'"""
    return DATASETS["app-rankings"].cite(format_as_of(as_of))


@dataclass(frozen=True)
class AppsText:
    """The Apps section, ready to lay out (plain text). With no app row in the week only `empty` is set."""

    empty: str | None
    top10: list[dict]
    """One row per app of ranks 1–10: rank, app (its latest name), app_id, tokens (text), wow_change, rank_change."""
    top10_note: str | None
    leaders: list[str]
    trending: list[str]
    """The overall trending list's first apps, in rank order: 'name (tokens)'."""
    trending_note: str
    citation: str | None


def _category(scope: str) -> str:
    return scope.capitalize()


def leader_line(row: Row) -> str:
    """'Coding: Kilo Code, #1 for 3 consecutive weeks (since the week of 2026-03-16; longest run 5 weeks)'."""
    weeks = int(row["streak_weeks"])
    line = f"{_category(row['scope'])}: {row['app_name']}, "
    if weeks == 1:
        line += "#1 this week"
    else:
        line += f"#1 for {count_of(weeks, 'consecutive week')}"
        line += f" (since the week of {row['streak_start']:%Y-%m-%d})"
    if not missing(row["longest_weeks"]) and int(row["longest_weeks"]) > weeks:
        line += f"; its longest run at #1: {count_of(int(row['longest_weeks']), 'week')}"
    return line


def write_apps_text(apps: AppsData) -> AppsText:
    if apps.empty:
        return AppsText(NO_APPS, [], None, [], [], TRENDING_NOTE, None)
    unit = chart_unit(max(max(row["tokens"] for row in apps.top10), 1)) if apps.top10 else "B"
    top10 = [
        {"rank": int(row["rank"]), "app": row["app_name"], "app_id": int(row["app_id"]),
         "tokens": fmt_fixed(row["tokens"], unit), "wow_change": wow_change(row), "rank_change": _rank_change(row)}
        for row in apps.top10
    ]
    note = None
    if not apps.top10:
        note = "The overall list of this week is not loaded."
    elif all(missing(row["prev_rank"]) for row in apps.top10) and not any(row["is_new"] for row in apps.top10):
        note = "The previous week's overall list is not loaded, so there is nothing to compare with (–)."
    by_scope = {row["scope"]: row for row in apps.leaders}
    leaders = [leader_line(by_scope[scope]) if scope in by_scope else f"{_category(scope)}: no list loaded"
               for scope in APP_CATEGORIES]
    trending = [f"{row['app_name']} ({fmt_fixed(row['total_tokens'], chart_unit(row['total_tokens']))} tokens)"
                for row in apps.trending]
    return AppsText(None, top10, note, leaders, trending, TRENDING_NOTE, apps_citation(apps.as_of))


def apps_stamp(apps: AppsData, synthetic: bool) -> Stamp:
    return Stamp(citation=apps_citation(apps.as_of), synthetic=synthetic)


def _change(row: Row) -> str:
    change = wow_change(row)
    return change if change in ("new", "–") else ("▲ " if change.startswith("+") else "▼ ") + change[1:]


def apps_chart(apps: AppsData, week: dt.date, layout: Layout, stamp: Stamp) -> SvgImage:
    """The week's overall top 10 apps: tokens as horizontal bars, and the change on the previous week."""
    top = apps.top10
    chart = Chart(layout, stamp, f"Top 10 apps, week of {week.day} {week:%B %Y}",
                  "Tokens each app sent through OpenRouter this week (overall popular list), and the change on the "
                  "previous week.")
    svg, size = chart.svg, layout.small_size
    row_height = 40.0 if layout.narrow else 28.0
    x0, y0, width, _ = chart.plot_area(row_height * max(len(top), 1) + 26)
    change_width = 70 if layout.narrow else 100
    bar_left = x0 + (30 if layout.narrow else 260)
    bar_room = x0 + width - change_width - bar_left - (60 if layout.narrow else 80)
    largest = max(max((int(row["tokens"]) for row in top), default=1), 1)
    unit = chart_unit(largest)
    svg.text(bar_left, y0 + size, "Tokens", size, fill=MUTED)
    svg.text(x0 + width, y0 + size, "vs last week", size, anchor="end", fill=MUTED)
    for i, row in enumerate(top):
        top_y = y0 + 26 + i * row_height
        name = f"#{int(row['rank'])} {row['app_name']}"
        if layout.narrow:
            svg.text(x0, top_y + size, fit(name, size, width - change_width - 8), size, bold=True)
            bar_y, bar_h = top_y + size + 6, row_height - size - 14
        else:
            bar_y, bar_h = top_y + 4, row_height - 10
            svg.text(x0, bar_y + bar_h - 4, fit(name, layout.text_size, 250), layout.text_size)
        length = bar_room * row["tokens"] / largest
        svg.rect(bar_left, bar_y, length, bar_h, APP_FILL)
        svg.text(bar_left + length + 5, bar_y + bar_h - 3, fmt_fixed(row["tokens"], unit), size)
        change = _change(row)
        svg.text(x0 + width, (top_y + size) if layout.narrow else (bar_y + bar_h - 4), change, size, anchor="end",
                 bold=change == "new", fill=INK)
    return chart.finish(describe_apps(apps, week))


def describe_apps(apps: AppsData, week: dt.date) -> str:
    """The chart's point: the top three apps and their tokens."""
    top = apps.top10
    unit = chart_unit(max(max((int(row["tokens"]) for row in top), default=1), 1))
    leaders = "; ".join(f"#{int(row['rank'])} {row['app_name']} {fmt_fixed(row['tokens'], unit)}"
                        for row in top[:3])
    return f"Top 10 apps on OpenRouter by tokens in the week of {week.day} {week:%B %Y}: {leaders}."

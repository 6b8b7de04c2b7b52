"""The report's words, written from the tables in the manner of the published pieces (seed-figures.md).

Every claim that rests on a comparison checks the bounds: a model that leaves a day's top 50 is only a
lower bound that day (`tokens` ≤ true ≤ `tokens_upper`), and when the bounds of the two sides overlap
the sentence says that the claim is not certain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transforms.report.data import ReportData, Row, group_by, missing
from transforms.report.numbers import (
    count_of, fmt_fixed, fmt_pct, fmt_token_change, fmt_tokens, fmt_total_tokens, ordinal,
)

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
SYNTHETIC_NOTICE = (
    "Synthetic data: this report was built from the demo dataset. Its figures are made up for "
    "demonstration and describe no real usage."
)
UNATTRIBUTED = "unattributed"
UNATTRIBUTED_MIN_SHARE = 0.01
RESTATED_LINES_PER_WEEK = 10

COUNTRY_NAMES = {
    "CN": "China", "US": "the US", "FR": "France", "GB": "the UK", "DE": "Germany", "CA": "Canada",
    "IL": "Israel", "KR": "South Korea", "JP": "Japan", "AE": "the UAE", "IN": "India", "SG": "Singapore",
}
"""How a country code reads in a sentence; other codes are written as they are."""

TOP10_COLUMNS = ["rank", "model", "model_permaslug", "country", "tokens", "tokens_T", "wow_change", "rank_change"]


@dataclass(frozen=True)
class ReportText:
    """Everything the report says, ready to lay out as Markdown or HTML (plain text, no markup)."""

    title: str
    synthetic_notice: str | None
    notices: list[str]
    headline: list[str]
    basis_note: str
    lead_note: str
    top10: list[Row]
    """One row per model of ranks 1–10, columns `TOP10_COLUMNS` (also the Prefect table artifact)."""
    table_note: str | None
    """What '–' and 'new' mean in the table when the week is not compared with a previous one."""
    bounds_note: str | None
    """What '(≤…)' means, when a top-10 model has an upper bound above its tokens."""
    unattributed: str
    restated_intro: str
    restated: list[str]
    citation: str


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


def origin_label(code: str) -> str:
    """'China-origin', 'US-origin': the name without its article."""
    return f"{country_name(code).removeprefix('the ')}-origin"


def format_as_of(as_of: dt.datetime) -> str:
    """Naive UTC timestamp -> '2026-04-06T02:00:00Z', the form of OpenRouter's meta.as_of."""
    return as_of.strftime("%Y-%m-%dT%H:%M:%SZ")


def week_span(week: dt.date) -> str:
    """'week of 30 March – 5 April 2026' (Monday to Sunday)."""
    end = week + dt.timedelta(days=6)
    start = f"{week.day} {week:%B}" if week.year == end.year else f"{week.day} {week:%B %Y}"
    return f"week of {start} – {end.day} {end:%B %Y}"


def week_title(week: dt.date) -> str:
    """'OpenRouter usage, week of 30 March – 5 April 2026'."""
    return f"OpenRouter usage, {week_span(week)}"


def total_sentence(data: ReportData) -> str:
    """'Total usage rose 18.9% to 27.0T tokens.'; an incomplete week names its days and the previous week."""
    totals = data.week_totals
    total = fmt_total_tokens(totals["total_tokens"])
    if not data.is_complete:
        sentence = f"Total usage so far: {total} tokens in {int(totals['days'])} of its 7 days"
        previous = data.previous_totals
        if previous is not None and previous["is_complete"]:
            sentence += (
                f" (the complete previous week: {fmt_total_tokens(previous['total_tokens'])}; "
                "growth is given once this week is complete)"
            )
        return sentence + "."
    growth = totals["wow_growth"]
    if missing(growth):
        return f"Total usage was {total} tokens (no complete previous week to compare with)."
    change = fmt_pct(growth)
    if change == "+0.0%":
        return f"Total usage was flat at {total} tokens."
    verb = "rose" if change.startswith("+") else "fell"
    return f"Total usage {verb} {change[1:]} to {total} tokens."


def _country(rows: dict[str, Row], code: str) -> Row:
    """A country's row, or zeros when none of its models is in the basis."""
    return rows.get(code, {"tokens": 0, "tokens_upper": 0, "wow_growth": None})


def _growth(value: object) -> str:
    return "no previous week" if missing(value) else fmt_pct(value, 2)


def country_sentence(data: ReportData, first: str = "CN", second: str = "US") -> str:
    """'China-origin models: 12.96T (+31.48%), ahead of the US (3.03T, +0.76%) for the 5th consecutive week.'

    An incomplete week gets no growth: 'China-origin models so far: 2.0T, ahead of the US (0.6T).'"""
    rows = data.country_rows("chart_top9")
    a, b = _country(rows, first), _country(rows, second)
    if not data.is_complete:
        if a["tokens"] == b["tokens"]:
            return (
                f"{origin_label(first)} and {origin_label(second)} models are level so far at "
                f"{fmt_tokens(a['tokens'])}."
            )
        (leader, lead), (other, trail) = sorted([(first, a), (second, b)], key=lambda item: -item[1]["tokens"])
        sentence = (
            f"{origin_label(leader)} models so far: {fmt_tokens(lead['tokens'])}, "
            f"ahead of {country_name(other)} ({fmt_tokens(trail['tokens'])})"
        )
        return sentence + _overlap_clause(lead, other, trail) + "."
    if a["tokens"] == b["tokens"]:
        return (
            f"{origin_label(first)} and {origin_label(second)} models are level at {fmt_tokens(a['tokens'])} "
            f"({_growth(a['wow_growth'])} and {_growth(b['wow_growth'])})."
        )
    (leader, lead), (other, trail) = sorted([(first, a), (second, b)], key=lambda item: -item[1]["tokens"])
    sentence = (
        f"{origin_label(leader)} models: {fmt_tokens(lead['tokens'])} ({_growth(lead['wow_growth'])}), "
        f"ahead of {country_name(other)} ({fmt_tokens(trail['tokens'])}, {_growth(trail['wow_growth'])})"
    )
    streak = data.streak("country_vs", subject=leader, rival=other, basis="chart_top9")
    if streak is not None and streak["streak_weeks"] >= 2:
        weeks, certain = int(streak["streak_weeks"]), streak["certain_weeks"]
        sentence += f" for the {ordinal(weeks)} consecutive week"
        if not missing(certain) and certain < weeks:
            sentence += f" (the lead was certain in {int(certain)} of those {weeks} weeks)"
    elif streak is not None and streak["streak_weeks"] == 1:
        sentence += ", a lead new this week"
    return sentence + _overlap_clause(lead, other, trail) + "."


def _overlap_clause(lead: Row, other: str, trail: Row) -> str:
    if lead["tokens"] > trail["tokens_upper"]:
        return ""
    return (
        f"; but the bounds overlap ({country_name(other)} could have had up to "
        f"{fmt_tokens(trail['tokens_upper'])}), so this week's lead is not certain"
    )


def top1_clause(data: ReportData) -> str:
    """'#1: Qwen3.6 Plus (free), 4.6T, new at #1, ending MiMo-V2-Pro's 2-week run' (no full stop).

    "new at #1" needs a complete previous week (streaks count complete weeks only); an incomplete week
    says '#1 so far' and names the previous week's #1 instead."""
    top = data.ranked[0]
    previous = data.streak("model_top1", week=data.previous_week)
    previous_name = None
    if previous is not None:
        previous_name = previous["subject_name"] if not missing(previous["subject_name"]) else previous["subject"]
    if not data.is_complete:
        sentence = f"#1 so far: {top['display_name']}, {fmt_tokens(top['tokens'])}"
        if previous is not None:
            same = previous["subject"] == top["model_permaslug"]
            sentence += ", as in the previous week" if same else f"; #1 in the previous week: {previous_name}"
    else:
        sentence = f"#1: {top['display_name']}, {fmt_tokens(top['tokens'])}"
        streak = data.streak("model_top1", subject=top["model_permaslug"])
        weeks = 1 if streak is None else int(streak["streak_weeks"])
        if weeks >= 2:
            sentence += f", #1 for the {ordinal(weeks)} consecutive week"
        elif previous is not None:
            sentence += ", new at #1"
            if previous["subject"] != top["model_permaslug"]:
                sentence += f", ending {previous_name}'s {int(previous['streak_weeks'])}-week run"
    return sentence


def top1_sentence(data: ReportData) -> str:
    """'#1: Qwen3.6 Plus (free), 4.6T, new at #1, ending MiMo-V2-Pro's 2-week run. #2: …; #3: ….'"""
    models = data.ranked
    top = models[0]
    sentence = top1_clause(data)
    if len(models) > 1:
        runner = models[1]
        if top["tokens"] <= runner["tokens_upper"]:
            sentence += (
                f"; but the bounds overlap ({runner['display_name']} could have had up to "
                f"{fmt_tokens(runner['tokens_upper'])}), so this #1 is not certain"
            )
        others = [
            f"#{int(row['rank'])}: {row['display_name']}, {fmt_tokens(row['tokens'])}"
            for row in models[1:3]
        ]
        return f"{sentence}. {'; '.join(others)}."
    return sentence + "."


def index_sentence(data: ReportData) -> str:
    """The week in one line, for the site's list of weeks: the total and the #1."""
    return f"{total_sentence(data)} {top1_clause(data)}."


def composition_sentence(models: list[Row], size: int = 9) -> str:
    """'The top 9 by maker's country: #1–#6 China, #7–#9 the US.' (runs of consecutive ranks)."""
    top = sorted(models, key=lambda row: row["rank"])[:size]
    runs: list[list] = []
    for row in top:
        if runs and runs[-1][0] == row["country"]:
            runs[-1][2] = int(row["rank"])
        else:
            runs.append([row["country"], int(row["rank"]), int(row["rank"])])
    parts = [
        f"#{start}–#{end} {country_name(code)}" if start != end else f"#{start} {country_name(code)}"
        for code, start, end in runs
    ]
    return f"The top {len(top)} by maker's country: {', '.join(parts)}."


def basis_note(data: ReportData) -> str:
    note = (
        "Country figures sum the week's top 9 models by the maker's country, the basis of the "
        "openrouter.ai/rankings chart."
    )
    top50 = data.country_rows("top50")
    if {"CN", "US"} <= set(top50):
        note += (
            " Summed over all ranked models instead (a different basis): "
            f"China {fmt_tokens(top50['CN']['tokens'])}, the US {fmt_tokens(top50['US']['tokens'])}."
        )
    return note


def lead_note(data: ReportData, first: str = "CN", second: str = "US") -> str:
    """The caption of the lead chart: who leads, since when, and the longest lead on record.

    An incomplete week has no streak: the note says so and gives the previous week's."""
    if not data.is_complete:
        note = "This week is incomplete: leads and streaks count complete weeks only."
        for leader, other in ((first, second), (second, first)):
            streak = data.streak("country_vs", week=data.previous_week, subject=leader, rival=other,
                                 basis="chart_top9")
            if streak is not None and streak["streak_weeks"] >= 1:
                note += (
                    f" In the previous week {country_name(leader)} had been ahead of {country_name(other)} "
                    f"(top-9 basis) for {count_of(int(streak['streak_weeks']), 'consecutive week')}."
                )
        return note
    for leader, other in ((first, second), (second, first)):
        streak = data.streak("country_vs", subject=leader, rival=other, basis="chart_top9")
        if streak is not None and streak["streak_weeks"] >= 1:
            weeks = int(streak["streak_weeks"])
            note = (
                f"{country_name(leader)} has been ahead of {country_name(other)} (top-9 basis) for "
                f"{count_of(weeks, 'consecutive week')}"
            )
            if not missing(streak["streak_start"]):
                note += f", since the week of {streak['streak_start']:%Y-%m-%d}"
            if not missing(streak["longest_weeks"]):
                note += f"; its longest lead on record is {count_of(int(streak['longest_weeks']), 'week')}"
            return note[0].upper() + note[1:] + "."
    return f"Neither {country_name(first)} nor {country_name(second)} leads this week (top-9 basis)."


NOT_COMPARED = "–"
"""A table cell with no week-on-week figure: no comparable week (see `table_note`)."""


def _is_new(row: Row) -> bool:
    return not missing(row["is_new"]) and bool(row["is_new"])


def wow_change(row: Row) -> str:
    """The week-on-week cell: 'new', '+12.3%', or '–' when there is no comparable week."""
    if _is_new(row):
        return "new"
    return NOT_COMPARED if missing(row["wow_growth"]) else fmt_pct(row["wow_growth"])


def _rank_change(row: Row) -> str:
    if _is_new(row):
        return "new"
    if missing(row["prev_rank"]):
        return NOT_COMPARED
    moved = int(row["prev_rank"]) - int(row["rank"])
    return "=" if moved == 0 else (f"▲{moved}" if moved > 0 else f"▼{-moved}")


def table_note(data: ReportData) -> str | None:
    """Why the week-on-week columns hold '–', when they do."""
    if not data.is_complete:
        return (
            "This week is incomplete, so it is not compared with the previous week (–); "
            "“new”: not ranked on any day of the previous week."
        )
    if missing(data.week_totals["wow_growth"]):
        return "There is no complete previous week to compare with (–)."
    return None


BOUNDS_NOTE = (
    "(≤…): the most the model could have had. On days it was outside the daily top 50 its tokens are "
    "hidden in OpenRouter's `other` row, so the figure before it is a lower bound."
)


def _tokens_with_bound(row: Row) -> str:
    """'4.60T (≤4.64T)': two decimals, as in the charts, so that the column reads alike."""
    shown, upper = fmt_fixed(row["tokens"], "T"), fmt_fixed(row["tokens_upper"], "T")
    return shown if upper == shown else f"{shown} (≤{upper})"


def top10_table(models: list[Row]) -> list[Row]:
    """The week's ranks 1–10 for display, columns `TOP10_COLUMNS`: `rank` and `tokens` are int, the rest text."""
    return [
        {"rank": int(row["rank"]), "model": row["display_name"], "model_permaslug": row["model_permaslug"],
         "country": row["country"], "tokens": int(row["tokens"]), "tokens_T": _tokens_with_bound(row),
         "wow_change": wow_change(row), "rank_change": _rank_change(row)}
        for row in sorted(models, key=lambda row: row["rank"])[:10]
    ]


def unattributed_sentence(models: list[Row]) -> str:
    """Names every unattributed model above 1% of the week's tokens, or says there is none."""
    rows = [row for row in models if row["country"] == UNATTRIBUTED and row["share"] > UNATTRIBUTED_MIN_SHARE]
    if not rows:
        return "No unattributed model had more than 1% of the week's tokens."
    named = [
        f"{row['display_name']} ({row['model_permaslug']}, {fmt_tokens(row['tokens'])}, {row['share']:.1%})"
        for row in sorted(rows, key=lambda row: row["rank"])
    ]
    return (
        "Unattributed models above 1% of the week, counted in no country until their maker is known: "
        + "; ".join(named)
        + "."
    )


def restated_lines(data: ReportData) -> tuple[str, list[str]]:
    """An introduction and one line per restated (week, model): the change summed over its restated days."""
    since = f"{data.week_start:%Y-%m-%d}"
    if not data.restated:
        return f"No figure of an earlier week has been restated since {since}.", []
    lines: list[str] = []
    for week, rows in sorted(group_by(data.restated, "week_start").items(), key=lambda item: item[0]):
        # the largest changes first; equal changes keep the table's order
        rows = sorted(rows, key=lambda row: -abs(row["new_tokens"] - row["old_tokens"]))
        for row in rows[:RESTATED_LINES_PER_WEEK]:
            delta = row["new_tokens"] - row["old_tokens"]
            change = fmt_token_change(delta)
            if row["old_tokens"] > 0:
                change += f" ({fmt_pct(delta / row['old_tokens'], 2)})"
            days = int(row["days"])
            lines.append(
                f"Week of {week:%Y-%m-%d}, {row['display_name']}: {change} "
                f"over {days} restated day{'s' if days != 1 else ''}"
            )
        if len(rows) > RESTATED_LINES_PER_WEEK:
            more = len(rows) - RESTATED_LINES_PER_WEEK
            lines.append(f"Week of {week:%Y-%m-%d}: {more} more figures restated")
    return f"Figures of earlier weeks restated since {since} (OpenRouter revises recent days):", lines


def write_text(data: ReportData) -> ReportText:
    totals = data.week_totals
    notices = []
    if not totals["is_complete"]:
        notices.append(
            f"This week is incomplete: {int(totals['days'])} of its 7 days are published, so its figures are partial."
        )
    restated_intro, restated = restated_lines(data)
    top10 = top10_table(data.models)
    return ReportText(
        title=week_title(data.week_start),
        synthetic_notice=SYNTHETIC_NOTICE if data.synthetic else None,
        notices=notices,
        headline=[
            total_sentence(data),
            country_sentence(data),
            top1_sentence(data),
            composition_sentence(data.models),
        ],
        basis_note=basis_note(data),
        lead_note=lead_note(data),
        top10=top10,
        table_note=table_note(data),
        bounds_note=BOUNDS_NOTE if any("≤" in row["tokens_T"] for row in top10) else None,
        unattributed=unattributed_sentence(data.models),
        restated_intro=restated_intro,
        restated=restated,
        citation=CITATION.format(as_of=format_as_of(totals["as_of"])),
    )

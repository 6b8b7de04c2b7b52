"""The report's facets section: who makes the models behind tool calling (exact) and programming (an estimate).

Country shares are on the headline's basis, the facet value's top 9 models of the week
(`weekly_facet_country_usage`). Tool calling is an exact facet (modality); programming is a sampled one
(category): OpenRouter publishes weekly **estimates** for it, so every figure drawn from it says "estimate" and
none is ever combined with an exact one. Each dataset's figures carry its own citation line and the licence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transforms.datasets import DATASETS
from transforms.datasets.facets import SAMPLED
from transforms.report.data import Row, missing
from transforms.report.numbers import count_of
from transforms.report.templating import LICENCE
from transforms.report.text import format_as_of

EXACT_DATASET, ESTIMATE_DATASET = "rankings-daily-facets", "rankings-weekly-estimates"
SHOWN = (("modality", "tool_calling", "Tool calling"), ("category", "programming", "Programming"))
"""(facet, value, label) of the rows the section shows, in order."""
ESTIMATE_NOTE = ("Programming is a sampled category: OpenRouter publishes weekly estimates for it, not counts. "
                 "Its figures are marked estimate and are never added to or compared with exact ones.")
COUNTRY_NAMES = {"CN": "China", "US": "the US"}


@dataclass(frozen=True)
class FacetsData:
    """One week's facet figures, as the warehouse stores and derives them.

    `countries`: weekly_facet_country_usage rows of the week (facet, facet_value, basis, country, tokens, share);
    `usage`: weekly_facet_usage rows of the week (facet, facet_value, is_estimate, tokens, share);
    `streaks`: leadership_streaks 'facet_country_vs' rows of the week with streak_weeks > 0 (scope, subject,
    rival, basis, streak_weeks); `as_of`: the latest as_of of each facet dataset's rows (dataset name → time).
    """

    countries: list[Row]
    usage: list[Row]
    streaks: list[Row]
    as_of: dict[str, dt.datetime | None]


@dataclass(frozen=True)
class FacetsText:
    """The section, ready to lay out (plain text): one table row per shown facet value, notes, citations."""

    rows: list[dict]
    """label, basis ('exact' | 'estimate'), china, us, others (shares of the top 9, text), traffic (its share)."""
    notes: list[str]
    citations: list[str]
    """One line per facet dataset shown: what it covers, its source line and the licence."""


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _row(data: FacetsData, facet: str, value: str, label: str) -> dict:
    estimate = facet in SAMPLED
    mark = " (estimate)" if estimate else ""
    countries = [r for r in data.countries if r["facet"] == facet and r["facet_value"] == value]
    usage = [r for r in data.usage if r["facet"] == facet and r["facet_value"] == value]
    row = {"label": label + mark, "basis": "estimate" if estimate else "exact", "china": "–", "us": "–",
           "others": "–", "traffic": "–"}
    if not countries:
        return {**row, "china": "not loaded"}
    shares = {r["country"]: r["share"] for r in countries}
    row.update(china=_pct(shares.get("CN", 0.0)) + mark, us=_pct(shares.get("US", 0.0)) + mark,
               others=_pct(sum(v for k, v in shares.items() if k not in ("CN", "US"))) + mark)
    if usage and not missing(usage[0]["share"]):
        share = _pct(float(usage[0]["share"]))
        row["traffic"] = f"{share} of the categorised tokens (estimate)" if estimate else f"{share} of all tokens"
    return row


def _streak_line(row: Row) -> str:
    facet, value = row["scope"].split(":", 1)
    label = next((name for f, v, name in SHOWN if (f, v) == (facet, value)), value)
    weeks = int(row["streak_weeks"])
    line = (f"{label}: {COUNTRY_NAMES.get(row['subject'], row['subject'])}'s models ahead of "
            f"{COUNTRY_NAMES.get(row['rival'], row['rival'])}'s "
            + ("this week" if weeks == 1 else f"for {count_of(weeks, 'consecutive week')}"))
    return line + (" (estimate)" if row["basis"] == "estimate" else "")


def write_facets_text(data: FacetsData) -> FacetsText:
    rows = [_row(data, facet, value, label) for facet, value, label in SHOWN]
    shown = {f"{facet}:{value}" for facet, value, _ in SHOWN}
    streaks = [_streak_line(row) for row in data.streaks if row["scope"] in shown]
    citations = [f"{what}: {DATASETS[name].cite(format_as_of(data.as_of[name]))} {LICENCE}"
                 for name, what in ((EXACT_DATASET, "Tool calling (exact)"), (ESTIMATE_DATASET, "Programming (estimate)"))
                 if data.as_of.get(name) is not None]
    return FacetsText(rows, ["Shares of each traffic's top 9 models of the week, by maker's country.",
                             ESTIMATE_NOTE, *streaks], citations)

"""The report's weekly-snapshot sections: session cost (a table per harness) and task shares, each under its own
citation line.

Figures are those the warehouse derived (`session_cost_extremes`, `task_share_trends`, `task_model_movers`) for
the latest snapshot captured by the report week's Sunday. Session-cost rows are republished `/datasets/*` data:
their citation line is followed by "Licensed under CC BY 4.0.". Task classifications carry exactly the citation
their endpoint gives, and no licence line (none is stated); they are shares of a sample, never volumes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transforms.datasets import DATASETS
from transforms.report.data import Row, group_by, missing
from transforms.report.templating import LICENCE
from transforms.report.text import format_as_of

SHARES_NOTE = ("Shares of a sampled, classified set of requests over the 7 days ending that day; OpenRouter "
               "publishes no volumes for them.")
NO_WEEK = "none was captured by the end of this week."


@dataclass(frozen=True)
class SnapshotsData:
    """The report week's snapshots: `session_cost` = session_cost_extremes rows of the latest window ending by the
    week's Sunday (empty when none), `session_cost_as_of` its meta.as_of; `tasks` = task_share_trends rows of the
    latest snapshot by that Sunday, `movers` = task_model_movers rows of it with a known change, `tasks_as_of`
    its day. None for a dataset never captured at all."""

    session_cost: list[Row] | None
    session_cost_as_of: dt.datetime | None
    tasks: list[Row] | None
    movers: list[Row] | None
    tasks_as_of: dt.date | None


@dataclass(frozen=True)
class SnapshotsText:
    """Both sections as plain text; a section is None when its dataset was never captured."""

    session_cost: dict | None
    """{'window': text, 'harnesses': [{'name', 'rows': [...]}], 'empty': text or None, 'citation': line}"""
    tasks: dict | None
    """{'day': text, 'rows': [...], 'gaining': [...], 'losing': [...], 'empty', 'note', 'citation'}"""


def usd(value: float) -> str:
    """'$0.0042', '$1.74', '$150.09': four significant decimals below a dollar, cents above."""
    return f"${value:,.2f}" if value >= 1 else f"${value:.4f}".rstrip("0").rstrip(".") if value else "$0"


def change(value) -> str:
    """'+25.0%' / '-4.3%'; '–' when there is no snapshot a week before."""
    return "–" if missing(value) else f"{value:+.1%}"


def points(value) -> str:
    """A share change in points: '+1.2 pts'; '–' when unknown."""
    return "–" if missing(value) else f"{value * 100:+.1f} pts"


def session_cost_citation(as_of: dt.datetime) -> str:
    return f"{DATASETS['session-cost'].cite(format_as_of(as_of))} {LICENCE}"


def tasks_citation(day: dt.date) -> str:
    """The endpoint's line, with `data.as_of` (a date) as it gives it."""
    return DATASETS["task-classifications"].cite(day.isoformat())


def write_snapshots_text(data: SnapshotsData) -> SnapshotsText:
    cost = None
    if data.session_cost is not None:
        rows = data.session_cost
        if not rows:
            cost = {"window": None, "harnesses": [], "empty": f"No session-cost snapshot: {NO_WEEK}", "citation": None}
        else:
            end = rows[0]["window_end_date"]
            window = f"{int(rows[0]['window_days'])} days to {end:%Y-%m-%d}" if "window_days" in rows[0] else \
                f"the window ending {end:%Y-%m-%d}"
            harnesses = []
            for app_slug, group in sorted(group_by(rows, "app_slug").items()):
                harnesses.append({"name": group[0]["app_name"], "rows": [
                    {"turns": r["turn_range"], "cheapest": r["cheapest_model"], "cheapest_usd": usd(r["cheapest_cost_usd"]),
                     "cheapest_change": change(r["cheapest_change"]), "dearest": r["dearest_model"],
                     "dearest_usd": usd(r["dearest_cost_usd"]), "dearest_change": change(r["dearest_change"])}
                    for r in sorted(group, key=lambda r: r["turn_order"])]})
            cost = {"window": window, "harnesses": harnesses, "empty": None,
                    "citation": session_cost_citation(data.session_cost_as_of)}
    tasks = None
    if data.tasks is not None:
        if not data.tasks:
            tasks = {"day": None, "rows": [], "gaining": [], "losing": [], "empty": f"No task shares: {NO_WEEK}",
                     "note": SHARES_NOTE, "citation": None}
        else:
            rows = [{"category": r["label"], "usage": f"{r['usage_share']:.1%}", "usage_change": points(r["usage_share_change"]),
                     "tokens": f"{r['token_share']:.1%}", "tokens_change": points(r["token_share_change"])}
                    for r in sorted(data.tasks, key=lambda r: r["position"])]
            movers = data.movers or []
            line = lambda r: f"{r['model_id']} in {r['tag']}: {points(r['usage_share_change'])} of the tag's requests"  # noqa: E731
            gaining = [line(r) for r in movers if r["usage_share_change"] > 0][:3]
            losing = [line(r) for r in sorted((r for r in movers if r["usage_share_change"] < 0),
                                              key=lambda r: r["usage_share_change"])][:3]
            tasks = {"day": data.tasks_as_of.isoformat(), "rows": rows, "gaining": gaining, "losing": losing,
                     "empty": None, "note": SHARES_NOTE, "citation": tasks_citation(data.tasks_as_of)}
    return SnapshotsText(cost, tasks)

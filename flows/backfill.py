"""The `backfill` Prefect flow: `flows.pipeline.backfill_all` (resumable, budgeted, one write session per
dataset), with a progress artifact updated after every request and a summary artifact of what it fetched and
loaded."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows import pipeline, progress
from flows.notify import notify_failure
from flows.secrets import use_secret_block_for_api_key
from transforms.responses import RANKINGS_ENDPOINT
from transforms.windows import MAX_WINDOW_DAYS


@flow(name="backfill", on_failure=[notify_failure], on_crashed=[notify_failure])
def backfill(start: dt.date, end: dt.date | None = None, refetch: bool = False, source: str = "openrouter",
             window_days: int = MAX_WINDOW_DAYS, dataset: str = RANKINGS_ENDPOINT) -> dict:
    """Fetch and load [start, end] (`end` default: the last complete UTC day) of `dataset` ('rankings-daily',
    'app-rankings' or 'all'); only what the lake lacks unless `refetch`. Returns the first run's summary with
    every run's under `datasets`."""
    if source == "openrouter":
        use_secret_block_for_api_key()
    from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact

    artifact = create_progress_artifact(0.0, key="backfill-progress", description=f"tokenrank backfill {start}..{end}")

    def advance(done: int, total: int, what: str) -> None:
        update_progress_artifact(artifact, 100.0 * done / total, description=f"{what} ({done}/{total} steps)")

    with progress.listening(advance):
        runs = pipeline.backfill_all(start, end, refetch, source, window_days, dataset=dataset)

    lines = [f"# Backfill {start}..{end or 'the last complete day'} ({runs[0].source})", "",
             "| dataset | windows | requests | dates loaded | rows inserted | rows updated | restatements |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {run.dataset} | {len(run.windows_done)}/{len(run.windows)} | {run.requests} | {run.dates_loaded} "
              f"| {run.inserted:,} | {run.updated:,} | {run.restatements:,} |" for run in runs]
    lines += [f"- {note}" for run in runs for note in run.notes]
    lines += [f"- quarantined: {line}" for run in runs for line in run.quarantined]
    if runs[-1].stopped_by_budget:
        days = f" (about {runs[-1].days_left} more UTC days)" if runs[-1].days_left else ""
        lines.append(f"- stopped: the daily request budget is spent{days}; resume with `{runs[-1].resume_command}`")
    create_markdown_artifact(key="backfill-summary", markdown="\n".join(lines),
                             description=f"tokenrank backfill {start}..{end or ''}")
    return pipeline.combined_summary(runs)

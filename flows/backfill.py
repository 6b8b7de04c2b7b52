"""The `backfill` Prefect flow: `flows.pipeline.backfill` (resumable, budgeted, one write session), with a
progress artifact updated after every request window and a summary artifact of what it fetched and loaded."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows import pipeline, progress
from flows.notify import notify_failure
from flows.secrets import use_secret_block_for_api_key
from transforms.windows import MAX_WINDOW_DAYS


@flow(name="backfill", on_failure=[notify_failure], on_crashed=[notify_failure])
def backfill(start: dt.date, end: dt.date, refetch: bool = False, source: str = "openrouter",
             window_days: int = MAX_WINDOW_DAYS) -> dict:
    """Fetch and load [start, end]; only the dates the lake lacks unless `refetch`."""
    if source == "openrouter":
        use_secret_block_for_api_key()
    from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact

    artifact = create_progress_artifact(0.0, key="backfill-progress", description=f"tokenrank backfill {start}..{end}")

    def advance(done: int, total: int, what: str) -> None:
        update_progress_artifact(artifact, 100.0 * done / total, description=f"{what} ({done}/{total} steps)")

    with progress.listening(advance):
        run = pipeline.backfill(start, end, refetch, source, window_days)

    lines = [f"# Backfill {start}..{end} ({run.source})", "",
             "| windows | requests | dates loaded | rows inserted | rows updated | restatements |",
             "|---|---|---|---|---|---|",
             f"| {len(run.windows_done)}/{len(run.windows)} | {run.requests} | {run.dates_loaded} | {run.inserted:,} "
             f"| {run.updated:,} | {run.restatements:,} |"]
    lines += [f"- {note}" for note in run.notes]
    if run.stopped_by_budget:
        lines.append(f"- stopped: the daily request budget is spent; resume with `{run.resume_command}`")
    create_markdown_artifact(key="backfill-summary", markdown="\n".join(lines),
                             description=f"tokenrank backfill {start}..{end}")
    return run.summary()

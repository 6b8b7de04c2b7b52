"""The `capture-snapshots` Prefect flow: `flows.pipeline.capture` (session-cost, task classifications, benchmarks:
the API serves only their current snapshot), with a summary artifact.

Scheduled Monday 06:00, 12:00, 18:00 UTC (session-cost appears on Monday mornings, after the weekly run) and once
more Tuesday 06:00 with `require_week` (prefect.yaml): a capture that finds the snapshot it already holds stores
nothing; the Tuesday run fails, and so notifies (`flows.notify`), when the week's session-cost snapshot never
appeared: the week is lost for good.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows import pipeline
from flows.notify import notify_failure
from flows.secrets import use_secret_block_for_api_key


@flow(name="capture-snapshots", on_failure=[notify_failure], on_crashed=[notify_failure])
def capture_snapshots(source: str = "openrouter", datasets: list[str] | None = None, require_week: bool = False,
                      today: dt.date | None = None) -> dict:
    """Store the current snapshot of each of `datasets` (default: every snapshot dataset), one run each; with
    `require_week`, fail when the session-cost window ending last Sunday is still not held. `today` only for a
    synthetic source (the demo replays past days). Returns the first run's summary with every run's under
    `datasets`."""
    if source == "openrouter":
        use_secret_block_for_api_key()
    runs = pipeline.capture(source, datasets=tuple(datasets) if datasets else None, require_week=require_week,
                            today=today)
    from prefect.artifacts import create_markdown_artifact

    lines = ["| dataset | requests | snapshots stored | rows inserted | rows updated | restatements |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {run.dataset} | {run.requests} | {run.lake_written} | {run.inserted:,} | {run.updated:,} "
              f"| {run.restatements:,} |" for run in runs]
    lines += [f"- {note}" for run in runs for note in run.notes]
    create_markdown_artifact(key="capture-summary", markdown="\n".join(lines), description="tokenrank snapshot capture")
    return pipeline.combined_summary(runs)

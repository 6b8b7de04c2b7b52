"""The `weekly-rankings` Prefect flow: `flows.pipeline.weekly_all` (every dataset), then the report, its artifacts
and the static site."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows import pipeline
from flows.notify import notify_failure
from flows.secrets import use_secret_block_for_api_key
from transforms.windows import MAX_WINDOW_DAYS
from warehouse.paths import Home


@flow(name="weekly-rankings", on_failure=[notify_failure], on_crashed=[notify_failure])
def weekly_rankings(
    source: str = "openrouter", end_date: dt.date | None = None, lookback_days: int = 14,
    window_days: int = MAX_WINDOW_DAYS, datasets: list[str] | None = None,
) -> dict:
    """For each of `datasets` (default: all but the snapshot datasets, which `capture-snapshots` takes), the
    weekly run ending `end_date` (default: the last complete UTC day): rankings-daily re-fetches `lookback_days` days in requests of at most `window_days` days; app-rankings
    fetches the week that just ended and re-fetches the overall lists of the week before. Then write the latest
    complete week's report and refresh the static site. Returns the first run's summary with every run's under `datasets`."""
    if source == "openrouter":
        use_secret_block_for_api_key()
    home = Home.from_env()
    runs = pipeline.weekly_all(source, end_date, lookback_days, window_days,
                               datasets=tuple(datasets) if datasets else None, home=home)
    files = pipeline.step("weekly-report", pipeline.write_report, home)
    if files is not None:
        from prefect.artifacts import create_markdown_artifact, create_table_artifact

        create_markdown_artifact(key="weekly-report", markdown=files.artifact_markdown,
                                 description=f"tokenrank weekly report, week of {files.week_start}")
        create_table_artifact(key="weekly-top10", table=files.top10.to_dict("records"),
                              description=f"Top 10 models, week of {files.week_start}")
        for run in runs:
            run.report = str(files.html_path)
    pipeline.step("refresh-site", pipeline.write_site, home)
    return pipeline.combined_summary(runs)

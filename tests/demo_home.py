"""A home holding the whole SYNTHETIC demo dataset, loaded without Prefect (the ingest steps called directly).

About 4 s: one rankings-daily response for every demo day, the model catalogue, the lake, the warehouse
with its derived tables, and a published copy, exactly as the weekly flow leaves them.
"""

from __future__ import annotations

from pathlib import Path

from flows.sources.base import Window
from flows.sources.demo import DemoSource
from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY
from warehouse import ingest, published
from warehouse.paths import Home


def load_demo(root: Path) -> Home:
    """Load every demo day into a fresh home at `root` and publish it."""
    home = Home(root)
    source = DemoSource()
    run = ingest.RunInfo("demo-run", "weekly", source.name, DEMO_FIRST_DAY, DEMO_LAST_DAY)
    rankings = ingest.archive_response(home, source.fetch_rankings(Window(DEMO_FIRST_DAY, DEMO_LAST_DAY)), run.run_id)
    models = ingest.archive_response(home, source.fetch_models(), run.run_id)
    ingest.write_lake(home, run, [ingest.normalize_archived(home, rankings)], [rankings])
    ingest.load_warehouse(home, run, catalogue=ingest.normalize_archived(home, models), raw_files=[rankings, models])
    published.publish(home)
    return home

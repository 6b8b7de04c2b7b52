"""A home holding the whole SYNTHETIC demo dataset, loaded without Prefect (the pipeline run in-process).

A few seconds: one rankings-daily response for every demo day, the model catalogue, the lake, the warehouse
with its derived tables, and a published copy, exactly as the weekly flow leaves them.
"""

from __future__ import annotations

from pathlib import Path

from flows import pipeline
from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY
from warehouse.paths import Home


def load_demo(root: Path) -> Home:
    """Load every demo day into a fresh home at `root` (the write session publishes it)."""
    home = Home(root)
    pipeline.weekly("demo", DEMO_LAST_DAY, (DEMO_LAST_DAY - DEMO_FIRST_DAY).days + 1, home=home)
    return home

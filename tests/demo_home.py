"""A home holding the whole SYNTHETIC demo dataset, loaded without Prefect (the pipeline run in-process).

A few seconds: one rankings-daily response for every demo day, the model catalogue, the lake, the warehouse
with its derived tables, and a published copy, exactly as the weekly flow leaves them. Built once per test
process, then copied (the home holds no absolute path: its one link, published/current.duckdb, is relative).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from flows import pipeline
from flows.sources.demo_dataset import DEMO_FIRST_DAY, DEMO_LAST_DAY
from warehouse.paths import Home

_built: Path | None = None
GROUP = "demo-home"
"""The xdist group of the modules that load it: one worker runs them, so the demo is loaded (and the site built from
it) once, not once per worker."""


def load_demo(root: Path) -> Home:
    """A fresh home at `root` holding every demo day (a copy of this process's one load of it)."""
    global _built
    if _built is None:
        folder = Path(tempfile.mkdtemp(prefix="tokenrank-demo-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        pipeline.weekly("demo", DEMO_LAST_DAY, (DEMO_LAST_DAY - DEMO_FIRST_DAY).days + 1, home=Home(folder / "home"))
        _built = folder / "home"
    shutil.copytree(_built, root, symlinks=True)
    return Home(root)

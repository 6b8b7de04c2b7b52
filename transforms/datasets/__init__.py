"""Every dataset tokenrank ingests, each declared once in its own module (endpoint, parameters, contract,
lake and warehouse tables, request planners, citation). `DATASETS` maps the name to the declaration, in the
order runs take them (rankings-daily first); the snapshot datasets (`Dataset.snapshot`: no history in the API)
come last and are taken by `capture`, not by the weekly run or backfills."""

from __future__ import annotations

from transforms.datasets import (app_rankings, benchmarks, rankings_daily, rankings_estimates, rankings_facets,
                                 session_cost, task_classifications)
from transforms.datasets.base import Dataset

DATASETS: dict[str, Dataset] = {ds.name: ds for ds in (rankings_daily.DATASET, app_rankings.DATASET,
                                                        rankings_facets.DATASET, rankings_estimates.DATASET)}
DATASETS.update({ds.name: ds for ds in (session_cost.DATASET, task_classifications.DATASET, benchmarks.DATASET)})

__all__ = ["DATASETS", "Dataset"]

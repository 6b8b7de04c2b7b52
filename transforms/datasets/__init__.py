"""Every dataset tokenrank ingests, each declared once in its own module (endpoint, parameters, contract,
lake and warehouse tables, request planners, citation). `DATASETS` maps the name to the declaration, in the
order runs take them (rankings-daily first)."""

from __future__ import annotations

from transforms.datasets import app_rankings, rankings_daily, rankings_estimates, rankings_facets
from transforms.datasets.base import Dataset

DATASETS: dict[str, Dataset] = {ds.name: ds for ds in (rankings_daily.DATASET, app_rankings.DATASET,
                                                        rankings_facets.DATASET, rankings_estimates.DATASET)}

__all__ = ["DATASETS", "Dataset"]

"""Every dataset tokenrank ingests, each declared once in its own module (endpoint, parameters, contract,
lake and warehouse tables, request planner, citation). `DATASETS` maps the name to the declaration."""

from __future__ import annotations

from transforms.datasets import rankings_daily
from transforms.datasets.base import Dataset

DATASETS: dict[str, Dataset] = {rankings_daily.DATASET.name: rankings_daily.DATASET}

__all__ = ["DATASETS", "Dataset"]

"""pyarrow, imported on first use.

The dataset declarations (and the lake they name) are needed by every command, Arrow only by those that read or
write data: `tokenrank status` and `query` would otherwise spend ~0.4 s of a ~1 s command importing pyarrow and
pyarrow.compute. Modules take `pa`, `pc` and `pq` from here; the first attribute looked up imports the real
module. Schemas are functions, built on their first call
(`functools.cache`), for the same reason.
"""

from __future__ import annotations

import importlib
from typing import Any


class _OnFirstUse:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)  # the next lookup is a plain attribute's
        return value

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"


pa: Any = _OnFirstUse("pyarrow")
pc: Any = _OnFirstUse("pyarrow.compute")
pq: Any = _OnFirstUse("pyarrow.parquet")


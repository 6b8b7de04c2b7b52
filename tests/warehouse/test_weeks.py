"""`tokenrank weeks`: the weeks loaded per dataset, newest first, with days loaded and completeness."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.ops_helpers import load_days
from warehouse.paths import Home
from warehouse.status import WeekRow, weeks_loaded

D = dt.date
AS_OF = dt.datetime(2026, 4, 6, 2)


def test_weeks_with_days_loaded_and_completeness(home):
    load_days(Home.from_env(), [D(2026, 3, 27), D(2026, 3, 30), D(2026, 3, 31), D(2026, 4, 2)])
    assert weeks_loaded(Home.from_env()) == [
        WeekRow("rankings-daily", D(2026, 3, 30), D(2026, 4, 5), 3, False, AS_OF),
        WeekRow("rankings-daily", D(2026, 3, 23), D(2026, 3, 29), 1, False, AS_OF),
    ]
    table = CliRunner().invoke(app, ["weeks"])
    assert "2026-03-30 .. 2026-04-05 │  3/7 │ no" in table.output and "2 weeks" in table.output
    rows = json.loads(CliRunner().invoke(app, ["weeks", "--format", "json"]).output)
    assert rows[0] == {"dataset": "rankings-daily", "week_start": "2026-03-30", "week_end": "2026-04-05", "days": 3,
                       "is_complete": False, "as_of": "2026-04-06T02:00:00"}

"""What the report's snapshot sections read (`transforms.report.snapshots.SnapshotsData`): the latest session-cost
and task-classification snapshots captured by the report week's Sunday, from the derived tables."""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms.report.snapshots import SnapshotsData
from warehouse.db import dict_rows


def _any(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0] > 0


def load_snapshots(con: duckdb.DuckDBPyConnection, week: dt.date) -> SnapshotsData | None:
    """The week's snapshots (see `SnapshotsData`); None when neither dataset was ever captured (no section)."""
    sunday = week + dt.timedelta(days=6)
    cost = cost_as_of = tasks = movers = tasks_day = None
    if _any(con, "fact_session_cost"):
        (end,) = con.execute("SELECT max(window_end_date) FROM fact_session_cost WHERE window_end_date <= ?",
                             [sunday]).fetchone()
        cost = dict_rows(con.execute(
            "SELECT e.*, f.window_days, f.as_of FROM session_cost_extremes e JOIN (SELECT window_end_date, "
            "max(window_days) AS window_days, max(as_of) AS as_of FROM fact_session_cost GROUP BY 1) f "
            "USING (window_end_date) WHERE e.window_end_date = ? ORDER BY e.app_slug, e.turn_order", [end]))
        cost_as_of = max((row["as_of"] for row in cost), default=None)
    if _any(con, "fact_task_classifications"):
        (tasks_day,) = con.execute("SELECT max(snapshot_date) FROM fact_task_classifications WHERE snapshot_date <= ?",
                                   [sunday]).fetchone()
        tasks = dict_rows(con.execute("SELECT * FROM task_share_trends WHERE snapshot_date = ? ORDER BY position",
                                      [tasks_day]))
        movers = dict_rows(con.execute(
            "SELECT * FROM task_model_movers WHERE snapshot_date = ? AND usage_share_change IS NOT NULL "
            "ORDER BY usage_share_change DESC, tag, model_id", [tasks_day]))
    if cost is None and tasks is None:
        return None
    return SnapshotsData(cost, cost_as_of, tasks, movers, tasks_day)

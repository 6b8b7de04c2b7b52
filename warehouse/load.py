"""Loading the warehouse from the lake and the reference data, in the caller's transaction.

Merge rule (delete-insert by date): a date is reloaded when its lake partition came from a different raw
file than the rows the warehouse holds (only partitions whose file changed are read), so a crash between the lake write and the load is repaired by the
next run. Every value a reload changes is recorded in `restatements`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from transforms.slugs import catalogue_names, display_name
from warehouse.lake import Lake


@dataclass
class LoadStats:
    dates: list[dt.date] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restatements: int = 0


def sync_fact_from_lake(con: duckdb.DuckDBPyConnection, lake: Lake) -> LoadStats:
    """Make `fact_model_daily` equal the lake for every date whose partition changed.

    Only partitions whose file signature differs from the one recorded in `lake_files` are read, so the
    cost follows the new days, not the history; among those, a date reloads when its raw_file differs.
    """
    stats = LoadStats()
    signatures = lake.signatures()
    known = dict(con.execute("SELECT date, [size, mtime_ns] FROM lake_files").fetchall())
    touched = sorted(day for day, sig in signatures.items() if known.get(day) != list(sig))
    if not touched:
        return stats
    con.register("lake_arrow", lake.read_many(touched))
    con.execute("CREATE OR REPLACE TEMP TABLE lake_rows AS SELECT * FROM lake_arrow")
    con.unregister("lake_arrow")
    con.executemany("INSERT OR REPLACE INTO lake_files VALUES (?, ?, ?)",
                    [[day, *signatures[day]] for day in touched])
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE changed_dates AS
        WITH lake_files AS (SELECT DISTINCT date, raw_file FROM lake_rows),
             fact_files AS (SELECT DISTINCT date, raw_file FROM fact_model_daily
                            WHERE date IN (SELECT date FROM lake_rows))
        SELECT date FROM lake_files EXCEPT SELECT date FROM fact_files
        UNION
        SELECT l.date FROM lake_files l JOIN fact_files f USING (date) WHERE l.raw_file <> f.raw_file
        """
    )
    stats.dates = [d for (d,) in con.execute("SELECT date FROM changed_dates ORDER BY date").fetchall()]
    if not stats.dates:
        return stats
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE row_changes AS
        WITH old AS (SELECT * FROM fact_model_daily WHERE date IN (SELECT date FROM changed_dates)),
             new AS (SELECT * FROM lake_rows WHERE date IN (SELECT date FROM changed_dates)),
             old_days AS (SELECT DISTINCT date, as_of, raw_file FROM old),
             new_days AS (SELECT DISTINCT date, as_of, raw_file FROM new)
        SELECT coalesce(n.date, o.date) AS date,
               coalesce(n.model_permaslug, o.model_permaslug) AS model_permaslug,
               o.total_tokens AS old_tokens, n.total_tokens AS new_tokens,
               od.as_of AS old_as_of, nd.as_of AS new_as_of,
               od.raw_file AS old_raw_file, nd.raw_file AS new_raw_file,
               od.date IS NOT NULL AS date_was_loaded
        FROM new n FULL JOIN old o USING (date, model_permaslug)
        LEFT JOIN old_days od ON od.date = coalesce(n.date, o.date)
        LEFT JOIN new_days nd ON nd.date = coalesce(n.date, o.date)
        """
    )
    stats.inserted, stats.updated, stats.unchanged, stats.deleted = con.execute(
        """
        SELECT count(*) FILTER (old_tokens IS NULL),
               count(*) FILTER (old_tokens IS NOT NULL AND new_tokens IS NOT NULL AND old_tokens <> new_tokens),
               count(*) FILTER (old_tokens = new_tokens),
               count(*) FILTER (new_tokens IS NULL)
        FROM row_changes
        """
    ).fetchone()
    stats.restatements = con.execute(
        """
        INSERT INTO restatements
        SELECT date, model_permaslug, old_tokens, new_tokens, old_as_of, new_as_of, old_raw_file, new_raw_file
        FROM row_changes
        WHERE date_was_loaded AND old_tokens IS DISTINCT FROM new_tokens
        ORDER BY date, model_permaslug
        """
    ).fetchone()[0]
    con.execute("DELETE FROM fact_model_daily WHERE date IN (SELECT date FROM changed_dates)")
    con.execute(
        "INSERT INTO fact_model_daily BY NAME "
        "SELECT * FROM lake_rows WHERE date IN (SELECT date FROM changed_dates) ORDER BY date, model_permaslug"
    )
    return stats


def replace_origin(con: duckdb.DuckDBPyConnection, origin: pa.Table) -> None:
    """Load the reviewed origin reference (authors + overrides) as `dim_origin`."""
    con.execute("DELETE FROM dim_origin")
    con.register("origin_arrow", origin)
    con.execute("INSERT INTO dim_origin BY NAME SELECT * FROM origin_arrow ORDER BY scope, key")
    con.unregister("origin_arrow")


def replace_catalogue(con: duckdb.DuckDBPyConnection, catalogue: pa.Table) -> None:
    """Keep the latest model catalogue (names for `dim_model`); an identical re-fetch keeps the older raw_file."""
    con.register("catalogue_arrow", catalogue)
    changed = con.execute(
        """
        SELECT count(*) FROM (
            (SELECT id, canonical_slug, name, created FROM catalogue_arrow
             EXCEPT SELECT id, canonical_slug, name, created FROM ref_model_catalogue)
            UNION ALL
            (SELECT id, canonical_slug, name, created FROM ref_model_catalogue
             EXCEPT SELECT id, canonical_slug, name, created FROM catalogue_arrow))
        """
    ).fetchall()[0][0]
    if not changed:
        con.unregister("catalogue_arrow")
        return
    con.execute("DELETE FROM ref_model_catalogue")
    con.execute("INSERT INTO ref_model_catalogue BY NAME SELECT * FROM catalogue_arrow ORDER BY id")
    con.unregister("catalogue_arrow")


def refresh_dim_model(con: duckdb.DuckDBPyConnection) -> None:
    """One row per ranked permaslug: catalogue display name (or one derived from the slug) and first/last day."""
    names = catalogue_names(con.execute("SELECT id, canonical_slug, name FROM ref_model_catalogue").fetchall())
    seen = con.execute(
        "SELECT model_permaslug, min(date), max(date) FROM fact_model_daily WHERE NOT is_other GROUP BY 1 ORDER BY 1"
    ).fetchall()
    rows = pa.table(
        {
            "model_permaslug": [slug for slug, _, _ in seen],
            "display_name": [display_name(slug, names) for slug, _, _ in seen],
            "first_seen": pa.array([first for _, first, _ in seen], pa.date32()),
            "last_seen": pa.array([last for _, _, last in seen], pa.date32()),
        }
    )
    con.execute("DELETE FROM dim_model")
    con.register("dim_model_arrow", rows)
    con.execute("INSERT INTO dim_model BY NAME SELECT * FROM dim_model_arrow")
    con.unregister("dim_model_arrow")

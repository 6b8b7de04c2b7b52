"""How long building every derived table takes over two years of synthetic daily rankings.

Generates 730 days x (50 ranked + `other`) rows straight into an in-memory warehouse (a pool of 150
synthetic models from 12 makers whose daily tokens drift, so the top 50 changes from day to day), then
rebuilds the derived tables several times and prints the median seconds per table and in total.

Run: .venv/bin/python bench/bench_derived.py [--days 730] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from importlib.resources import files

import duckdb

from warehouse.materialize import build_table, dependency_order, derived_sql

MAKERS = [("qwen", "CN"), ("deepseek", "CN"), ("xiaomi", "CN"), ("minimax", "CN"), ("z-ai", "CN"),
          ("openai", "US"), ("anthropic", "US"), ("google", "US"), ("x-ai", "US"), ("meta-llama", "US"),
          ("mistralai", "FR")]  # plus 'stealth', which has no country

SYNTHETIC_DAYS = """
INSERT INTO fact_model_daily
WITH models AS (
    SELECT i, CASE WHEN i % 12 = 11 THEN 'stealth' ELSE $makers[i % 12 + 1] END AS author,
           'model-' || i AS model_slug, CASE WHEN i % 5 = 0 THEN 'free' END AS variant
    FROM range(150) AS t(i)
),
days AS (SELECT CAST(DATE '2024-06-03' + CAST(d AS INTEGER) AS DATE) AS date, d FROM range($days) AS t(d)),
candidates AS (
    SELECT date, author, model_slug, variant,
           author || '/' || model_slug || coalesce(':' || variant, '') AS model_permaslug,
           CAST(1e9 * (1 + 200 * abs(sin(i * 7.1 + d / (20.0 + i % 13)))) AS BIGINT) AS total_tokens
    FROM models CROSS JOIN days
),
placed AS (
    SELECT *, row_number() OVER (PARTITION BY date ORDER BY total_tokens DESC, model_permaslug) AS place
    FROM candidates
)
SELECT date, model_permaslug, author, model_slug, variant, total_tokens, false, TIMESTAMP '2026-06-01', 'bench'
FROM placed WHERE place <= 50
UNION ALL
SELECT date, 'other', NULL, NULL, NULL, CAST(sum(total_tokens) AS BIGINT), true, TIMESTAMP '2026-06-01', 'bench'
FROM placed WHERE place > 50 GROUP BY date
"""


def synthetic_warehouse(days: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(files("warehouse").joinpath("schema.sql").read_text())
    con.execute(SYNTHETIC_DAYS, {"makers": [m for m, _ in MAKERS], "days": days})
    con.executemany("INSERT INTO dim_origin VALUES ('author', ?, ?, ?, NULL, NULL)", [[m, c, m] for m, c in MAKERS])
    return con


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    con = synthetic_warehouse(args.days)
    fact_rows = con.execute("SELECT count(*) FROM fact_model_daily").fetchone()[0]
    sql_by_table = derived_sql()
    order = dependency_order(sql_by_table)
    seconds: dict[str, list[float]] = {table: [] for table in order}
    totals = []
    for _ in range(args.runs):
        con.execute("BEGIN TRANSACTION")  # as the pipeline does: one transaction around the rebuild
        run_start = time.perf_counter()
        for table in order:
            start = time.perf_counter()
            build_table(con, table, sql_by_table[table])
            seconds[table].append(time.perf_counter() - start)
        totals.append(time.perf_counter() - run_start)
        con.execute("COMMIT")

    print(f"derived tables over {args.days} days, {fact_rows:,} fact_model_daily rows "
          f"(median of {args.runs} runs, DuckDB {duckdb.__version__})\n")
    print(f"{'table':<22} {'rows':>9} {'seconds':>9}")
    print(f"{'-' * 22} {'-' * 9} {'-' * 9}")
    for table in order:
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        print(f"{table:<22} {rows:>9,} {statistics.median(seconds[table]):>9.3f}")
    print(f"{'-' * 22} {'-' * 9} {'-' * 9}")
    print(f"{'total (' + str(len(order)) + ' tables)':<22} {'':>9} {statistics.median(totals):>9.3f}")


if __name__ == "__main__":
    main()

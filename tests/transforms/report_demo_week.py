"""A small in-memory warehouse shaped exactly like the derived-table spec, reproducing the seed week.

The week of 2026-03-30 (seed-figures.md): total 27.0T (+18.9%), China 12.96T (+31.48%) ahead of the
US 3.03T (+0.76%) for the 5th consecutive week, #1 Qwen3.6 Plus (free) 4.6T new at #1, ending
MiMo-V2-Pro's 2-week run. Eight weeks of history; every bound in the demo week is non-overlapping
(`with_overlapping_bounds` makes them overlap).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA = Path(__file__).resolve().parents[2] / "warehouse" / "schema.sql"
T = 10**12
DEMO_WEEK = dt.date(2026, 3, 30)
WEEKS = [DEMO_WEEK - dt.timedelta(weeks=n) for n in range(7, -1, -1)]
AS_OF = dt.datetime(2026, 4, 6, 2, 0)

DERIVED_DDL = """
CREATE TABLE weekly_totals (week_start DATE, days INTEGER, is_complete BOOLEAN, total_tokens BIGINT,
    other_tokens BIGINT, ranked_tokens BIGINT, wow_growth DOUBLE, as_of TIMESTAMP);
CREATE TABLE weekly_model_usage (week_start DATE, model_permaslug VARCHAR, author VARCHAR, display_name VARCHAR,
    country VARCHAR, tokens BIGINT, tokens_upper BIGINT, days_in_top50 INTEGER, rank INTEGER, share DOUBLE,
    prev_tokens BIGINT, wow_growth DOUBLE, prev_rank INTEGER, rank_change INTEGER, is_new BOOLEAN);
CREATE TABLE weekly_country_usage (week_start DATE, basis VARCHAR, country VARCHAR, tokens BIGINT,
    tokens_upper BIGINT, share DOUBLE, wow_growth DOUBLE, models INTEGER);
CREATE TABLE leadership_streaks (week_start DATE, kind VARCHAR, subject VARCHAR, rival VARCHAR, basis VARCHAR,
    streak_weeks INTEGER, certain_weeks INTEGER, streak_start DATE, longest_weeks INTEGER);
CREATE TABLE growth_rates (week_start DATE, level VARCHAR, key VARCHAR, tokens BIGINT, wow_growth DOUBLE,
    growth_4w DOUBLE, rising_weeks INTEGER);
CREATE TABLE weekly_author_usage (week_start DATE, author VARCHAR, country VARCHAR, tokens BIGINT, share DOUBLE,
    rank INTEGER, wow_growth DOUBLE);
"""

# Week totals, China and US (top-9 basis), in trillions: China ahead from 2026-03-02 on (5 weeks).
TOTALS = [19.1, 19.6, 20.2, 20.8, 21.5, 22.0, 22.7107, 27.003]
CN = [2.5, 2.7, 2.9, 3.4, 4.6, 6.2, 9.857, 12.96]
US = [3.3, 3.1, 3.0, 2.95, 2.98, 3.01, 3.007, 3.03]

# (permaslug, display name, country, tokens, prev_tokens, prev_rank) for the demo week, by rank.
DEMO_MODELS = [
    ("qwen/qwen3.6-plus-04-02:free", "Qwen3.6 Plus (free)", "CN", 4_604 * 10**9, None, None),
    ("xiaomi/mimo-v2-pro-20260318", "MiMo-V2-Pro", "CN", 3_080 * 10**9, 3_300 * 10**9, 1),
    ("qwen/qwen3.6-plus-preview:free", "Qwen3.6 Plus Preview (free)", "CN", 1_640 * 10**9, 1_500 * 10**9, 3),
    ("stepfun/step-3.5-flash:free", "Step 3.5 Flash (free)", "CN", 1_400 * 10**9, 1_100 * 10**9, 5),
    ("minimax/minimax-m2.7-20260318", "MiniMax M2.7", "CN", 1_190 * 10**9, 1_000 * 10**9, 6),
    ("deepseek/deepseek-v3.2-20251201", "DeepSeek V3.2", "CN", 1_046 * 10**9, 957 * 10**9, 7),
    ("anthropic/claude-sonnet-4.6", "Claude Sonnet 4.6", "US", 1_040 * 10**9, 1_050 * 10**9, 4),
    ("anthropic/claude-opus-4.6", "Claude Opus 4.6", "US", 1_000 * 10**9, 990 * 10**9, 8),
    ("google/gemini-3-flash-preview", "Gemini 3 Flash Preview", "US", 990 * 10**9, 967 * 10**9, 9),
    ("openrouter/hunter-beta", "Hunter Beta", "unattributed", 500 * 10**9, 420 * 10**9, 11),
    ("x-ai/grok-4.1-fast", "Grok 4.1 Fast", "US", 450 * 10**9, 460 * 10**9, 10),
    ("openrouter/quiet-owl", "Quiet Owl", "unattributed", 200 * 10**9, None, None),
]


def _growth(now: float, before: float | None) -> float | None:
    return None if before is None else (now - before) / before


def _tables() -> dict[str, pd.DataFrame]:
    totals, countries, streaks = [], [], []
    for i, week in enumerate(WEEKS):
        total = round(TOTALS[i] * T)
        other = total * 7 // 100
        growth = 0.189 if week == DEMO_WEEK else (_growth(TOTALS[i], TOTALS[i - 1]) if i else None)
        totals.append((week, 7, True, total, other, total - other, growth, AS_OF - dt.timedelta(weeks=7 - i)))
        for code, series, final_growth, final_upper in (("CN", CN, 0.3148, 12.99), ("US", US, 0.0076, 3.05)):
            tokens = round(series[i] * T)
            upper = round(final_upper * T) if week == DEMO_WEEK else tokens
            growth = final_growth if week == DEMO_WEEK else (_growth(series[i], series[i - 1]) if i else None)
            count = 6 if code == "CN" else 3
            countries.append((week, "chart_top9", code, tokens, upper, tokens / total, growth, count))
        leader, rival = ("CN", "US") if CN[i] > US[i] else ("US", "CN")
        run = sum(1 for _ in _run(i, leader))
        start = WEEKS[i - run + 1]
        streaks.append((week, "country_vs", leader, rival, "chart_top9", run, run, start, max(run, 3)))
        top1, runner, top1_run = (
            ("xiaomi/mimo-v2-pro-20260318", "qwen/qwen3.6-plus-preview:free", i - 4) if i in (5, 6)
            else ("qwen/qwen3.6-plus-04-02:free", "xiaomi/mimo-v2-pro-20260318", 1) if i == 7
            else ("anthropic/claude-sonnet-4.6", "google/gemini-3-flash-preview", i + 1)
        )
        streaks.append((week, "model_top1", top1, runner, "top50", top1_run, top1_run, WEEKS[i - top1_run + 1],
                        max(top1_run, 5)))
    countries += [
        (DEMO_WEEK, "top50", "CN", round(16.7 * T), round(16.8 * T), 16.7 / 27.003, 0.25, 21),
        (DEMO_WEEK, "top50", "US", round(8.7 * T), round(8.75 * T), 8.7 / 27.003, 0.02, 19),
    ]
    total = round(TOTALS[-1] * T)
    models = [
        (DEMO_WEEK, slug, slug.split("/")[0], name, country, tokens, tokens, 7, rank, tokens / total, prev,
         _growth(tokens, prev), prev_rank, None if prev_rank is None else prev_rank - rank, prev is None)
        for rank, (slug, name, country, tokens, prev, prev_rank) in enumerate(DEMO_MODELS, start=1)
    ]
    dim_model = [(slug, name, dt.date(2026, 1, 1), dt.date(2026, 4, 5)) for slug, name, *_ in DEMO_MODELS]
    author_tokens: dict[str, int] = {}
    for slug, _, _, tokens, _, _ in DEMO_MODELS:
        author_tokens[slug.split("/")[0]] = author_tokens.get(slug.split("/")[0], 0) + tokens
    ranked_authors = sorted(author_tokens.items(), key=lambda kv: (-kv[1], kv[0]))
    authors = [(DEMO_WEEK, author, "", tokens, tokens / total, rank, None)
               for rank, (author, tokens) in enumerate(ranked_authors, start=1)]
    restatements = [
        # Restated after the demo week began: listed. The earlier one is not.
        (dt.date(2026, 3, 28), "xiaomi/mimo-v2-pro-20260318", 470 * 10**9, 474 * 10**9,
         dt.datetime(2026, 3, 29, 2), dt.datetime(2026, 3, 31, 2), "r1", "r2"),
        (dt.date(2026, 3, 29), "xiaomi/mimo-v2-pro-20260318", 480 * 10**9, 481 * 10**9,
         dt.datetime(2026, 3, 30, 2), dt.datetime(2026, 3, 31, 2), "r1", "r2"),
        (dt.date(2026, 3, 29), "other", 300 * 10**9, 318 * 10**9,
         dt.datetime(2026, 3, 30, 2), dt.datetime(2026, 3, 31, 2), "r1", "r2"),
        (dt.date(2026, 3, 20), "anthropic/claude-opus-4.6", 140 * 10**9, 141 * 10**9,
         dt.datetime(2026, 3, 21, 2), dt.datetime(2026, 3, 22, 2), "r0", "r1"),
    ]
    return {
        "weekly_totals": pd.DataFrame(totals),
        "weekly_country_usage": pd.DataFrame(countries),
        "leadership_streaks": pd.DataFrame(streaks),
        "weekly_model_usage": pd.DataFrame(models),
        "dim_model": pd.DataFrame(dim_model),
        "weekly_author_usage": pd.DataFrame(authors),
        "restatements": pd.DataFrame(restatements),
    }


def _run(i: int, leader: str):
    """The weeks, going back from week i, in which `leader` was ahead without a break."""
    series = {"CN": (CN, US), "US": (US, CN)}[leader]
    while i >= 0 and series[0][i] > series[1][i]:
        yield i
        i -= 1


def demo_warehouse(source: str = "demo (synthetic)") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the base schema and the derived tables of the demo weeks."""
    con = duckdb.connect()
    con.execute(SCHEMA.read_text())
    con.execute(DERIVED_DDL)
    for table, frame in _tables().items():
        con.register("rows", frame)
        con.execute(f"INSERT INTO {table} SELECT * FROM rows")
        con.unregister("rows")
    con.execute(
        "INSERT INTO ingest_log (run_id, flow, source, window_start, window_end, started_at, finished_at, status) "
        "VALUES ('run-1', 'weekly', ?, DATE '2026-03-30', DATE '2026-04-05', TIMESTAMP '2026-04-06 02:00:00', "
        "TIMESTAMP '2026-04-06 02:01:00', 'success')",
        [source],
    )
    return con


def with_overlapping_bounds(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Makes the demo week's leads uncertain: the US and the #2 model could have been ahead."""
    con.execute(
        "UPDATE weekly_country_usage SET tokens_upper = 13_200_000_000_000 "
        "WHERE week_start = ? AND basis = 'chart_top9' AND country = 'US'",
        [DEMO_WEEK],
    )
    con.execute(
        "UPDATE leadership_streaks SET certain_weeks = 4 WHERE week_start = ? AND kind = 'country_vs'", [DEMO_WEEK]
    )
    con.execute(
        "UPDATE weekly_model_usage SET tokens_upper = 4_700_000_000_000 WHERE week_start = ? AND rank = 2", [DEMO_WEEK]
    )
    return con


def changed(rows: list[dict], where: dict, **values) -> list[dict]:
    """A copy of the table `rows` in which every row matching all of `where` (column -> value) takes `values`."""
    return [{**row, **values} if all(row[k] == v for k, v in where.items()) else dict(row) for row in rows]

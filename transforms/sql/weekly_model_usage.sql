-- Grain: one row per (week, ranked permaslug in the ranking on at least one loaded day of the week).
-- `:free` and paid variants, and dated slugs, are separate entries. Tokens are int64.
--   tokens         sum over the days the model was in the ranking (a lower bound)
--   tokens_upper   tokens + for each loaded day it was absent, daily_totals.absent_max
--                  (the lesser of that day's lowest ranked model and that day's `other` row)
--   days_in_top50  loaded days the model was in the ranking
--   rank           by tokens descending, ties by permaslug ascending; 1 = the week's #1
--   share          tokens / weekly_totals.total_tokens (the week's total, `other` included)
--   prev_*         from the previous calendar week when both weeks are complete, else NULL;
--                  prev_tokens is 0 (prev_rank NULL) when the model was not ranked that week
--   wow_growth     tokens / prev_tokens - 1; NULL when prev_tokens is NULL or 0
--   rank_change    prev_rank - rank (positive: moved up)
--   is_new         true when the previous calendar week is complete and the model was not ranked on any
--                  of its days; false when it was ranked on a loaded day of that week; NULL otherwise
--                  (no previous week loaded, as in the first week of data, or an incomplete one that
--                  lacks the model). Unlike prev_*, it does not need this week to be complete.
WITH model_weeks AS (
    SELECT
        day.week_start,
        fact.model_permaslug,
        CAST(sum(fact.total_tokens) AS BIGINT) AS tokens,
        count(*)                               AS days_in_top50,
        CAST(sum(day.absent_max) AS BIGINT)    AS absent_max_on_ranked_days
    FROM fact_model_daily AS fact
    JOIN daily_totals AS day USING (date)
    WHERE NOT fact.is_other
    GROUP BY day.week_start, fact.model_permaslug
),
ranked AS (
    SELECT
        mw.week_start,
        mw.model_permaslug,
        mw.tokens,
        mw.tokens + cal.unranked_max_tokens - mw.absent_max_on_ranked_days AS tokens_upper,
        mw.days_in_top50,
        row_number() OVER (PARTITION BY mw.week_start
                           ORDER BY mw.tokens DESC, mw.model_permaslug) AS rank
    FROM model_weeks AS mw
    JOIN weekly_calendar AS cal USING (week_start)
)
SELECT
    cur.week_start,
    cur.model_permaslug,
    origin.author,
    coalesce(model.display_name, cur.model_permaslug)                 AS display_name,
    origin.country,
    cur.tokens,
    cur.tokens_upper,
    cur.days_in_top50,
    cur.rank,
    CAST(cur.tokens AS DOUBLE) / totals.total_tokens                  AS share,
    CASE WHEN cal.prev_week_start IS NOT NULL THEN coalesce(prev.tokens, 0) END AS prev_tokens,
    CASE WHEN prev.tokens > 0 THEN CAST(cur.tokens AS DOUBLE) / prev.tokens - 1 END AS wow_growth,
    prev.rank                                                         AS prev_rank,
    prev.rank - cur.rank                                              AS rank_change,
    CASE WHEN prev_any.model_permaslug IS NOT NULL THEN false
         WHEN prev_cal.is_complete THEN true END                      AS is_new
FROM ranked AS cur
JOIN weekly_calendar AS cal USING (week_start)
JOIN weekly_totals AS totals USING (week_start)
JOIN model_weekly_origin AS origin USING (week_start, model_permaslug)
LEFT JOIN dim_model AS model USING (model_permaslug)
LEFT JOIN ranked AS prev
       ON prev.week_start = cal.prev_week_start
      AND prev.model_permaslug = cur.model_permaslug
LEFT JOIN weekly_calendar AS prev_cal
       ON prev_cal.week_no = cal.week_no - 1
LEFT JOIN ranked AS prev_any
       ON prev_any.week_start = prev_cal.week_start
      AND prev_any.model_permaslug = cur.model_permaslug

-- Helper. Grain: one row per (week, ranked permaslug in the ranking on at least one day of the week).
-- A model's country for a week is evaluated on the week's Sunday:
--   1. a scope 'model' override whose key is the permaslug without its ':variant' (origin_key),
--      if its effective_from is on or before week_end (NULL effective_from: always);
--   2. else the scope 'author' row of the author;
--   3. else 'unattributed'.
-- origin_scope says which rule applied ('model' | 'author'; NULL when unattributed).
WITH model_weeks AS (
    SELECT DISTINCT
        day.week_start,
        fact.model_permaslug,
        fact.author,
        split_part(fact.model_permaslug, ':', 1) AS origin_key
    FROM fact_model_daily AS fact
    JOIN daily_totals AS day USING (date)
    WHERE NOT fact.is_other
),
model_overrides AS (
    SELECT key AS origin_key, country, effective_from FROM dim_origin WHERE scope = 'model'
),
author_origins AS (
    SELECT key AS author, country FROM dim_origin WHERE scope = 'author'
)
SELECT
    mw.week_start,
    cal.week_end,
    mw.model_permaslug,
    mw.author,
    mw.origin_key,
    coalesce(ovr.country, auth.country, 'unattributed') AS country,
    CASE WHEN ovr.country IS NOT NULL THEN 'model'
         WHEN auth.country IS NOT NULL THEN 'author' END AS origin_scope
FROM model_weeks AS mw
JOIN weekly_calendar AS cal USING (week_start)
LEFT JOIN model_overrides AS ovr
       ON ovr.origin_key = mw.origin_key
      AND (ovr.effective_from IS NULL OR ovr.effective_from <= cal.week_end)
LEFT JOIN author_origins AS auth ON auth.author = mw.author

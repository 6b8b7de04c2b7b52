-- Grain: one row per (complete week, level, key) with tokens that week. Incomplete weeks have no row.
--   level/key      'total'/'total' (weekly_totals.total_tokens, `other` included);
--                  'country'/ISO code or 'unattributed' (basis chart_top9, the published figure;
--                  top50 growth is weekly_country_usage.wow_growth);
--                  'author'/author; 'model'/permaslug
--   wow_growth     the source table's wow_growth (previous calendar week, both complete)
--   growth_4w      tokens / tokens four calendar weeks earlier - 1; NULL unless that week is complete
--                  and the key had tokens then
--   rising_weeks   consecutive weeks, ending with this one, with wow_growth > 0 (0 when not rising)
WITH series AS (
    SELECT week_start, 'total' AS level, 'total' AS key, total_tokens AS tokens, wow_growth
    FROM weekly_totals
    UNION ALL
    SELECT week_start, 'country', country, tokens, wow_growth
    FROM weekly_country_usage
    WHERE basis = 'chart_top9'
    UNION ALL
    SELECT week_start, 'author', author, tokens, wow_growth
    FROM weekly_author_usage
    UNION ALL
    SELECT week_start, 'model', model_permaslug, tokens, wow_growth
    FROM weekly_model_usage
),
complete_series AS (
    SELECT series.*, cal.week_no, coalesce(series.wow_growth > 0, FALSE) AS rising
    FROM series
    JOIN weekly_calendar AS cal USING (week_start)
    WHERE cal.is_complete
),
runs AS (
    SELECT
        *,
        week_no - row_number() OVER (PARTITION BY level, key, rising ORDER BY week_no) AS rising_run
    FROM complete_series
)
SELECT
    cur.week_start,
    cur.level,
    cur.key,
    cur.tokens,
    cur.wow_growth,
    CASE WHEN past.tokens > 0 THEN CAST(cur.tokens AS DOUBLE) / past.tokens - 1 END AS growth_4w,
    CASE WHEN cur.rising THEN row_number() OVER (
        PARTITION BY cur.level, cur.key, cur.rising, cur.rising_run ORDER BY cur.week_no)
    ELSE 0 END AS rising_weeks
FROM runs AS cur
LEFT JOIN complete_series AS past
       ON past.level = cur.level
      AND past.key = cur.key
      AND past.week_no = cur.week_no - 4

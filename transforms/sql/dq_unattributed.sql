-- Data-quality list. Grain: one row per ranked permaslug that resolved to 'unattributed' in at least
-- one week (model_weekly_origin): what a maintainer should map in transforms/reference/.
--   origin_key                  'author/model-slug', the key a scope 'model' override would use
--   first_date, last_date, days the loaded days it was ranked within its unattributed weeks
--   total_tokens                its tokens over those days (int64)
WITH unattributed_weeks AS (
    SELECT week_start, model_permaslug, author, origin_key
    FROM model_weekly_origin
    WHERE country = 'unattributed'
),
unattributed_days AS (
    SELECT weeks.author, weeks.model_permaslug, weeks.origin_key, fact.date, fact.total_tokens
    FROM fact_model_daily AS fact
    JOIN daily_totals AS day USING (date)
    JOIN unattributed_weeks AS weeks
      ON weeks.week_start = day.week_start
     AND weeks.model_permaslug = fact.model_permaslug
)
SELECT
    days.author,
    days.model_permaslug,
    coalesce(any_value(model.display_name), days.model_permaslug) AS display_name,
    days.origin_key,
    min(days.date)                          AS first_date,
    max(days.date)                          AS last_date,
    count(*)                                AS days,
    CAST(sum(days.total_tokens) AS BIGINT)  AS total_tokens
FROM unattributed_days AS days
LEFT JOIN dim_model AS model USING (model_permaslug)
GROUP BY days.author, days.model_permaslug, days.origin_key

-- dq_days: every rankings-daily date a loaded response asked for or that holds rows, with what the warehouse
-- holds for it. Grain: one row per date. status: 'ok' (51 rows incl. `other`), 'short' (fewer than 51 rows),
-- 'no_other' (no `other` row), 'empty' (asked for, the API answered no rows: fetched again by the next run).
WITH requested AS (
    SELECT date
    FROM requested_dates
    WHERE dataset = 'rankings-daily'
),

held AS (
    SELECT date, count(*) AS rows, bool_or(is_other) AS has_other
    FROM fact_model_daily
    GROUP BY date
)

SELECT
    coalesce(r.date, h.date) AS date,
    coalesce(h.rows, 0) AS rows,
    coalesce(h.has_other, false) AS has_other,
    CASE
        WHEN h.rows IS NULL THEN 'empty'
        WHEN h.rows < 51 THEN 'short'
        WHEN NOT h.has_other THEN 'no_other'
        ELSE 'ok'
    END AS status
FROM requested AS r
FULL JOIN held AS h USING (date)
ORDER BY date

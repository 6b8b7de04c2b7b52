-- Grain: one row per week with at least one loaded day. Tokens are int64.
--   total_tokens   every row of the week, the daily `other` rows included
--   other_tokens   the week's `other` rows
--   ranked_tokens  total_tokens - other_tokens
--   wow_growth     total_tokens / previous week's - 1; NULL unless both weeks are complete
WITH week_sums AS (
    SELECT
        week_start,
        CAST(sum(total_tokens) AS BIGINT) AS total_tokens,
        CAST(sum(other_tokens) AS BIGINT) AS other_tokens
    FROM daily_totals
    GROUP BY week_start
)
SELECT
    cal.week_start,
    cal.days,
    cal.is_complete,
    cur.total_tokens,
    cur.other_tokens,
    cur.total_tokens - cur.other_tokens AS ranked_tokens,
    CASE WHEN prev.total_tokens > 0
         THEN CAST(cur.total_tokens AS DOUBLE) / prev.total_tokens - 1 END AS wow_growth,
    cal.as_of
FROM weekly_calendar AS cal
JOIN week_sums AS cur USING (week_start)
LEFT JOIN week_sums AS prev ON prev.week_start = cal.prev_week_start

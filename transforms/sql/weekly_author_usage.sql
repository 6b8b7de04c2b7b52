-- Grain: one row per (week, author with a ranked model that week). Tokens are int64.
--   country     the author's own country (dim_origin scope 'author'), else 'unattributed';
--               per-model overrides do not move an author (they move the model, see weekly_model_usage)
--   tokens      sum of the author's weekly_model_usage.tokens (all variants, all slugs)
--   share       tokens / weekly_totals.total_tokens (the week's total, `other` included)
--   rank        by tokens descending, ties by author ascending
--   wow_growth  tokens / previous week's - 1; NULL unless both weeks are complete and the author
--               had tokens in the previous one
WITH author_weeks AS (
    SELECT week_start, author, CAST(sum(tokens) AS BIGINT) AS tokens
    FROM weekly_model_usage
    GROUP BY week_start, author
),
ranked AS (
    SELECT
        week_start,
        author,
        tokens,
        row_number() OVER (PARTITION BY week_start ORDER BY tokens DESC, author) AS rank
    FROM author_weeks
),
author_origins AS (
    SELECT key AS author, country FROM dim_origin WHERE scope = 'author'
)
SELECT
    cur.week_start,
    cur.author,
    coalesce(origin.country, 'unattributed')          AS country,
    cur.tokens,
    CAST(cur.tokens AS DOUBLE) / totals.total_tokens  AS share,
    cur.rank,
    CASE WHEN prev.tokens > 0 THEN CAST(cur.tokens AS DOUBLE) / prev.tokens - 1 END AS wow_growth
FROM ranked AS cur
JOIN weekly_calendar AS cal USING (week_start)
JOIN weekly_totals AS totals USING (week_start)
LEFT JOIN author_origins AS origin USING (author)
LEFT JOIN author_weeks AS prev
       ON prev.week_start = cal.prev_week_start
      AND prev.author = cur.author

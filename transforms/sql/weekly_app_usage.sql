-- Grain: one row per (week, popular list, app) of fact_app_rankings: the overall list (category and
-- subcategory 'all', ranks 1..200) and every category and subcategory list. Tokens and requests are the
-- week's (Monday–Sunday UTC) as published; keyed on app_id.
--   app_name            dim_app.app_name (the app's latest name)
--   rank                its rank in that list
--   tokens_per_request  tokens / requests, rounded; NULL when requests = 0
--   share               tokens / the week's overall top-200 total (the sum of the overall popular list);
--                       NULL when the week's overall list is not loaded
--   prev_tokens,        the app's tokens and rank in the same list of the previous calendar week; NULL when
--   prev_rank           that list is not loaded (with rows) or the app is not in it
--   wow_growth          tokens / prev_tokens - 1; NULL when prev_tokens is NULL or 0
--   rank_change         prev_rank - rank (positive: moved up)
--   is_new              the previous week's list is loaded and the app is not in it; NULL when it is not loaded
WITH popular AS (
    SELECT week_start, week_end, category, subcategory, app_id, rank,
           total_tokens AS tokens, total_requests AS requests
    FROM fact_app_rankings
    WHERE sort = 'popular'
),
lists AS (
    SELECT DISTINCT week_start, category, subcategory FROM popular
),
overall AS (
    SELECT week_start, CAST(sum(tokens) AS BIGINT) AS top200_tokens
    FROM popular
    WHERE category = 'all' AND subcategory = 'all'
    GROUP BY week_start
)
SELECT
    cur.week_start,
    cur.week_end,
    cur.category,
    cur.subcategory,
    cur.app_id,
    app.app_name,
    cur.rank,
    cur.tokens,
    cur.requests,
    CASE WHEN cur.requests > 0 THEN CAST(round(cur.tokens / cur.requests) AS BIGINT) END AS tokens_per_request,
    CAST(cur.tokens AS DOUBLE) / nullif(overall.top200_tokens, 0)          AS share,
    prev.tokens                                                            AS prev_tokens,
    CASE WHEN prev.tokens > 0 THEN CAST(cur.tokens AS DOUBLE) / prev.tokens - 1 END AS wow_growth,
    prev.rank                                                              AS prev_rank,
    prev.rank - cur.rank                                                   AS rank_change,
    CASE WHEN prev_list.week_start IS NOT NULL THEN prev.app_id IS NULL END AS is_new
FROM popular AS cur
LEFT JOIN dim_app AS app USING (app_id)
LEFT JOIN overall USING (week_start)
LEFT JOIN lists AS prev_list
       ON prev_list.week_start = cur.week_start - 7
      AND prev_list.category = cur.category
      AND prev_list.subcategory = cur.subcategory
LEFT JOIN popular AS prev
       ON prev.week_start = cur.week_start - 7
      AND prev.category = cur.category
      AND prev.subcategory = cur.subcategory
      AND prev.app_id = cur.app_id

-- Grain: one row per (week, facet, facet_value) with rows in a facet table. Tokens are int64.
-- Exact facets (modality, context_bucket) are summed from fact_model_daily_facet over the Monday–Sunday
-- UTC week; sampled facets (category, language_type) are fact_model_weekly_estimate as published: when
-- is_estimate, tokens, other_tokens, share and wow_growth are ESTIMATES and are never combined with exact
-- figures (their share is of the facet's own estimates, not of any exact total).
--   is_estimate   true for the sampled facets
--   days          exact: days with rows that week; estimates: 7 (one weekly bucket)
--   is_complete   days = 7
--   tokens        every row of the week, `other` included
--   other_tokens  the week's `other` rows (what the top 50 leaves out)
--   share         exact: tokens / weekly_totals.total_tokens (all traffic that week), both weeks complete,
--                 else NULL. One facet's values overlap (a request can be text and tool_calling), so
--                 shares need not sum to 1. estimate: tokens / the sum of the facet's values that week
--                 (the facet value's share of the facet's estimated tokens; sums to 1 per week and facet)
--   wow_growth    tokens / the previous calendar week's (same facet value) - 1, when both are complete
WITH exact_weeks AS (
    SELECT
        CAST(date_trunc('week', date) AS DATE)                                               AS week_start,
        facet,
        facet_value,
        FALSE                                                                                AS is_estimate,
        count(DISTINCT date)                                                                 AS days,
        CAST(sum(total_tokens) AS BIGINT)                                                    AS tokens,
        CAST(coalesce(sum(total_tokens) FILTER (WHERE model_permaslug = 'other'), 0) AS BIGINT) AS other_tokens
    FROM fact_model_daily_facet
    GROUP BY ALL
),
estimate_weeks AS (
    SELECT
        week_start,
        facet,
        facet_value,
        TRUE                                                                                 AS is_estimate,
        7                                                                                    AS days,
        CAST(sum(total_tokens) AS BIGINT)                                                    AS tokens,
        CAST(coalesce(sum(total_tokens) FILTER (WHERE model_permaslug = 'other'), 0) AS BIGINT) AS other_tokens
    FROM fact_model_weekly_estimate
    GROUP BY ALL
),
facet_weeks AS (
    SELECT * FROM exact_weeks
    UNION ALL
    SELECT * FROM estimate_weeks
),
estimate_sums AS (
    SELECT week_start, facet, sum(tokens) AS tokens FROM estimate_weeks GROUP BY ALL
)
SELECT
    cur.week_start,
    cur.facet,
    cur.facet_value,
    cur.is_estimate,
    cur.days,
    cur.days = 7                                                              AS is_complete,
    cur.tokens,
    cur.other_tokens,
    CASE WHEN cur.is_estimate THEN CAST(cur.tokens AS DOUBLE) / est.tokens
         WHEN cur.days = 7 AND totals.is_complete THEN CAST(cur.tokens AS DOUBLE) / totals.total_tokens
    END                                                                       AS share,
    CASE WHEN cur.days = 7 AND prev.days = 7 AND prev.tokens > 0
         THEN CAST(cur.tokens AS DOUBLE) / prev.tokens - 1 END                AS wow_growth
FROM facet_weeks AS cur
LEFT JOIN estimate_sums AS est
       ON cur.is_estimate AND est.week_start = cur.week_start AND est.facet = cur.facet
LEFT JOIN weekly_totals AS totals
       ON NOT cur.is_estimate AND totals.week_start = cur.week_start
LEFT JOIN facet_weeks AS prev
       ON prev.week_start = cur.week_start - 7
      AND prev.facet = cur.facet
      AND prev.facet_value = cur.facet_value

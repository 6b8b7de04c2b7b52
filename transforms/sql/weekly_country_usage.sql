-- Grain: one row per (week, basis, country present in that basis that week); a country with no
-- model in the basis has no row. Countries are ISO alpha-2 codes, plus 'unattributed'. Tokens are int64.
--   basis         'chart_top9': the week's 9 highest-ranked models (weekly_model_usage.rank <= 9),
--                 the figure the press publishes; 'top50': every ranked model of the week
--   tokens        sum of weekly_model_usage.tokens of the country's models in the basis
--   tokens_upper  tokens + the most tokens of unknown origin could add to the country:
--                   top50:      tokens + the week's `other` + the basis's unattributed tokens
--                   chart_top9: the country's models' tokens_upper + the basis's unattributed
--                               models' tokens_upper (a bound given the week's top-9 membership)
--                 for 'unattributed' itself the unknown part is counted once (its upper is exactly
--                 what unknown tokens could add to any one other country)
--   share         tokens / the basis's tokens (top50: all ranked tokens; chart_top9: the top-9 sum),
--                 so shares sum to 1 per week and basis
--   wow_growth    tokens / previous week's (same basis and country) - 1; NULL unless both weeks
--                 are complete and the country had tokens in the previous one
--   models        how many models make up the row
WITH basis_models AS (
    SELECT week_start, 'top50' AS basis, country, tokens, tokens_upper
    FROM weekly_model_usage
    UNION ALL
    SELECT week_start, 'chart_top9' AS basis, country, tokens, tokens_upper
    FROM weekly_model_usage
    WHERE rank <= 9
),
country_sums AS (
    SELECT
        week_start,
        basis,
        country,
        CAST(sum(tokens) AS BIGINT)       AS tokens,
        CAST(sum(tokens_upper) AS BIGINT) AS models_upper,
        count(*)                          AS models
    FROM basis_models
    GROUP BY week_start, basis, country
),
basis_sums AS (
    SELECT
        sums.week_start,
        sums.basis,
        CAST(sum(sums.tokens) AS BIGINT) AS tokens,
        CAST(CASE sums.basis
            WHEN 'top50' THEN any_value(totals.other_tokens)
                              + coalesce(sum(sums.tokens) FILTER (WHERE sums.country = 'unattributed'), 0)
            ELSE coalesce(sum(sums.models_upper) FILTER (WHERE sums.country = 'unattributed'), 0)
        END AS BIGINT) AS unknown_upper
    FROM country_sums AS sums
    JOIN weekly_totals AS totals USING (week_start)
    GROUP BY sums.week_start, sums.basis
)
SELECT
    cur.week_start,
    cur.basis,
    cur.country,
    cur.tokens,
    CASE WHEN cur.country = 'unattributed' THEN 0
         WHEN cur.basis = 'top50' THEN cur.tokens
         ELSE cur.models_upper END + basis.unknown_upper AS tokens_upper,
    CAST(cur.tokens AS DOUBLE) / basis.tokens            AS share,
    CASE WHEN prev.tokens > 0 THEN CAST(cur.tokens AS DOUBLE) / prev.tokens - 1 END AS wow_growth,
    cur.models
FROM country_sums AS cur
JOIN basis_sums AS basis USING (week_start, basis)
JOIN weekly_calendar AS cal USING (week_start)
LEFT JOIN country_sums AS prev
       ON prev.week_start = cal.prev_week_start
      AND prev.basis = cur.basis
      AND prev.country = cur.country

-- Helper. Grain: one row per loaded UTC day. Tokens are int64.
--   week_start      Monday of the day's Monday–Sunday UTC week
--   total_tokens    every row of the day, the `other` row included
--   other_tokens    the day's `other` row (0 when OpenRouter omitted it: empty long tail)
--   ranked_tokens   total_tokens - other_tokens
--   ranked_rows     how many ranked entries the day has (50 in real data)
--   floor_tokens    the lowest ranked entry's tokens (the 50th model in real data)
--   absent_max      the most a model missing from the day's ranking can have had that day:
--                   it was below the floor and inside `other`, so the lesser of the two
--   as_of           latest snapshot time among the day's rows
WITH days AS (
    SELECT
        date,
        CAST(date_trunc('week', date) AS DATE)                                  AS week_start,
        CAST(sum(total_tokens) AS BIGINT)                                       AS total_tokens,
        CAST(coalesce(sum(total_tokens) FILTER (WHERE is_other), 0) AS BIGINT)  AS other_tokens,
        count(*) FILTER (WHERE NOT is_other)                                    AS ranked_rows,
        min(total_tokens) FILTER (WHERE NOT is_other)                           AS floor_tokens,
        max(as_of)                                                              AS as_of
    FROM fact_model_daily
    GROUP BY date
)
SELECT
    date,
    week_start,
    total_tokens,
    other_tokens,
    total_tokens - other_tokens                               AS ranked_tokens,
    ranked_rows,
    floor_tokens,
    least(coalesce(floor_tokens, other_tokens), other_tokens) AS absent_max,
    as_of
FROM days

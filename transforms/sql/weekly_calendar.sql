-- Helper. Grain: one row per Monday–Sunday UTC week with at least one loaded day (a week with no
-- loaded day at all, a gap week, has no row).
--   week_end             the Sunday: country attribution is evaluated on this day
--   week_no              consecutive integer per calendar week (week_no - 1 is the previous week)
--   days, is_complete    loaded days; complete when all 7 are loaded
--   as_of                latest snapshot time among the week's rows
--   unranked_max_tokens  the most a model absent from the ranking on every loaded day could have had
--   prev_week_start      the previous calendar week, only when it and this week are both complete:
--                        the only week growth, prev_* columns and streaks ever compare with
WITH weeks AS (
    SELECT
        week_start,
        count(*)                          AS days,
        max(as_of)                        AS as_of,
        CAST(sum(absent_max) AS BIGINT)   AS unranked_max_tokens
    FROM daily_totals
    GROUP BY week_start
),
numbered AS (
    SELECT
        week_start,
        CAST(week_start + 6 AS DATE)             AS week_end,
        (week_start - DATE '1970-01-05') // 7    AS week_no,
        days,
        days = 7                                 AS is_complete,
        as_of,
        unranked_max_tokens
    FROM weeks
)
SELECT
    cur.week_start,
    cur.week_end,
    cur.week_no,
    cur.days,
    cur.is_complete,
    cur.as_of,
    cur.unranked_max_tokens,
    CASE WHEN cur.is_complete AND prev.is_complete THEN prev.week_start END AS prev_week_start
FROM numbered AS cur
LEFT JOIN numbered AS prev ON prev.week_no = cur.week_no - 1

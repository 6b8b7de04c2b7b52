-- Each macro category's SHARE (0..1) of the classified requests and tokens in every task-classifications
-- snapshot, against the snapshot 7 days earlier (NULL when that day was not captured). *_change is in share
-- points (new - old, e.g. 0.02 = +2 points). Grain: one row per (snapshot_date, macro_category).
WITH macros AS (
    SELECT snapshot_date, macro_category, display_name AS label, position, usage_share, token_share
    FROM fact_task_classifications
    WHERE level = 'macro'
)
SELECT
    m.snapshot_date,
    m.macro_category,
    m.label,
    m.position,
    m.usage_share,
    m.token_share,
    p.usage_share AS prev_usage_share,
    p.token_share AS prev_token_share,
    m.usage_share - p.usage_share AS usage_share_change,
    m.token_share - p.token_share AS token_share_change
FROM macros AS m
LEFT JOIN macros AS p ON p.macro_category = m.macro_category AND p.snapshot_date + 7 = m.snapshot_date
ORDER BY m.snapshot_date, m.position

-- The classification tags of every task-classifications snapshot: SHARES (0..1) of a sampled, classified set of
-- requests over the 7 days ending snapshot_date, never volumes. Grain: one row per (snapshot_date, tag).
WITH tags AS (
    SELECT snapshot_date, tag, display_name, macro_category, position, usage_share, token_share,
           category_usage_share, category_token_share, as_of
    FROM fact_task_classifications
    WHERE level = 'tag'
)
SELECT * FROM tags ORDER BY snapshot_date, position

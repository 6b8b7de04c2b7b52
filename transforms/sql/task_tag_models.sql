-- The top models of each tag in every task-classifications snapshot, with their SHARES (0..1) of the tag's
-- requests and tokens (the top few only: they sum to at most 1). Grain: one row per (snapshot_date, tag, model_id).
WITH models AS (
    SELECT snapshot_date, tag, macro_category, model_id, position, usage_share AS tag_usage_share,
           token_share AS tag_token_share, as_of
    FROM fact_task_classifications
    WHERE level = 'model'
)
SELECT * FROM models ORDER BY snapshot_date, tag, position

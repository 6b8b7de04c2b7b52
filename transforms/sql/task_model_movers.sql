-- Which models gain or lose SHARE within a task: every model in a tag's top list of a task-classifications
-- snapshot or of the snapshot 7 days earlier, for snapshot pairs both captured. usage_share_change is in share
-- points of the tag's requests (new - old); 'entered'/'left' mean in the top list on one side only (its share on
-- the other side is unknown, not zero). Grain: one row per (snapshot_date, tag, model_id).
WITH models AS (
    SELECT snapshot_date, tag, macro_category, model_id, usage_share, token_share
    FROM fact_task_classifications
    WHERE level = 'model'
),
pairs AS (
    SELECT DISTINCT s.snapshot_date, p.snapshot_date AS previous_date
    FROM fact_task_classifications AS s
    JOIN fact_task_classifications AS p ON p.snapshot_date + 7 = s.snapshot_date
),
cur AS (
    SELECT m.*, pairs.previous_date FROM models AS m JOIN pairs USING (snapshot_date)
),
prev AS (
    SELECT m.*, pairs.snapshot_date AS next_date FROM models AS m JOIN pairs ON m.snapshot_date = pairs.previous_date
),
joined AS (
    SELECT
        coalesce(c.snapshot_date, p.next_date) AS snapshot_date,
        coalesce(c.previous_date, p.snapshot_date) AS previous_date,
        coalesce(c.tag, p.tag) AS tag,
        coalesce(c.macro_category, p.macro_category) AS macro_category,
        coalesce(c.model_id, p.model_id) AS model_id,
        c.usage_share AS tag_usage_share,
        p.usage_share AS prev_tag_usage_share,
        c.token_share AS tag_token_share,
        p.token_share AS prev_tag_token_share
    FROM cur AS c
    FULL JOIN prev AS p ON p.next_date = c.snapshot_date AND p.tag = c.tag AND p.model_id = c.model_id
)
SELECT
    *,
    tag_usage_share - prev_tag_usage_share AS usage_share_change,
    CASE
        WHEN prev_tag_usage_share IS NULL THEN 'entered'
        WHEN tag_usage_share IS NULL THEN 'left'
        WHEN tag_usage_share > prev_tag_usage_share THEN 'gaining'
        WHEN tag_usage_share < prev_tag_usage_share THEN 'losing'
        ELSE 'unchanged'
    END AS movement
FROM joined
ORDER BY snapshot_date, tag, usage_share_change DESC NULLS LAST, model_id

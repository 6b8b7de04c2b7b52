-- dq_app_weeks: what app-rankings holds per week, from the lists loaded (lake_partitions). Grain: one row per
-- Monday–Sunday week with at least one list loaded.
--   lists        lists loaded, of the 25 a complete week has (popular and trending overall, popular per
--                category and per subcategory, trending per category)
--   empty_lists  lists the API answered with no rows (valid: early weeks, short trending lists)
--   rows         ranked rows over the week's lists
--   is_complete  all 25 lists loaded
--   as_of        the latest snapshot among them
SELECT
    CAST(split_part(partition, '_', 1) AS DATE)  AS week_start,
    count(*)                                     AS lists,
    count(*) FILTER (rows = 0)                   AS empty_lists,
    CAST(sum(rows) AS BIGINT)                    AS rows,
    count(*) = 25                                AS is_complete,
    max(as_of)                                   AS as_of
FROM lake_partitions
WHERE dataset = 'app-rankings'
GROUP BY ALL
ORDER BY week_start

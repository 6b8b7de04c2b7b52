-- Grain: one row per app ever in the top 10 of the overall popular list of app-rankings (category and
-- subcategory 'all', rank <= 10). A run is consecutive calendar weeks in the top 10: a week the app is not in
-- it, or whose overall list is not loaded, ends the run.
--   app_name        dim_app.app_name
--   weeks_in_top10  weeks in the top 10 in all
--   best_rank       its best rank in those weeks
--   longest_weeks   the longest run; longest_start/longest_end its first and last Monday (the latest on a tie)
--   current_weeks   the run that includes the latest week with an overall list loaded; 0 when the app is not
--                   in that week's top 10
WITH overall AS (
    SELECT week_start, app_id, rank, (week_start - DATE '1970-01-05') // 7 AS week_no
    FROM fact_app_rankings
    WHERE sort = 'popular' AND category = 'all' AND subcategory = 'all'
),
latest AS (
    SELECT max(week_start) AS week_start FROM overall
),
top10 AS (
    SELECT *, week_no - row_number() OVER (PARTITION BY app_id ORDER BY week_no) AS island
    FROM overall
    WHERE rank <= 10
),
islands AS (
    SELECT app_id, count(*) AS weeks, min(week_start) AS run_start, max(week_start) AS run_end,
           row_number() OVER (PARTITION BY app_id ORDER BY count(*) DESC, max(week_start) DESC) AS place
    FROM top10
    GROUP BY app_id, island
),
totals AS (
    SELECT app_id, count(*) AS weeks_in_top10, min(rank) AS best_rank
    FROM top10
    GROUP BY app_id
)
SELECT
    totals.app_id,
    app.app_name,
    totals.weeks_in_top10,
    totals.best_rank,
    longest.weeks                   AS longest_weeks,
    longest.run_start               AS longest_start,
    longest.run_end                 AS longest_end,
    coalesce(current_run.weeks, 0)  AS current_weeks
FROM totals
JOIN islands AS longest ON longest.app_id = totals.app_id AND longest.place = 1
LEFT JOIN islands AS current_run
       ON current_run.app_id = totals.app_id
      AND current_run.run_end = (SELECT week_start FROM latest)
LEFT JOIN dim_app AS app ON app.app_id = totals.app_id

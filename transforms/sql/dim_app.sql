-- Grain: one row per app_id ranked in any list of fact_app_rankings (app-rankings). An app is its app_id:
-- names change between fetches and are not unique (three apps are named "pi").
--   app_name    the name on its most recent row (latest as_of, then latest week; ties by name)
--   first_seen  Monday of the first week it is ranked in any list
--   last_seen   Monday of the last week it is ranked in any list
--   names_seen  every name it was published under: on its current rows and, from app_restatements, the names
--               later fetches replaced; in order of first appearance (as_of), ties by name
WITH names AS (
    SELECT app_id, app_name AS name, as_of FROM fact_app_rankings
    UNION ALL
    SELECT app_id, old_name, old_as_of FROM app_restatements WHERE old_name IS NOT NULL
    UNION ALL
    SELECT app_id, new_name, new_as_of FROM app_restatements WHERE new_name IS NOT NULL
),
first_use AS (
    SELECT app_id, name, min(as_of) AS first_as_of
    FROM names
    GROUP BY app_id, name
),
history AS (
    SELECT app_id, list(name ORDER BY first_as_of, name) AS names_seen
    FROM first_use
    GROUP BY app_id
),
latest AS (
    SELECT app_id, app_name,
           row_number() OVER (PARTITION BY app_id ORDER BY as_of DESC, week_start DESC, app_name) AS place
    FROM fact_app_rankings
),
weeks AS (
    SELECT app_id, min(week_start) AS first_seen, max(week_start) AS last_seen
    FROM fact_app_rankings
    GROUP BY app_id
)
SELECT
    weeks.app_id,
    latest.app_name,
    weeks.first_seen,
    weeks.last_seen,
    history.names_seen
FROM weeks
JOIN latest ON latest.app_id = weeks.app_id AND latest.place = 1
JOIN history ON history.app_id = weeks.app_id

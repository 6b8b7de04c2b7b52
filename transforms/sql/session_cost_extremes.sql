-- The cheapest and the dearest model of each harness and turn range in every session-cost snapshot, and the
-- change from the snapshot of the window ending exactly 7 days earlier (NULL when that week was not captured).
-- Grain: one row per (window_end_date, app_slug, turn_range). Costs are median USD per session over the
-- snapshot's window; *_change is new / old - 1. Ties break alphabetically on the permaslug.
WITH cells AS (
    SELECT
        window_end_date,
        app_slug,
        app_name,
        turn_range,
        model_permaslug,
        median_session_cost_usd AS cost_usd,
        row_number() OVER (PARTITION BY window_end_date, app_slug, turn_range
                           ORDER BY median_session_cost_usd, model_permaslug) AS cheap_rank,
        row_number() OVER (PARTITION BY window_end_date, app_slug, turn_range
                           ORDER BY median_session_cost_usd DESC, model_permaslug) AS dear_rank
    FROM fact_session_cost
),
extremes AS (
    SELECT
        window_end_date,
        app_slug,
        max(app_name) AS app_name,
        turn_range,
        CASE turn_range WHEN '1-turn' THEN 1 WHEN '2-9-turns' THEN 2 WHEN '10-49-turns' THEN 3
                        WHEN '50-plus-turns' THEN 4 END AS turn_order,
        count(*) AS models,
        max(model_permaslug) FILTER (WHERE cheap_rank = 1) AS cheapest_model,
        max(cost_usd) FILTER (WHERE cheap_rank = 1) AS cheapest_cost_usd,
        max(model_permaslug) FILTER (WHERE dear_rank = 1) AS dearest_model,
        max(cost_usd) FILTER (WHERE dear_rank = 1) AS dearest_cost_usd
    FROM cells
    GROUP BY window_end_date, app_slug, turn_range
)
SELECT
    e.window_end_date,
    e.app_slug,
    e.app_name,
    e.turn_range,
    e.turn_order,
    e.models,
    e.cheapest_model,
    e.cheapest_cost_usd,
    p.cheapest_model AS prev_cheapest_model,
    p.cheapest_cost_usd AS prev_cheapest_cost_usd,
    e.cheapest_cost_usd / nullif(p.cheapest_cost_usd, 0) - 1 AS cheapest_change,
    e.dearest_model,
    e.dearest_cost_usd,
    p.dearest_model AS prev_dearest_model,
    p.dearest_cost_usd AS prev_dearest_cost_usd,
    e.dearest_cost_usd / nullif(p.dearest_cost_usd, 0) - 1 AS dearest_change
FROM extremes AS e
LEFT JOIN extremes AS p
    ON p.app_slug = e.app_slug AND p.turn_range = e.turn_range AND p.window_end_date + 7 = e.window_end_date
ORDER BY e.window_end_date, e.app_slug, e.turn_order

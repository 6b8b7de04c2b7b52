-- Grain: one row per (week, facet, facet_value, ranked permaslug) of the facet tables; `other` excluded.
-- Exact facets (modality, context_bucket) sum fact_model_daily_facet over the Monday–Sunday UTC week;
-- sampled facets (category, language_type) take fact_model_weekly_estimate as published. Rows with
-- is_estimate hold OpenRouter's ESTIMATES (sampled data): never add them to, or rank them with, exact rows.
--   is_estimate   false: exact daily counts summed (modality, context_bucket); true: weekly estimates
--   is_complete   exact: the facet value has rows on all 7 days of the week; estimates: always true
--   tokens        exact: sum over the days the model was in the facet value's top 50 (a lower bound);
--                 estimate: the published weekly estimate. int64
--   rank          by tokens descending, ties by permaslug ascending; 1 = the week's #1 of the facet value
--   country       the maker's country by model_weekly_origin's rule: a scope 'model' override of the
--                 permaslug without ':variant' effective on or before the week's Sunday, else the
--                 author's row, else 'unattributed'
WITH exact_days AS (
    SELECT
        CAST(date_trunc('week', date) AS DATE) AS week_start,
        facet,
        facet_value,
        count(DISTINCT date)                   AS days
    FROM fact_model_daily_facet
    GROUP BY ALL
),
exact_models AS (
    SELECT
        CAST(date_trunc('week', date) AS DATE) AS week_start,
        facet,
        facet_value,
        model_permaslug,
        CAST(sum(total_tokens) AS BIGINT)      AS tokens
    FROM fact_model_daily_facet
    WHERE model_permaslug <> 'other'
    GROUP BY ALL
),
facet_models AS (
    SELECT models.week_start, models.facet, models.facet_value, models.model_permaslug,
           FALSE AS is_estimate, days.days = 7 AS is_complete, models.tokens
    FROM exact_models AS models
    JOIN exact_days AS days USING (week_start, facet, facet_value)
    UNION ALL
    SELECT week_start, facet, facet_value, model_permaslug, TRUE, TRUE, total_tokens
    FROM fact_model_weekly_estimate
    WHERE model_permaslug <> 'other'
),
model_overrides AS (
    SELECT key AS origin_key, country, effective_from FROM dim_origin WHERE scope = 'model'
),
author_origins AS (
    SELECT key AS author, country FROM dim_origin WHERE scope = 'author'
)
SELECT
    fm.week_start,
    fm.facet,
    fm.facet_value,
    fm.model_permaslug,
    fm.is_estimate,
    fm.is_complete,
    fm.tokens,
    row_number() OVER (PARTITION BY fm.week_start, fm.facet, fm.facet_value
                       ORDER BY fm.tokens DESC, fm.model_permaslug)    AS rank,
    coalesce(ovr.country, auth.country, 'unattributed')                AS country
FROM facet_models AS fm
LEFT JOIN model_overrides AS ovr
       ON ovr.origin_key = split_part(fm.model_permaslug, ':', 1)
      AND (ovr.effective_from IS NULL OR ovr.effective_from <= fm.week_start + 6)
LEFT JOIN author_origins AS auth
       ON auth.author = split_part(fm.model_permaslug, '/', 1)

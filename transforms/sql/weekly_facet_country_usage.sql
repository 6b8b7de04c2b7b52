-- Grain: one row per (week, facet, facet_value, country present among that week's top 9 models of the facet
-- value): the country split on the same top-9 basis as the headline (weekly_country_usage, 'chart_top9'),
-- e.g. "China's share of tool-calling tokens". Countries are ISO alpha-2 codes, plus 'unattributed'.
--   basis    'chart_top9' for exact facets (modality, context_bucket; complete weeks only);
--            'estimate' for sampled facets (category, language_type): the figures are ESTIMATES
--   tokens   sum of weekly_facet_model_usage.tokens of the country's models with rank <= 9 (int64)
--   share    tokens / the top-9 sum of the facet value that week (sums to 1 per week and facet value)
--   models   how many of the top 9 are the country's
WITH top9 AS (
    SELECT
        week_start,
        facet,
        facet_value,
        CASE WHEN is_estimate THEN 'estimate' ELSE 'chart_top9' END AS basis,
        country,
        tokens
    FROM weekly_facet_model_usage
    WHERE rank <= 9 AND is_complete
),
country_sums AS (
    SELECT week_start, facet, facet_value, basis, country,
           CAST(sum(tokens) AS BIGINT) AS tokens, count(*) AS models
    FROM top9
    GROUP BY ALL
)
SELECT
    week_start,
    facet,
    facet_value,
    basis,
    country,
    tokens,
    CAST(tokens AS DOUBLE) / sum(tokens) OVER (PARTITION BY week_start, facet, facet_value) AS share,
    models
FROM country_sums

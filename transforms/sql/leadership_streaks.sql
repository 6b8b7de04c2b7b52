-- Grain: one row per complete week and series; incomplete weeks have no row and, like gap weeks,
-- break every streak. Series (kind, scope, subject, rival, basis); scope is 'all' for every model kind:
--   model_top1    subject = the week's #1 permaslug (weekly_model_usage.rank = 1), basis 'top50'
--   author_top1   subject = the week's #1 author, basis 'top50'
--   country_top1  subject = the week's #1 country ('unattributed' excluded), per basis
--                 For *_top1 rows rival = the runner-up (NULL when there is none) and the streak
--                 counts consecutive complete weeks with the same subject at #1.
--   country_vs    subject/rival = an ordered pair of countries: CN/US and US/CN always, plus every
--                 ordered pair among the five largest countries (top50 tokens over all weeks,
--                 'unattributed' excluded); both bases; a row for every complete week, streak 0
--                 when subject <= rival (a country with no row that week has 0 tokens).
--   app_top1      subject = the #1 app_id (as text) of an app-rankings popular list, rival = the #2's,
--                 basis 'popular', scope = 'all' (the overall list), a category or a subcategory. Its
--                 weeks are the weeks that list is loaded with rows: a week without it breaks the
--                 streak. Certain when the #1 has more tokens than the #2 (the figures are exact).
--   facet_top1     subject = the #1 permaslug of one facet value (weekly_facet_model_usage.rank = 1), rival
--                  = the #2; scope = 'facet:value' (e.g. 'modality:tool_calling'); basis 'chart_top9' for
--                  exact facets (complete weeks of the facet value), 'estimate' for sampled ones (category,
--                  language_type), so an estimate never reads as exact. Certain (exact only; an estimate
--                  never is): the #1's tokens exceed the #2's plus the facet value's `other` rows that week
--                  (the most any model could add on days it was outside the top 50).
--   facet_country_vs  subject/rival = CN/US and US/CN within one facet value's top 9 (weekly_facet_country_usage),
--                  scope and basis as facet_top1; a row for every week the facet value has a top 9, streak 0
--                  when subject <= rival. Certain (exact only): the subject's tokens exceed the rival's plus
--                  the top 9's unattributed tokens plus the facet value's `other` rows that week.
--   scope          'all' for the model kinds; app_top1: 'all', a category or a subcategory; facet kinds: 'facet:value'
--   streak_weeks   consecutive complete weeks, ending with this one, that the subject led
--   certain_weeks  consecutive weeks, ending with this one, that were in the streak AND certain:
--                  the subject's tokens (lower bound) exceed the upper bound of every other
--                  contender, the runner-up included (country_vs: the rival's tokens_upper).
--                  Upper bounds: models tokens_upper; authors tokens + the week's `other` (an
--                  author's unranked models hide there); countries tokens_upper, or for a country
--                  with no row, what unknown tokens could add to it.
--   streak_start   Monday of the streak's first week; NULL when streak_weeks = 0
--   longest_weeks  longest streak_weeks of the series up to and including this week
WITH complete_weeks AS (
    SELECT week_start, week_no, unranked_max_tokens FROM weekly_calendar WHERE is_complete
),
bases(basis) AS (
    VALUES ('chart_top9'), ('top50')
),
unknown_upper AS (
    -- What unknown tokens could add to a country with no row: by weekly_country_usage's definition
    -- that is the 'unattributed' row's tokens_upper; without such a row, the `other` rows (top50) or
    -- nothing (chart_top9).
    SELECT
        wk.week_start,
        bases.basis,
        coalesce(unattr.tokens_upper,
                 CASE bases.basis WHEN 'top50' THEN totals.other_tokens ELSE 0 END) AS tokens_upper
    FROM complete_weeks AS wk
    CROSS JOIN bases
    JOIN weekly_totals AS totals USING (week_start)
    LEFT JOIN weekly_country_usage AS unattr
           ON unattr.week_start = wk.week_start
          AND unattr.basis = bases.basis
          AND unattr.country = 'unattributed'
),
app_leaders AS (
    SELECT
        week_start,
        CASE WHEN subcategory <> 'all' THEN subcategory ELSE category END AS scope,
        any_value(CAST(app_id AS VARCHAR)) FILTER (WHERE rank = 1) AS subject,
        any_value(CAST(app_id AS VARCHAR)) FILTER (WHERE rank = 2) AS rival,
        any_value(total_tokens) FILTER (WHERE rank = 1)            AS tokens,
        any_value(total_tokens) FILTER (WHERE rank = 2)            AS rival_tokens
    FROM fact_app_rankings
    WHERE sort = 'popular'
    GROUP BY ALL
),
app_series AS (
    SELECT
        'app_top1'                                   AS kind,
        'popular'                                    AS basis,
        scope,
        week_start,
        (week_start - DATE '1970-01-05') // 7        AS week_no,
        subject,
        rival,
        CAST(NULL AS VARCHAR)                        AS series_rival,
        TRUE                                         AS ahead,
        rival_tokens IS NULL OR tokens > rival_tokens AS certain
    FROM app_leaders
    WHERE subject IS NOT NULL
),
contenders AS (
    SELECT 'model_top1' AS kind, 'top50' AS basis, usage.week_start,
           usage.model_permaslug AS subject, usage.tokens, usage.tokens_upper
    FROM weekly_model_usage AS usage
    JOIN complete_weeks USING (week_start)
    UNION ALL
    SELECT 'author_top1', 'top50', usage.week_start,
           usage.author, usage.tokens, usage.tokens + totals.other_tokens
    FROM weekly_author_usage AS usage
    JOIN complete_weeks USING (week_start)
    JOIN weekly_totals AS totals USING (week_start)
    UNION ALL
    SELECT 'country_top1', usage.basis, usage.week_start,
           usage.country, usage.tokens, usage.tokens_upper
    FROM weekly_country_usage AS usage
    JOIN complete_weeks USING (week_start)
    WHERE usage.country <> 'unattributed'
),
placed AS (
    SELECT *, row_number() OVER (PARTITION BY kind, basis, week_start ORDER BY tokens DESC, subject) AS place
    FROM contenders
),
leaders AS (
    SELECT
        kind,
        basis,
        week_start,
        any_value(subject) FILTER (WHERE place = 1)  AS subject,
        any_value(subject) FILTER (WHERE place = 2)  AS rival,
        any_value(tokens) FILTER (WHERE place = 1)   AS tokens,
        max(tokens_upper) FILTER (WHERE place > 1)   AS best_rival_upper
    FROM placed
    GROUP BY kind, basis, week_start
),
top1_series AS (
    -- An entry never seen that week is a contender too: a model absent every day is bounded by the
    -- daily floor, an author by the `other` rows, a country by unknown_upper.
    SELECT
        ldr.kind,
        ldr.basis,
        'all'                 AS scope,
        ldr.week_start,
        wk.week_no,
        ldr.subject,
        ldr.rival,
        CAST(NULL AS VARCHAR) AS series_rival,
        TRUE                  AS ahead,
        ldr.tokens > greatest(
            coalesce(ldr.best_rival_upper, 0),
            CASE ldr.kind
                WHEN 'model_top1' THEN wk.unranked_max_tokens
                WHEN 'author_top1' THEN totals.other_tokens
                ELSE unk.tokens_upper
            END)              AS certain
    FROM leaders AS ldr
    JOIN complete_weeks AS wk USING (week_start)
    JOIN weekly_totals AS totals USING (week_start)
    LEFT JOIN unknown_upper AS unk USING (week_start, basis)
),
tracked_countries AS (
    SELECT country
    FROM weekly_country_usage
    WHERE basis = 'top50' AND country <> 'unattributed'
    GROUP BY country
    ORDER BY sum(tokens) DESC, country
    LIMIT 5
),
country_pairs AS (
    SELECT subj.country AS subject, riv.country AS rival
    FROM tracked_countries AS subj
    CROSS JOIN tracked_countries AS riv
    WHERE subj.country <> riv.country
    UNION
    SELECT * FROM (VALUES ('CN', 'US'), ('US', 'CN')) AS always(subject, rival)
),
vs_series AS (
    SELECT
        'country_vs'                                   AS kind,
        unk.basis,
        'all'                                          AS scope,
        unk.week_start,
        wk.week_no,
        pair.subject,
        pair.rival,
        pair.rival                                     AS series_rival,
        coalesce(subj.tokens, 0) > coalesce(riv.tokens, 0) AS ahead,
        coalesce(subj.tokens, 0) > coalesce(riv.tokens_upper, unk.tokens_upper) AS certain
    FROM unknown_upper AS unk
    JOIN complete_weeks AS wk USING (week_start)
    CROSS JOIN country_pairs AS pair
    LEFT JOIN weekly_country_usage AS subj
           ON subj.week_start = unk.week_start AND subj.basis = unk.basis AND subj.country = pair.subject
    LEFT JOIN weekly_country_usage AS riv
           ON riv.week_start = unk.week_start AND riv.basis = unk.basis AND riv.country = pair.rival
),
facet_leaders AS (
    SELECT
        models.week_start,
        models.facet,
        models.facet_value,
        models.is_estimate,
        any_value(models.model_permaslug) FILTER (WHERE models.rank = 1) AS subject,
        any_value(models.model_permaslug) FILTER (WHERE models.rank = 2) AS rival,
        any_value(models.tokens) FILTER (WHERE models.rank = 1)          AS tokens,
        any_value(models.tokens) FILTER (WHERE models.rank = 2)          AS rival_tokens
    FROM weekly_facet_model_usage AS models
    WHERE models.is_complete
    GROUP BY ALL
),
facet_top1_series AS (
    SELECT
        'facet_top1'                                             AS kind,
        CASE WHEN ldr.is_estimate THEN 'estimate' ELSE 'chart_top9' END AS basis,
        ldr.facet || ':' || ldr.facet_value                      AS scope,
        ldr.week_start,
        (ldr.week_start - DATE '1970-01-05') // 7                AS week_no,
        ldr.subject,
        ldr.rival,
        CAST(NULL AS VARCHAR)                                    AS series_rival,
        TRUE                                                     AS ahead,
        NOT ldr.is_estimate
            AND ldr.tokens > coalesce(ldr.rival_tokens, 0) + usage.other_tokens AS certain
    FROM facet_leaders AS ldr
    JOIN weekly_facet_usage AS usage USING (week_start, facet, facet_value)
),
facet_scopes AS (
    SELECT DISTINCT week_start, facet, facet_value, basis FROM weekly_facet_country_usage
),
facet_vs_series AS (
    SELECT
        'facet_country_vs'                                       AS kind,
        fs.basis,
        fs.facet || ':' || fs.facet_value                        AS scope,
        fs.week_start,
        (fs.week_start - DATE '1970-01-05') // 7                 AS week_no,
        pair.subject,
        pair.rival,
        pair.rival                                               AS series_rival,
        coalesce(subj.tokens, 0) > coalesce(riv.tokens, 0)       AS ahead,
        fs.basis = 'chart_top9'
            AND coalesce(subj.tokens, 0)
                > coalesce(riv.tokens, 0) + coalesce(unat.tokens, 0) + usage.other_tokens AS certain
    FROM facet_scopes AS fs
    CROSS JOIN (VALUES ('CN', 'US'), ('US', 'CN')) AS pair(subject, rival)
    JOIN weekly_facet_usage AS usage USING (week_start, facet, facet_value)
    LEFT JOIN weekly_facet_country_usage AS subj
           ON subj.week_start = fs.week_start AND subj.facet = fs.facet AND subj.facet_value = fs.facet_value
          AND subj.country = pair.subject
    LEFT JOIN weekly_facet_country_usage AS riv
           ON riv.week_start = fs.week_start AND riv.facet = fs.facet AND riv.facet_value = fs.facet_value
          AND riv.country = pair.rival
    LEFT JOIN weekly_facet_country_usage AS unat
           ON unat.week_start = fs.week_start AND unat.facet = fs.facet AND unat.facet_value = fs.facet_value
          AND unat.country = 'unattributed'
),
series AS (
    SELECT * FROM top1_series
    UNION ALL BY NAME
    SELECT * FROM vs_series
    UNION ALL BY NAME
    SELECT * FROM app_series
    UNION ALL BY NAME
    SELECT * FROM facet_top1_series
    UNION ALL BY NAME
    SELECT * FROM facet_vs_series
),
runs AS (
    -- gaps and islands: within one series, consecutive week_no with the same flag share a run id
    SELECT
        series.*,
        week_no - row_number() OVER (
            PARTITION BY kind, basis, scope, subject, series_rival, ahead ORDER BY week_no) AS ahead_run,
        week_no - row_number() OVER (
            PARTITION BY kind, basis, scope, subject, series_rival, ahead AND certain ORDER BY week_no) AS certain_run
    FROM series
),
counted AS (
    SELECT
        *,
        CASE WHEN ahead THEN row_number() OVER (
            PARTITION BY kind, basis, scope, subject, series_rival, ahead, ahead_run ORDER BY week_no)
        ELSE 0 END AS streak_weeks,
        CASE WHEN ahead AND certain THEN row_number() OVER (
            PARTITION BY kind, basis, scope, subject, series_rival, ahead AND certain, certain_run ORDER BY week_no)
        ELSE 0 END AS certain_weeks
    FROM runs
)
SELECT
    week_start,
    kind,
    scope,
    subject,
    rival,
    basis,
    streak_weeks,
    certain_weeks,
    CASE WHEN streak_weeks > 0
         THEN week_start - CAST(7 * (streak_weeks - 1) AS INTEGER) END AS streak_start,
    max(streak_weeks) OVER (
        PARTITION BY kind, basis, scope, subject, series_rival ORDER BY week_no
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS longest_weeks
FROM counted

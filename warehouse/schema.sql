-- Base tables of the warehouse, loaded by warehouse.load. Derived tables (transforms/sql/*.sql)
-- are rebuilt from these after every load. All timestamps are UTC (naive TIMESTAMP).

-- One row per (UTC day, ranked entry) exactly as OpenRouter published it, the daily `other` row included.
CREATE TABLE IF NOT EXISTS fact_model_daily (
    date            DATE    NOT NULL,
    model_permaslug VARCHAR NOT NULL,  -- 'author/model-slug[:variant]', or 'other'
    author          VARCHAR,           -- NULL on the `other` row
    model_slug      VARCHAR,           -- NULL on the `other` row
    variant         VARCHAR,           -- e.g. 'free'; NULL when the slug has none
    total_tokens    BIGINT  NOT NULL,  -- prompt + completion tokens that day
    is_other        BOOLEAN NOT NULL,
    as_of           TIMESTAMP NOT NULL, -- meta.as_of of the snapshot the row came from
    raw_file        VARCHAR NOT NULL,  -- id of the archived response (raw/ manifest)
    PRIMARY KEY (date, model_permaslug)
);

-- One row per (Monday–Sunday week, list, app) exactly as OpenRouter published it (app-rankings). A list is a
-- sort ('popular' by tokens, 'trending' by excess growth) and a scope: category/subcategory hold 'all' when the
-- request had no such filter; a subcategory's rows carry its parent category. Apps are identified by app_id.
CREATE TABLE IF NOT EXISTS fact_app_rankings (
    week_start      DATE    NOT NULL,  -- Monday
    week_end        DATE    NOT NULL,  -- Sunday
    sort            VARCHAR NOT NULL,  -- 'popular' | 'trending'
    category        VARCHAR NOT NULL,  -- 'all' | coding | creative | productivity | entertainment
    subcategory     VARCHAR NOT NULL,  -- 'all' | cli-agent | ide-extension | ...
    rank            INTEGER NOT NULL,  -- 1 = first in the list (absolute across pages)
    app_id          BIGINT  NOT NULL,
    app_name        VARCHAR NOT NULL,  -- as published with this row (names change and repeat)
    total_tokens    BIGINT  NOT NULL,  -- tokens the app sent that week
    total_requests  BIGINT  NOT NULL,  -- requests the app sent that week
    as_of           TIMESTAMP NOT NULL, -- meta.as_of of the response the row came from
    raw_file        VARCHAR NOT NULL,  -- id of the archived response (raw/ manifest)
    PRIMARY KEY (week_start, sort, category, subcategory, app_id)
);

-- One row per ranked permaslug ever seen (`other` excluded).
CREATE TABLE IF NOT EXISTS dim_model (
    model_permaslug VARCHAR PRIMARY KEY,
    display_name    VARCHAR NOT NULL,  -- catalogue name without the 'Maker: ' prefix, '(free)' for :free; else derived from the slug
    first_seen      DATE    NOT NULL,
    last_seen       DATE    NOT NULL
);

-- Maker's country: one row per author, plus per-model overrides (scope 'model', key 'author/model-slug',
-- applying to every variant on and after effective_from). Loaded from transforms/reference/*.csv.
CREATE TABLE IF NOT EXISTS dim_origin (
    scope          VARCHAR NOT NULL,   -- 'author' | 'model'
    key            VARCHAR NOT NULL,   -- author prefix, or 'author/model-slug' for an override
    country        VARCHAR NOT NULL,   -- ISO 3166-1 alpha-2: CN, US, FR, ...
    maker          VARCHAR NOT NULL,
    effective_from DATE,               -- overrides only
    note           VARCHAR,
    PRIMARY KEY (scope, key)
);

-- The latest model catalogue (/models), kept so names survive a failed catalogue fetch.
CREATE TABLE IF NOT EXISTS ref_model_catalogue (
    id             VARCHAR PRIMARY KEY,
    canonical_slug VARCHAR,
    name           VARCHAR,
    created        TIMESTAMP,
    raw_file       VARCHAR NOT NULL
);

-- Every value a later fetch changed. old_tokens NULL: the entry appeared; new_tokens NULL: it left the day.
CREATE TABLE IF NOT EXISTS restatements (
    date            DATE    NOT NULL,
    model_permaslug VARCHAR NOT NULL,
    old_tokens      BIGINT,
    new_tokens      BIGINT,
    old_as_of       TIMESTAMP NOT NULL,
    new_as_of       TIMESTAMP NOT NULL,
    old_raw_file    VARCHAR NOT NULL,
    new_raw_file    VARCHAR NOT NULL
);

-- Every token, request or name value of fact_app_rankings a later fetch of the same list changed. old_* NULL:
-- the app joined a list already loaded; new_* NULL: it left the list.
CREATE TABLE IF NOT EXISTS app_restatements (
    week_start      DATE    NOT NULL,
    sort            VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    subcategory     VARCHAR NOT NULL,
    app_id          BIGINT  NOT NULL,
    old_tokens      BIGINT,
    new_tokens      BIGINT,
    old_requests    BIGINT,
    new_requests    BIGINT,
    old_name        VARCHAR,
    new_name        VARCHAR,
    old_as_of       TIMESTAMP NOT NULL,
    new_as_of       TIMESTAMP NOT NULL,
    old_raw_file    VARCHAR NOT NULL,
    new_raw_file    VARCHAR NOT NULL
);

-- One row per pipeline run (weekly, backfill, rebuild), failed runs included.
CREATE TABLE IF NOT EXISTS ingest_log (
    run_id           VARCHAR PRIMARY KEY,
    flow             VARCHAR NOT NULL,   -- 'weekly' | 'backfill' | 'rebuild'
    source           VARCHAR NOT NULL,   -- 'openrouter' | 'demo (synthetic)'
    window_start     DATE,
    window_end       DATE,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    raw_files        VARCHAR[],
    rows_inserted    BIGINT,
    rows_updated     BIGINT,
    rows_unchanged   BIGINT,
    rows_deleted     BIGINT,
    restatements     BIGINT,
    status           VARCHAR NOT NULL,   -- 'success' | 'failed'
    error            VARCHAR,
    dataset          VARCHAR             -- the dataset's name (transforms/datasets/); NULL for rebuilds and older runs
);
ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS dataset VARCHAR;

-- Every lake partition the warehouse has loaded: a UTC day of rankings-daily, one list of one week of
-- app-rankings ('<week_start>_<sort>_<category>_<subcategory>'). rows = 0: the API answered with no rows (an
-- early week of app rankings); the answer is recorded and not asked again. size/mtime_ns are the lake file's
-- signature, so a load reads only the partitions whose file changed.
CREATE TABLE IF NOT EXISTS lake_partitions (
    dataset    VARCHAR NOT NULL,
    partition  VARCHAR NOT NULL,
    rows       BIGINT  NOT NULL,
    as_of      TIMESTAMP NOT NULL,
    raw_files  VARCHAR[] NOT NULL,
    size       BIGINT  NOT NULL,
    mtime_ns   BIGINT  NOT NULL,
    PRIMARY KEY (dataset, partition)
);
DROP TABLE IF EXISTS lake_files;  -- the per-date signatures of layout 2, superseded by lake_partitions

-- Every date a validated response of a dataset asked for. A rankings-daily date asked for but without rows
-- is an empty answer (see dq_days); it is fetched again by the next run.
CREATE TABLE IF NOT EXISTS requested_dates (
    dataset  VARCHAR NOT NULL,
    date     DATE    NOT NULL,
    PRIMARY KEY (dataset, date)
);

-- One row per (UTC day, exact facet value, ranked entry) of rankings-daily filtered by that value
-- (rankings-daily-facets): exact daily counts restricted to modality or context-bucket traffic.
CREATE TABLE IF NOT EXISTS fact_model_daily_facet (
    date            DATE    NOT NULL,
    facet           VARCHAR NOT NULL,  -- 'modality' | 'context_bucket'
    facet_value     VARCHAR NOT NULL,  -- modality: text, image, image_output, audio, tool_calling; context_bucket: 1K .. 10M
    model_permaslug VARCHAR NOT NULL,  -- 'author/model-slug[:variant]', or 'other' (outside that day's top 50)
    total_tokens    BIGINT  NOT NULL,  -- exact prompt + completion tokens that day within the facet value
    as_of           TIMESTAMP NOT NULL, -- meta.as_of of the snapshot the row came from
    raw_file        VARCHAR NOT NULL,  -- id of the archived response (its manifest holds the query)
    PRIMARY KEY (date, facet, facet_value, model_permaslug)
);

-- ESTIMATES, never exact counts: one row per (week, sampled facet value, ranked entry) of rankings-daily with
-- `category` or `language_type` and period=week (rankings-weekly-estimates). Assumed (and checked: a response
-- contradicting it is quarantined): `date` is the Monday starting the bucket, the top 50 is per bucket. Never
-- add these to, or compare them with, the exact tables.
CREATE TABLE IF NOT EXISTS fact_model_weekly_estimate (
    week_start      DATE    NOT NULL,  -- Monday of the Monday–Sunday UTC bucket (the response's `date`)
    facet           VARCHAR NOT NULL,  -- 'category' | 'language_type'
    facet_value     VARCHAR NOT NULL,  -- category: programming, roleplay, ...; language_type: natural | programming
    model_permaslug VARCHAR NOT NULL,  -- or 'other' (outside the bucket's top 50)
    total_tokens    BIGINT  NOT NULL,  -- OpenRouter's ESTIMATE of the week's tokens (sampled data)
    as_of           TIMESTAMP NOT NULL, -- meta.as_of of the snapshot the row came from
    raw_file        VARCHAR NOT NULL,  -- id of the archived response (its manifest holds the query, period=week)
    PRIMARY KEY (week_start, facet, facet_value, model_permaslug)
);

-- Every token value of fact_model_daily_facet a later fetch changed (old NULL: appeared; new NULL: left).
CREATE TABLE IF NOT EXISTS facet_restatements (
    date            DATE    NOT NULL,
    facet           VARCHAR NOT NULL,
    facet_value     VARCHAR NOT NULL,
    model_permaslug VARCHAR NOT NULL,
    old_tokens      BIGINT,
    new_tokens      BIGINT,
    old_as_of       TIMESTAMP NOT NULL,
    new_as_of       TIMESTAMP NOT NULL,
    old_raw_file    VARCHAR NOT NULL,
    new_raw_file    VARCHAR NOT NULL
);

-- Every estimate of fact_model_weekly_estimate a later fetch changed (estimates, as the table they restate).
CREATE TABLE IF NOT EXISTS estimate_restatements (
    week_start      DATE    NOT NULL,
    facet           VARCHAR NOT NULL,
    facet_value     VARCHAR NOT NULL,
    model_permaslug VARCHAR NOT NULL,
    old_tokens      BIGINT,
    new_tokens      BIGINT,
    old_as_of       TIMESTAMP NOT NULL,
    new_as_of       TIMESTAMP NOT NULL,
    old_raw_file    VARCHAR NOT NULL,
    new_raw_file    VARCHAR NOT NULL
);

-- Snapshot datasets (the API serves only the current snapshot: these series exist only where each week was
-- captured). One row per (window_end_date, harness, turn range, model) of a session-cost snapshot.
CREATE TABLE IF NOT EXISTS fact_session_cost (
    window_end_date         DATE    NOT NULL,  -- last day of the snapshot's sample window (a Sunday, reportedly)
    window_days             INTEGER NOT NULL,  -- length of the sample window (30)
    app_slug                VARCHAR NOT NULL,  -- the harness, e.g. 'claude-code'
    app_name                VARCHAR NOT NULL,
    turn_range              VARCHAR NOT NULL,  -- '1-turn' | '2-9-turns' | '10-49-turns' | '50-plus-turns'
    model_permaslug         VARCHAR NOT NULL,
    median_session_cost_usd DOUBLE  NOT NULL,  -- median USD of one session in the window
    as_of                   TIMESTAMP NOT NULL, -- meta.as_of
    raw_file                VARCHAR NOT NULL,
    PRIMARY KEY (window_end_date, app_slug, turn_range, model_permaslug)
);

-- Every session cost a later capture of the same window changed (old NULL: the cell appeared; new NULL: it left).
CREATE TABLE IF NOT EXISTS session_cost_restatements (
    window_end_date DATE    NOT NULL,
    app_slug        VARCHAR NOT NULL,
    turn_range      VARCHAR NOT NULL,
    model_permaslug VARCHAR NOT NULL,
    old_cost        DOUBLE,
    new_cost        DOUBLE,
    old_as_of       TIMESTAMP NOT NULL,
    new_as_of       TIMESTAMP NOT NULL,
    old_raw_file    VARCHAR NOT NULL,
    new_raw_file    VARCHAR NOT NULL
);

-- Task classifications, long form: one row per (snapshot_date, level, macro_category, tag, model_id). SHARES of a
-- sampled set of requests over the 7 days ending snapshot_date, never volumes. level 'macro': a macro category
-- (tag, model_id NULL); 'tag': a classification tag (model_id NULL); 'model': one of a tag's top models (shares of
-- the tag). Read it through task_macro_categories, task_tags and task_tag_models.
CREATE TABLE IF NOT EXISTS fact_task_classifications (
    snapshot_date        DATE    NOT NULL,  -- data.as_of: the window's last day
    window_days          INTEGER NOT NULL,  -- 7
    level                VARCHAR NOT NULL,  -- 'macro' | 'tag' | 'model'
    macro_category       VARCHAR NOT NULL,  -- 'code' | 'data' | 'agent' | 'general' | ...
    tag                  VARCHAR,           -- e.g. 'code:general_impl'
    model_id             VARCHAR,
    display_name         VARCHAR,           -- the tag's display name, the macro category's label
    position             INTEGER NOT NULL,  -- order as published
    usage_share          DOUBLE  NOT NULL,  -- 0..1 of requests (of the tag's, for level 'model')
    token_share          DOUBLE  NOT NULL,  -- 0..1 of tokens (of the tag's, for level 'model')
    category_usage_share DOUBLE,            -- level 'tag': 0..1 of its macro category's requests
    category_token_share DOUBLE,
    as_of                TIMESTAMP NOT NULL, -- data.as_of at 00:00 (the body has no meta block)
    raw_file             VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS task_restatements (
    snapshot_date   DATE    NOT NULL,
    level           VARCHAR NOT NULL,
    macro_category  VARCHAR NOT NULL,
    tag             VARCHAR,
    model_id        VARCHAR,
    old_usage_share DOUBLE,
    new_usage_share DOUBLE,
    old_token_share DOUBLE,
    new_token_share DOUBLE,
    old_as_of       TIMESTAMP NOT NULL,
    new_as_of       TIMESTAMP NOT NULL,
    old_raw_file    VARCHAR NOT NULL,
    new_raw_file    VARCHAR NOT NULL
);

-- Benchmark items as republished by OpenRouter, one row per (snapshot_date, source, item_key). Common columns,
-- the rest of the item as JSON; citation exactly as the endpoint gave it (item's own, else meta.citation).
CREATE TABLE IF NOT EXISTS fact_benchmarks (
    snapshot_date DATE    NOT NULL,  -- the date of meta.as_of
    source        VARCHAR NOT NULL,  -- 'artificial-analysis' | 'design-arena' | 'openrouter'
    item_key      VARCHAR NOT NULL,  -- 'model|benchmark|n' (n: repeats within the response, 0 first)
    model         VARCHAR NOT NULL,  -- the item's model_permaslug
    benchmark     VARCHAR,           -- benchmark_type, arena or benchmark, when the item has one
    score         DOUBLE,            -- score, accuracy, elo or rating, when the item has one (the source's scale)
    citation      VARCHAR NOT NULL,
    item_json     VARCHAR NOT NULL,  -- the item's other fields
    as_of         TIMESTAMP NOT NULL,
    raw_file      VARCHAR NOT NULL,
    PRIMARY KEY (snapshot_date, source, item_key)
);

CREATE TABLE IF NOT EXISTS benchmark_restatements (
    snapshot_date DATE    NOT NULL,
    source        VARCHAR NOT NULL,
    item_key      VARCHAR NOT NULL,
    old_score     DOUBLE,
    new_score     DOUBLE,
    old_as_of     TIMESTAMP NOT NULL,
    new_as_of     TIMESTAMP NOT NULL,
    old_raw_file  VARCHAR NOT NULL,
    new_raw_file  VARCHAR NOT NULL
);

-- What the derived tables were last built from (warehouse.materialize): a fingerprint of the SQL files, of the
-- incremental set and of dim_origin. A load whose fingerprint matches recomputes only the weeks it changed.
CREATE TABLE IF NOT EXISTS derived_state (
    fingerprint VARCHAR NOT NULL
);

-- The sha256 of this file as last applied (warehouse.db.connect): a writer whose schema.sql is the same skips it.
CREATE TABLE IF NOT EXISTS schema_applied (
    sha256 VARCHAR NOT NULL
);

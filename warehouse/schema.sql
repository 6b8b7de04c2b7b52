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
    dataset          VARCHAR             -- 'rankings-daily' | 'app-rankings'; NULL for rebuilds and older runs
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

-- What the derived tables were last built from (warehouse.materialize): a fingerprint of the SQL files, of the
-- incremental set and of dim_origin. A load whose fingerprint matches recomputes only the weeks it changed.
CREATE TABLE IF NOT EXISTS derived_state (
    fingerprint VARCHAR NOT NULL
);

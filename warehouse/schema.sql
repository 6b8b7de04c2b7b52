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
    error            VARCHAR
);

-- The lake partition each loaded date came from, by file signature: lets a load read only changed partitions.
CREATE TABLE IF NOT EXISTS lake_files (
    date      DATE PRIMARY KEY,
    size      BIGINT NOT NULL,
    mtime_ns  BIGINT NOT NULL
);

-- Every date a validated response of a dataset asked for. A rankings-daily date asked for but without rows
-- is an empty answer (see dq_days); it is fetched again by the next run.
CREATE TABLE IF NOT EXISTS requested_dates (
    dataset  VARCHAR NOT NULL,
    date     DATE    NOT NULL,
    PRIMARY KEY (dataset, date)
);

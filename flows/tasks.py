"""Prefect tasks: thin wrappers over the source clients and `warehouse.ingest` steps."""

from __future__ import annotations

import pyarrow as pa
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from flows.sources.base import FetchedResponse, RankingsSource, Window
from warehouse import ingest, published
from warehouse.ingest import RunInfo
from warehouse.lake import LakeWrite
from warehouse.load import LoadStats
from warehouse.paths import Home
from warehouse.raw_archive import RawFile


@task(name="fetch-rankings", cache_policy=NONE)
def fetch_rankings(source: RankingsSource, window: Window) -> FetchedResponse:
    response = source.fetch_rankings(window)
    get_run_logger().info("fetched rankings-daily %s from %s (%d bytes)", window, source.name, len(response.body))
    return response


@task(name="fetch-models", cache_policy=NONE)
def fetch_models(source: RankingsSource) -> FetchedResponse:
    return source.fetch_models()


@task(name="archive", cache_policy=NONE)
def archive(home: Home, response: FetchedResponse, run_id: str) -> RawFile:
    raw = ingest.archive_response(home, response, run_id)
    get_run_logger().info("archived %s (%s rows, as_of %s)", raw.path, raw.rows, raw.as_of)
    return raw


@task(name="normalize", cache_policy=NONE)
def normalize(home: Home, raw: RawFile) -> pa.Table:
    try:
        return ingest.normalize_archived(home, raw)
    except ingest.ContractError:
        get_run_logger().error("quarantined %s: it breaks the source contract", raw.file_id)
        raise


@task(name="write-lake", cache_policy=NONE)
def write_lake(home: Home, run: RunInfo, rankings: list[pa.Table], raw_files: list[RawFile]) -> LakeWrite:
    result = ingest.write_lake(home, run, rankings, raw_files)
    get_run_logger().info(
        "lake: %d partitions written, %d unchanged, %d stale", len(result.written), len(result.unchanged), len(result.stale)
    )
    return result


@task(name="load-warehouse", cache_policy=NONE)
def load_warehouse(
    home: Home, run: RunInfo, catalogue: pa.Table | None, raw_files: list[RawFile], derive: bool = True
) -> LoadStats:
    stats = ingest.load_warehouse(home, run, catalogue=catalogue, raw_files=raw_files, derive=derive)
    get_run_logger().info(
        "warehouse: %d dates reloaded; %d rows inserted, %d updated, %d unchanged, %d deleted; %d restatements",
        len(stats.dates), stats.inserted, stats.updated, stats.unchanged, stats.deleted, stats.restatements,
    )
    return stats


@task(name="derive-tables", cache_policy=NONE)
def derive_tables(home: Home) -> list[str]:
    tables = ingest.derive_tables(home)
    get_run_logger().info("derived %d tables", len(tables))
    return tables


@task(name="publish", cache_policy=NONE)
def publish(home: Home) -> None:
    path = published.publish(home)
    get_run_logger().info("published a read-only copy for readers: %s", path)


@task(name="record-failure", cache_policy=NONE)
def record_failure(home: Home, run: RunInfo, error: str) -> None:
    ingest.record_failure(home, run, error)


@task(name="weekly-report", cache_policy=NONE)
def publish_report(home: Home) -> str | None:
    """Write the latest complete week's report under reports/ and publish it as Prefect artifacts."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from warehouse.report_store import ReportError, latest_complete_week, write_report

    logger = get_run_logger()
    con = published.connect_read_only(home)  # the copy just published: a concurrent writer cannot block it
    try:
        try:
            week = latest_complete_week(con)
            files = write_report(con, home.reports / week.isoformat(), week)
        except ReportError as exc:
            logger.warning("no report: %s", exc)
            return None
    finally:
        con.close()
    create_markdown_artifact(key="weekly-report", markdown=files.artifact_markdown,
                             description=f"tokenrank weekly report, week of {files.week_start}")
    create_table_artifact(key="weekly-top10", table=files.top10.to_dict("records"),
                          description=f"Top 10 models, week of {files.week_start}")
    logger.info("report for the week of %s written to %s: %s", files.week_start, files.html_path.parent, files.headline)
    return str(files.html_path)


@task(name="refresh-site", cache_policy=NONE)
def refresh_site(home: Home) -> str | None:
    """Redraw the pages of the static site (home.site) whose data changed; the index's path, None when no
    week is loaded yet."""
    from warehouse.report_store import ReportError
    from warehouse.site_store import build_site

    logger = get_run_logger()
    con = published.connect_read_only(home)
    try:
        result = build_site(con, home.site)
    except ReportError as exc:
        logger.warning("no site: %s", exc)
        return None
    finally:
        con.close()
    logger.info("site %s: %d pages drawn, %d unchanged, %d files removed", home.site, len(result.written),
                result.unchanged, len(result.removed))
    return str(result.index_path)

"""
# news_maintenance

Weekly housekeeping of the newsroom database, **Sundays 04:00 Europe/Berlin** (clear of the nightly crawl):

`plan_clean` → `clean_backlog` (mapped) → `plan_reclean` → `reclean` (mapped) → `total` → `publish` →
`prune_raw_pages` → `vacuum_analyze`

* **plan_clean** / **plan_reclean** split the work into id ranges of about equal size (param `chunks`, else
  config `[newsroom] chunks`, else 4): raw pages not cleaned yet, and articles to re-extract.
* **clean_backlog** extracts raw pages no night cleaned (a full clean backfill), one page-id range per
  mapped instance; **reclean** re-extracts stored raw pages whose articles came from an older extractor
  version (param `reclean_all`: every article), one article-id range per instance, without crawling again.
  The instances run on any worker at once (Celery: spread over machines).
* **publish** refreshes what analysts query after the re-clean and updates the asset
  `postgres://newsroom:5432/newsroom/public/articles`.
* **prune_raw_pages** deletes raw pages fetched more than `retention_days` ago (param, else the Airflow
  Variable `news_raw_retention_days`, else 90), keeping the page each article was extracted from and each
  article's latest page.
* **vacuum_analyze** runs `VACUUM (ANALYZE)` on the database (autocommit).

**Database**: Airflow connection `news_db`, else `DATABASE_URL`, else the embedded PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task

from crawler.airflow_support import ARTICLES_ASSET_URI, deployment_setting, on_task_failure, retry_policy
from crawler.notify import FailureNotifier

log = logging.getLogger(__name__)

ARTICLES = Asset(ARTICLES_ASSET_URI)
DEFAULT_RETENTION_DAYS = 90
DEFAULT_CHUNKS = int(deployment_setting("chunks", 4))


@dag(
    dag_id="news_maintenance",
    schedule="0 4 * * 0",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Berlin"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    default_args={
        "owner": "newsroom",
        **retry_policy(retries=1, retry_delay_seconds=600, max_retry_delay_seconds=3600),
        "execution_timeout": timedelta(hours=3),
        "on_failure_callback": [on_task_failure, FailureNotifier()],
    },
    tags=["newsroom", "maintenance"],
    doc_md=__doc__,
    params={
        "retention_days": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            description="Delete older raw pages (default: Variable news_raw_retention_days, else 90)",
        ),
        "reclean_all": Param(
            False, type="boolean", description="Re-extract every article, not only outdated."
        ),
        "chunks": Param(
            DEFAULT_CHUNKS, type="integer", minimum=1, description="Mapped instances for clean and reclean."
        ),
    },
)
def news_maintenance() -> None:
    @task(execution_timeout=timedelta(minutes=15))
    def plan_clean() -> list[list[int]]:
        """Page-id ranges of the raw pages no night cleaned (the clean backlog)."""
        from crawler import stages
        from crawler.airflow_support import news_db_url

        count = int(get_current_context()["params"].get("chunks") or DEFAULT_CHUNKS)
        ranges = stages.chunks("raw_pages", count, db_url=news_db_url())
        log.info("clean backlog in %d chunk(s): %s", len(ranges), ranges)
        return ranges

    @task(trigger_rule="none_failed", execution_timeout=timedelta(minutes=15))  # backlog may be empty
    def plan_reclean() -> list[list[int]]:
        """Article-id ranges of the articles to re-extract (outdated, or all with reclean_all)."""
        from crawler import stages
        from crawler.airflow_support import news_db_url

        params = get_current_context()["params"]
        count = int(params.get("chunks") or DEFAULT_CHUNKS)
        ranges = stages.chunks(
            "articles", count, db_url=news_db_url(), only_outdated=not params.get("reclean_all")
        )
        log.info("reclean in %d chunk(s): %s", len(ranges), ranges)
        return ranges

    @task(map_index_template="pages {{ task.op_kwargs['page_range'] | join('–') }}")
    def clean_backlog(page_range: list[int]) -> dict[str, Any]:
        """Extract the raw pages of one page-id range that no night cleaned."""
        from crawler.airflow_support import news_db_url, run_stage_in_subprocess

        figures = run_stage_in_subprocess("clean", db_url=news_db_url(), page_range=page_range)
        log.info("clean pages %s: %s", page_range, figures)
        return figures

    @task(
        trigger_rule="none_failed",
        map_index_template="articles {{ task.op_kwargs['article_range'] | join('–') }}",
    )
    def reclean(article_range: list[int]) -> dict[str, Any]:
        """Re-extract the stored pages of one article-id range with the current extractor."""
        from crawler.airflow_support import news_db_url, run_stage_in_subprocess

        params = get_current_context()["params"]
        only_outdated = not params.get("reclean_all")
        figures = run_stage_in_subprocess(
            "reclean", db_url=news_db_url(), only_outdated=only_outdated, article_range=article_range
        )
        log.info("reclean articles %s: %s", article_range, figures)
        return figures

    @task(trigger_rule="none_failed", execution_timeout=timedelta(minutes=5))
    def total(figures: list[dict[str, Any]]) -> dict[str, Any]:
        """Sum the figures of the mapped instances."""
        summed: dict[str, Any] = {}
        for part in figures:
            for key, value in part.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    summed[key] = summed.get(key, 0) + value
        return summed

    @task(outlets=[ARTICLES], execution_timeout=timedelta(minutes=30))
    def publish(recleaned: dict[str, Any]) -> dict[str, Any]:
        """Refresh what analysts query."""
        from crawler import analytics, db
        from crawler.airflow_support import news_db_url

        conn = db.connect_migrated(news_db_url())
        try:
            figures = analytics.publish(conn)
            conn.commit()
        finally:
            conn.close()
        log.info("published after reclean (%s articles updated): %s", recleaned.get("updated"), figures)
        return figures

    @task
    def prune_raw_pages() -> dict[str, Any]:
        """Retention: drop old raw pages, keeping each article's latest and extracted-from page."""
        from airflow.sdk import Variable

        from crawler import db
        from crawler.airflow_support import RETENTION_VARIABLE, news_db_url
        from crawler.airflow_support import prune_raw_pages as prune

        params = get_current_context()["params"]
        days = params.get("retention_days") or Variable.get(
            RETENTION_VARIABLE, default=DEFAULT_RETENTION_DAYS
        )
        conn = db.connect_migrated(news_db_url())
        try:
            figures = prune(conn, int(days))
        finally:
            conn.close()
        log.info(
            "retention %s days: %s raw pages deleted, %s kept", days, figures["deleted"], figures["remaining"]
        )
        return figures

    @task(retries=0)
    def vacuum_analyze() -> list[str]:
        """VACUUM (ANALYZE) after the deletes."""
        from crawler.airflow_support import news_db_url
        from crawler.airflow_support import vacuum_analyze as vacuum

        done = vacuum(news_db_url())
        log.info("vacuum analyze done: %s", done)
        return done

    cleaned = clean_backlog.expand(page_range=plan_clean())
    # planned after the backlog is clean: a page it cleans may add an article to re-extract
    reclean_plan = plan_reclean()
    cleaned >> reclean_plan
    recleaned = reclean.expand(article_range=reclean_plan)
    publish(total(recleaned)) >> prune_raw_pages() >> vacuum_analyze()


news_maintenance()

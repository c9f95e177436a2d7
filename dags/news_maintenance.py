"""
# news_maintenance

Weekly housekeeping of the newsroom database, **Sundays 04:00 Europe/Berlin** (clear of the nightly crawl):

`reclean` → `publish` → `prune_raw_pages` → `vacuum_analyze`

* **reclean** re-extracts stored raw pages whose articles came from an older extractor version
  (`crawler.stages.reclean`; param `reclean_all` re-extracts every article), without crawling again.
* **publish** refreshes what analysts query after the re-clean and updates the asset
  `postgres://newsroom/articles`.
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

from crawler.airflow_support import on_task_failure

log = logging.getLogger(__name__)

ARTICLES = Asset("postgres://newsroom/articles")
DEFAULT_RETENTION_DAYS = 90


@dag(
    dag_id="news_maintenance",
    schedule="0 4 * * 0",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Berlin"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    default_args={
        "owner": "newsroom",
        "retries": 1,
        "retry_delay": timedelta(minutes=10),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(hours=1),
        "execution_timeout": timedelta(hours=3),
        "on_failure_callback": on_task_failure,
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
    },
)
def news_maintenance() -> None:
    @task
    def reclean() -> dict[str, Any]:
        """Re-extract stored pages with the current extractor."""
        from crawler.airflow_support import news_db_url, run_stage_in_subprocess

        params = get_current_context()["params"]
        only_outdated = not params.get("reclean_all")
        figures = run_stage_in_subprocess("reclean", db_url=news_db_url(), only_outdated=only_outdated)
        log.info("reclean: %s", figures)
        return figures

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

    publish(reclean()) >> prune_raw_pages() >> vacuum_analyze()


news_maintenance()

"""
# news_nightly

Crawls every configured German news portal at **02:00 Europe/Berlin** and lands its articles in Postgres.

For each site (one mapped task group instance per site):

`crawl` → `clean` → `dedupe` → `quality_checks` → `publish`

* **crawl** fetches the site into `raw_pages` (Scrapy in a subprocess, `crawler.stages.crawl`).
* **clean** extracts articles from the run's raw pages; **dedupe** marks copies.
* **quality_checks** fails the site when the night looks wrong (nothing seen, too many articles without
  title/date/body, too many rejected pages, a drop against the last nights); thresholds are DAG params.
* **publish** refreshes what analysts query (`crawler.analytics.publish`), closes the run in the ledger
  (`crawl_runs.status = 'success'`) and updates the asset `postgres://newsroom:5432/newsroom/public/articles`.

Mapped instances are named by their site. **summary** (after every site, failed or not) logs and returns the
night at a glance: per site pages, articles new/updated, duplicates, rejects.

**One crawl per host at a time**, across every Celery worker: the crawl process holds a Postgres advisory lock
keyed by the host (`crawler.hostlock`), so politeness does not multiply with workers.

**Per deployment** (Airflow config `[newsroom]`, env `AIRFLOW__NEWSROOM__…`): `retries`,
`retry_delay_seconds`, `max_retry_delay_seconds`, `night_deadline_seconds` (deadline alert when a night is
still running that long after it was queued). Alerts (failed task, overrun) go to the connection
`news_alerts` (http/https webhook or smtp), else only to the log.

**Sites**: run conf `{"sites": ["https://…", …]}` (manual trigger) › Airflow Variable `news_sites`
(JSON list of URLs) › `crawler/sites.toml`.

**Idempotent**: a site's crawl run id is `<Airflow run id>:<site>`, so a retried task or a cleared and re-run
night replaces its own work. Every task returns its figures (XCom); the same figures are in
`crawl_runs.stats`, and the Airflow run id in `crawl_runs.airflow_run_id`.

**Database**: Airflow connection `news_db`, else `DATABASE_URL`, else the embedded PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task, task_group, teardown
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from crawler.airflow_support import (
    ARTICLES_ASSET_URI,
    SITE_MAP_INDEX_TEMPLATE,
    deployment_setting,
    on_task_failure,
    retry_policy,
)
from crawler.notify import FailureNotifier, deadline_missed

log = logging.getLogger(__name__)

ARTICLES = Asset(ARTICLES_ASSET_URI)
NIGHT_DEADLINE = timedelta(seconds=deployment_setting("night_deadline_seconds", 6 * 3600))

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "newsroom",
    **retry_policy(retries=2, retry_delay_seconds=300, max_retry_delay_seconds=1800),
    "execution_timeout": timedelta(minutes=30),
    "on_failure_callback": [on_task_failure, FailureNotifier()],
}


def _context(site_run: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
    """The run and its params; with site_run, names this mapped instance by its site."""
    context = get_current_context()
    if site_run is not None:
        context["site"] = site_run["site"]  # type: ignore[typeddict-unknown-key]
    return context["dag_run"], dict(context["params"])


@dag(
    dag_id="news_nightly",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Berlin"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=NIGHT_DEADLINE,
        callback=AsyncCallback(
            deadline_missed, kwargs={"dag_id": "news_nightly", "deadline": str(NIGHT_DEADLINE)}
        ),
    ),
    default_args=DEFAULT_ARGS,
    tags=["newsroom", "crawl", "nightly"],
    doc_md=__doc__,
    params={
        "sites": Param(
            [],
            type="array",
            items={"type": "string"},
            description="Site URLs to crawl in this run; empty: Variable news_sites, else crawler/sites.toml.",
        ),
        "max_pages": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            description="Bound on pages per site (default: sites.toml).",
        ),
        "clean_workers": Param(None, type=["null", "integer"], minimum=1, description="Clean processes."),
        "max_missing_share": Param(
            0.2,
            type="number",
            minimum=0,
            maximum=1,
            description="Fail when more than this share of the run's articles lacks title, date or body.",
        ),
        "max_rejection_rate": Param(
            0.5,
            type="number",
            minimum=0,
            maximum=1,
            description="Fail when more than this share of stored pages is rejected (beyond non-articles).",
        ),
        "min_volume_ratio": Param(
            0.5,
            type="number",
            minimum=0,
            description="Fail when pages seen drop below this ratio of the median of recent nights.",
        ),
        "history_runs": Param(7, type="integer", minimum=1, description="Nights the volume median spans."),
        "min_history": Param(
            3, type="integer", minimum=1, description="Nights needed before judging a drop."
        ),
    },
)
def news_nightly() -> None:
    @task(execution_timeout=timedelta(minutes=5))
    def resolve_sites() -> list[dict[str, str]]:
        """The sites of this run (conf › Variable › sites.toml), each with its deterministic crawl run id."""
        from airflow.sdk import Variable

        from crawler.airflow_support import SITES_VARIABLE, choose_sites, site_runs
        from crawler.config import load_sites

        dag_run, params = _context()
        conf_sites = (dag_run.conf or {}).get("sites") or params.get("sites")
        variable_sites = None if conf_sites else Variable.get(SITES_VARIABLE, default=None)
        configured = [] if conf_sites or variable_sites else [s.base_url for s in load_sites()]
        urls, source = choose_sites(conf_sites, variable_sites, configured)
        if not urls:
            raise ValueError(f"no sites to crawl (from {source})")
        chosen = site_runs(urls, dag_run.run_id)
        log.info("crawling %d site(s) from %s: %s", len(chosen), source, ", ".join(s["url"] for s in chosen))
        return chosen

    @task(execution_timeout=timedelta(hours=6), map_index_template=SITE_MAP_INDEX_TEMPLATE)
    def crawl(site_run: dict[str, str]) -> dict[str, Any]:
        """Fetch one site into raw_pages (Scrapy subprocess); return the crawl figures."""
        from crawler import stages
        from crawler.airflow_support import database_label, figures_line, news_db_url

        dag_run, params = _context(site_run)
        url = news_db_url()
        log.info("crawl %s as run %s into %s", site_run["url"], site_run["run_id"], database_label(url))
        extra = {"max_pages": params["max_pages"]} if params.get("max_pages") else {}
        figures = stages.crawl(
            site_run["url"], run_id=site_run["run_id"], db_url=url, airflow_run_id=dag_run.run_id, **extra
        )
        log.info("%s – %s", site_run["site"], figures_line("crawl", figures))
        # run_id and site are the group's identity (top level); the rest is what crawl_runs.stats holds
        figures = {k: v for k, v in figures.items() if k not in ("run_id", "site")}
        return {**site_run, "crawl": figures}

    @task(execution_timeout=timedelta(hours=2), map_index_template=SITE_MAP_INDEX_TEMPLATE)
    def clean(crawled: dict[str, Any]) -> dict[str, Any]:
        """Extract articles from the run's raw pages (a process pool, in a fresh process); return figures."""
        from crawler.airflow_support import figures_line, news_db_url, run_stage_in_subprocess

        _, params = _context(crawled)
        figures = run_stage_in_subprocess(
            "clean", run_id=crawled["run_id"], db_url=news_db_url(), workers=params.get("clean_workers")
        )
        log.info("%s – %s", crawled["site"], figures_line("clean", figures))
        return {**_site_run(crawled), "clean": figures}

    @task(execution_timeout=timedelta(hours=1), map_index_template=SITE_MAP_INDEX_TEMPLATE)
    def dedupe(cleaned: dict[str, Any]) -> dict[str, Any]:
        """Mark duplicates among the articles; return the dedupe figures."""
        from crawler import stages
        from crawler.airflow_support import figures_line, news_db_url

        _context(cleaned)
        figures = stages.dedupe(run_id=cleaned["run_id"], db_url=news_db_url())
        log.info("%s – %s", cleaned["site"], figures_line("dedupe", figures))
        return {**_site_run(cleaned), "dedupe": figures}

    @task(retries=0, execution_timeout=timedelta(minutes=15), map_index_template=SITE_MAP_INDEX_TEMPLATE)
    def quality_checks(deduped: dict[str, Any]) -> dict[str, Any]:
        """Fail the site's run (without retrying) when the night looks wrong."""
        from airflow.exceptions import AirflowFailException

        from crawler import quality, stages
        from crawler.airflow_support import news_db_url

        _, params = _context(deduped)
        try:
            report = stages.check_quality(
                deduped["run_id"], news_db_url(), quality.Thresholds.from_mapping(params)
            )
        except quality.QualityCheckFailed as failed:
            raise AirflowFailException(str(failed)) from None
        return {**_site_run(deduped), "quality": report.as_dict()}

    @task(
        outlets=[ARTICLES],
        max_active_tis_per_dagrun=1,
        execution_timeout=timedelta(minutes=30),
        map_index_template=SITE_MAP_INDEX_TEMPLATE,
    )
    def publish(checked: dict[str, Any]) -> dict[str, Any]:
        """Refresh what analysts query, close the run as successful; return everything the ledger holds."""
        from crawler import stages
        from crawler.airflow_support import news_db_url

        _context(checked)
        url = news_db_url()
        figures = stages.publish(checked["run_id"], url)
        stats = stages.finish(checked["run_id"], url)
        log.info("%s – published, run %s closed as success: %s", checked["site"], checked["run_id"], figures)
        return {**_site_run(checked), "status": "success", "stats": stats}

    @task_group
    def site_pipeline(site_run: dict[str, str]) -> None:
        publish(quality_checks(dedupe(clean(crawl(site_run)))))

    # A teardown: runs after every site, failed or not, and (unlike a plain all_done leaf) does not decide the
    # night's state, so a failed site still fails the run.
    @teardown
    @task(retries=0, execution_timeout=timedelta(minutes=5))
    def summary() -> dict[str, Any]:
        """The night at a glance, per site: pages, articles new/updated, duplicates, rejects, status."""
        from crawler import db
        from crawler.airflow_support import news_db_url, night_summary, summary_markdown

        dag_run, _ = _context()
        conn = db.connect(news_db_url())
        try:
            with conn, conn.cursor() as cur:
                rows = night_summary(cur, dag_run.run_id)
        finally:
            conn.close()
        table = summary_markdown(rows)
        log.info("night %s:\n%s", dag_run.run_id, table)
        return {"sites": rows, "markdown": table}

    site_pipeline.expand(site_run=resolve_sites()) >> summary()


def _site_run(figures: dict[str, Any]) -> dict[str, str]:
    """The identity of a site's run (url, site, run_id), carried from task to task."""
    return {key: figures[key] for key in ("url", "site", "run_id")}


news_nightly()

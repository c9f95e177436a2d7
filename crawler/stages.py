"""The pipeline's stages as plain functions: what the CLI and the Airflow DAGs both call.

A night is crawl → clean → dedupe → quality → publish; `run` is that sequence, and the nightly DAG
calls the same functions one task each, so both mean the same by "success": the run passed its
quality checks and what analysts query was refreshed. Every stage applies pending migrations first
(once per process), is keyed by a crawl run id where it has one, records its figures in the run
ledger (`crawl_runs.stats`) and can be re-run alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crawler import db, quality, runs
from crawler.config import site_config
from crawler.progress import Poller, Progress
from crawler.urls import is_site_url

log = logging.getLogger(__name__)


def _prepare(db_url: str | None) -> str:
    """The database URL to use, migrated (once per process and URL: a night calls several stages)."""
    url = db_url or db.database_url()
    if url not in _migrated:
        db.migrate(url)
        _migrated.add(url)
    return url


_migrated: set[str] = set()


@contextmanager
def _counting_stored_pages(url: str, run_id: str, meter: Progress) -> Iterator[None]:
    """While the crawl subprocess runs, feed the progress line from the rows it stores."""
    if not meter.enabled:
        yield
        return
    conn = db.connect(url)

    def sample() -> None:
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE rejected_reason IS NOT NULL) FROM raw_pages WHERE run_id = %s",
                (run_id,),
            )
            pages, rejected = cur.fetchone()
        meter.update(pages, rejected)

    poller = Poller(sample)
    poller.start()
    try:
        yield
    finally:
        poller.stop()
        conn.close()


def crawl(
    site_url: str,
    run_id: str | None = None,
    db_url: str | None = None,
    airflow_run_id: str | None = None,
    progress: bool = False,
    max_pages: int | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Fetch the site into raw_pages in a Scrapy subprocess; return the crawl figures (incl. run_id).

    Setting `stop` ends the crawl process early (the crawl then fails).
    """
    from crawler.crawl.process import run_crawl

    url = _prepare(db_url)
    config = site_config(site_url)
    run_id = run_id or runs.new_run_id(site_url)
    with db.transaction(url) as cur:
        for abandoned in runs.fail_abandoned(cur, config.site):
            log.warning("run %s was left running by a process that is gone: closed as failed", abandoned)
        runs.start_run(cur, run_id, config.site, airflow_run_id)
    meter = Progress("crawl", enabled=progress, counts_articles=False)
    try:
        if not is_site_url(site_url):
            raise ValueError(f"not a site URL: {site_url!r} (expected e.g. https://example.de/)")
        with _counting_stored_pages(url, run_id, meter):
            figures = run_crawl(site_url, run_id, url, max_pages=max_pages, stop=stop)
        with db.transaction(url) as cur:
            nothing = nothing_usable(cur, run_id, figures)
        if nothing:
            raise NothingFetched(nothing)
    except BaseException as exc:
        # BaseException: Ctrl-C and SIGTERM close the run too, not only errors.
        runs.close_failed(url, run_id, failure_reason(exc))
        raise
    result = {"run_id": run_id, "site": config.site, **figures}
    meter.update(figures.get("stored", 0), sum((figures.get("rejected") or {}).values()))
    meter.close()
    log.info("crawl %s: %s", run_id, _summary(result))
    return result


def clean(
    run_id: str | None = None,
    db_url: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    follow: threading.Event | None = None,
    page_range: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Extract articles from raw pages not cleaned yet (of run_id, within page_range, or all).

    With `follow`, clean works beside a running crawl until the event is set, then drains the rest.
    """
    from crawler import clean as clean_stage  # the extractor's imports: not for a crawl-only process

    url = _prepare(db_url)
    meter = Progress("clean", enabled=progress)

    def on_batch(pages: int, rejected: int, articles: int) -> None:
        # Beside a running crawl, the crawl's progress line is the one on screen.
        if follow is None or follow.is_set():
            meter.update(pages, rejected, articles)

    started = time.monotonic()
    conn = db.connect(url)
    # A second connection lets the next batch be claimed and extracted while this one is written.
    spare = db.connect(url) if (workers or clean_stage.default_workers()) > 1 else None
    try:
        totals = clean_stage.clean_pages(
            conn,
            run_id=run_id,
            workers=workers,
            on_batch=on_batch,
            follow=follow,
            page_range=(page_range[0], page_range[1]) if page_range else None,  # JSON gives a list
            spare=spare,
        )
        meter.close()
        seconds = round(time.monotonic() - started, 2)
        figures: dict[str, Any] = {}
        with conn, conn.cursor() as cur:
            for touched in totals["runs"]:
                run_figures = clean_stage.run_clean_figures(cur, touched)
                run_figures["seconds"] = seconds
                runs.record_stage(cur, touched, "clean", run_figures)
                if touched == run_id:
                    figures = run_figures
    finally:
        conn.close()
        if spare is not None:
            spare.close()
    if not run_id:
        figures = {k: v for k, v in totals.items() if k != "runs"} | {"seconds": seconds}
    log.info("clean %s: %s", run_id or "(all runs)", _summary(figures))
    return figures


def reclean(
    db_url: str | None = None,
    only_outdated: bool = True,
    workers: int | None = None,
    progress: bool = False,
    article_range: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Re-extract stored raw pages (of articles within article_range) with the current extractor."""
    from crawler import clean as clean_stage

    url = _prepare(db_url)
    meter = Progress("reclean", enabled=progress)
    conn = db.connect(url)
    try:
        figures = clean_stage.timed(
            lambda: clean_stage.reclean_pages(
                conn,
                only_outdated=only_outdated,
                workers=workers,
                on_batch=meter.update,
                article_range=(article_range[0], article_range[1]) if article_range else None,
            )
        )
    finally:
        conn.close()
    meter.close()
    log.info("reclean: %s", _summary(figures))
    return figures


def chunks(table: str, count: int, db_url: str | None = None, only_outdated: bool = False) -> list[list[int]]:
    """Id ranges [lo, hi] of the work left in table (raw_pages: clean backlog, articles: reclean)."""
    from crawler import clean as clean_stage

    with db.transaction(_prepare(db_url)) as cur:
        return [[lo, hi] for lo, hi in clean_stage.id_chunks(cur, table, count, only_outdated)]


def dedupe(
    run_id: str | None = None,
    db_url: str | None = None,
    rebuild: bool = False,
    follow: threading.Event | None = None,
) -> dict[str, Any]:
    """Mark duplicates among articles; figures are recorded under run_id when given.

    With `follow`, articles are linked while a clean still stores them, until `follow` is set.
    """
    from crawler import dedupe as dedupe_stage

    url = _prepare(db_url)
    conn = db.connect(url)
    try:
        figures = dedupe_stage.dedupe(conn, run_id=run_id, rebuild=rebuild, follow=follow)
        if run_id:
            with conn, conn.cursor() as cur:
                figures["run_duplicates"] = run_duplicates(cur, run_id)
                runs.record_stage(cur, run_id, "dedupe", figures)
    finally:
        conn.close()
    log.info("dedupe %s: %s", run_id or "(all)", _summary(figures))
    return figures


class NothingFetched(RuntimeError):
    """The crawl got no usable answer from the site: a night that fetched nothing usable fails."""


def nothing_usable(cur: Any, run_id: str, figures: dict[str, Any]) -> str | None:
    """Why the run fetched nothing usable (every answer an error), or None when something came through."""
    if figures.get("robots_unreachable"):
        # RFC 9309: the site disallowed everything tonight, so nothing was fetched: a failed night.
        return f"nothing usable fetched: {figures['robots_unreachable']}"
    if figures.get("not_modified") or figures.get("skipped_unchanged") or figures.get("dead_skipped"):
        return None  # an unchanged site is a quiet night, not a failure
    cur.execute(
        """SELECT count(*) FILTER (WHERE status BETWEEN 200 AND 299), count(*) FROM raw_pages WHERE run_id = %s""",
        (run_id,),
    )
    usable, stored = cur.fetchone()
    if usable:
        return None
    cur.execute(
        """SELECT coalesce(rejected_reason, 'http_' || status), count(*) FROM raw_pages WHERE run_id = %s
           GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3""",
        (run_id,),
    )
    reasons = ", ".join(f"{reason} x{count}" for reason, count in cur.fetchall())
    return f"nothing usable fetched: {stored} requests, none answered 2xx" + (
        f" ({reasons})" if reasons else ""
    )


def failure_reason(exc: BaseException) -> str:
    """The one line recorded as a failed run's reason."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    reason = getattr(exc, "reason", None)  # CrawlFailed carries its own, without the log tail
    return runs.first_line(reason if isinstance(reason, str) else exc)


def run_duplicates(cur: Any, run_id: str) -> int:
    """How many articles this run brought in or changed are copies of another article."""
    cur.execute(
        """SELECT count(DISTINCT a.article_id) FROM articles a JOIN raw_pages p ON p.article_id = a.article_id
           WHERE p.run_id = %s AND p.clean_outcome IN ('new', 'updated') AND a.duplicate_of IS NOT NULL""",
        (run_id,),
    )
    return int(cur.fetchone()[0])


def check_quality(
    run_id: str, db_url: str | None = None, thresholds: quality.Thresholds | None = None
) -> quality.QualityReport:
    """Judge the night by its figures; record the report. Raise QualityCheckFailed when it looks wrong."""
    conn = db.connect(_prepare(db_url))
    try:
        report = quality.evaluate(conn, run_id, thresholds)
        with conn, conn.cursor() as cur:
            runs.record_stage(cur, run_id, "quality", report.as_dict())
    finally:
        conn.close()
    log.info(report.text())
    if not report.passed:
        raise quality.QualityCheckFailed(report)
    return report


def publish(run_id: str | None = None, db_url: str | None = None) -> dict[str, Any]:
    """Refresh what analysts query; with a run id, record it and close the run as successful."""
    from crawler import analytics

    conn = db.connect(_prepare(db_url))
    try:
        figures = analytics.publish(conn)
        conn.commit()
        if run_id:
            with conn, conn.cursor() as cur:
                runs.record_stage(cur, run_id, "publish", figures)
                runs.finish_run(cur, run_id, "success")
    finally:
        conn.close()
    return figures


def finish(run_id: str, db_url: str | None = None, status: str = "success") -> dict[str, Any]:
    """Close the run in the ledger and return everything recorded for it."""
    with db.transaction(_prepare(db_url)) as cur:
        runs.finish_run(cur, run_id, status)
        return runs.run_stats(cur, run_id)


def run(
    site_url: str,
    db_url: str | None = None,
    progress: bool = False,
    workers: int | None = None,
    max_pages: int | None = None,
    run_id: str | None = None,
    thresholds: quality.Thresholds | None = None,
) -> dict[str, Any]:
    """One night of one site: crawl, clean, dedupe, quality checks, publish; return the run's figures.

    A failed stage or quality check closes the run as failed and raises (QualityCheckFailed for checks).
    """
    url = _prepare(db_url)
    run_id = run_id or runs.new_run_id(site_url)
    with db.transaction(url) as cur:
        # This process owns the run from here: if it dies unclosed, the site's next run closes it.
        site = site_config(site_url).site
        runs.fail_abandoned(cur, site)
        runs.start_run(cur, run_id, site)
        runs.record_owner(cur, run_id)
        backlog = runs.failed_backlog(cur, site)
    crawled, cleaned, stop = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def crawl_beside_clean() -> None:
        try:
            outcome["crawl"] = crawl(
                site_url, run_id=run_id, db_url=url, progress=progress, max_pages=max_pages, stop=stop
            )
        except BaseException as exc:  # re-raised in the caller's thread below
            outcome["error"] = exc
        finally:
            crawled.set()

    def dedupe_beside_clean() -> None:
        # From the crawl's end on: its process then frees more than dedupe takes (numpy, signature
        # arrays: about 35 MB), so the night's peak memory stays where the crawl puts it.
        crawled.wait()
        try:
            dedupe(run_id=run_id, db_url=url, follow=cleaned)
        except BaseException as exc:  # re-raised in the caller's thread below
            outcome["dedupe_error"] = exc

    # Overlapped stages: the crawl (its own process; this thread only waits for it) stores pages while
    # clean extracts those already stored, then drains the rest; once the crawl has ended, dedupe (a
    # thread here) links the articles clean has stored so far, then the rest once clean is done.
    crawler_thread = threading.Thread(target=crawl_beside_clean, name="crawl", daemon=True)
    deduper_thread = threading.Thread(target=dedupe_beside_clean, name="dedupe", daemon=True)
    crawler_thread.start()
    deduper_thread.start()
    try:
        try:
            for earlier in backlog:
                # A killed night stored pages it never cleaned, and this crawl skips them as already seen.
                log.info("cleaning the pages failed run %s left behind", earlier)
                clean(run_id=earlier, db_url=url, workers=workers)
            clean(run_id=run_id, db_url=url, workers=workers, progress=progress, follow=crawled)
        finally:
            # Its last pass links what is left; after a failure that is what was stored, never lost.
            cleaned.set()
        crawler_thread.join()
        if "error" in outcome:
            raise outcome["error"]
        crawl_figures = outcome["crawl"]
        deduper_thread.join()
        if "dedupe_error" in outcome:
            raise outcome["dedupe_error"]
        check_quality(run_id, url, thresholds)
        publish(run_id, url)
    except BaseException as exc:
        stop.set()  # a failed or interrupted clean ends the crawl beside it (its process group)
        cleaned.set()
        crawler_thread.join()
        deduper_thread.join()
        runs.close_failed(url, run_id, failure_reason(exc))
        raise
    with db.transaction(url) as cur:
        stats = runs.run_stats(cur, run_id)
    return {"run_id": run_id, "site": crawl_figures["site"], **stats}


def _summary(figures: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in figures.items() if not isinstance(v, dict | list))

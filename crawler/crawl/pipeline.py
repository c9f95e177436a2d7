"""Store what the portal spider fetched: raw_pages rows (batched upserts), fetch_state and the run ledger."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import psycopg2
import psycopg2.extensions
import psycopg2.extras
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from crawler import db, runs
from crawler.crawl.fetch_state import database_url_from_settings
from crawler.crawl.items import NotModifiedItem, RawPageItem

if TYPE_CHECKING:
    from crawler.crawl.spider import PortalSpider

log = logging.getLogger(__name__)

RAW_COLUMNS = (
    "run_id",
    "site",
    "url",
    "final_url",
    "status",
    "headers",
    "content_type",
    "body_gzip",
    "body_bytes",
    "body_sha256",
    "fetched_at",
    "discovered_via",
    "sitemap_lastmod",
    "rejected_reason",
)
# A retried crawl with the same run_id replaces its own rows, and the clean stage must look at them again.
UPSERT_RAW = f"""
INSERT INTO raw_pages ({", ".join(RAW_COLUMNS)}) VALUES %s
ON CONFLICT (run_id, url) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in RAW_COLUMNS[3:])},
    cleaned_at = NULL, clean_outcome = NULL, extractor_version = NULL, article_id = NULL
"""
UPSERT_STATE = """
INSERT INTO fetch_state
    (url, site, etag, last_modified, sitemap_lastmod, status, body_sha256, fetched_at, run_id, dead_reason)
VALUES %s
ON CONFLICT (url) DO UPDATE SET
    site = EXCLUDED.site, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
    sitemap_lastmod = COALESCE(EXCLUDED.sitemap_lastmod, fetch_state.sitemap_lastmod),
    status = EXCLUDED.status, body_sha256 = EXCLUDED.body_sha256, fetched_at = EXCLUDED.fetched_at,
    run_id = EXCLUDED.run_id, dead_reason = EXCLUDED.dead_reason
"""
# A 304 keeps the stored validators and run_id (so a retry of this run still sends them) and only
# learns the newest sitemap lastmod, which lets the next night skip the URL without a request.
TOUCH_STATE = """
UPDATE fetch_state AS f SET
    sitemap_lastmod = GREATEST(f.sitemap_lastmod, v.sitemap_lastmod), fetched_at = v.fetched_at
FROM (VALUES %s) AS v (url, sitemap_lastmod, fetched_at)
WHERE f.url = v.url
"""


class CrawlDatabaseError(RuntimeError):
    """The database refused raw pages: the crawl must fail, not go on without storing."""


def channels(stats: StatsCollector) -> dict[str, dict[str, int]]:
    """Requests and new articles per discovery channel, as the spider counted them (newsroom/channel/...)."""
    found: dict[str, dict[str, int]] = {}
    for key, value in stats.get_stats().items():
        parts = key.split("/")
        if len(parts) == 4 and parts[:2] == ["newsroom", "channel"]:
            found.setdefault(parts[2], {"requests": 0, "articles": 0})[parts[3]] = int(value)
    return dict(sorted(found.items()))


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


class RawPagePipeline:
    """Batch every RawPageItem into raw_pages and fetch_state; record the crawl figures at close."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.batch_rows = settings.getint("NEWSROOM_BATCH_ROWS", 200)
        self.flush_seconds = settings.getfloat("NEWSROOM_FLUSH_SECONDS", 2.0)
        self.db_url = ""
        self.conn: psycopg2.extensions.connection | None = None
        # Keyed by URL: a batch must not hit the same conflict key twice (ON CONFLICT would refuse it).
        self.rows: dict[str, tuple[Any, ...]] = {}
        self.states: dict[str, tuple[Any, ...]] = {}
        self.touched: dict[str, tuple[Any, ...]] = {}
        self.pending_bytes = 0
        self.last_flush = time.monotonic()
        self.pending_counts: list[RawPageItem] = []
        self.failure: str | None = None  # the first database error; the crawl ends with it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPagePipeline:
        """Build the pipeline for a crawler."""
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.on_idle, signal=signals.spider_idle)
        return pipeline

    def on_idle(self) -> None:
        """Write what is queued while the crawl waits (a late retry's backoff): the clean beside it can go on."""
        if self.conn is not None and self.failure is None:
            self.flush()

    @property
    def stats(self) -> StatsCollector:
        """The crawler's stats: the spider counts discovery there, this pipeline reads and adds to them."""
        assert self.crawler.stats is not None
        return self.crawler.stats

    @property
    def spider(self) -> PortalSpider:
        """The running portal spider."""
        return cast("PortalSpider", self.crawler.spider)

    def open_spider(self) -> None:
        """Connect, apply pending migrations and open (or re-open) the run's ledger row."""
        self.db_url = database_url_from_settings(self.crawler.settings)
        db.migrate(self.db_url)
        self.conn = db.connect(self.db_url)
        with self.conn, self.conn.cursor() as cur:
            runs.start_run(cur, self.spider.run_id, self.spider.site)

    def process_item(self, item: Any) -> Any:
        """Queue one row; write the batch when it is full or old enough."""
        spider = self.spider
        if isinstance(item, NotModifiedItem):
            self.touched[item.url] = (item.url, item.sitemap_lastmod, item.fetched_at)
        elif isinstance(item, RawPageItem):
            body = item.body
            sha = hashlib.sha256(body).hexdigest() if body is not None else None
            # Level 1: half the CPU of level 6 for bodies about 8 % larger (HTML compresses well anyway).
            compressed = gzip.compress(body, compresslevel=1) if body else None
            self.rows[item.url] = (
                spider.run_id,
                spider.site,
                item.url,
                item.final_url,
                item.status,
                json.dumps(item.headers),
                item.content_type,
                psycopg2.Binary(compressed) if compressed is not None else None,
                len(body) if body else 0,
                sha,
                item.fetched_at,
                item.discovered_via,
                item.sitemap_lastmod,
                item.rejected_reason,
            )
            self.pending_counts.append(item)
            self.pending_bytes += len(compressed or b"")
            if item.rejected_reason is None and 200 <= item.status < 300:
                self.states[item.url] = (
                    item.url,
                    spider.site,
                    _header(item.headers, "ETag"),
                    _header(item.headers, "Last-Modified"),
                    item.sitemap_lastmod,
                    item.status,
                    sha,
                    item.fetched_at,
                    spider.run_id,
                    None,
                )
            elif item.dead_reason is not None:
                # No validators: should the URL come back, its first answer must be a full one.
                self.states[item.url] = (
                    item.url,
                    spider.site,
                    None,
                    None,
                    item.sitemap_lastmod,
                    item.status,
                    None,
                    item.fetched_at,
                    spider.run_id,
                    item.dead_reason,
                )
        if (
            len(self.rows) + len(self.touched) >= self.batch_rows
            or self.pending_bytes > 32 * 1024 * 1024
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()
        return item

    def flush(self) -> None:
        """Write queued rows in one transaction; a database error fails the crawl."""
        self.last_flush = time.monotonic()
        if not (self.rows or self.states or self.touched):
            return
        assert self.conn is not None
        try:
            with self.conn, self.conn.cursor() as cur:
                if self.rows:
                    psycopg2.extras.execute_values(
                        cur, UPSERT_RAW, list(self.rows.values()), page_size=self.batch_rows
                    )
                if self.states:
                    psycopg2.extras.execute_values(
                        cur, UPSERT_STATE, list(self.states.values()), page_size=self.batch_rows
                    )
                if self.touched:
                    psycopg2.extras.execute_values(
                        cur,
                        TOUCH_STATE,
                        list(self.touched.values()),
                        page_size=self.batch_rows,
                        template="(%s, %s::timestamptz, %s::timestamptz)",
                    )
        except psycopg2.Error as exc:
            self._fail(exc)
            raise CrawlDatabaseError(f"storing raw pages failed: {exc}") from exc
        # Article pages are a crawl-time guess that is not stored, so they are counted here.
        self.stats.inc_value("newsroom/articles", sum(1 for item in self.pending_counts if item.is_article))
        self.rows.clear()
        self.states.clear()
        self.touched.clear()
        self.pending_counts.clear()
        self.pending_bytes = 0

    def _fail(self, exc: Exception, stop: bool = True) -> None:
        """Mark the crawl failed and stop it: rows that cannot be stored must not be fetched on."""
        if self.failure is None:
            self.failure = f"database_error: {exc}".strip()
            # The crawl process reads it from the stats: components talk through Scrapy's channels.
            self.stats.set_value("newsroom/failure", self.failure)
            log.error("database refused raw pages, stopping the crawl: %s", exc)
            engine = self.crawler.engine
            if stop and engine is not None:
                deferred_from_coro(engine.close_spider_async(reason="database_error"))

    def figures(self, cur: psycopg2.extensions.cursor) -> dict[str, Any]:
        """The crawl figures recorded under crawl_runs.stats->'crawl' (row figures counted in raw_pages)."""
        spider = self.spider
        stats = self.stats

        def counted(key: str) -> int:
            return int(stats.get_value(f"newsroom/{key}", 0))

        started = stats.get_value("start_time")
        seconds = (datetime.now(UTC) - started).total_seconds() if started else 0.0
        # Counted from the table, not from items: a retry with the same run_id and rows stored again
        # with a corrected outcome (redirect loops) must not be counted twice.
        cur.execute(
            """SELECT count(*), count(*) FILTER (WHERE status > 0), COALESCE(sum(body_bytes), 0)
               FROM raw_pages WHERE run_id = %s""",
            (spider.run_id,),
        )
        stored, fetched, size = cur.fetchone()
        cur.execute(
            """SELECT rejected_reason, count(*) FROM raw_pages
               WHERE run_id = %s AND rejected_reason IS NOT NULL GROUP BY 1 ORDER BY 1""",
            (spider.run_id,),
        )
        rejected = dict(cur.fetchall())
        return {
            "discovered": counted("discovered"),
            "requested": counted("requested"),
            "listed": counted("listed"),
            "discovery_capped": counted("discovery_capped") > 0,
            "fetched": fetched,
            "not_modified": counted("not_modified"),
            "skipped_unchanged": counted("skipped_unchanged"),
            # Listed URLs that were dead (404, 410, a redirect loop, moved) and were left alone tonight,
            # and those re-checked (their lastmod moved, or a week passed).
            "dead_skipped": counted("dead_skipped"),
            "dead_rechecked": counted("dead_rechecked"),
            "stored": stored,
            "rejected": rejected,
            "bytes": int(size),
            "seconds": round(seconds, 2),
            "articles": counted("articles"),
            "late_retries": counted("late_retries"),
            "skipped_revisit": counted("skipped_revisit"),
            "skipped_navigation": counted("skipped_navigation"),
            "links_unread": counted("links_unread"),
            # Live articles last night's sitemaps and REST API did not name: navigation is walked, not sampled.
            "unlisted_articles_known": counted("unlisted_articles_known"),
            # Listings that hold more posts than last night with none new on their first or last page.
            "listing_insertions": counted("listing_insertions"),
            "channels": channels(stats),
            "removal_checks": counted("removal_checks"),
            "removed": counted("removed"),
            "robots_forbidden": counted("robots_forbidden"),
            # Why robots.txt kept the site closed tonight (5xx or no answer), else None.
            "robots_unreachable": stats.get_value("newsroom/robots_unreachable"),
            # Seconds between requests to the site: max(download_delay, robots.txt Crawl-delay), capped.
            "crawl_delay_s": float(stats.get_value("newsroom/crawl_delay_s", 0.0)),
            "outside_sections": counted("outside_sections"),
            "max_pages_reached": counted("over_max_pages") > 0,
        }

    def close_spider(self) -> None:
        """Write the last rows and the crawl figures; raise if the database failed at any point."""
        try:
            if self.failure is None:
                self.flush()
                assert self.conn is not None
                with self.conn, self.conn.cursor() as cur:
                    runs.record_stage(cur, self.spider.run_id, "crawl", self.figures(cur))
        except psycopg2.Error as exc:
            self._fail(exc, stop=False)
            raise CrawlDatabaseError(f"recording the crawl failed: {exc}") from exc
        finally:
            if self.conn is not None:
                self.conn.close()
        if self.failure is not None:
            raise CrawlDatabaseError(self.failure)

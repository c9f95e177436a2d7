"""What the crawl remembers of each URL between nights: validators and sitemap lastmod (`fetch_state`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scrapy.settings import BaseSettings

from crawler import db


@dataclass(frozen=True)
class FetchState:
    """What the last successful fetch of a URL returned, or that a listed URL was dead (see dead_reason)."""

    etag: str | None
    last_modified: str | None
    sitemap_lastmod: datetime | None
    fetched_at: datetime
    dead_reason: str | None = None


def database_url_from_settings(settings: BaseSettings) -> str:
    """NEWSROOM_DATABASE_URL, else crawler.db.database_url() (DATABASE_URL or the embedded server)."""
    return settings.get("NEWSROOM_DATABASE_URL") or db.database_url()


def load_fetch_state(db_url: str, site: str, run_id: str) -> dict[str, FetchState]:
    """fetch_state of the site by URL, without rows written by run_id itself (a retry refetches those)."""
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                """SELECT url, etag, last_modified, sitemap_lastmod, fetched_at, dead_reason FROM fetch_state
                   WHERE site = %s AND run_id IS DISTINCT FROM %s""",
                (site, run_id),
            )
            return {row[0]: FetchState(*row[1:]) for row in cur.fetchall()}
    finally:
        conn.close()

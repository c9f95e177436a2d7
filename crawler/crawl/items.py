"""What the portal spider hands to the pipeline: one raw page row, or a 304 that only touches fetch_state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class RawPageItem:
    """One `raw_pages` row: a response (or a fetch that failed) exactly as the crawl saw it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content_type: str | None
    body: bytes | None
    fetched_at: datetime
    discovered_via: str
    sitemap_lastmod: datetime | None = None
    rejected_reason: str | None = None
    is_article: bool = False
    # A listed URL that gives no page of its own (http_404, http_410, redirect_loop, a permanent redirect
    # to a known page): fetch_state remembers it, and later nights skip it while its lastmod stays.
    dead_reason: str | None = None


@dataclass
class NotModifiedItem:
    """A 304: nothing to store as a page, but fetch_state learns the latest sitemap lastmod."""

    url: str
    fetched_at: datetime
    sitemap_lastmod: datetime | None = None

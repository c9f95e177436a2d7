"""What earlier nights left for tonight's crawl: known URLs, their age and listing, removed articles.

The revisit policy lives here too: a known article with no change signal tonight (no sitemap
`lastmod`, no REST API `modified_gmt`) is fetched again only when it is due, recent articles often,
old ones rarely (`revisit_*` in crawler/sites.toml).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg2.extensions

from crawler import db
from crawler.config import SiteConfig


@dataclass(frozen=True)
class Known:
    """One URL an earlier night fetched: when, whether it is an article (and from when), its listing."""

    fetched_at: datetime
    published_at: datetime | None
    is_article: bool
    listed: bool
    removed: bool


def load_known(db_url: str, site: str, run_id: str) -> dict[str, Known]:
    """Known URLs of the site by URL, without rows written by run_id itself (a retry refetches those)."""
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            # A variant of an article's URL (another spelling whose page names the article canonical, an
            # old URL) is as old as its article: the revisit policy fetches it as rarely as the article,
            # not every night as a page first seen yesterday.
            cur.execute(
                """SELECT f.url, f.fetched_at,
                          coalesce(a.published_at, a.first_seen_at, v.published_at, v.first_seen_at),
                          a.article_id IS NOT NULL, f.listed_at IS NOT NULL, a.removed_at IS NOT NULL
                   FROM fetch_state f LEFT JOIN articles a ON a.url = f.url
                   LEFT JOIN url_aliases u ON a.article_id IS NULL AND u.url = f.url
                   LEFT JOIN articles v ON v.article_id = u.article_id
                   WHERE f.site = %s AND f.run_id IS DISTINCT FROM %s""",
                (site, run_id),
            )
            return {row[0]: Known(*row[1:]) for row in cur.fetchall()}
    finally:
        conn.close()


def revisit_due(known: Known, config: SiteConfig, now: datetime) -> bool:
    """Whether a known page without a change signal is fetched tonight (see the module docstring)."""
    since = known.published_at or known.fetched_at
    recent = now - since < timedelta(days=config.revisit_recent_days)
    every = config.revisit_recent_every_days if recent else config.revisit_every_days
    # Half a day of slack: a nightly crawl starts at slightly different times.
    return now - known.fetched_at >= timedelta(days=every) - timedelta(hours=12)


def record_listings(
    cur: psycopg2.extensions.cursor,
    site: str,
    now: datetime,
    listed: Iterable[str],
    unlisted: Iterable[str],
    removed: Mapping[str, datetime],
    served: Iterable[str],
) -> None:
    """Remember tonight's listings; mark removed articles, and clear the mark of those back online."""
    listed, unlisted = sorted(set(listed)), sorted(set(unlisted))
    cur.execute(
        "UPDATE fetch_state SET listed_at = %s WHERE site = %s AND url = ANY(%s)", (now, site, listed)
    )
    cur.execute("UPDATE fetch_state SET listed_at = NULL WHERE site = %s AND url = ANY(%s)", (site, unlisted))
    gone = sorted(removed)
    # Dated by the 404/410 response, as the clean stage's mark_removed dates it: one time per removal.
    cur.execute(
        """UPDATE articles a SET removed_at = g.at
           FROM unnest(%s::text[], %s::timestamptz[]) AS g(url, at)
           WHERE a.site = %s AND a.url = g.url AND a.removed_at IS NULL""",
        (gone, [removed[u] for u in gone], site),
    )
    cur.execute(
        "UPDATE articles SET removed_at = NULL WHERE site = %s AND removed_at IS NOT NULL AND url = ANY(%s)",
        (site, sorted({*listed, *served})),
    )


def load_last_yield(db_url: str, site: str, run_id: str) -> dict[str, tuple[int, int]]:
    """The last earlier night's discovery figures of the site: channel -> (requests, new articles)."""
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                """SELECT y.channel, y.requests, y.articles FROM discovery_yield y
                   WHERE y.run_id = (SELECT d.run_id FROM discovery_yield d JOIN crawl_runs r USING (run_id)
                                     WHERE d.site = %s AND d.run_id <> %s
                                     ORDER BY r.started_at DESC LIMIT 1)""",
                (site, run_id),
            )
            return {channel: (requests, articles) for channel, requests, articles in cur.fetchall()}
    finally:
        conn.close()


def load_listing_sizes(db_url: str, site: str) -> dict[str, int]:
    """Posts each paginated listing of the site held when last measured, by its first page's URL."""
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT url, listing_items FROM fetch_state WHERE site = %s AND listing_items IS NOT NULL",
                (site,),
            )
            return {url: items for url, items in cur.fetchall()}
    finally:
        conn.close()


def record_listing_sizes(
    cur: psycopg2.extensions.cursor, site: str, fetched: Iterable[str], sizes: Mapping[str, int]
) -> None:
    """Store tonight's listing sizes; a listing fetched but not measured tonight loses its old one."""
    for url in sorted(set(fetched) | set(sizes)):
        cur.execute(
            "UPDATE fetch_state SET listing_items = %s WHERE site = %s AND url = %s",
            (sizes.get(url), site, url),
        )


def load_sitemap_verdicts(db_url: str, site: str) -> dict[str, bool]:
    """The site's sitemaps (site-relative paths) and whether their last probe found an article."""
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT sitemap, articles FROM sitemap_verdicts WHERE site = %s", (site,))
            return {sitemap: articles for sitemap, articles in cur.fetchall()}
    finally:
        conn.close()


def record_sitemap_verdicts(
    cur: psycopg2.extensions.cursor, site: str, now: datetime, verdicts: Mapping[str, bool]
) -> None:
    """Store tonight's probe verdicts (sitemap path -> found an article); unprobed sitemaps keep theirs."""
    for sitemap in sorted(verdicts):
        cur.execute(
            """INSERT INTO sitemap_verdicts (site, sitemap, checked_at, articles) VALUES (%s, %s, %s, %s)
               ON CONFLICT (site, sitemap) DO UPDATE SET checked_at = EXCLUDED.checked_at,
                                                         articles = EXCLUDED.articles""",
            (site, sitemap, now, verdicts[sitemap]),
        )


def record_yield(
    cur: psycopg2.extensions.cursor,
    run_id: str,
    site: str,
    requests: Mapping[str, int],
    articles: Mapping[str, int],
) -> None:
    """Store tonight's requests and new articles per discovery channel (a retried run replaces its rows)."""
    cur.execute("DELETE FROM discovery_yield WHERE run_id = %s", (run_id,))
    for channel in sorted(set(requests) | set(articles)):
        cur.execute(
            "INSERT INTO discovery_yield (run_id, site, channel, requests, articles) VALUES (%s, %s, %s, %s, %s)",
            (run_id, site, channel, requests.get(channel, 0), articles.get(channel, 0)),
        )

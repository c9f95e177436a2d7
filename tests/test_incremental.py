"""Incremental nights on a site without lastmod or validators (REST API), and removed articles."""

from __future__ import annotations

from typing import Any

import psycopg2.extensions
from support import newsroom
from test_crawl import request_log, rows, stored_stories

from crawler.crawl.process import run_crawl
from crawler.urls import normalize_url
from newsroom_demo.server import running_portal


def fetched_articles(page_rows: list[dict[str, Any]], stories: set[str]) -> set[str]:
    """Story URLs this night downloaded (any status), by normalised URL."""
    return {r["url"] for r in page_rows if r["url"] in stories and r["status"] > 0}


def test_rest_api_makes_a_plain_wordpress_night_incremental(db_url: str, conn) -> None:
    # WordPress core: sitemaps without lastmod, pages without ETag or Last-Modified. Only the REST API
    # (announced in the Link header) tells which posts changed.
    with running_portal(articles=60, seed=4, plain_wordpress=True, new_articles_per_day=1) as server:
        base = server.base_url
        with request_log(server) as requested:
            night1 = run_crawl(base, "night-1", db_url)
        assert any(p.startswith("/wp-json/wp/v2/posts?_fields=") for p in requested)
        assert not any(p.startswith("/?p=") for p in requested)  # the REST API gives every post's id
        day1 = {normalize_url(base + s.url) for s in server.portal.stories()}
        assert stored_stories(rows(conn, "night-1"), day1) == day1

        server.set_day(2)
        changed = {normalize_url(base + p) for p in server.portal.changed_paths()}
        new = {normalize_url(base + p) for p in server.portal.new_paths()}
        assert changed and new
        night2 = run_crawl(base, "night-2", db_url)
        day2 = {normalize_url(base + s.url) for s in server.portal.stories()}

    # Night 2 downloads exactly the changed and the new articles, and none of the unchanged ones.
    assert fetched_articles(rows(conn, "night-2"), day2) == changed | new
    assert stored_stories(rows(conn, "night-2"), day2) == changed | new
    assert night2["requested"] < night1["requested"] / 4


def test_an_article_gone_from_the_listings_and_the_site_is_marked_removed(db_url: str, conn) -> None:
    with running_portal(articles=30, seed=5, plain_wordpress=True) as server:
        base = server.base_url
        newsroom("run", "--site", base)
        gone = next(s.url for s in server.portal.stories() if not s.copy_of and "/kaputt/" not in s.url)
        url = normalize_url(base + gone)
        server.portal.trash(gone)
        night2 = newsroom("run", "--site", base)
        assert night2.returncode == 0
        with conn, conn.cursor() as cur:
            cur.execute("SELECT url, body <> '' FROM articles WHERE removed_at IS NOT NULL")
            assert cur.fetchall() == [(url, True)]  # marked, text kept
            cur.execute(
                "SELECT status FROM raw_pages WHERE url = %s ORDER BY fetched_at DESC LIMIT 1", (url,)
            )
            assert cur.fetchone() == (404,)

        server.portal.trash(gone, trashed=False)  # back online: the mark goes
        newsroom("run", "--site", base)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles WHERE removed_at IS NOT NULL")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT count(*) FROM analytics.articles")
        assert cur.fetchone()[0] > 0  # the views still read the table with its new column


def test_a_site_whose_listings_fail_marks_nothing_removed(
    db_url: str, conn: psycopg2.extensions.connection
) -> None:
    with running_portal(articles=20, seed=6, plain_wordpress=True) as server:
        base = server.base_url
        run_crawl(base, "night-1", db_url)
        newsroom("clean")
        original = server.portal.respond

        def broken_listings(path_with_query: str, headers: Any) -> Any:
            if path_with_query.startswith(("/wp-sitemap", "/wp-json/")):
                return 503, {"Content-Type": "text/plain"}, b"busy"
            return original(path_with_query, headers)

        server.portal.respond = broken_listings  # type: ignore[method-assign]
        stats = run_crawl(base, "night-2", db_url)
    # Nothing is listed tonight, but without a complete listing nobody is checked or marked.
    assert stats["removal_checks"] == 0 and stats["removed"] == 0
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles WHERE removed_at IS NOT NULL")
        assert cur.fetchone() == (0,)

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


def test_dead_sitemap_entries_wait_until_their_lastmod_moves_or_a_week_passed(db_url: str, conn) -> None:
    # Entries a sitemap keeps listing that give no page: 404, 410 and a redirect loop. fetch_state
    # remembers them, so later nights leave them alone until their lastmod moves or a week has passed.
    dead = {"/2025/10/01/tot/": 404, "/2025/10/02/geloescht/": 410, "/2025/10/03/kreis-a/": 301}
    lastmods = {"/2025/10/01/tot/": "2025-10-01", "/2025/10/02/geloescht/": "2025-10-02"}
    back: dict[str, str] = {}  # dead path -> story path it serves again
    with running_portal(articles=10, seed=22, day=1) as server:
        base = server.base_url
        original = server.portal.respond

        def respond(path_with_query: str, headers: Any) -> Any:
            if path_with_query in back:
                return original(back[path_with_query], headers)
            if path_with_query == "/post-sitemap.xml":
                status, answer_headers, body = original(path_with_query, headers)
                entries = "".join(
                    f"<url><loc>{base}{path}</loc>"
                    + (f"<lastmod>{lastmods[path]}</lastmod>" if path in lastmods else "")
                    + "</url>"
                    for path in dead
                )
                return status, answer_headers, body.replace(b"</urlset>", entries.encode() + b"</urlset>")
            if path_with_query == "/2025/10/03/kreis-a/":
                return 301, {"Location": base + "/2025/10/03/kreis-b/"}, b""
            if path_with_query == "/2025/10/03/kreis-b/":
                return 301, {"Location": base + "/2025/10/03/kreis-a/"}, b""
            if path_with_query in dead:
                return dead[path_with_query], {"Content-Type": "text/html"}, b"<html><body>weg</body></html>"
            return original(path_with_query, headers)

        server.portal.respond = respond  # type: ignore[method-assign]
        with request_log(server) as requested:
            run_crawl(base, "night-1", db_url)
        assert set(dead) <= set(requested)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT url, status, dead_reason FROM fetch_state WHERE dead_reason IS NOT NULL")
            assert sorted(cur.fetchall()) == [
                (normalize_url(base + "/2025/10/01/tot/"), 404, "http_404"),
                (normalize_url(base + "/2025/10/02/geloescht/"), 410, "http_410"),
                (normalize_url(base + "/2025/10/03/kreis-a/"), 0, "redirect_loop"),
            ]

        with request_log(server) as requested:
            night2 = run_crawl(base, "night-2", db_url)
        assert not set(dead) & set(requested)
        assert night2["dead_skipped"] == len(dead) and night2["dead_rechecked"] == 0

        lastmods["/2025/10/02/geloescht/"] = "2025-11-02"  # its lastmod moved: fetched again
        with request_log(server) as requested:
            night3 = run_crawl(base, "night-3", db_url)
        assert [p for p in requested if p in dead] == ["/2025/10/02/geloescht/"]
        assert night3["dead_skipped"] == len(dead) - 1 and night3["dead_rechecked"] == 1

        with conn, conn.cursor() as cur:  # a week later
            cur.execute("UPDATE fetch_state SET fetched_at = fetched_at - interval '7 days'")
        back["/2025/10/01/tot/"] = server.portal.stories()[0].url  # and this one is back
        with request_log(server) as requested:
            night4 = run_crawl(base, "night-4", db_url)
        assert set(dead) <= set(requested)
        assert night4["dead_rechecked"] == len(dead) and night4["dead_skipped"] == 0
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT status, dead_reason FROM fetch_state WHERE url = %s",
            (normalize_url(base + "/2025/10/01/tot/"),),
        )
        assert cur.fetchone() == (200, None)


def test_a_permanent_redirect_to_a_known_page_is_remembered_like_a_dead_entry() -> None:
    from datetime import UTC, datetime

    from crawler.crawl.items import RawPageItem
    from crawler.crawl.spider import dead_reason

    def item(status: int, final_url: str, reason: str | None = None) -> RawPageItem:
        old = "https://example-portal.de/2025/10/04/alt/"
        return RawPageItem(old, final_url, status, {}, None, b"", datetime.now(UTC), "sitemap", None, reason)

    known = "https://example-portal.de/2025/10/04/neu/"
    # An alias row (the target is fetched anyway) of a permanent redirect: nothing to fetch again.
    assert dead_reason(item(301, known)) == "http_301" and dead_reason(item(308, known)) == "http_308"
    assert dead_reason(item(302, known, "http_302")) is None  # temporary: asked again
    assert dead_reason(item(404, "https://example-portal.de/2025/10/04/alt/", "http_404")) == "http_404"
    assert dead_reason(item(200, known)) is None


def test_a_url_variant_of_an_old_article_is_revisited_as_rarely_as_the_article(db_url: str, conn) -> None:
    # An uppercase spelling that answers 200 and names the article canonical (the clean stage made it an
    # alias) was fetched every night: a page of unknown age counted as first seen yesterday, so "recent".
    from datetime import UTC, datetime, timedelta

    from crawler.config import SiteConfig
    from crawler.crawl.history import load_known, revisit_due

    night = datetime(2026, 11, 20, 2, tzinfo=UTC)
    article, variant = "http://portal.test/politik/plan/", "http://portal.test/Politik/Plan/"
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO crawl_runs (run_id, site) VALUES ('night1', 'portal.test')")
        cur.execute(
            """INSERT INTO articles (url, site, title, body, content_hash, extractor_version, published_at,
                   first_seen_at, last_seen_at)
               VALUES (%s, 'portal.test', 'Der Plan', 'Text', 'h', 'test', %s, %s, %s) RETURNING article_id""",
            (article, night - timedelta(days=30), night - timedelta(days=30), night - timedelta(days=1)),
        )
        article_id = cur.fetchone()[0]
        cur.execute("INSERT INTO url_aliases (url, article_id) VALUES (%s, %s)", (variant, article_id))
        for url in (article, variant, "http://portal.test/impressum/"):
            cur.execute(
                "INSERT INTO fetch_state (url, site, status, fetched_at, run_id) VALUES (%s, 'portal.test', 200, %s, 'night1')",
                (url, night - timedelta(days=1)),
            )
    known = load_known(db_url, "portal.test", "night2")
    config = SiteConfig(name="portal", base_url="http://portal.test/")
    assert known[variant].published_at == night - timedelta(days=30)
    assert not known[variant].is_article  # still no article row of its own
    # Fetched yesterday: neither the month-old article nor its variant is due tonight, a page of its own is.
    assert not revisit_due(known[article], config, night)
    assert not revisit_due(known[variant], config, night)
    assert revisit_due(known["http://portal.test/impressum/"], config, night)

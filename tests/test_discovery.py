"""Discovery that follows yield: requests go where they bring articles, and no article is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from test_crawl import request_log, rows, sites_file, stored_stories

from crawler.crawl.process import run_crawl
from crawler.crawl.sitemaps import SitemapEntry
from crawler.crawl.spider import PortalSpider
from crawler.urls import normalize_url
from newsroom_demo.server import running_portal


def yield_rows(conn: Any, run_id: str) -> dict[str, tuple[int, int]]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT channel, requests, articles FROM discovery_yield WHERE run_id = %s", (run_id,))
        return {channel: (requests, articles) for channel, requests, articles in cur.fetchall()}


def test_complete_sitemaps_cost_little_more_than_one_request_per_article(db_url: str, conn) -> None:
    with running_portal(articles=300, seed=9) as server:
        base = server.base_url
        stories = {normalize_url(base + s.url) for s in server.portal.stories()}
        with request_log(server) as requested:
            night1 = run_crawl(base, "night-1", db_url)
        # Old URLs only redirect to articles the sitemaps, the REST API and shortlinks already name.
        assert not [p for p in requested if p.startswith(("/?p=", "/archiv/"))]
        assert stored_stories(rows(conn, "night-1"), stories) == stories
        assert night1["requested"] <= 1.15 * len(stories)
        # Listed article pages are only stored: links are read on a small share of them.
        assert night1["links_unread"] >= 0.75 * len(stories)

        unchanged = run_crawl(base, "night-2", db_url)
        # robots, sitemaps, REST API, home, feed and a small sample (the sample differs by night: the
        # README's figure is 12 on the 1,000-article demo, against trafilatura -b's 8)
        assert unchanged["requested"] <= 20
        server.set_day(2)
        changed = {normalize_url(base + p) for p in server.portal.changed_paths()}
        edited = run_crawl(base, "night-3", db_url)
        assert stored_stories(rows(conn, "night-3"), stories) == changed
        assert edited["requested"] <= 20 + len(changed)

    # What each channel cost and found is kept per night; navigation found nothing the listings missed.
    first = yield_rows(conn, "night-1")
    assert sum(requests for requests, _ in first.values()) == night1["requested"]
    assert sum(articles for _, articles in first.values()) >= len(stories) - 5  # bad pages are no articles
    assert all(first.get(channel, (0, 0))[1] == 0 for channel in ("section", "pagination", "archive", "link"))
    assert yield_rows(conn, "night-2")["section"][0] < first["section"][0]  # the sample, not the walk


def test_articles_only_later_section_pages_or_archives_list_are_found(db_url: str, conn) -> None:
    # A sitemap capped to the 30 newest posts and no REST API: navigation has to find the rest.
    with running_portal(articles=150, seed=10, sitemap_cap=30, rest_api=False) as server:
        base = server.base_url
        stories = {normalize_url(base + s.url) for s in server.portal.stories()}
        night1 = run_crawl(base, "night-1", db_url)
        found1 = stored_stories(rows(conn, "night-1"), stories)
        server.set_day(2)
        changed = {normalize_url(base + p) for p in server.portal.changed_paths()}
        run_crawl(base, "night-2", db_url)
    assert found1 == stories
    assert night1["channels"]["pagination"]["articles"] > 0  # found by walking sections
    paid = yield_rows(conn, "night-1")
    assert sum(paid.get(c, (0, 0))[1] for c in ("section", "pagination", "archive", "link")) > 0
    # Night 2 walks navigation again (it paid), and the revisit policy refetches recent articles.
    assert changed & stored_stories(rows(conn, "night-2"), stories) or not changed


def test_a_site_whose_listings_miss_articles_is_walked_every_night_and_loses_no_backdated_post(
    db_url: str, conn
) -> None:
    # A sitemap capped to the 30 newest posts and no REST API. From day 2 on, three posts a day are
    # published dated before every other one: only the last pages of their sections list them. Night 2 is
    # quiet (navigation finds nothing new), which once made night 3 only a sample of the navigation: the
    # backdated posts of nights 3 to 5 were all missed (0 of 3 each night).
    from crawler import stages

    missed: dict[str, int] = {}
    known: dict[str, int] = {}
    skipped: dict[str, int] = {}
    with running_portal(articles=150, seed=10, sitemap_cap=30, rest_api=False, backdated_per_day=3) as server:
        base = server.base_url
        for night, day in (("night-1", 1), ("night-2", 1), ("night-3", 2), ("night-4", 2), ("night-5", 3)):
            server.set_day(day)
            figures = run_crawl(base, night, db_url)
            stages.clean(night, db_url=db_url)  # which known pages are articles is the clean stage's verdict
            backdated = {
                normalize_url(base + m.path)
                for m in server.portal._state.metas
                if m.kind == "original" and m.created_day == day > 1
            }
            stories = {normalize_url(base + s.url) for s in server.portal.stories()}
            with conn, conn.cursor() as cur:
                cur.execute("SELECT url FROM articles")
                have = {normalize_url(url) for (url,) in cur.fetchall()}
            if night == "night-1":
                assert have >= {s for s in stories if "/agentur/" not in s}  # every post of the sections
            else:
                missed[night] = len(backdated - have)
                known[night] = figures.get("unlisted_articles_known", 0)
                skipped[night] = figures.get("skipped_navigation", 0)
    assert len(backdated) == 3
    # Every backdated post is stored on the night it appeared.
    assert missed == dict.fromkeys(missed, 0)
    # The sitemap names 30 of the site's articles: the rest are known to need navigation, walked every
    # night, not sampled.
    assert min(known.values()) >= 100
    assert skipped == dict.fromkeys(skipped, 0)


def test_a_post_dated_into_the_middle_of_a_section_is_found_by_the_listing_growing(db_url: str, conn) -> None:
    # Long sections (five pages and more), a sitemap capped to the 30 newest posts, no REST API. From day 2
    # on, four new posts a day, and two dated 45 days back: neither a section's first nor its last page
    # lists those.
    # Night 2 measures each listing (its first and last pages); on nights 3 and 4 a listing that holds
    # more than it did has its middle pages walked. Before, those posts were never found (0 of 2).
    from crawler import stages

    missed: dict[str, int] = {}
    insertions: dict[str, int] = {}
    with running_portal(
        articles=500,
        seed=11,
        sitemap_cap=30,
        rest_api=False,
        new_articles_per_day=4,
        backdated_per_day=2,
        backdated_age=0.5,
    ) as server:
        base = server.base_url
        for night, day in (("night-1", 1), ("night-2", 1), ("night-3", 2), ("night-4", 3)):
            server.set_day(day)
            figures = run_crawl(base, night, db_url)
            stages.clean(night, db_url=db_url)
            backdated = {
                normalize_url(base + m.path)
                for m in server.portal._state.metas
                if m.kind == "original" and m.created_day == day > 1
            }
            with conn, conn.cursor() as cur:
                cur.execute("SELECT url FROM articles")
                have = {normalize_url(url) for (url,) in cur.fetchall()}
            if backdated:
                missed[night] = len(backdated - have)
            insertions[night] = figures.get("listing_insertions", 0)
    assert missed == {"night-3": 0, "night-4": 0}
    # Nothing grew on night 2: no middle page walked; on nights 3 and 4 the sections that grew.
    assert insertions["night-2"] == 0
    assert insertions["night-3"] >= 1 and insertions["night-4"] >= 1
    # Only where a late post went: the new posts on top (listed by the sitemap) are growth expected.
    assert insertions["night-3"] <= 2 and insertions["night-4"] <= 2
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM fetch_state WHERE listing_items IS NOT NULL")
        assert cur.fetchone()[0] >= 3  # the sections measured


def test_a_sitemap_of_archive_pages_is_probed_once_then_left_to_the_sample(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WordPress core lists tag and author archives in sitemaps of their own. Night 1 probes their first
    # entries and finds no article; later nights whose navigation is sampled leave them out (here the
    # sample is empty and no archive or link is tried, so any /tag/ or /author/ request is a probe).
    with running_portal(articles=40, seed=4, plain_wordpress=True) as server:
        base = server.base_url
        sites = sites_file(
            tmp_path / "sites.toml", base, nav_sample_share=0.0, archive_sample=0, link_sample=0
        )
        monkeypatch.setenv("NEWSROOM_SITES_FILE", sites)
        with request_log(server) as first:
            run_crawl(base, "night-1", db_url)
        with request_log(server) as second:
            run_crawl(base, "night-2", db_url)

    def archives(paths: list[str]) -> list[str]:
        return [p for p in paths if p.startswith(("/tag/", "/author/"))]

    assert len(archives(first)) >= 2  # each archive sitemap was probed
    with conn, conn.cursor() as cur:
        cur.execute("SELECT sitemap, articles FROM sitemap_verdicts ORDER BY sitemap")
        verdicts = cur.fetchall()
    assert ("/wp-sitemap-taxonomies-post_tag-1.xml", False) in verdicts
    assert ("/wp-sitemap-users-1.xml", False) in verdicts
    assert not any(articles for sitemap, articles in verdicts if "-posts-" not in sitemap)
    # Night 2 reads neither sitemap, nor any archive it lists; the posts sitemap is still read.
    assert "/wp-sitemap-users-1.xml" in first and "/wp-sitemap-users-1.xml" not in second
    assert "/wp-sitemap-taxonomies-post_tag-1.xml" not in second
    assert "/wp-sitemap-posts-post-1.xml" in second
    assert archives(second) == []
    with conn, conn.cursor() as cur:
        cur.execute("SELECT sitemap, articles FROM sitemap_verdicts ORDER BY sitemap")
        assert cur.fetchall() == verdicts  # a verdict stays until the sitemap is probed again


def test_a_sitemap_of_section_shaped_pages_is_judged_by_what_they_were() -> None:
    # Category and page sitemaps list navigation; with /%postname%/ permalinks a posts sitemap looks the
    # same (one path segment per URL), so the verdict comes from what the pages were, whoever fetched them.
    site = "https://example-portal.de"
    spider = PortalSpider(site=site + "/", run_id="unit")
    sitemaps = {
        "/page-sitemap.xml": [f"{site}/{slug}/" for slug in ("politik", "impressum")],
        "/post-sitemap.xml": [f"{site}/stadtrat-beschliesst-haushalt-{n}/" for n in range(3)],
        "/other-sitemap.xml": [f"{site}/kultur/"],
    }
    for path, urls in sitemaps.items():
        list(spider._sitemap_entries([SitemapEntry(loc=u) for u in urls], site + path))
    fetched = sitemaps["/page-sitemap.xml"] + sitemaps["/post-sitemap.xml"]
    spider.fetched.update(dict.fromkeys(fetched))
    spider.article_urls.add(sitemaps["/post-sitemap.xml"][1])
    # Nothing of the third was fetched tonight: no verdict on it.
    assert spider.sitemap_verdicts() == {"/page-sitemap.xml": False, "/post-sitemap.xml": True}


def test_section_shaped_entries_are_articles_where_the_site_said_so_and_navigation_elsewhere() -> None:
    # /%postname%/ posts look like sections. An earlier night found articles in post-sitemap1.xml: its
    # entries, and those of a new part of the same split sitemap, are articles with their lastmod; a news
    # sitemap's entries are articles anyway; an unknown sitemap's section-shaped entries stay navigation.
    from datetime import UTC, datetime

    site = "https://example-portal.de"
    spider = PortalSpider(site=site + "/", run_id="unit")
    spider.article_sitemaps = {"/post-sitemap1.xml"}
    spider.article_families = {"/post-sitemap.xml"}
    when = datetime(2026, 11, 30, 12, tzinfo=UTC)

    def via(slug: str, source: str, news: bool = False) -> str | None:
        entry = SitemapEntry(
            loc=f"{site}/{slug}/", lastmod=when, news_publication_date=when if news else None
        )
        request = spider._entry_request(entry, False, site + source)
        return None if request is None else request.meta["nr_via"]

    assert via("stadtrat-beschliesst-haushalt", "/post-sitemap1.xml") == "sitemap"
    assert via("neuer-beitrag-von-heute", "/post-sitemap7.xml") == "sitemap"
    assert via("eilmeldung-aus-dem-rathaus", "/news-sitemap.xml", news=True) == "news-sitemap"
    assert via("kultur", "/category-sitemap.xml") == "section"


def navigating_spider(site: str) -> PortalSpider:
    """A spider of site (no crawler, no database) past its listings: navigation has started."""
    spider = PortalSpider(site=site + "/", run_id="unit")
    spider.navigation_started = True
    return spider


def parsed(spider: PortalSpider, request: Request | None, body: bytes) -> dict[str, Request]:
    """The requests the spider makes from an HTML answer to request, by URL."""
    assert request is not None
    response = HtmlResponse(request.url, body=body, request=request, headers={"Content-Type": "text/html"})
    return {r.url: r for r in spider.parse(response) if isinstance(r, Request)}


def listing_page(articles: list[str], next_href: str) -> bytes:
    """A WordPress category page: teasers of the given article paths and a rel=next link."""
    teasers = "".join(
        f'<article class="post type-post"><h2><a href="{a}">Titel</a></h2></article>' for a in articles
    )
    return (
        f'<html><head><link rel="next" href="{next_href}"></head><body class="archive category">'
        f"{teasers}</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("listing", "next_page"),
    [("/politik/", "/politik/?seite={n}"), ("/kategorie/politik/", "/kategorie/politik/seite/{n}/")],
    ids=["query", "seite"],
)
def test_a_listing_paginated_by_rel_next_follows_it_while_it_brings_articles(
    listing: str, next_page: str
) -> None:
    # No /page/N/ links: the next page is only named by rel=next (?seite=2, /seite/2/). Followed while
    # pages list new articles, and not from a page that lists none; no /page/N/ is made up (on such sites
    # they all 404).
    site = "https://example-portal.de"
    spider = navigating_spider(site)
    page1 = listing_page(["/politik/2025/01/02/neu-1/"], next_page.format(n=2))
    first = parsed(spider, spider.request(site + listing, via="section"), page1)
    assert site + next_page.format(n=2) in first
    assert not any("/page/" in url for url in first)
    # Page 2 lists only what page 1 listed: its next page is not fetched.
    page2 = listing_page(["/politik/2025/01/02/neu-1/"], next_page.format(n=3))
    second = parsed(spider, first[site + next_page.format(n=2)], page2)
    assert site + next_page.format(n=3) not in second
    assert not any("/page/" in url for url in second)


def test_a_last_page_n_whose_links_name_no_later_page_gets_no_page_n_plus_1() -> None:
    site = "https://example-portal.de"
    spider = navigating_spider(site)
    last = listing_page(["/politik/2024/12/31/neu-3/"], "").replace(
        b"</body>", b'<a href="/kategorie/sport/page/11/">Neuere Beitr\xc3\xa4ge</a></body>'
    )
    final = parsed(spider, spider.request(site + "/kategorie/sport/page/12/", via="pagination"), last)
    assert site + "/kategorie/sport/page/13/" not in final


def article_page(links: list[str]) -> bytes:
    """An article page (og:type article) whose body links to the given paths."""
    anchors = "".join(f'<a href="{href}">Mehr</a>' for href in links)
    return (
        '<html><head><meta property="og:type" content="article"></head>'
        f"<body><article><h1>Titel</h1><p>Text.</p></article>{anchors}</body></html>"
    ).encode()


def test_pages_a_listing_named_are_stored_without_reading_their_links_until_links_pay() -> None:
    # A sitemap, feed or the REST API named these pages: the spider only stores them. Their links matter
    # only for tonight's few tries of the link channel, so a stable share of them is read for those;
    # once links bring an article (or brought one last night), every page's links are read again.
    site = "https://example-portal.de"
    spider = navigating_spider(site)

    def parse(url: str, via: str, body: bytes) -> set[str]:
        return set(parsed(spider, spider.request(url, via=via), body))

    def read() -> set[str]:
        return {target.rsplit("-", 1)[-1].strip("/") for target, _ in spider.deferred["link"]}

    pages = [f"{site}/politik/2025/01/02/gelistet-{n}/" for n in range(80)]
    for n, url in enumerate(pages):
        parse(url, "sitemap", article_page([f"/politik/2025/01/01/verlinkt-{n}/"]))
    drawn = {str(n) for n, url in enumerate(pages) if spider.links_wanted(url, "sitemap")}
    assert read() == drawn  # exactly the drawn pages had their links read, the same draw every time
    assert 0 < len(drawn) < 30  # link_scan_share (12.5 %) of 80 pages, not all of them
    assert all(spider.links_wanted(url, "section") for url in pages)  # navigation is always read
    # A listed page that is no article may be a listing: it is read whole.
    listing = b'<html><body><a href="/politik/2025/01/01/verlinkt-x/">x</a></body></html>'
    parse(f"{site}/themenseite/", "sitemap", listing)
    assert "x" in read()
    # Links paid (here: last night's yield raised the link budget to every page): every page is read,
    # and its links are followed at once.
    undrawn = next(
        url
        for url in (f"{site}/politik/2025/01/03/neu-{n}/" for n in range(100))
        if not spider.links_wanted(url, "rest-api")
    )
    spider.budget["link"] = spider.max_pages
    followed = parse(undrawn, "rest-api", article_page(["/politik/2025/01/01/verlinkt-y/"]))
    assert site + "/politik/2025/01/01/verlinkt-y/" in followed

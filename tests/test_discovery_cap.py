"""Crawl memory is bounded by the page cap and the discovery cap, not by how many URLs a site lists."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from crawler.crawl.items import RawPageItem
from crawler.crawl.sitemaps import DiscoveryStream
from crawler.crawl.spider import SITEMAP_KIND, SITEMAPS_IN_FLIGHT, PortalSpider

BASE = "https://example-portal.de"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def index(children: int) -> bytes:
    entries = "".join(f"<sitemap><loc>{BASE}/post-sitemap{n}.xml</loc></sitemap>" for n in range(children))
    return f"<sitemapindex {NS}>{entries}</sitemapindex>".encode()


def urlset(first: int, count: int) -> bytes:
    entries = "".join(
        f"<url><loc>{BASE}/2025/01/02/artikel-{n}/</loc><lastmod>2025-01-02</lastmod></url>"
        for n in range(first, first + count)
    )
    return f"<urlset {NS}>{entries}</urlset>".encode()


def answer(spider: PortalSpider, request: Request, body: bytes) -> list[Any]:
    """Everything the spider yields for a 200 response with body to request."""
    response = XmlResponse(
        request.url, body=body, request=request, headers={"Content-Type": "application/xml"}
    )
    return list(spider.parse(response))


def sitemap_requests(out: list[Any]) -> list[Request]:
    return [r for r in out if isinstance(r, Request) and r.meta["nr_kind"] == SITEMAP_KIND]


def page_requests(out: list[Any]) -> list[Request]:
    return [
        r for r in out if isinstance(r, Request) and r.meta["nr_kind"] == "page" and r.meta["nr_depth"] == 1
    ]


def test_discovery_stops_at_the_discovery_cap_and_never_fetches_the_remaining_sitemaps() -> None:
    spider = PortalSpider(site=BASE + "/", run_id="unit")
    spider.max_pages, spider.max_discovered = 10_000, 500
    first = spider.request(BASE + "/sitemap_index.xml", via="robots", kind=SITEMAP_KIND)
    assert first is not None
    children = SITEMAPS_IN_FLIGHT + 4

    out = answer(spider, first, index(children))
    released = sitemap_requests(out)
    # Held back: only SITEMAPS_IN_FLIGHT children download at once, not all of them.
    assert len(released) == SITEMAPS_IN_FLIGHT
    assert [isinstance(o, RawPageItem) for o in out].count(True) == 1

    out = answer(spider, released[0], urlset(0, 400))
    # Listed pages wait until every sitemap is read (so no page claims a URL before its sitemap does).
    assert page_requests(out) == [] and len(spider.held_pages) == 400
    released += sitemap_requests(out)  # one finished, the next may start
    assert len(released) == SITEMAPS_IN_FLIGHT + 1

    out = answer(spider, released[1], urlset(400, 400))
    # Index entries + 400 + the rest up to the cap of 500 entries read; the rest of the document is not.
    assert spider.listed == 500
    assert len(spider.held_pages) == 500 - children
    assert sitemap_requests(out) == []  # the children never handed to Scrapy are dropped

    for n, request in enumerate(released[2:], start=2):
        out = answer(spider, request, urlset(400 * n, 400))
        assert spider.listed == 500  # arrived after the cap: not parsed
    assert len(page_requests(out)) == 500 - children  # the last sitemap done: the listed pages go out
    # Discovery is over: navigation starts, and the page budget only counts what was requested.
    assert {r.meta["nr_via"] for r in out if isinstance(r, Request)} == {"sitemap", "section", "feed"}
    assert spider.requested == 1 + len(released) + (500 - children) + 2
    # Per-URL state is what was read, never what the unread rest of the site lists (dropped sitemaps stay
    # seen so that nothing requests them later).
    assert len(spider.seen) == spider.requested + children - len(released)


def test_page_cap_stops_reading_a_sitemap_and_sets_max_pages_reached() -> None:
    crawler = get_crawler(PortalSpider)
    spider = PortalSpider(site=BASE + "/", run_id="unit")
    spider.crawler = crawler  # where the spider counts its figures
    crawler.stats.open_spider()
    spider.max_pages = 50
    first = spider.request(BASE + "/post-sitemap.xml", via="robots", kind=SITEMAP_KIND)
    assert first is not None
    out = answer(spider, first, urlset(0, 100_000))
    assert len(page_requests(out)) == 49
    assert spider.listed == 49  # the other 99,951 entries are never read
    assert crawler.stats is not None
    assert crawler.stats.get_value("newsroom/over_max_pages", 0) > 0
    assert crawler.stats.get_value("newsroom/listed") == 49
    # The sitemap, its 49 entries, and the home page and feed that navigation then tried (over the cap).
    assert len(spider.seen) == 52 and len(spider.lastmods) == 49


def test_stream_yields_entries_before_a_syntax_error_and_then_reports_it() -> None:
    stream = DiscoveryStream(urlset(0, 3)[:-12])  # cut inside the last </url></urlset>
    assert stream.ok and stream.kind == "urlset"
    locs = [entry.loc for _, entry in stream.entries()]
    assert locs == [f"{BASE}/2025/01/02/artikel-{n}/" for n in range(2)]
    assert stream.outcome.startswith("invalid_xml")

"""The crawl's tag scan reads the same links and article hints from a page as an HTML parser does."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.crawl.pagescan import scan_page, scan_response

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "extract").glob("*.html.gz"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name.split(".")[0])
def test_scan_finds_what_the_dom_finds_on_real_pages(path: Path) -> None:
    response = HtmlResponse("https://example.de/x/", body=gzip.decompress(path.read_bytes()))
    scan = scan_response(response)
    dom_links = list(dict.fromkeys(h.strip() for h in response.xpath("//a/@href").getall() if h.strip()))
    assert scan.links == dom_links
    og = (response.xpath('//meta[@property="og:type"]/@content').get() or "").strip().lower()
    assert scan.og_type == og
    jsonld = response.xpath('//script[@type="application/ld+json"]/text()').getall()
    assert [s.strip() for s in scan.jsonld] == [s.strip() for s in jsonld]
    feeds = response.xpath(
        '//link[@rel="alternate"][contains(@type, "rss") or contains(@type, "atom")]/@href'
    ).getall()
    assert scan.feed_links == [f.strip() for f in feeds]


def test_comments_scripts_and_entities_are_handled_like_a_parser() -> None:
    page = b"""<html><head><meta property="og:type" content=" Article ">
    <link rel=next href='/page/2/'><script type="application/ld+json">{"@type": "NewsArticle"}</script>
    <script>document.write('<a href="/from-script/">')</script><!-- <a href="/commented/"> -->
    <style>a[href="/from-style/"] {}</style></head>
    <body><a href="/a/?x=1&amp;y=2">A</a><a class=x href=/b/>B</a><a href="/a/?x=1&amp;y=2">again</a>
    <A HREF="/c/" rel="next">c</A></body></html>"""
    scan = scan_page(page)
    assert scan.links == ["/a/?x=1&y=2", "/b/", "/c/"]
    assert scan.next_links == ["/page/2/", "/c/"]
    assert scan.og_type == "article"
    assert scan.jsonld == ['{"@type": "NewsArticle"}']


def test_a_wordpress_post_is_told_by_its_body_class_or_its_rest_api_listing() -> None:
    # WordPress itself prints no og:type or JSON-LD, and plain or /%postname%/ permalinks carry no date.
    from crawler.crawl.spider import looks_like_article

    post = b"<html><body class='post-template-default single single-post postid-42'><p>x</p></body></html>"
    plain = b"<html><body><p>x</p></body></html>"
    for links in (True, False):
        assert scan_page(post, links=links).body_class.split()[2] == "single-post"
    assert looks_like_article(scan_page(post), "http://wp.example/?p=42")
    assert not looks_like_article(scan_page(plain), "http://wp.example/?page_id=7")
    assert looks_like_article(scan_page(plain), "http://wp.example/?p=9", via="rest-api")
    assert looks_like_article(scan_page(plain), "http://wp.example/2024/05/01/slug/")


def test_a_wordpress_archive_or_page_is_no_article_whatever_its_seo_plugin_prints() -> None:
    # Yoast prints og:type "article" (and Article JSON-LD) on category archives and static pages too.
    from crawler.crawl.spider import looks_like_article

    head = b"<head><meta property='og:type' content='article'></head>"
    archive = b"<html>" + head + b"<body class='archive category category-politik'><p>x</p></body></html>"
    page = b"<html>" + head + b"<body class='page-template-default page page-id-7'><p>x</p></body></html>"
    post = b"<html>" + head + b"<body class='post-template-default single single-post'><p>x</p></body></html>"
    other = b"<html>" + head + b"<body class='page'><p>x</p></body></html>"  # no WordPress page id
    assert not looks_like_article(scan_page(archive), "http://wp.example/category/politik/")
    assert not looks_like_article(scan_page(page), "http://wp.example/impressum/")
    assert looks_like_article(scan_page(post), "http://wp.example/stadtrat-beschliesst-haushalt/")
    assert looks_like_article(scan_page(other), "http://cms.example/stadtrat-beschliesst-haushalt/")

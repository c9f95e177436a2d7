"""Discovery parsing: sitemaps (index, post, news, gzip), feeds, robots.txt lines and hostile XML."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from lxml import etree

from crawler.crawl import sitemaps
from crawler.crawl.sitemaps import parse_discovery, parse_robots_sitemaps

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.de/politik/2025/01/02/a/</loc><lastmod>2025-01-02T10:00:00+01:00</lastmod></url>
  <url><loc>https://example.de/politik/2025/01/03/b/</loc><lastmod>2025-01-03</lastmod></url>
  <url><loc> https://example.de/c/ </loc></url>
  <url><lastmod>2025-01-03</lastmod></url>
</urlset>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://example.de/sport/2025/03/04/sieg/</loc>
    <news:news><news:publication><news:name>Portal</news:name><news:language>de</news:language></news:publication>
      <news:publication_date>2025-03-04T08:15:00Z</news:publication_date>
      <news:title>Sieg in letzter Minute &amp; mehr</news:title></news:news></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.de/post-sitemap.xml</loc><lastmod>2025-02-01T00:00:00+00:00</lastmod></sitemap>
  <sitemap><loc>https://example.de/page-sitemap.xml</loc></sitemap>
</sitemapindex>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://example.de/&xxe;</loc></url></urlset>"""


def test_urlset_keeps_locations_and_lastmod_in_utc() -> None:
    result = parse_discovery(URLSET)
    assert result.ok and result.kind == "urlset"
    assert [e.loc for e in result.urls] == [
        "https://example.de/politik/2025/01/02/a/",
        "https://example.de/politik/2025/01/03/b/",
        "https://example.de/c/",
    ]
    assert result.urls[0].lastmod == datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    assert result.urls[1].lastmod == datetime(2025, 1, 3, tzinfo=UTC)  # a bare date is midnight UTC
    assert result.urls[2].lastmod is None
    assert not any(e.is_news for e in result.urls)


def test_news_sitemap_keeps_publication_date_and_title() -> None:
    result = parse_discovery(NEWS)
    assert result.ok
    (entry,) = result.urls
    assert entry.is_news
    assert entry.news_publication_date == datetime(2025, 3, 4, 8, 15, tzinfo=UTC)
    assert entry.news_title == "Sieg in letzter Minute & mehr"


def test_sitemap_index_lists_child_sitemaps_with_lastmod() -> None:
    result = parse_discovery(INDEX)
    assert result.ok and result.kind == "sitemapindex" and result.urls == []
    assert [s.loc for s in result.sitemaps] == [
        "https://example.de/post-sitemap.xml",
        "https://example.de/page-sitemap.xml",
    ]
    assert result.sitemaps[0].lastmod == datetime(2025, 2, 1, tzinfo=UTC)


def test_gzip_sitemap_is_read_and_a_gzip_bomb_is_refused() -> None:
    result = parse_discovery(gzip.compress(URLSET))
    assert result.ok and len(result.urls) == 3
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert len(bomb) < 50_000
    refused = parse_discovery(bomb, max_bytes=1_000_000)
    assert refused.outcome == "too_large" and refused.urls == []
    assert parse_discovery(b"\x1f\x8bnot really gzip").outcome.startswith("invalid_xml")


def test_byte_cap_applies_to_plain_documents() -> None:
    assert parse_discovery(URLSET, max_bytes=100).outcome == "too_large"


def test_billion_laughs_gives_an_outcome_not_an_expansion() -> None:
    result = parse_discovery(BILLION_LAUGHS)
    assert result.outcome == "hostile_xml"
    assert result.urls == [] and result.sitemaps == []


def test_external_entity_is_never_resolved() -> None:
    result = parse_discovery(XXE)
    assert result.outcome == "hostile_xml"
    assert result.urls == []


def test_hardened_parser_does_not_expand_entities_even_without_the_precheck() -> None:
    # Second line of defence: the lxml parser itself neither expands nor fetches entities.
    root = etree.fromstring(XXE, parser=sitemaps._parser())
    assert "root:" not in etree.tostring(root).decode()
    laughs = etree.fromstring(BILLION_LAUGHS, parser=sitemaps._parser())
    assert len(etree.tostring(laughs)) < 10_000


def test_broken_empty_and_foreign_documents_get_outcomes() -> None:
    assert parse_discovery(b"").outcome == "empty"
    assert parse_discovery(b"   \n").outcome == "empty"
    assert parse_discovery(b"<urlset><url><loc>x</loc></url>").outcome.startswith("invalid_xml")
    assert parse_discovery(b"<html><body>Startseite</body></html>").outcome == "not_a_sitemap: html"


def test_generator_mistakes_that_break_strict_xml_are_repaired_not_fatal() -> None:
    # Real generators print these; a strict parser refused the whole document, and every URL in it.
    expected = [e.loc for e in parse_discovery(URLSET).urls]
    blank_lines = b"\n\n" + URLSET  # a WordPress theme's or plugin's file ending in a newline
    assert [e.loc for e in parse_discovery(blank_lines).urls] == expected
    assert [e.loc for e in parse_discovery(b"\xef\xbb\xbf\r\n" + URLSET).urls] == expected
    bare = URLSET.replace(b"/c/ </loc>", b"/c/?id=1&cat=2 </loc>")
    assert parse_discovery(bare).urls[-1].loc == "https://example.de/c/?id=1&cat=2"
    feed = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>Portal</title><item>"
        b"<title>K&ouml;ln: Stra&szlig;e&nbsp;gesperrt, &unbekannt; bleibt</title>"
        b"<link><![CDATA[https://example.de/a/?x=1&y=2]]></link></item></channel></rss>"
    )
    result = parse_discovery(feed)
    assert result.outcome == "ok"
    assert [(e.loc, e.news_title) for e in result.urls] == [
        ("https://example.de/a/?x=1&y=2", "K\u00f6ln: Stra\u00dfe\u00a0gesperrt, &unbekannt; bleibt")
    ]
    # A well-formed document is read as it is, without a copy; hostile ones stay refused.
    assert sitemaps._repaired(URLSET) is URLSET and sitemaps._repaired(NEWS) is NEWS
    assert parse_discovery(b"\n" + BILLION_LAUGHS).outcome == "hostile_xml"


def test_rss_and_atom_feeds_list_their_links() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
      <item><title>Eins</title><link>https://example.de/politik/2025/01/02/eins/</link>
        <guid isPermaLink="false">https://example.de/?p=1</guid>
        <pubDate>Thu, 02 Jan 2025 10:00:00 +0100</pubDate></item>
      <item><title>Zwei</title><guid>https://example.de/politik/2025/01/03/zwei/</guid></item>
    </channel></rss>"""
    result = parse_discovery(rss)
    assert result.ok and result.kind == "rss"
    assert [e.loc for e in result.urls] == [
        "https://example.de/politik/2025/01/02/eins/",
        "https://example.de/politik/2025/01/03/zwei/",
    ]
    assert result.urls[0].news_publication_date == datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>P</title>
      <entry><title>Drei</title><link rel="alternate" href="https://example.de/drei/"/>
        <link rel="replies" href="https://example.de/drei/#kommentare"/>
        <updated>2025-01-04T12:00:00Z</updated></entry></feed>"""
    result = parse_discovery(atom)
    assert result.ok and result.kind == "atom"
    assert [(e.loc, e.lastmod) for e in result.urls] == [
        ("https://example.de/drei/", datetime(2025, 1, 4, 12, tzinfo=UTC))
    ]


def test_robots_sitemap_lines() -> None:
    text = (
        "User-agent: *\nDisallow: /wp-admin/\n"
        "Sitemap: https://example.de/sitemap_index.xml\n"
        "sitemap:https://example.de/news-sitemap.xml # news\n"
        "SITEMAP: https://example.de/sitemap_index.xml\n"
    )
    assert parse_robots_sitemaps(text) == [
        "https://example.de/sitemap_index.xml",
        "https://example.de/news-sitemap.xml",
    ]
    assert parse_robots_sitemaps("User-agent: *\nDisallow:\n") == []


def test_dates_in_every_format_sitemaps_and_feeds_use() -> None:
    assert sitemaps.parse_protocol_date("2025-05-01T12:30:00Z") == datetime(2025, 5, 1, 12, 30, tzinfo=UTC)
    assert sitemaps.parse_protocol_date("2025-05-01T14:30:00+02:00") == datetime(
        2025, 5, 1, 12, 30, tzinfo=UTC
    )
    assert sitemaps.parse_protocol_date("Thu, 01 May 2025 12:30:00 GMT") == datetime(
        2025, 5, 1, 12, 30, tzinfo=UTC
    )
    assert sitemaps.parse_protocol_date("gestern") is None
    assert sitemaps.parse_protocol_date("") is None

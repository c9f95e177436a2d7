"""Discovery documents: robots.txt Sitemap lines, XML sitemaps (index, post, news) and RSS/Atom feeds.

Scrapy's own sitemap parser drops `lastmod` details and the news fields, so this module parses them
itself with lxml. Every document is untrusted input: the parser never resolves entities, never touches
the network, refuses DTD entity declarations outright and caps the bytes it reads (also after gunzip),
so a hostile file yields an outcome string instead of an exception or an expansion.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from crawler.reasons import Reason, with_detail

# The sitemap protocol caps a file at 50 MB uncompressed; anything larger is not a sitemap.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# Entity declarations are how billion-laughs and XXE payloads work; no real sitemap or feed needs one.
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)

OK = "ok"


@dataclass(frozen=True)
class SitemapEntry:
    """One `<url>`/`<sitemap>` element or feed item: its location and the dates and title it declares."""

    loc: str
    lastmod: datetime | None = None
    news_publication_date: datetime | None = None
    news_title: str | None = None

    @property
    def is_news(self) -> bool:
        """True when the entry carried Google News fields."""
        return self.news_publication_date is not None or self.news_title is not None


@dataclass
class Discovery:
    """What a discovery document listed: page URLs, child sitemaps, and how parsing went."""

    kind: str  # urlset | sitemapindex | rss | atom | unknown
    outcome: str = OK  # ok | empty | too_large | hostile_xml | invalid_xml: ... | not_a_sitemap: <root>
    urls: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[SitemapEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the document parsed."""
        return self.outcome == OK


def parse_robots_sitemaps(text: str) -> list[str]:
    """The `Sitemap:` URLs of a robots.txt, in order, without duplicates."""
    found: list[str] = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "sitemap":
            url = value.split("#", 1)[0].strip()
            if url and url not in found:
                found.append(url)
    return found


def gunzip_capped(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> bytes | None:
    """Decompress gzip data, or None when it would exceed limit bytes (a decompression bomb)."""
    inflater = zlib.decompressobj(wbits=47)  # 32 + 15: accept gzip or zlib headers
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        return None
    return out


def parse_protocol_date(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from a W3C (sitemap/Atom) or RFC 822 (RSS) date, else None."""
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # a bare date names the day in UTC, as the protocol says
    return parsed.astimezone(UTC)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _parse_urlset(root: etree._Element, result: Discovery) -> None:
    list_kind = "sitemaps" if result.kind == "sitemapindex" else "urls"
    for item in root:
        if _local(item.tag) not in {"url", "sitemap"}:
            continue
        loc = _child_text(item, "loc")
        if not loc:
            continue
        news = next((c for c in item if _local(c.tag) == "news"), None)
        entry = SitemapEntry(
            loc=loc,
            lastmod=parse_protocol_date(_child_text(item, "lastmod")),
            news_publication_date=parse_protocol_date(_child_text(news, "publication_date"))
            if news is not None
            else None,
            news_title=_child_text(news, "title") if news is not None else None,
        )
        getattr(result, list_kind).append(entry)


def _parse_rss(root: etree._Element, result: Discovery) -> None:
    for item in root.iter():
        if _local(item.tag) != "item":
            continue
        link = _child_text(item, "link")
        if not link:
            guid = next((c for c in item if _local(c.tag) == "guid"), None)
            if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
                link = (guid.text or "").strip() or None
        if link:
            published = _child_text(item, "pubdate") or _child_text(item, "date")
            result.urls.append(
                SitemapEntry(
                    loc=link,
                    news_publication_date=parse_protocol_date(published),
                    news_title=_child_text(item, "title"),
                )
            )


def _parse_atom(root: etree._Element, result: Discovery) -> None:
    for entry in root:
        if _local(entry.tag) != "entry":
            continue
        links = [c for c in entry if _local(c.tag) == "link"]
        chosen = next((c for c in links if (c.get("rel") or "alternate") == "alternate"), None)
        href = (chosen.get("href") or "").strip() if chosen is not None else ""
        if href:
            result.urls.append(
                SitemapEntry(
                    loc=href,
                    lastmod=parse_protocol_date(_child_text(entry, "updated")),
                    news_publication_date=parse_protocol_date(_child_text(entry, "published")),
                    news_title=_child_text(entry, "title"),
                )
            )


def parse_discovery(body: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> Discovery:
    """Parse a sitemap, sitemap index or feed (gzip or plain); hostile or broken input gives an outcome."""
    data = body
    if data[:2] == GZIP_MAGIC:
        try:
            inflated = gunzip_capped(data, max_bytes)
        except zlib.error as exc:
            return Discovery("unknown", with_detail(Reason.INVALID_XML, f"gzip {exc}"))
        if inflated is None:
            return Discovery("unknown", Reason.TOO_LARGE)
        data = inflated
    if len(data) > max_bytes:
        return Discovery("unknown", Reason.TOO_LARGE)
    if not data.strip():
        return Discovery("unknown", Reason.EMPTY)
    # Checked over the whole document, not just a prolog window: comments could push the DTD far down.
    if ENTITY_DECLARATION.search(data):
        return Discovery("unknown", Reason.HOSTILE_XML)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc).lower()
        if "entit" in message or "amplification" in message:
            return Discovery("unknown", Reason.HOSTILE_XML)
        return Discovery("unknown", with_detail(Reason.INVALID_XML, str(exc)[:120]))
    if root is None:
        return Discovery("unknown", Reason.EMPTY)
    name = _local(root.tag)
    if name in {"urlset", "sitemapindex"}:
        result = Discovery(name)
        _parse_urlset(root, result)
    elif name in {"rss", "rdf"}:
        result = Discovery("rss")
        _parse_rss(root, result)
    elif name == "feed":
        result = Discovery("atom")
        _parse_atom(root, result)
    else:
        return Discovery("unknown", with_detail(Reason.NOT_A_SITEMAP, name or "?"))
    return result

"""Discovery documents: robots.txt Sitemap lines, XML sitemaps (index, post, news) and RSS/Atom feeds.

Scrapy's own sitemap parser drops `lastmod` details and the news fields, so this module parses them
itself with lxml. Every document is untrusted input: the parser never resolves entities, never touches
the network, refuses DTD entity declarations outright and caps the bytes it reads (also after gunzip),
so a hostile file yields an outcome string instead of an exception or an expansion.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint

from lxml import etree

from crawler.reasons import Reason, with_detail

# The sitemap protocol caps a file at 50 MB uncompressed; anything larger is not a sitemap.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# Entity declarations are how billion-laughs and XXE payloads work; no real sitemap or feed needs one.
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)

OK = "ok"

# Mistakes of real sitemap and feed generators that make a strict XML parser refuse the whole document,
# repaired before parsing (as search engines and trafilatura read such documents anyway):
_UTF8_BOM = b"\xef\xbb\xbf"
# blank lines before `<?xml` (a WordPress theme's or plugin's file ending in a newline prints it);
# `&` left unescaped in a URL's query ("?id=1&cat=2"), which strict XML reads as an unknown entity;
# and HTML's named entities in feed titles ("&auml;", "&nbsp;"), which XML does not define. CDATA
# sections and comments, where both are legal text, are matched first and left as they are.
_AMPERSANDS = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&(?:([A-Za-z][A-Za-z0-9]*);|(#[0-9]+;|#[xX][0-9A-Fa-f]+;))?", re.DOTALL
)
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
# Searched first, without a copy: only a document that needs the repair is rewritten (a sitemap may be 50 MB).
_NEEDS_REPAIR = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#[xX][0-9A-Fa-f]+);)")


def _ampersand(match: re.Match[bytes]) -> bytes:
    """One match of _AMPERSANDS as XML can read it (CDATA, comments and XML's own references unchanged)."""
    whole, name, reference = match.group(0), match.group(1), match.group(2)
    if whole.startswith(b"<") or reference or name in _XML_ENTITIES:
        return whole
    if name is None:
        return b"&amp;"  # a bare ampersand
    codepoint = name2codepoint.get(name.decode("ascii"))
    # A character reference means the same in every encoding; an unknown name stays as text.
    return b"&#%d;" % codepoint if codepoint is not None else b"&amp;" + whole[1:]


def _repaired(data: bytes) -> bytes:
    """The document with the generator mistakes above repaired (a well-formed document is unchanged)."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    data = data.lstrip()
    # Byte patterns hold for ASCII-compatible encodings only: UTF-16 (NULs in every other byte) is left alone.
    if b"\x00" not in data[:64] and _NEEDS_REPAIR.search(data):
        data = _AMPERSANDS.sub(_ampersand, data)
    return data


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


# Hardened against entity expansion, external DTDs and network access; the same for both parsers.
_SAFE_XML: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_SAFE_XML)


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _sitemap_entry(item: etree._Element) -> SitemapEntry | None:
    """The entry of one `<url>`/`<sitemap>` element, or None without a `<loc>`."""
    loc = _child_text(item, "loc")
    if not loc:
        return None
    news = next((c for c in item if _local(c.tag) == "news"), None)
    return SitemapEntry(
        loc=loc,
        lastmod=parse_protocol_date(_child_text(item, "lastmod")),
        news_publication_date=parse_protocol_date(_child_text(news, "publication_date"))
        if news is not None
        else None,
        news_title=_child_text(news, "title") if news is not None else None,
    )


def _rss_entry(item: etree._Element) -> SitemapEntry | None:
    """The entry of one RSS `<item>`: its link (or permalink guid), date and title."""
    link = _child_text(item, "link")
    if not link:
        guid = next((c for c in item if _local(c.tag) == "guid"), None)
        if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
            link = (guid.text or "").strip() or None
    if not link:
        return None
    published = _child_text(item, "pubdate") or _child_text(item, "date")
    return SitemapEntry(
        loc=link, news_publication_date=parse_protocol_date(published), news_title=_child_text(item, "title")
    )


def _atom_entry(entry: etree._Element) -> SitemapEntry | None:
    """The entry of one Atom `<entry>`: its alternate link, dates and title."""
    links = [c for c in entry if _local(c.tag) == "link"]
    chosen = next((c for c in links if (c.get("rel") or "alternate") == "alternate"), None)
    href = (chosen.get("href") or "").strip() if chosen is not None else ""
    if not href:
        return None
    return SitemapEntry(
        loc=href,
        lastmod=parse_protocol_date(_child_text(entry, "updated")),
        news_publication_date=parse_protocol_date(_child_text(entry, "published")),
        news_title=_child_text(entry, "title"),
    )


ROOT_KINDS = {"urlset": "urlset", "sitemapindex": "sitemapindex", "rss": "rss", "rdf": "rss", "feed": "atom"}


def _syntax_outcome(exc: etree.XMLSyntaxError) -> str:
    message = str(exc).lower()
    if "entit" in message or "amplification" in message:
        return Reason.HOSTILE_XML
    return with_detail(Reason.INVALID_XML, str(exc)[:120])


class DiscoveryStream:
    """One discovery document read element by element, so that memory does not grow with its entries.

    `kind` and `outcome` are known after construction; `entries()` then yields (is_child_sitemap,
    entry) in document order, dropping each element once read. A syntax error further down ends
    the entries and sets `outcome` (the entries before it were already yielded).
    """

    def __init__(self, body: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
        self.kind = "unknown"
        self.outcome: str = OK
        self._events: Iterator[tuple[str, etree._Element]] = iter(())
        data = body
        if data[:2] == GZIP_MAGIC:
            try:
                inflated = gunzip_capped(data, max_bytes)
            except zlib.error as exc:
                self.outcome = with_detail(Reason.INVALID_XML, f"gzip {exc}")
                return
            if inflated is None:
                self.outcome = Reason.TOO_LARGE
                return
            data = inflated
        if len(data) > max_bytes:
            self.outcome = Reason.TOO_LARGE
            return
        data = _repaired(data)
        if not data:
            self.outcome = Reason.EMPTY
        # Checked over the whole document, not just a prolog window: comments could push the DTD far down.
        elif ENTITY_DECLARATION.search(data):
            self.outcome = Reason.HOSTILE_XML
        else:
            self._open(data)

    def _open(self, data: bytes) -> None:
        self._events = etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            **_SAFE_XML,
        )
        try:
            _, root = next(self._events)
        except etree.XMLSyntaxError as exc:
            self.outcome = _syntax_outcome(exc)
            return
        except StopIteration:
            self.outcome = Reason.EMPTY
            return
        name = _local(root.tag)
        if name not in ROOT_KINDS:
            self.outcome = with_detail(Reason.NOT_A_SITEMAP, name or "?")
            self._events = iter(())
            return
        self.kind = ROOT_KINDS[name]

    @property
    def ok(self) -> bool:
        """True while the document parses."""
        return self.outcome == OK

    def entries(self) -> Iterator[tuple[bool, SitemapEntry]]:
        """(is_child_sitemap, entry) for every listed element, each element freed once read."""
        if not self.ok:
            return
        kind = self.kind
        depth = 1  # the root's start event was consumed in __init__
        try:
            for event, element in self._events:
                if event == "start":
                    depth += 1
                    continue
                depth -= 1
                name = _local(element.tag)
                entry: SitemapEntry | None = None
                if kind in ("urlset", "sitemapindex"):
                    if depth == 1 and name in ("url", "sitemap"):
                        entry = _sitemap_entry(element)
                elif kind == "rss":
                    if name == "item":
                        entry = _rss_entry(element)
                elif depth == 1 and name == "entry":
                    entry = _atom_entry(element)
                if entry is not None:
                    yield kind == "sitemapindex", entry
                # Entries and the root's (or an RSS channel's) other children are done with: free them.
                if name == "item" or 1 <= depth <= (2 if kind == "rss" and name != "channel" else 1):
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:
                        del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            self.outcome = _syntax_outcome(exc)


def parse_discovery(body: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> Discovery:
    """Parse a whole sitemap, sitemap index or feed (gzip or plain); hostile or broken input gives an outcome."""
    stream = DiscoveryStream(body, max_bytes)
    result = Discovery(stream.kind, stream.outcome)
    for is_sitemap, entry in stream.entries():
        (result.sitemaps if is_sitemap else result.urls).append(entry)
    if not stream.ok:
        return Discovery("unknown", stream.outcome)
    return result

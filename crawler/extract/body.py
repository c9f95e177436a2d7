"""Article body: trafilatura on the parsed tree, minus the boilerplate German news pages carry."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager

import trafilatura
import trafilatura.external
from justext.utils import get_stoplist
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

from crawler.extract.meta import squash

# The languages newsroom's sites write in: the stoplist of trafilatura's last fallback (justext).
STOPLIST_LANGUAGES = ("German", "English")
# Left alone, trafilatura builds that stoplist from all 100 justext languages (154,000 words, about 33 MB
# kept in every process that extracts) on the first page that needs the fallback, often a listing.
# German and English alone gave the same extraction on the 49 development pages and 300 demo pages.
_STOPLIST = tuple(sorted({w for lang in STOPLIST_LANGUAGES for w in get_stoplist(lang)}))


# The body only: metadata, comments, tables, images and links are read elsewhere or not at all. Built
# once: trafilatura otherwise reads its config file's values again for every page (about 2 % of our
# extraction), and copies a shared Extractor itself before changing it.
_TRAFILATURA_OPTIONS = Extractor(
    output_format="python",
    with_metadata=False,
    comments=False,
    tables=False,
    images=False,
    links=False,
    formatting=False,
)


def _options_for(url: str | None) -> Extractor:
    """Our trafilatura options for one page (its URL is part of them)."""
    options = copy.copy(_TRAFILATURA_OPTIONS)
    options.url = options.source = url
    return options


@contextmanager
def _our_stoplist() -> Iterator[None]:
    """trafilatura's fallback stoplist set to ours for one extraction (other callers keep its default)."""
    previous = trafilatura.external.JT_STOPLIST
    trafilatura.external.JT_STOPLIST = _STOPLIST  # type: ignore[assignment]  # declared None until built
    try:
        yield
    finally:
        trafilatura.external.JT_STOPLIST = previous


# Containers whose class or id marks them as boilerplate; nothing inside is article text.
_BOILERPLATE_CLASS = re.compile(
    r"breadcrumb|newsletter|cookie|consent|social-?share|share-|sharing|shariff|print-?button|related-|"
    r"read-?more|recommend|paywall-?teaser|subscription|caption|copyright|credit|byline|author-?box|"
    r"comments|disqus|outbrain|taboola"
)
_AD_TOKENS = frozenset({"ad", "ads", "anzeige", "werbung"})
_ALWAYS_PRUNED = frozenset({"figcaption", "aside", "nav"})
_PRUNED_ROLES = frozenset({"navigation", "complementary"})
_KEPT_CONTAINERS = frozenset({"html", "body", "article", "main"})
# A container with this many paragraphs is the article itself, whatever its class says.
_MAX_PRUNED_PARAGRAPHS = 4


def _holds_article(element: HtmlElement) -> bool:
    return any(count >= _MAX_PRUNED_PARAGRAPHS for count, _ in enumerate(element.iter("p"), start=1))


def prune_boilerplate(tree: HtmlElement) -> None:
    """Remove navigation, share, newsletter, caption and similar containers in place (one pass)."""
    doomed: list[HtmlElement] = []
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in _KEPT_CONTAINERS:
            continue
        if (
            tag in _ALWAYS_PRUNED
            or element.get("role") in _PRUNED_ROLES
            or element.get("aria-hidden") == "true"
        ):
            doomed.append(element)
            continue
        marker = element.get("class")
        ident = element.get("id")
        if ident:
            marker = f"{marker or ''} {ident}"
        if not marker:
            continue
        # Lower-casing once and matching a case-sensitive pattern is much faster than re.IGNORECASE.
        marker = marker.lower()
        if (
            _BOILERPLATE_CLASS.search(marker) or not _AD_TOKENS.isdisjoint(marker.split())
        ) and not _holds_article(element):
            doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            # Keep the tail text: it belongs to the parent, not to the removed element.
            if element.tail and element.tail.strip():
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + element.tail
                else:
                    parent.text = (parent.text or "") + element.tail
            parent.remove(element)


# Whole lines that are navigation, promotion or credits rather than article text.
_BOILERPLATE_LINE = re.compile(
    r"^(?:lesen sie (?:auch|mehr|hier)|mehr zum thema|mehr (?:dazu|zu diesem thema|aus|nachrichten)|"
    r"auch interessant|das könnte sie (?:auch )?interessieren|weitere artikel|weiterlesen|zum artikel|"
    r"anzeige|werbung|die mobile version verlassen|newsletter|jetzt (?:abonnieren|anmelden|registrieren|"
    r"weiterlesen|lesen)|abonnieren|teilen|drucken|artikel teilen|(?:auf )?(?:facebook|twitter|whatsapp|x) "
    r"teilen|zur startseite|zum seitenanfang|nach oben|foto|fotos|bild|bilder|quelle|video|audio|©|\(c\)|"
    r"copyright|cookie|datenschutz|kommentare|kommentieren|diskutieren sie mit|hören sie|hier klicken|"
    r"melden sie sich|mit ihrer anmeldung|sie haben bereits ein|artikel merken|merken|vorlesen|"
    r"zur merkliste|zum kommentar|link kopiert|startseite)\b",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(r"^(?:[(©]|foto\s*:|bild\s*:|quelle\s*:|grafik\s*:|video\s*:)", re.IGNORECASE)
_MAX_BOILERPLATE_WORDS = 14
_TAIL_MAX_WORDS = 12


def is_boilerplate_line(line: str) -> bool:
    """True for short lines that are promotion, navigation or credits."""
    words = line.split()
    if not words:
        return True
    if len(words) > _MAX_BOILERPLATE_WORDS:
        return False
    return bool(_BOILERPLATE_LINE.match(line) or _CREDIT_LINE.match(line))


def extract_text(tree: HtmlElement, url: str | None) -> str | None:
    """Main text of the page via trafilatura, one paragraph or subheading per line (prunes `tree`)."""
    prune_boilerplate(tree)
    with _our_stoplist():
        document = trafilatura.bare_extraction(tree, options=_options_for(url))
    if document is None:
        return None
    text = getattr(document, "text", None)
    return text or None


def clean_lines(
    text: str, title: str | None = None, site_boilerplate: frozenset[str] = frozenset()
) -> list[str]:
    """Body lines without boilerplate (general, or the site's own), duplicates or a repeated headline."""
    lines: list[str] = []
    seen: set[str] = set()
    folded_title = squash(title).casefold() if title else None
    for raw in text.split("\n"):
        # trafilatura writes list items as "- item"; the body is paragraphs and subheadings only,
        # and on news pages lists are mostly link boxes ("Lesen Sie auch") or fact boxes.
        if raw.startswith("- "):
            continue
        line = squash(raw)
        if not line or is_boilerplate_line(line):
            continue
        key = line.casefold()
        if key in seen or key == folded_title or key in site_boilerplate:
            continue
        seen.add(key)
        lines.append(line)
    # Pages end with short link-box headings and calls to action ("Beiträge aus dem Forum",
    # "Vielen Dank!") that trafilatura keeps; an article's last paragraph ends like a sentence.
    while (
        lines
        and len(lines[-1].split()) < _TAIL_MAX_WORDS
        and not lines[-1].endswith((".", '"', "“", "”", "«", "»"))
    ):
        lines.pop()
    return lines

"""Article extraction for German news pages: structured data first, trafilatura for the body.

`extract_article` is the one entry point used by the clean stage and by `newsroom extract`; it never
raises on bad input but returns an `Article` with `rejected_reason` set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.extract import rules, wordpress
from crawler.extract.authors import (
    adds_to_names,
    agencies_in,
    agency_of,
    clean_authors,
    is_account,
    is_agency,
    is_desk,
    same_people,
    split_authors,
)
from crawler.extract.charset import decode_html
from crawler.extract.corrections import declared_correction
from crawler.extract.dates import MONTH_NAMES, parse_date
from crawler.extract.listing import page_listing_reason
from crawler.extract.meta import (
    ARTICLE_TYPES,
    NON_ARTICLE_TYPES,
    PageMeta,
    breadcrumb_html,
    breadcrumb_ld,
    clean_path,
    collect,
    elements,
    is_false,
    ld_names,
    squash,
    text_of,
    within_chrome,
)
from crawler.extract.template import SiteTemplate, fold
from crawler.extract.title import extract_title, strip_site_affixes
from crawler.extract.version import EXTRACTOR_VERSION
from crawler.reasons import Reason, payload_problem, with_detail

MAX_HTML_BYTES = 10_000_000
# Below this many body words a page is a teaser or a list, unless structured data says "article".
MIN_ARTICLE_WORDS = 80
# Even a page that declares itself an article needs some text to be worth storing.
MIN_STRUCTURED_ARTICLE_WORDS = 25

_PARSER = lxml.etree.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
# lxml.html's own parser asks a Python method which class each element gets, every time lxml hands an
# element to Python (hundreds of thousands of calls per hundred pages, in our code and trafilatura's);
# the C default lookup gives every element lxml.html's HtmlElement (text_content, drop_tree …) for free.
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction
    )
)
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# "10:15 Uhr", "10.15 h": the time of day beside a date is part of the date line, not words around it.
_TIME_OF_DAY = re.compile(
    r"\b\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h)\b)?|\b(?:um|uhr|am)\b|"
    r"\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa|so)\b\.?",
    re.IGNORECASE,
)
_NON_ARTICLE_PATH = re.compile(
    r"/(?:tag|tags|thema|themen|topic|topics|schlagwort|schlagworte|author|authors|autor|autoren|autorin|"
    r"category|kategorie|rubrik|ressort|archiv|archive|suche|search)(?:/|$)|/page/\d+/?$|/seite-?\d+/?$|"
    r"/(?:impressum|datenschutz|datenschutzerklaerung|privacy|kontakt|contact|agb|nutzungsbedingungen|"
    r"barrierefreiheit|cookie-?richtlinie)(?:[./-]|$)",
    re.IGNORECASE,
)
_LEGAL_TITLES = re.compile(
    r"^(?:impressum|datenschutz(?:erklärung|hinweise)?|kontakt|agb|nutzungsbedingungen|cookie-richtlinie|"
    r"privacy policy|imprint)\b",
    re.IGNORECASE,
)
_EXCLUDED_LEAD_CONTEXT = re.compile(
    r"breadcrumb|sr-only|visually-?hidden|(?<![\w-])hidden(?![\w-])|teaser|related", re.IGNORECASE
)
_PAYWALL_CLASS = re.compile(
    r"paywall|plus-?teaser|premium-?teaser|article--locked|is-locked|piano-?offer", re.I
)
# Token-wise, so that utility classes such as "leading-12" do not count as a lead.
_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lead|leadtext|intro|introduction|teaser[-_]?text|summary|standfirst|abstract|vorspann|"
    r"preface|excerpt)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Function words for a cheap language guess when the page declares none.
_GERMAN_WORDS = frozenset(
    {
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "mit",
        "auf",
        "für",
        "sich",
        "dem",
        "den",
        "von",
    }
)
_ENGLISH_WORDS = frozenset(
    {"the", "and", "is", "are", "of", "to", "in", "that", "it", "with", "for", "on", "was"}
)


@dataclass
class Article:
    """One extracted article; `rejected_reason` is None when it is usable."""

    title: str | None = None
    kicker: str | None = None
    seo_title: str | None = None
    lead: str | None = None
    body: str | None = None
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    correction: str | None = None  # the correction the page declares (schema.org, "Korrigiert am …")
    section: str | None = None
    section_path: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    shortlink: str | None = None  # the site's lasting name for the article (WordPress: /?p=ID)
    site_name: str | None = None
    page_type: str | None = None
    is_paywalled: bool = False
    rejected_reason: str | None = None
    word_count: int = 0
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of all fields (JSON-serialisable)."""
        return asdict(self)


def extract_article(
    html: str | bytes,
    url: str | None = None,
    content_type: str | None = None,
    max_bytes: int = MAX_HTML_BYTES,
    site_template: SiteTemplate | None = None,
) -> Article:
    """Extract title, lead, body, authors, dates, section, tags and language from one HTML page.

    `site_template` is what the site's other pages share (see `crawler.extract.template`); without
    it the page is read on its own.
    """
    try:
        return _extract(html, url, content_type, max_bytes, site_template)
    except Exception as error:
        return Article(rejected_reason=with_detail(Reason.ERROR, f"{type(error).__name__}: {error}")[:200])


def _extract(
    html: str | bytes,
    url: str | None,
    content_type: str | None,
    max_bytes: int,
    template: SiteTemplate | None,
) -> Article:
    if html is None or len(html) == 0:
        return Article(rejected_reason=Reason.EMPTY)
    # Check the size before decoding or parsing: a 20 MB page would cost far more than it is worth.
    data = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    problem = payload_problem(data, max_bytes)
    if problem is not None:
        return Article(rejected_reason=problem)
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    if "\x00" in text:
        text = text.replace("\x00", "")  # a stray NUL in a page of markup (see looks_binary) is no text
    if not text.strip():
        return Article(rejected_reason=Reason.EMPTY)
    if "<" not in text[:2000]:
        return Article(rejected_reason=Reason.NOT_HTML)
    tree = _parse(text)
    if tree is None:
        return Article(rejected_reason=Reason.UNPARSEABLE)
    return _from_tree(tree, url, template)


def _parse(text: str) -> HtmlElement | None:
    # lxml refuses str input with an XML encoding declaration; the text is already decoded.
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (ValueError, lxml.etree.ParserError):
        return None
    return tree if tree is not None and len(tree) else None


def _from_tree(tree: HtmlElement, url: str | None, template: SiteTemplate | None = None) -> Article:
    page = collect(tree)
    article = Article()
    sources = article.sources
    article.site_name = _site_name(page)
    article.canonical_url = _canonical(page, url)
    article.shortlink = _shortlink(tree, page, article.canonical_url or url)
    article.page_type = _page_type(page)

    crumbs_ld = breadcrumb_ld(page)
    # The crumb that links to the site root is "home", whatever it is called ("heise online", "FAZ.NET").
    while crumbs_ld and crumbs_ld[0][1] is not None and urlsplit(crumbs_ld[0][1]).path in {"", "/"}:
        crumbs_ld.pop(0)
    crumb_names = [name for name, _ in crumbs_ld]
    crumb_source = "json-ld"
    if not crumb_names:
        crumb_names, crumb_source = breadcrumb_html(tree), "breadcrumb"

    affixes = template.affixes() if template else None
    found = extract_title(tree, page, url, article.site_name, crumb_names, affixes)
    title = found.title
    article.title, article.kicker, article.seo_title = title, found.kicker, found.seo_title
    if title:
        sources["title"] = found.source

    path = clean_path(crumb_names, title, article.site_name)
    if path:
        article.section_path = path
        article.section = path[0]
        sources["section"] = crumb_source
    elif rules.on("wp_category_links") and (categories := wordpress.category_path(tree)):
        article.section_path = categories
        article.section = categories[0]
        sources["section"] = "category-link"
    else:
        section = page.ld_text("articleSection") or page.first("article:section", "og:section")
        if section:
            section = section.strip(" -–|")
        if section:
            article.section = section
            article.section_path = [section]
            sources["section"] = "json-ld" if page.ld_text("articleSection") else "meta"

    # Byline elements are read before trafilatura's pass prunes them (agency credits live there too).
    tree_bylines = _byline_elements(tree)
    notes = _credit_notes(tree) if rules.on("agency_credit_notes") else []
    site_dates = tuple(template.date_lines) if template else ()
    _fill_dates(tree, page, article, article.canonical_url or url, tree_bylines, site_dates)
    _fill_authors(
        tree,
        page,
        article,
        tree_bylines,
        template.house_keys() if template else frozenset(),
        template.noise_keys() if template else frozenset(),
        tuple(template.byline_lines) if template else (),
    )
    if rules.on("byline_end_credit") and all(_names_site(a, article.site_name, url) for a in article.authors):
        # No byline, or only the site's own name in metadata: the writers' initials printed after the
        # text say who wrote it ("(as)" in a source box, "ssi, dan; Foto: …" in small print).
        credit = _end_credit(tree)
        if credit:
            article.authors, sources["authors"] = credit, "credit"
    # Opinion pieces put the writer's name before the headline in their SEO titles ("Anna Berger: Die
    # Republik der Verlierer"): a byline, not the story's topic.
    if (
        found.kicker_from_metadata
        and article.kicker
        and rules.on("title_author_is_no_topic")
        and fold(article.kicker) in {fold(a) for a in [*article.authors, *_meta_authors(page)]}
    ):
        article.kicker = None
    article.tags = _tags(page)
    if article.tags:
        sources["tags"] = "json-ld" if page.ld_get("keywords") and not page.all("article:tag") else "meta"
    elif rules.on("wp_tag_links"):
        article.tags = wordpress.tag_names(tree)
        if article.tags:
            sources["tags"] = "tag-link"

    # What the site says the page is (body classes, teasers), read before trafilatura prunes the tree.
    declared = page.article_ld is not None or (page.first("og:type") or "").lower() == "article"
    listing = page_listing_reason(tree, declared)
    # The lead is searched on the intact tree, before trafilatura's pass prunes it.
    lead, lead_source = _lead(tree, page)
    # Imported here: the clean stage's own process reads bylines (site templates) without trafilatura.
    from crawler.extract.body import clean_lines, extract_text

    raw_text = extract_text(tree, url)
    lines = clean_lines(raw_text or "", title, template.boilerplate_keys() if template else frozenset())
    if not lead and lines and _matches_description(lines[0], page):
        lead, lead_source = lines[0], "trafilatura"
    if lead:
        article.lead = lead
        sources["lead"] = lead_source
        folded = lead.casefold()
        if not any(folded[:60] in line.casefold() for line in lines[:5]):
            lines.insert(0, lead)
    article.body = "\n".join(lines) or None
    if article.body:
        sources["body"] = "trafilatura"
    article.word_count = len(_WORD.findall(article.body or ""))
    if rules.on("byline_agency_in_text"):
        credits = [*_byline_texts(tree_bylines), raw_text or "", article.lead or ""]
    else:
        credits = []
    article.agencies = agencies_in([*article.authors, *_meta_authors(page)], credits, notes)
    article.language, language_source = _language(page, article.body)
    if article.language:
        sources["language"] = language_source
    article.is_paywalled = _paywalled(tree, page, article.word_count)
    article.rejected_reason = _rejection(page, article, url)
    if article.rejected_reason is None and listing:
        article.rejected_reason = with_detail(Reason.NOT_ARTICLE, f"listing page ({listing})")
    return article


# --- site, canonical, type ---------------------------------------------------------------------


def _site_name(page: PageMeta) -> str | None:
    name = page.first("og:site_name", "application-name")
    if name:
        return name
    for item in page.jsonld:
        types = item.get("@type")
        if isinstance(types, str) and types.lower() in {"website", "newsmediaorganization", "organization"}:
            value = item.get("name")
            if isinstance(value, str) and value.strip():
                return squash(value)
    publisher = page.ld_get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return squash(publisher["name"])
    return None


def _canonical(page: PageMeta, url: str | None) -> str | None:
    href = page.canonical or page.first("og:url")
    if not href:
        return None
    return urljoin(url, href) if url else href


_POST_ID_CLASS = re.compile(r"(?<![\w-])postid-(\d+)(?![\w-])")


def _shortlink(tree: HtmlElement, page: PageMeta, url: str | None) -> str | None:
    """The page's shortlink, else WordPress's `/?p=ID` from its `postid-ID` body class; None without either."""
    # A post keeps its ID when its slug or category changes: the clean stage recognises it by this name.
    if page.shortlink:
        link = urljoin(url, page.shortlink) if url else page.shortlink
        parts = urlsplit(link)
        # A theme that prints the home page as every page's shortlink names no post.
        if parts.query or parts.path.strip("/"):
            return link
    body = tree.find("body")
    found = _POST_ID_CLASS.search(body.get("class") or "") if body is not None else None
    if found is None or not url:
        return None
    return urljoin(url, f"/?p={found.group(1)}")


def _page_type(page: PageMeta) -> str | None:
    if page.article_ld:
        raw = page.article_ld.get("@type")
        return str(raw[0] if isinstance(raw, list) and raw else raw)
    og_type = page.first("og:type")
    if og_type:
        return og_type
    for item in page.jsonld:
        raw = item.get("@type")
        if isinstance(raw, str) and raw.lower() not in {"breadcrumblist", "organization", "imageobject"}:
            return raw
    return None


# --- dates, authors, tags ----------------------------------------------------------------------


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "publish-date",
    "pubdate",
    "publishdate",
    "published_time",
    "sailthru.date",
    "parsely-pub-date",
    "og:published_time",
    "article.published",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "og:article:modified_time",
    "article.updated",
)


# Class words of a header's date line ("Do 25.04.24 | 14:07 Uhr"), in any case of ASCII letters.
_DATE_LINE_CLASSES = ("date", "datum", "time", "lineinfo", "article-info", "meta")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _date_lines(tree: HtmlElement) -> Iterator[HtmlElement]:
    """Elements inside <body> whose class names a date line, in document order (a walk: see meta.elements)."""
    for body in tree.iter("body"):
        for element in elements(body):
            value = element.get("class")
            if element is not body and value:
                folded = value.translate(_ASCII_LOWER)
                if any(name in folded for name in _DATE_LINE_CLASSES):
                    yield element


_OTHER_STORIES = (
    "ancestor::aside|ancestor::nav|ancestor::footer[not(ancestor::article)]|"
    "ancestor::*[contains(@class, 'teaser') or contains(@class, 'related')]"
)
# A quoted embed (an Instagram or X post is a <blockquote> with its own date and author) is not the article.
_IN_EMBED = etree.XPath("ancestor::blockquote")
# Readers' comments (WordPress's #comments, .comment-list, .comment) date and sign their own texts.
_COMMENTS = (
    "ancestor-or-self::*[@id = 'comments' or contains(@class, 'comment-list') or contains(@class, 'comments-area')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' comment ')"
    # Other CMSs' comment boxes: Contao's "ce_comments" > "comment_default", "comments", "commentlist".
    " or contains(concat(' ', normalize-space(@class), ' '), ' comments ') or contains(@class, 'ce_comments')"
    " or contains(concat(' ', normalize-space(@class)), ' comment_') or contains(@class, 'commentlist')]"
)
# A list item that links to another page is a teaser, whatever its list is called ("Mehr zum Thema");
# links to the author's page, the section or an anchor are the article's own meta line.
_LINKED_ITEM = (
    "ancestor::li[.//a[@href][not(starts-with(@href, '#'))][not(contains(@href, '/autor'))]"
    "[not(contains(@href, '/author'))][not(contains(@href, '/category/'))]]"
)
# Compiled once: they are asked of every date and byline candidate of every page.
_IN_COMMENTS = etree.XPath(_COMMENTS)
_IN_COMMENTS_OR_LINKED_ITEM = etree.XPath(_COMMENTS + "|" + _LINKED_ITEM)


_ARTICLE_TIME_TEXT = etree.XPath("//article//time[not(@datetime)] | //main//time[not(@datetime)]")


def _not_own_date(element: HtmlElement, headline: HtmlElement | None = None) -> bool:
    """A date element that belongs to another story or to a reader's comment."""
    if element.xpath(_OTHER_STORIES):
        return True
    if rules.on("date_not_in_embeds") and _IN_EMBED(element):
        return True
    if rules.on("date_not_in_lists_or_comments") and bool(_IN_COMMENTS_OR_LINKED_ITEM(element)):
        return True
    return (
        headline is not None and rules.on("date_not_in_teaser_cards") and _in_teaser_card(element, headline)
    )


# A heading that links elsewhere, or a link around a heading: what a teaser card of another story is made of.
_LINKED_HEADING = etree.XPath(
    ".//*[self::h2 or self::h3 or self::h4 or self::h5][.//a[@href]]"
    "|.//a[@href][.//h2 or .//h3 or .//h4 or .//h5]"
)
# How far up from a date a teaser card's box is looked for: the date, its line, the card.
_TEASER_LEVELS = 4
# A box with this many paragraphs is an article's text, not a card's teaser line.
_CARD_PARAGRAPHS = 3
# Nor is a box of this many elements (a card, images and icons included, holds a few dozen): it is the
# page's layout. Checked first, so the search for a linked heading never reads a whole page's tree, which
# took seconds on large pages without paragraphs (code listings, tickers built of divs).
_CARD_ELEMENTS = 200


def _in_teaser_card(element: HtmlElement, headline: HtmlElement) -> bool:
    """A date inside a box of another story: a small box whose heading links elsewhere (a card of "Mehr
    zum Thema", whatever its class is called), or a small <article> beside the one with the headline."""
    around_headline = list(headline.iterancestors())
    containers = {a.tag for a in around_headline}
    if not containers & {"article", "main"}:
        # The page's first <h1> outside any article is a logo more often than not: no box can be told
        # apart from the article's own by it (a blog's post title is then an <h2> linking to the post).
        return False
    headline_in_article = "article" in containers
    for level, ancestor in enumerate(element.iterancestors()):
        if level >= _TEASER_LEVELS or ancestor.tag in ("body", "main"):
            return False
        if ancestor is headline or any(a is ancestor for a in around_headline):
            return False  # the box that holds the article's own headline
        if sum(1 for _ in islice(ancestor.iter(), _CARD_ELEMENTS)) >= _CARD_ELEMENTS:
            return False  # the page's layout, and every box above it is larger still
        if sum(1 for _ in islice(ancestor.iter("p"), _CARD_PARAGRAPHS)) >= _CARD_PARAGRAPHS:
            return False  # a box of the article's size (its body, when the headline stands above it)
        if _LINKED_HEADING(ancestor) or (ancestor.tag == "article" and headline_in_article):
            return True
    return False


def _date_candidates(
    tree: HtmlElement,
    page: PageMeta,
    url: str | None = None,
    bylines: list[HtmlElement] | None = None,
    site_dates: tuple[str, ...] = (),
) -> Iterator[tuple[str | None, str]]:
    """Published-date spellings in order of trust; read lazily, so the first usable one ends the search."""
    for key in ("datePublished", "dateCreated", "uploadDate"):
        yield page.ld_text(key), "json-ld"
    yield page.first(*_PUBLISHED_META), "meta"
    if page.article_ld is None and rules.on("date_webpage_ld"):
        yield page.webpage_text("datePublished"), "json-ld"
    headline = _headline_element(tree)
    if site_dates and rules.on("date_site_line"):
        # Where the site prints its articles' dates, learned from its other pages (site template).
        for element in _site_elements(tree, site_dates, headline):
            yield _printed_date(element), "template"
    # Dates printed in teasers of other stories, sidebars and menus are theirs, not the article's.
    for element in tree.xpath("//*[@itemprop='datePublished']"):
        if not _not_own_date(element, headline):
            yield element.get("content") or element.get("datetime") or text_of(element), "microdata"
    for element in [e for e in tree.xpath("//time[@datetime]")[:30] if not _not_own_date(e, headline)][:5]:
        yield element.get("datetime"), "time"
    if rules.on("date_time_text"):
        # <time>28.04.2023</time> without a datetime attribute: its text, inside the article only (a
        # site header's <time> shows today).
        for element in [e for e in _ARTICLE_TIME_TEXT(tree)[:30] if not _not_own_date(e, headline)][:5]:
            yield text_of(element), "time"
    # Last resort: the visible date line in the article header ("Do 25.04.24 | 14:07 Uhr").
    for element in list(islice(_date_lines(tree), 30)):
        if _not_own_date(element, headline):
            continue
        text = squash(" ".join(element.itertext()))
        yield (_published_part(text) if len(text) < 120 else None), "dateline"
    if rules.on("date_keyword_line"):
        for text in _keyword_date_lines(headline):
            yield _published_part(text), "dateline"
    if rules.on("date_byline_or_place_line") and bylines and headline is not None:
        # "Von Anna Berger · 28.04.2023, 10:15 Uhr" under the headline; an author box after the text
        # ("schreibt seit 01.03.2015 für uns") is not the article's date.
        under = set(_LINES_AFTER(headline))
        for element in bylines:
            text = squash(" ".join(element.itertext()))
            if element in under and len(text) < 120:
                yield _published_part(text), "byline"
    if rules.on("date_from_url") and url:
        # /2023/04/28/slug/ (WordPress's default permalinks and many archives): the day, at least.
        match = _URL_DATE.search(urlsplit(url).path)
        if match:
            yield "-".join(match.groups()), "url"
    if rules.on("date_byline_or_place_line"):
        # After the permalink's day: an unmarked short line is a dateline more often than not, not always.
        for text in _short_date_lines(headline):
            yield text, "dateline"


# A date or byline line's own text is short, and its element has few children; a container of the
# whole header is not one.
_DATE_TEXT_CHARS = 120
_LINE_CHILDREN = 6
# Before white space is squashed: indentation may pad a short line, a whole section does not fit.
_RAW_LINE_CHARS = 1000


def element_kind(element: HtmlElement) -> str | None:
    """How a site's template names an element: its tag and class names ("span.article-date"); a <time>
    without a class by its parent's too ("div.wp-block-post-date>time"); None for other elements with
    no class."""
    classes = (element.get("class") or "").split()
    if classes:
        return ".".join([str(element.tag), *sorted(classes)])
    parent = element.getparent()
    if element.tag != "time" or parent is None:
        return None
    return ".".join([str(parent.tag), *sorted((parent.get("class") or "").split())]) + ">time"


def _printed_date(element: HtmlElement) -> str | None:
    """The date an element prints (its datetime or content attribute, else its short text)."""
    value = element.get("datetime") or element.get("content")
    if value:
        return value
    if len(element) > _LINE_CHILDREN:
        return None
    # lxml's own text_content() first: most elements are too long or hold no digit, and are no date.
    raw = element.text_content()
    if len(raw) > _RAW_LINE_CHARS or not _DIGIT.search(raw):
        return None
    text = squash(raw)
    return text if len(text) <= _DATE_TEXT_CHARS else None


def printed_dates(tree: HtmlElement) -> dict[str, str]:
    """Each element kind (see element_kind) that prints a date once or twice on the page, with its
    first date: what the site template learns its date line from. Other stories' dates do not count."""
    headline = _headline_element(tree)
    dated: dict[HtmlElement, tuple[str, str]] = {}
    for body in tree.iter("body"):
        for element in elements(body):
            signature = element_kind(element)
            if signature is None:
                continue
            value = parse_date(_printed_date(element))
            if value is not None and not _not_own_date(element, headline):
                dated[element] = (signature, value)
    found: dict[str, str] = {}
    counts: dict[str, int] = {}
    for element, (signature, value) in dated.items():
        # The innermost element that prints the date: a block theme's column holding only the post's
        # date reads "27. August 2025" (the day), the <time> inside it the exact instant.
        if any(inner in dated for inner in element.iterdescendants()):
            continue
        counts[signature] = counts.get(signature, 0) + 1
        found.setdefault(signature, value)
    # A kind printed many times on one page is a list's (comments, a ticker), not the article's date.
    return {signature: value for signature, value in found.items() if counts[signature] <= 2}


def declared_date(page: PageMeta) -> str | None:
    """The publication date the page's metadata declares (JSON-LD, meta), if any."""
    return _first_date(iter([(page.ld_text("datePublished"), ""), (page.first(*_PUBLISHED_META), "")]))[0]


def _site_elements(
    tree: HtmlElement, signatures: tuple[str, ...], headline: HtmlElement | None
) -> Iterator[HtmlElement]:
    """The page's first element of each learned kind (date lines, byline lines), in the template's order."""
    first: dict[str, HtmlElement] = {}
    wanted = set(signatures)
    for body in tree.iter("body"):
        for element in elements(body):
            signature = element_kind(element)
            if signature in wanted and signature not in first and not _not_own_date(element, headline):
                first[signature] = element
    for signature in signatures:
        if signature in first:
            yield first[signature]


def _headline_element(tree: HtmlElement) -> HtmlElement | None:
    """The first <h1> inside <article> or <main>, else the page's first (a logo may hold the first)."""
    first = None
    for heading in tree.iter("h1"):
        if any(a.tag in ("article", "main") for a in heading.iterancestors()):
            return heading
        first = first if first is not None else heading
    return first


def _after_headline(tree: HtmlElement, kinds: str, limit: int) -> list[HtmlElement]:
    """The first `limit` elements of the kinds (an XPath test) after the article's <h1>, in order."""
    headline = _headline_element(tree)
    if headline is None:
        return []
    return list(headline.xpath(f"following::*[{kinds}][position() <= {limit}]"))


# An unmarked line under the headline that says when: "Veröffentlicht am 28. April 2023",
# "Erstellt: 27.04.2023 · Aktualisiert: 28.04.2023" (the first date is the publication).
_WHEN_LINE = re.compile(
    r"^(?:veröffentlicht|erschienen|erstellt|publiziert|datum|stand|(?:zuletzt\s+)?aktualisiert)\b",
    re.IGNORECASE,
)
# "Aktualisiert: 29.04.2023 · Erstellt: 28.04.2023": the update comes first, the publication is named.
_UPDATED_WORD = re.compile(r"\b(?:aktualisiert|geändert|update|stand)\b", re.IGNORECASE)
_PUBLISHED_WORD = re.compile(r"\b(?:veröffentlicht|erstellt|publiziert|erschienen)\b", re.IGNORECASE)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{2})[/-](\d{2})(?=[/-]|$)")


def _published_part(text: str) -> str:
    """The part of a date line from its publication keyword on, when an update's date comes first."""
    published = _PUBLISHED_WORD.search(text)
    if published is None or not rules.on("date_published_over_updated"):
        return text
    updated = _UPDATED_WORD.search(text, 0, published.start())
    return text[published.start() :] if updated else text


# The first lines after the headline (paragraphs, blocks, spans, small print), where a date line stands.
_LINES_AFTER = etree.XPath(
    "following::*[self::p or self::div or self::span or self::small][position() <= 15]"
)


def _lines_under_headline(headline: HtmlElement | None) -> Iterator[tuple[HtmlElement, str]]:
    """The first lines after the article's <h1> that are its own (not another story's), with their text."""
    if headline is None:
        return
    for element in _LINES_AFTER(headline):
        if not _not_own_date(element, headline):
            yield element, squash(" ".join(element.itertext()))


def _keyword_date_lines(headline: HtmlElement | None) -> Iterator[str]:
    """Unmarked "Veröffentlicht am …" lines among the first elements after the article's <h1>."""
    for _element, text in _lines_under_headline(headline):
        if len(text) < 120 and _WHEN_LINE.match(text):
            yield text


# A line that is a date with at most a place or a few words around it ("Wien, 28.04.2023",
# "28. April 2023, 10:15 Uhr"); a sentence of the text that mentions a date is longer.
_SHORT_DATE_LINE_CHARS = 60
# A place ("Bad Ischl"), not a sentence: "Ab 1. Mai 2023 gilt das Ticket" names a day, it does not date
# the page.
_SHORT_DATE_LINE_WORDS = 2
_MONTHS = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
# A day with its month and year: "28.04.2023", "28.4.23", "28. April 2023".
_FULL_DATE = re.compile(
    rf"(?<!\d)\d{{1,2}}\.\s?(?:\d{{1,2}}\.\s?(?:\d{{4}}|\d{{2}})(?!\d)|(?:{_MONTHS})\.?\s+\d{{4}})",
    re.IGNORECASE,
)

# A line with a link, or in a list or a figure, is a teaser or a caption far more often than a dateline.
_LINKED_OR_LISTED = etree.XPath(".//a|ancestor::a|ancestor::li|ancestor::figure|ancestor::figcaption")


def _short_date_lines(headline: HtmlElement | None) -> Iterator[str]:
    """Unmarked lines that are little more than a date, among the first elements after the article's <h1>."""
    for element, text in _lines_under_headline(headline):
        if len(text) > _SHORT_DATE_LINE_CHARS:
            continue
        match = _FULL_DATE.search(text)
        if match is None:
            continue
        words = _WORD.findall(_TIME_OF_DAY.sub(" ", text[: match.start()] + " " + text[match.end() :]))
        if len(words) <= _SHORT_DATE_LINE_WORDS and not _LINKED_OR_LISTED(element):
            yield text


def _modified_candidates(tree: HtmlElement, page: PageMeta) -> Iterator[tuple[str | None, str]]:
    yield page.ld_text("dateModified"), "json-ld"
    yield page.first(*_MODIFIED_META), "meta"
    for element in tree.xpath("//*[@itemprop='dateModified']"):
        yield element.get("content") or element.get("datetime") or text_of(element), "microdata"


def _first_date(candidates: Iterator[tuple[str | None, str]]) -> tuple[str | None, str]:
    for raw, source in candidates:
        value = parse_date(raw)
        if value:
            return value, source
    return None, ""


def _fill_dates(
    tree: HtmlElement,
    page: PageMeta,
    article: Article,
    url: str | None = None,
    bylines: list[HtmlElement] | None = None,
    site_dates: tuple[str, ...] = (),
) -> None:
    for name, candidates in (
        ("published_at", _date_candidates(tree, page, url, bylines, site_dates)),
        ("modified_at", _modified_candidates(tree, page)),
    ):
        value, source = _first_date(candidates)
        if value:
            setattr(article, name, value)
            article.sources[name] = source
    article.correction = declared_correction(tree, page)


_BYLINE_MARKS = ("byline", "author")
_BYLINE_MARKS_DE = (*_BYLINE_MARKS, "autor")  # "autor", "autorin", "autorenzeile"
_BYLINE_CANDIDATES = "//*[@rel='author' or @itemprop='author' or @class]"


def _byline_like(tree: HtmlElement) -> Iterator[HtmlElement]:
    """Elements marked as the author or byline (rel, itemprop, or a class naming it in any case), in order."""
    # XPath picks the elements with such attributes, Python lower-cases their class: an XPath lower-casing
    # every class with translate() cost 4 ms on a large page, a sixth of the whole extraction.
    for element in tree.xpath(_BYLINE_CANDIDATES):
        if _byline_marked(element):
            yield element


def _byline_marked(element: HtmlElement) -> bool:
    """True for an element marked as the author or byline: rel, itemprop, or a class naming it in any case."""
    if element.get("rel") == "author" or element.get("itemprop") == "author":
        return True
    marker = element.get("class")
    marks = _BYLINE_MARKS_DE if rules.on("byline_german_marks") else _BYLINE_MARKS
    return bool(marker) and any(mark in marker.lower() for mark in marks)


# "aural": the screen-reader class of Germany's Government Site Builder (federal ministries' sites).
_HIDDEN_CLASS = re.compile(
    r"visually-?hidden|sr-only|screen-reader|(?<![\w-])(?:hidden|aural)(?![\w-])", re.IGNORECASE
)
_CAPTION_CONTEXT = re.compile(r"caption|copyright|credit|media|image|foto|photo", re.IGNORECASE)
# "Redaktion: A und B" under a broadcaster's article credits the editors, not the authors.
_CREDIT_PREFIX = re.compile(r"^\s*(?:redaktion|mitarbeit|bearbeitung|sendung|quelle|foto|bild)\s*:", re.I)


def _visible_text(element: HtmlElement) -> str:
    """Text of an element without screen-reader-only parts, text nodes joined by spaces."""
    return squash(" ".join(_visible_parts(element)))


def _visible_parts(element: HtmlElement) -> list[str]:
    """The text nodes of an element in order, without screen-reader-only parts."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if _HIDDEN_CLASS.search(node.get("class") or ""):
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return parts


# Figures credit photographers; page footers, sidebars, menus and teasers of other stories name other authors.
_NOT_THE_POSTS_BYLINE = "ancestor-or-self::figure|" + _OTHER_STORIES


# WordPress's "Recent comments" widget signs each comment with <span class="comment-author-link">.
_COMMENT_SIGNATURE = etree.XPath(
    "ancestor-or-self::*[contains(@class, 'comment-author') or contains(@class, 'comment_author')"
    " or contains(@class, 'recentcomments')]"
)
# The author of an embedded video or image: its own itemscope of a media type, or a <video>.
_MEDIA_AUTHOR = etree.XPath(
    "ancestor::video or ancestor::*[@itemscope][1][contains(@itemtype, 'VideoObject') or "
    "contains(@itemtype, 'ImageObject') or contains(@itemtype, 'AudioObject') or contains(@itemtype, 'MediaObject')]"
)


def _not_posts_byline(element: HtmlElement) -> bool:
    """A byline of another story, a figure's credit, or a reader's name signing a comment."""
    if element.xpath(_NOT_THE_POSTS_BYLINE):
        return True
    if rules.on("date_not_in_embeds") and _IN_EMBED(element):
        return True
    if rules.on("byline_not_comment_signatures") and _COMMENT_SIGNATURE(element):
        return True
    return rules.on("date_not_in_lists_or_comments") and bool(_IN_COMMENTS(element))


_EXPLICIT_AUTHOR = "//*[@rel='author' or @itemprop='author'] | //a[contains(@href, '/author/')]"
# German sites file their authors under /autor/, /autorin/, /autoren/.
_EXPLICIT_AUTHOR_DE = _EXPLICIT_AUTHOR + " | //a[contains(@href, '/autor')]"


def _byline_names(tree: HtmlElement, bylines: list[HtmlElement]) -> list[str]:
    """The authors the page's author markup names, else the first byline element that names any."""
    # Explicit author markup (rel=author, itemprop=author) marks each person separately.
    explicit: list[str] = []
    media: list[str] = []  # authors of an embedded video or audio (see below)
    lines: dict[HtmlElement, None] = {}
    # Links to an author archive (/author/<slug>/, WordPress) name the author as printed.
    for element in tree.xpath(_EXPLICIT_AUTHOR_DE if rules.on("byline_german_marks") else _EXPLICIT_AUTHOR)[
        :12
    ]:
        if _not_posts_byline(element):
            continue
        text = _visible_text(element)
        if not text and rules.on("byline_microdata_name"):
            # <div itemprop=author><meta itemprop=name content="A"></div>: the name is an attribute.
            text = " und ".join(element.xpath("./descendant-or-self::*[@itemprop='name']/@content"))
        if (
            rules.on("byline_media_authors_last")
            and element.get("itemprop") == "author"
            and _MEDIA_AUTHOR(element)
        ):
            # An embedded video's author ("CHIP") is the video's, beside the article's own byline; a
            # podcast transcript's only author is the episode's.
            media.extend(split_authors(text, explicit=True))
            continue
        explicit.extend(split_authors(text, explicit=True))
        if element.getparent() is not None:
            lines[element.getparent()] = None
    if explicit and rules.on("byline_agency_beside_links"):
        # "Von <a>A</a>, <a>B</a> und dpa": the agency is the line's own text, outside the links.
        for line in lines:
            own = " ".join([line.text or "", *(child.tail or "" for child in line)])
            explicit.extend(name for name in split_authors(own) if agency_of(name))
    if explicit:
        return clean_authors(explicit, explicit=True)
    if media and not any(_element_names(e) for e in bylines):
        return clean_authors(media, explicit=True)
    for index, element in enumerate(bylines):
        names = _element_names(element)
        if names and rules.on("byline_structure"):
            # "Von <span class=author>A</span> und <span class=author>B</span>": one byline, two elements
            # alike (not the byline and an author box below the text, which share only the parent).
            parent, shape = element.getparent(), (element.tag, element.get("class"))
            for sibling in bylines[index + 1 :]:
                if sibling.getparent() is parent and (sibling.tag, sibling.get("class")) == shape:
                    names = clean_authors([*names, *_element_names(sibling)])
        if names:
            return names
    if rules.on("byline_von_line"):
        names = _von_line(tree)
        if names or not rules.on("byline_post_meta_line"):
            return names
        return _post_meta_byline(tree)
    return []


# A post's meta line as blog themes print it under or after the text: "Von Christian am 03.05.2013",
# "posted by Stadler at 12:53", "Geschrieben von Anna Berger | 3 Kommentare".
_POST_META = etree.XPath("//*[contains(@class, 'meta')][not(ancestor::*[contains(@class, 'meta')])]")
_META_BYLINE = re.compile(
    r"^(?:(?:posted|written|geschrieben|verfasst|veröffentlicht)\s+(?:by|von)|von|by)\s+"
    r"(?P<name>[A-ZÄÖÜ][\w.'-]*(?:\s+(?:[A-ZÄÖÜ][\w.'-]*|von|van|de|der|zu)){0,3})"
    r"(?=\s*(?:$|[|,·•–-]|\s(?:am|at|on|um|in)\s))",
    re.IGNORECASE,
)
_META_LINE_WORDS = 20


def _post_meta_byline(tree: HtmlElement) -> list[str]:
    """The name of the first post meta line (class '…meta…') that reads 'Von X am …' / 'posted by X at …'."""
    for element in _POST_META(tree)[:20]:
        if _not_posts_byline(element):
            continue
        line = _visible_text(element)
        if len(line.split()) > _META_LINE_WORDS:
            continue
        match = _META_BYLINE.match(line)
        if match and match.group("name")[:1].isupper():
            # The phrase marks the name: one word as printed ("posted by Stadler") is the author.
            names = clean_authors([match.group("name")], explicit=True)
            if names:
                return names
    return []


# A byline element longer than this, or naming someone in more words than _MAX_NAME_WORDS, holds more
# than the byline (a biography, a role glued to the name): it is read by its parts instead.
_BYLINE_LINE_WORDS = 12
_MAX_NAME_WORDS = 3
_MAX_PART_WORDS = 6


def _element_names(element: HtmlElement) -> list[str]:
    """The names one byline element gives, read as a reader reads its markup."""
    text = _visible_text(element)
    if not text or len(text) > 200 or _CREDIT_PREFIX.match(text):
        return []
    if rules.on("byline_structure"):
        # <div class=authors><div class=author>A</div><div class=author>B</div></div>, or a name and a
        # role in <span class=author-name> and <span class=author-role>: each marked part apart.
        marked = [e for e in element.iterdescendants() if isinstance(e.tag, str) and _byline_marked(e)]
        outermost = [e for e in marked if not any(a in marked for a in e.iterancestors())]
        if len(outermost) >= 2:
            names = clean_authors([_visible_text(e) for e in outermost])
            if names:
                return names
    names = split_authors(text)
    if (
        names
        and rules.on("byline_structure")
        and (len(text.split()) > _BYLINE_LINE_WORDS or any(len(n.split()) > _MAX_NAME_WORDS for n in names))
    ):
        parts = [p for p in _visible_parts(element) if p.strip() and len(p.split()) <= _MAX_PART_WORDS]
        names = clean_authors(parts) or names
    if not names and rules.on("byline_parts"):
        # "Von Anna Berger <a>Themen bearbeiten</a>": markup separates the name from interface text
        # that, joined to it, makes the whole line no name at all.
        names = clean_authors([part for part in _visible_parts(element) if part.strip()])
    return names


# A line printed under the headline with no markup naming it a byline: "Von Anna Berger", "Von: Anna
# Berger", "Text: Anna Berger · Fotos: Max Graf", "Autorin: Anna Berger", "Ein Kommentar von Anna Berger".
_VON_LINE = re.compile(
    r"^(?:(?:(?:ein|eine)\s+[\w-]*(?:beitrag|kommentar|analyse|essay|kolumne|reportage|bericht|glosse|artikel)\s+)?"
    r"(?:von|by)(?:\s*:)?\s+|(?:text|autor(?:in|en)?|autor\s?[*:/_]\s?in(?:nen)?)\s*:\s*)\S",
    re.IGNORECASE,
)
_VON_LINE_WORDS = 12
_NAME_PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "und", "di", "da", "del", "la", "le"})


def _name_word(word: str) -> bool:
    return word[:1].isupper() or word.lower() in _NAME_PARTICLES or word.endswith(".")


def _von_line(tree: HtmlElement) -> list[str]:
    """Names of an unmarked "Von …" line among the first elements after the article's <h1>."""
    kinds = "self::p or self::div or self::span or self::em or self::li"
    if rules.on("byline_post_meta_line"):
        # Share buttons and ad slots between headline and text are empty boxes: they do not count.
        kinds = f"({kinds}) and normalize-space()"
    for element in _after_headline(tree, kinds, 12):
        text = _visible_text(element)
        if not _VON_LINE.match(text) or len(text.split()) > _VON_LINE_WORDS:
            continue
        if _not_posts_byline(element):
            continue
        names = split_authors(text)
        # Capitalised name parts only: "Von Berlin nach Hamburg" is a route and "Von der Leyen in Kiew"
        # a sentence, not bylines.
        if names and all(
            is_agency(n) or (n[:1].isupper() and all(map(_name_word, n.split()))) for n in names
        ):
            return names
        return []  # the first "Von …" line decides
    return []


def printed_bylines(tree: HtmlElement) -> list[str]:
    """The names a page's printed byline gives (what the site template learns its byline noise from)."""
    return _byline_names(tree, _byline_elements(tree))


# A byline line is short; a paragraph that mentions the author is not one.
_BYLINE_KIND_WORDS = 10


def byline_kinds(tree: HtmlElement, names: list[str]) -> set[str]:
    """The element kinds (see element_kind) whose short text prints one of `names`, the authors the
    page's metadata declares: where the site prints its bylines, whatever their class is called."""
    wanted = {fold(n) for n in names if n}
    if not wanted:
        return set()
    headline = _headline_element(tree)
    kinds: set[str] = set()
    for body in tree.iter("body"):
        for element in elements(body):
            signature = element_kind(element)
            if signature is None or len(element) > _LINE_CHILDREN:
                continue
            # lxml's own text_content() to find the few elements that print a name; then their visible text.
            raw = element.text_content()
            if len(raw) > _RAW_LINE_CHARS or not any(name in fold(raw) for name in wanted):
                continue
            if len(_visible_text(element).split()) <= _BYLINE_KIND_WORDS and not _not_own_date(
                element, headline
            ):
                kinds.add(signature)
    return kinds


def _site_byline(tree: HtmlElement, kinds: tuple[str, ...]) -> list[str]:
    """The names, desk or agency the page prints where the site prints its bylines (site template)."""
    for element in _site_elements(tree, kinds, _headline_element(tree)):
        # Not read as author markup: the kind may hold a label on other pages ("Bildergalerie").
        names = clean_authors([_visible_text(element)])
        if names:
            return names
    return []


def _byline_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Byline-like elements outside figures and captions (photo credits name photo agencies)."""
    found = []
    for element in islice(_byline_like(tree), 12):
        if element.xpath("ancestor-or-self::figure|ancestor-or-self::figcaption"):
            continue
        if _CAPTION_CONTEXT.search(element.get("class") or ""):
            continue
        if rules.on("byline_not_in_related") and _not_posts_byline(element):
            # A teaser of another story, a sidebar or the page footer names that story's author.
            continue
        found.append(element)
    return found


# Notes inside the article that a boilerplate pass drops with page chrome: "<p class=article-credit>Mit
# Material von dpa</p>", a source or copyright line under the text.
_CREDIT_NOTES = etree.XPath(
    "(//article|//main)//*[contains(@class, 'credit') or contains(@class, 'copyright') or "
    "contains(@class, 'source') or contains(@class, 'quelle') or contains(@class, 'footer')]"
)
_IMAGE_CONTEXT = re.compile(r"caption|media|image|img|foto|photo|bild|picture|gallery", re.IGNORECASE)
_NOTE_CHARS = 200


def _credit_notes(tree: HtmlElement) -> list[str]:
    """Short credit, source and copyright notes inside the article, not an image's (photo credits)."""
    notes = []
    for element in _CREDIT_NOTES(tree)[:20]:
        text = squash(element.text_content())
        if not text or len(text) > _NOTE_CHARS:
            continue
        context = [element, *islice(element.iterancestors(), 3)]
        if any(
            e.tag in {"figure", "figcaption", "picture"} or _IMAGE_CONTEXT.search(e.get("class") or "")
            for e in context
        ):
            continue
        notes.append(text)
    return notes


# Small print after the article's text: "<span style='font-size: x-small'>ssi, dan; Foto: …</span>".
# or a source or credit box: "<div class=m-source><div>as</div></div>".
_END_CREDITS = etree.XPath(
    "(//article|//main|//*[contains(@class, 'post-body') or contains(@class, 'entry-content')])"
    "//*[self::small or contains(@style, 'small') or contains(@class, 'source') or contains(@class, 'credit') "
    "or contains(@class, 'quelle')]"
)
# Authors' initials (Kürzel) as a credit prints them: "as", "(ssi, dan)", "ab/cd".
_KUERZEL_CREDIT = re.compile(r"^\(?\s*([a-zäöü]{2,4}(?:\s*[,/]\s*[a-zäöü]{2,4}){0,3})\s*\)?$")
_CREDIT_WORDS = 4  # initials of at most four writers


_LEADING_ARTICLE = re.compile(r"^(?:der|die|das)\s+", re.IGNORECASE)


def _site_key(text: str) -> str:
    """A site's name as compared: folded, without a leading article or spaces ("Der Postillon": "postillon")."""
    return fold(_LEADING_ARTICLE.sub("", text.strip())).replace(" ", "")


def _names_site(name: str, site_name: str | None, url: str | None) -> bool:
    """True when an author is the site itself: its name or host ("BRIGITTE.de", "Der Postillon")."""
    keys = set()
    if site_name:
        site = _site_key(site_name)
        keys |= {site, site.rsplit(".", 1)[0]}
    if url:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        keys |= {host, host.split(".")[0]}
    keys.discard("")
    return _site_key(name) in keys


def _end_credit(tree: HtmlElement) -> list[str]:
    """The writers' initials a credit box or small print prints ("(as)", "ssi, dan; Foto: …"); the first wins.

    Only initials: names in credit, source or small-print boxes were as often a recipe teaser's or a menu's.
    """
    for element in _END_CREDITS(tree)[:30]:
        text = squash(element.text_content())
        first = text.split(";", 1)[0].strip()
        if not first or len(first.split()) > _CREDIT_WORDS or any(c.isdigit() for c in first):
            continue
        initials = _KUERZEL_CREDIT.match(first)
        if initials:
            parts = [p.strip() for p in re.split(r"[,/]", initials.group(1)) if p.strip()]
            # An agency's short name ("dpa", "afp") is a credit of its own, not a writer's initials.
            if not any(agency_of(p) for p in parts):
                return parts
    return []


def _byline_texts(elements: list[HtmlElement]) -> list[str]:
    texts = [_visible_text(e) for e in elements]
    return [t for t in texts if t and len(t) <= 200]


def _meta_authors(page: PageMeta) -> list[str]:
    names = [name for name, _ in ld_names(page.ld_get("author"))]
    meta_author = page.first("author", "article:author", "dc.creator")
    if meta_author:
        names.extend(part.strip() for part in re.split(r"[,;]", meta_author))
    return names


def _fill_authors(
    tree: HtmlElement,
    page: PageMeta,
    article: Article,
    bylines: list[HtmlElement],
    house: frozenset[str] = frozenset(),
    noise: frozenset[str] = frozenset(),
    site_bylines: tuple[str, ...] = (),
) -> None:
    entries = ld_names(page.ld_get("author"))
    persons = [_uninverted(name) for name, is_person in entries if is_person]
    organizations = [name for name, is_person in entries if not is_person]
    authors = clean_authors(persons + organizations, explicit=True)
    source = "json-ld"
    meta_author = page.first("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
    meta_names = clean_authors([meta_author]) if meta_author else []
    if authors and meta_names:
        folded = {a.casefold() for a in authors}
        # The meta byline sometimes names the desk or agency next to the person; keep the fuller one.
        if folded < {m.casefold() for m in meta_names}:
            authors, source = meta_names, "meta"
    byline: list[str] | None = None  # the printed byline: read once, where a rule needs it
    # Metadata that names no person ("Redaktion", "admin", an agency) does not outrank a printed byline
    # that does: a desk is the byline only when no person is named.
    if not persons or (
        rules.on("byline_over_desk_metadata")
        and not any(
            not is_desk(a) and not is_agency(a) and not (rules.on("byline_over_accounts") and is_account(a))
            for a in clean_authors(persons, explicit=True)
        )
    ):
        byline = _byline_names(tree, bylines)
        if byline:
            authors, source = byline, "byline"
    elif house and rules.on("byline_over_house_metadata") and _only_house(persons, house):
        # The name most of the site's pages carry in metadata (the account that posts everything)
        # yields to a printed byline naming someone else; printed as the same name, it stays.
        byline = _byline_names(tree, bylines)
        if any(fold(b) not in house and not is_desk(b) and not is_agency(b) for b in byline):
            authors, source = byline, "byline"
    if (
        source == "json-ld"
        and persons
        and rules.on("byline_as_printed")
        # Reading the byline costs a tree search: only where its lines hold a title or an agency.
        and any(adds_to_names(e.text_content()[:300]) for e in bylines)
    ):
        # The printed byline of the same persons is the byline as a reader reads it: with their academic
        # titles and the agency it credits beside them, which structured data leaves out.
        if byline is None:
            byline = _byline_names(tree, bylines)
        if byline and same_people(byline, authors):
            authors, source = byline, "byline"
    if not authors and meta_names:
        authors, source = meta_names, "meta"
    if not authors and site_bylines and rules.on("byline_site_line"):
        # A page whose metadata names no one (agency copy, a desk's note) still prints its byline where
        # the site prints all of them, under a class no page-level rule knows.
        authors, source = _site_byline(tree, site_bylines), "template"
    people = [a for a in authors if not is_desk(a) and not is_agency(a)]
    if people:
        # A desk credited next to a person is the person's desk, not a second author.
        authors = [a for a in authors if not is_desk(a)]
    if rules.on("byline_site_account") and article.site_name:
        # The site's name numbered ("Wunderweib1") is the login that posts for it, whoever wrote the text.
        authors = [a for a in authors if not _site_account(a, article.site_name)]
    if noise and rules.on("byline_site_noise"):
        # What the site prints in its bylines on most pages beside changing names ("Alle Texte", a
        # badge) is its template, not a name; a byline of nothing else stays as it is.
        authors = [a for a in authors if fold(a) not in noise] or authors
    if authors:
        article.authors = authors
        article.sources["authors"] = source


_ACCOUNT_SUFFIX = re.compile(r"[\d_]+$")


def _site_account(name: str, site_name: str) -> bool:
    """True for the site's name with digits or an underscore appended: a CMS login, not a byline."""
    stem = _ACCOUNT_SUFFIX.sub("", name)
    if stem == name or " " in name:
        return False
    site = fold(site_name).replace(" ", "")
    return bool(stem) and fold(stem) in {site, site.rsplit(".", 1)[0]}


# "Berger, Anna", "Müller-Lüdenscheidt, Hans Peter": one person's name as a catalogue writes it.
_INVERTED_NAME = re.compile(r"^([A-ZÄÖÜ][\w'-]+),\s*([A-ZÄÖÜ][\w'-]+(?:\s[A-ZÄÖÜ][\w'-]+)?)$")


def _uninverted(name: str) -> str:
    """A metadata person named "Surname, Given" as a reader reads it, "Given Surname" (not two names)."""
    match = _INVERTED_NAME.match(name)
    if match is None or not rules.on("byline_inverted_name"):
        return name
    if any(agency_of(part) or is_desk(part) for part in match.groups()):
        return name  # "Reuters, AFP", "Sportredaktion, Lokalredaktion": two credits
    return f"{match.group(2)} {match.group(1)}"


def _only_house(persons: list[str], house: frozenset[str]) -> bool:
    """True when every person the JSON-LD names is one of the site's house bylines (as learned: raw)."""
    return bool(persons) and all(fold(p) in house for p in persons)


def _tags(page: PageMeta) -> list[str]:
    values = page.all("article:tag")
    if not values:
        keywords = page.ld_get("keywords")
        if isinstance(keywords, list):
            values = [str(k) for k in keywords]
        elif isinstance(keywords, str):
            values = [keywords]
    if not values:
        values = page.all("news_keywords") or page.all("keywords")
    tags: list[str] = []
    for value in values:
        parts = value.split(",") if len(values) == 1 or "," in value else [value]
        for part in parts:
            tag = squash(part)
            if tag and tag not in tags and len(tag) < 80:
                tags.append(tag)
    return tags


# --- lead, language, paywall, rejection --------------------------------------------------------


def _similar(a: str, b: str) -> bool:
    """Same text give or take a dateline, soft hyphens or a shortened ending."""
    ta, tb = _WORD.findall(a.casefold()), _WORD.findall(b.casefold())
    if not ta or not tb:
        return False
    common = len(set(ta) & set(tb))
    return common / min(len(set(ta)), len(set(tb))) >= 0.7


_LEAD_BLOCKS = frozenset({"p", "div", "section", "header"})


def _lead_block(element: HtmlElement) -> str | None:
    """Text of the paragraph-like block around a lead candidate, if it is lead-sized."""
    node: HtmlElement | None = element
    while node is not None and node.tag not in _LEAD_BLOCKS:
        node = node.getparent()
    if node is None or node.xpath(".//h1|.//h2|.//h3|.//figure|.//ul|.//ol|.//img|ancestor::figure"):
        return None
    text = squash(" ".join(node.itertext()))
    return text if 8 <= len(text.split()) <= 120 else None


def _descriptions(page: PageMeta) -> list[str]:
    candidates = (
        page.ld_text("description"),
        page.first("og:description"),
        page.first("description"),
        page.first("twitter:description"),
    )
    return [d for d in candidates if d]


def _matches_description(line: str, page: PageMeta) -> bool:
    return any(_similar(line, d) for d in _descriptions(page))


def _excluded_lead(element: HtmlElement) -> bool:
    """True inside breadcrumbs, hidden parts, teasers of other stories and page chrome."""
    return within_chrome(element, _EXCLUDED_LEAD_CONTEXT, 6, _lead_marker)


def _lead_marker(node: HtmlElement) -> str:
    """Class, id and attribute names: a lead's context may be told by any of them."""
    return f"{node.get('class') or ''} {node.get('id') or ''} {' '.join(node.attrib)}"


def _lead(tree: HtmlElement, page: PageMeta) -> tuple[str | None, str]:
    descriptions = _descriptions(page)
    body = tree.find("body")
    if body is None:
        return None, ""
    # The lead is usually one of the descriptions, sometimes with a dateline in front; find it on the page.
    probes = {squash(d)[:40]: d for d in descriptions if len(squash(d)) >= 20}
    if probes:
        for element in body.iter("p", "div", "span", "strong", "b"):
            if not element.text:
                continue
            own = squash(element.text)
            for probe, description in probes.items():
                if probe in own:
                    text = _lead_block(element)
                    if text and _similar(text, description):
                        return text, "html"
    for element in body.iter("p", "div"):
        marker = element.get("class")
        if not marker or not _LEAD_CLASS.search(marker) or _excluded_lead(element):
            continue
        text = _lead_block(element)
        if text:
            return text, "html"
    return None, ""


def _guess_language(body: str | None) -> str | None:
    """de or en from function-word counts of the text; None when the text says too little."""
    words = [w.lower() for w in _WORD.findall((body or "")[:3000])]
    german = sum(w in _GERMAN_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS for w in words)
    if german + english < 5:
        return None
    return "de" if german >= english else "en"


def _language(page: PageMeta, body: str | None) -> tuple[str | None, str]:
    declared = (
        page.html_lang
        or page.ld_text("inLanguage")
        or page.first("og:locale", "content-language", "language")
    )
    code = declared.replace("_", "-").split("-")[0].lower() if declared else None
    guess = _guess_language(body)
    # A theme ships its <html lang> (WordPress: en-US) whatever language the posts are written in.
    if code and guess and guess != code and rules.on("language_from_text"):
        return guess, "text"
    if code:
        return code, "meta"
    return guess, "text"


def _paywalled(tree: HtmlElement, page: PageMeta, word_count: int) -> bool:
    if page.article_ld is not None:
        if is_false(page.article_ld.get("isAccessibleForFree")):
            return True
        parts = page.article_ld.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and is_false(part.get("isAccessibleForFree")):
                return True
    if (page.first("article:content_tier") or "").lower() in {"locked", "premium"}:
        return True
    # Class markers alone are weak (many templates carry an unused paywall container), so only
    # believe them when the text is also teaser-length.
    if word_count < 250:
        for element in tree.xpath("//*[@class]")[:5000]:
            if _PAYWALL_CLASS.search(element.get("class") or ""):
                return True
    return False


def _rejection(page: PageMeta, article: Article, url: str | None) -> str | None:
    ld_types = page.ld_types()
    declared_article = page.article_ld is not None or (page.first("og:type") or "").lower() == "article"
    path = urlsplit(url).path if url else ""
    if url and path in {"", "/"} and not urlsplit(url).query:
        return with_detail(Reason.NOT_ARTICLE, "home page")
    if article.title and _LEGAL_TITLES.match(article.title):
        return with_detail(Reason.NOT_ARTICLE, "legal or contact page")
    if url and _NON_ARTICLE_PATH.search(path):
        return with_detail(Reason.NOT_ARTICLE, "listing or service URL")
    if page.article_ld is None and ld_types & NON_ARTICLE_TYPES:
        return (
            with_detail(Reason.NOT_ARTICLE, "structured data says ") + sorted(ld_types & NON_ARTICLE_TYPES)[0]
        )
    if not article.body:
        return with_detail(Reason.NOT_ARTICLE, "no body text")
    if article.word_count < MIN_ARTICLE_WORDS:
        if declared_article and (article.word_count >= MIN_STRUCTURED_ARTICLE_WORDS or article.is_paywalled):
            return None
        return with_detail(Reason.NOT_ARTICLE, f"only {article.word_count} words of body text")
    return None


__all__ = [
    "ARTICLE_TYPES",
    "EXTRACTOR_VERSION",
    "MAX_HTML_BYTES",
    "Article",
    "decode_html",
    "extract_article",
    "strip_site_affixes",
]

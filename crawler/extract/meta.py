"""Structured page metadata: JSON-LD, OpenGraph/article meta, microdata, breadcrumbs, headings, bylines."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import lxml.etree
from lxml.html import HtmlElement

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "asksublicnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "techarticle",
        "scholarlyarticle",
        "report",
        "liveblogposting",
        "socialmediaposting",
        "claimreview",
        "medicalscholarlyarticle",
        "posting",
    }
)
# Types that describe a page that lists or describes things rather than telling a story.
NON_ARTICLE_TYPES = frozenset(
    {
        "collectionpage",
        "itemlist",
        "profilepage",
        "searchresultspage",
        "aboutpage",
        "contactpage",
        "faqpage",
        "checkoutpage",
        "product",
        "event",
        "recipe",
        "jobposting",
        "realestatelisting",
    }
)
_WS = re.compile(r"\s+")
_HOME_NAMES = frozenset({"startseite", "home", "homepage", "start", "übersicht", "index", "titelseite"})
_FALSE_VALUES = frozenset({"false", "0", "no", "http://schema.org/false", "https://schema.org/false"})


def squash(text: str | None) -> str:
    """Collapse white space (and drop zero-width spaces, which break title comparisons)."""
    if not text:
        return ""
    return _WS.sub(" ", text.replace("\u00ad", "")).strip()


def text_of(element: HtmlElement) -> str:
    """Visible text of an element with collapsed white space."""
    return squash(element.text_content())


CHROME_TAGS = frozenset({"nav", "footer", "aside"})


def within_chrome(
    element: HtmlElement, context: re.Pattern[str], depth: int, marker: Callable[[HtmlElement], str]
) -> bool:
    """True when the element or one of its `depth - 1` nearest ancestors is page chrome: a nav, footer
    or aside, or an element whose marker (class, id, ... as `marker` spells it) matches `context`."""
    node: HtmlElement | None = element
    for _ in range(depth):
        if node is None:
            return False
        if node.tag in CHROME_TAGS or context.search(marker(node)):
            return True
        node = node.getparent()
    return False


def _as_text(value: Any) -> str | None:
    """A JSON-LD value as a string (first element of lists, `name` of objects, HTML entities decoded)."""
    if isinstance(value, list):
        for item in value:
            text = _as_text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return _as_text(value.get("name") or value.get("@value"))
    if isinstance(value, str | int | float):
        text = squash(html_lib.unescape(str(value)))
        return text or None
    return None


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().rstrip(";")
    if text.startswith("//<![CDATA["):
        text = text[len("//<![CDATA[") :].rsplit("//]]>", 1)[0]
    try:
        return json.loads(text, strict=False)
    except ValueError:
        # Some CMSs concatenate several objects into one script; read them one after another.
        decoder = json.JSONDecoder(strict=False)
        items, index = [], 0
        while index < len(text):
            while index < len(text) and text[index] in " \t\r\n,;":
                index += 1
            if index >= len(text):
                break
            try:
                obj, index = decoder.raw_decode(text, index)
            except ValueError:
                break
            items.append(obj)
        return items or None


def _flatten(node: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _flatten(item, out, depth + 1)
    elif isinstance(node, dict):
        if "@graph" in node:
            _flatten(node["@graph"], out, depth + 1)
        if "@type" in node:
            out.append(node)
        main = node.get("mainEntity")
        if isinstance(main, dict | list):
            _flatten(main, out, depth + 1)


@dataclass
class PageMeta:
    """Everything the page says about itself, gathered in one pass over the tree."""

    jsonld: list[dict[str, Any]] = field(default_factory=list)
    article_ld: dict[str, Any] | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)
    title_tag: str | None = None
    html_lang: str | None = None
    canonical: str | None = None
    shortlink: str | None = None  # <link rel=shortlink>: WordPress's /?p=ID, the post's lasting name
    jsonld_error: bool = False

    def first(self, *names: str) -> str | None:
        """First non-empty value of the named <meta> tags, in the order given."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value:
                    return value
        return None

    def all(self, name: str) -> list[str]:
        """All non-empty values of one <meta> name."""
        return [v for v in self.meta.get(name, ()) if v]

    def ld_types(self) -> set[str]:
        """Lower-cased @type names of every JSON-LD object on the page."""
        types: set[str] = set()
        for item in self.jsonld:
            types |= _types(item)
        return types

    def ld_get(self, key: str) -> Any:
        """A property of the main article object."""
        return self.article_ld.get(key) if self.article_ld else None

    def ld_text(self, key: str) -> str | None:
        """A property of the main article object as text."""
        return _as_text(self.ld_get(key))

    def webpage_text(self, key: str) -> str | None:
        """A property of the page's own WebPage object (Yoast's graph without an Article piece) as text."""
        for item in self.jsonld:
            if _types(item) & _WEBPAGE_TYPES:
                value = _as_text(item.get(key))
                if value:
                    return value
        return None


# Yoast SEO's graph describes every post as a WebPage; only with a configured publisher does it add an
# Article piece. The WebPage then carries the post's own dates.
_WEBPAGE_TYPES = frozenset({"webpage", "itempage"})


def _claims_page(item: dict[str, Any], titles: tuple[str, ...], url: str | None) -> bool:
    """Whether an article object says it is this page: its headline printed as the page's title, or its URL."""
    headline = squash(_as_text(item.get("headline")) or "").casefold()
    if headline and any(headline in title for title in titles):  # the <title> adds the site's name
        return True
    own = item.get("mainEntityOfPage") or item.get("url")
    own = own.get("@id") if isinstance(own, dict) else own
    return bool(url) and isinstance(own, str) and own.rstrip("/") == (url or "").rstrip("/")


def _pick_article(
    items: list[dict[str, Any]], titles: tuple[str, ...] = (), url: str | None = None
) -> dict[str, Any] | None:
    """The page's own article object: the one whose headline or URL is the page's, else the richest."""
    best: tuple[int, dict[str, Any]] | None = None
    for position, item in enumerate(items):
        types = _types(item)
        if not types & ARTICLE_TYPES:
            continue
        # Prefer the richest object: with headline, dates and body, and the earliest on the page; but a
        # related story's object (a CMS prints one per teaser) never before the one that names this page.
        score = sum(bool(item.get(k)) for k in ("headline", "datePublished", "author", "articleBody")) * 10
        score -= position
        if _claims_page(item, titles, url):
            score += 1000
        if best is None or score > best[0]:
            best = (score, item)
    return best[1] if best else None


# Properties of the article object whose value may be a bare reference ({"@id": …}) to another node of
# the page's JSON-LD: SEO plugins write the author and the publisher so, naming them once in the @graph.
_REFERENCED = ("author", "publisher", "creator")


def _lookup(value: Any, nodes: dict[str, dict[str, Any]]) -> Any:
    """The node a bare {"@id": …} reference names (the value itself when it is more, or names nothing known)."""
    if isinstance(value, dict) and not value.get("name") and isinstance(value.get("@id"), str):
        return nodes.get(value["@id"], value)
    return value


def _resolved(article: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The article object with bare @id references of its author and publisher replaced by the nodes named."""
    nodes = {item["@id"]: item for item in items if isinstance(item.get("@id"), str) and item is not article}
    if not nodes:
        return article
    resolved = dict(article)
    for key in _REFERENCED:
        value = article.get(key)
        if isinstance(value, list):
            resolved[key] = [_lookup(entry, nodes) for entry in value]
        elif value is not None:
            resolved[key] = _lookup(value, nodes)
    return resolved


def collect(tree: HtmlElement) -> PageMeta:
    """Read JSON-LD, <meta>, <title>, <html lang>, the canonical link and the shortlink from a parsed page."""
    page = PageMeta()
    for script in tree.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" not in kind or not script.text:
            continue
        data = _load_json(script.text)
        if data is None:
            page.jsonld_error = True
            continue
        _flatten(data, page.jsonld)
    for element in tree.iter("meta"):
        key = (
            element.get("property")
            or element.get("name")
            or element.get("itemprop")
            or element.get("http-equiv")
        )
        content = element.get("content")
        if key and content is not None:
            page.meta.setdefault(key.strip().lower(), []).append(squash(html_lib.unescape(content)))
    title = tree.find(".//title")
    if title is not None:
        page.title_tag = squash(title.text_content()) or None
    root = tree.getroottree().getroot()
    page.html_lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if not href:
            continue
        if "canonical" in rel and page.canonical is None:
            page.canonical = href
        elif "shortlink" in rel and page.shortlink is None:
            page.shortlink = href
    heading = tree.find(".//h1")
    titles = (
        page.first("og:title"),
        page.title_tag,
        squash(heading.text_content()) if heading is not None else None,
    )
    page.article_ld = _pick_article(page.jsonld, tuple(t.casefold() for t in titles if t), page.canonical)
    if page.article_ld is not None:
        page.article_ld = _resolved(page.article_ld, page.jsonld)
    return page


def is_false(value: Any) -> bool:
    """True for JSON-LD/meta spellings of false (False, "false", "http://schema.org/False")."""
    if isinstance(value, bool):
        return value is False
    return isinstance(value, str) and value.strip().lower() in _FALSE_VALUES


def ld_names(value: Any) -> list[tuple[str, bool]]:
    """(name, is_person) for each JSON-LD author entry."""
    entries = value if isinstance(value, list) else [value]
    result = []
    for entry in entries:
        if isinstance(entry, str):
            name, person = entry, True
        elif isinstance(entry, dict):
            name = _as_text(entry.get("name")) or ""
            if not name and (entry.get("givenName") or entry.get("familyName")):
                name = f"{_as_text(entry.get('givenName')) or ''} {_as_text(entry.get('familyName')) or ''}"
            types = _types(entry)
            person = not types or "person" in types
        else:
            continue
        name = squash(html_lib.unescape(name))
        if name:
            result.append((name, person))
    return result


def breadcrumb_ld(page: PageMeta) -> list[tuple[str, str | None]]:
    """(name, url) pairs of the JSON-LD BreadcrumbList, in position order."""
    for item in page.jsonld:
        if "breadcrumblist" not in _types(item):
            continue
        elements = item.get("itemListElement")
        if not isinstance(elements, list):
            continue
        crumbs: list[tuple[float, str, str | None]] = []
        for index, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            target = element.get("item")
            name = _as_text(element.get("name")) or (_as_text(target) if isinstance(target, dict) else None)
            url = target.get("@id") or target.get("url") if isinstance(target, dict) else target
            try:
                position = float(element.get("position", index))
            except (TypeError, ValueError):
                position = index
            if name:
                crumbs.append((position, name, url if isinstance(url, str) else None))
        if crumbs:
            return [(name, url) for _, name, url in sorted(crumbs, key=lambda c: c[0])]
    return []


_BREADCRUMB_TYPES = frozenset({"https://schema.org/BreadcrumbList", "http://schema.org/BreadcrumbList"})
# "breadcrumb" in any case of its letters (what XPath's translate() folding did).
_BREADCRUMB_FOLD = str.maketrans("BREADCUM", "breadcum")


def elements(tree: HtmlElement) -> Iterator[HtmlElement]:
    """Every element of the tree in document order.

    Why not XPath: a `//*[…]` whose predicate reads attributes evaluates it on every element in
    libxml2's XPath engine, 3–4 ms on a large news page; this walk with the test in Python costs a
    fifth of that.
    """
    return tree.iter(lxml.etree.Element)


# A class that says a page or wrapper *has* breadcrumbs ("has-breadcrumbs" on <body> or <main>) names a
# state of the layout, not the trail: the trail is an element of its own.
_STATE_PREFIXES = ("has-", "no-", "with-", "without-", "show-", "hide-", "is-")


def _is_breadcrumb(element: HtmlElement) -> bool:
    if element.tag in {"html", "body"}:
        return False
    classes = element.get("class")
    if classes and any(
        "breadcrumb" in token and not token.lower().startswith(_STATE_PREFIXES)
        for token in classes.translate(_BREADCRUMB_FOLD).split()
    ):
        return True
    for name in ("id", "aria-label"):
        value = element.get(name)
        if value and "breadcrumb" in value.translate(_BREADCRUMB_FOLD):
            return True
    return element.get("itemtype") in _BREADCRUMB_TYPES


def breadcrumb_html(tree: HtmlElement) -> list[str]:
    """Names in the first visible breadcrumb trail (list items or links)."""
    for container in list(islice((e for e in elements(tree) if _is_breadcrumb(e)), 3)):
        items = container.xpath(".//li") or container.xpath(".//a")
        names = [text_of(item) for item in items]
        names = [n for n in names if n and len(n) < 80 and n not in {">", "›", "/", "»"}]
        if names:
            return names
    return []


def clean_path(names: list[str], title: str | None, site_name: str | None) -> list[str]:
    """Breadcrumb names without the home entry and without the article's own title at the end."""
    path = [squash(n).strip(" >›»/|") for n in names]
    path = [n for n in path if n]
    home = {h for h in _HOME_NAMES}
    if site_name:
        home.add(site_name.casefold())
    while path and (path[0].casefold() in home or ("." in path[0] and " " not in path[0])):
        path.pop(0)
    if path and title:
        last, folded_title = path[-1].casefold(), title.casefold()
        if last == folded_title or (
            len(last) > 25 and (folded_title.startswith(last) or last in folded_title)
        ):
            path.pop()
    # A very long last entry is the article headline under another wording, not a section.
    if path and len(path[-1].split()) > 6:
        path.pop()
    return path

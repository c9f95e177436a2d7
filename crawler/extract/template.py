"""Learn the site, not the page: what repeats across a site's pages is its template, not article text.

Learned per run from a sample of the site's stored pages and kept per site (table
`site_templates`): the title prefixes and suffixes the site puts around every headline in <title>
and og:title ("… – Nachrichtenportal Deutschland", "Politik | …"), and the text blocks printed on
most pages (newsletter boxes, "Lesen Sie auch" captions, legal lines) that a page-level extractor
may take for article text, the house byline (the author the metadata names on most pages: the CMS
account that posts everything, the site's own name) and byline noise (a name the printed bylines give
beside every writer), the date lines (the element kinds that print the article's date on most pages, a
different day on different pages) and the byline lines (the element kinds that print the author the
metadata declares on most pages). Copies of one story count once. Extraction strips those
affixes from metadata titles, drops those blocks from the body, lets a printed byline outrank the house
byline, drops the noise from the authors, reads a page's date from the site's date line before any
other printed date, and reads the byline where the site prints its bylines (the element kinds that print
the metadata's author on most pages) when nothing else names one; a page of a site never seen still
extracts without a template.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import lxml.etree
import lxml.html

from crawler.extract.authors import agency_of
from crawler.extract.meta import PageMeta, collect, ld_names, squash
from crawler.textnorm import words

# A string counts as the site's when at least this share of the sampled pages carries it ...
MIN_SHARE = 0.5
# ... and at least this many pages: two pages sharing a phrase are a coincidence, not a template.
MIN_PAGES = 4
# A name counts as byline noise when this share of the pages with a printed byline carries it beside
# at least NOISE_PARTNERS different names: interface text stands on every byline, a writer does not.
NOISE_SHARE = 0.8
NOISE_PARTNERS = 3
# Two sampled pages are copies of one story when the 4-word runs of their own text blocks have this
# Jaccard similarity (dedupe's near-duplicate threshold; agency copies measure >= 0.37 there); blocks on
# EVERYWHERE_SHARE of the pages are the site's, not a page's own.
SHINGLE_WORDS = 4
COPY_SIMILARITY = 0.25
EVERYWHERE_SHARE = 0.8
# Text blocks are learned from this many different stories at least: in a first night's early sample
# of a few stories, a subheading two of them share is no template yet.
MIN_STORIES_FOR_BLOCKS = 10
# A date line whose class names the update ("time.updated", "span.modified-date") and not the
# publication (WordPress marks an unedited post's <time> "entry-date published updated") gives no
# publication date.
_UPDATE_ONLY = re.compile(
    r"^(?!.*publish).*(?:updated|modified|aktualisiert|geaendert|geändert)", re.IGNORECASE
)
# A printed date kind is the article's date line only if it gives the day the metadata declares on this
# share of the pages that declare one.
DATE_AGREEMENT = 0.8
# Pages to learn from; more only confirm what 40 already show.
SAMPLE_PAGES = 40
_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " • ", ": ", " › ", " « ", " » ")
_MAX_AFFIX_WORDS = 6
_BLOCK_MIN_WORDS = 3
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_OG_TITLE = re.compile(
    r"<meta[^>]+(?:property|name)=[\"']og:title[\"'][^>]*content=[\"']([^\"']*)[\"']", re.IGNORECASE
)
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
# As in crawler.extract.article: lxml.html's classes from lxml's C lookup, not a Python call per element.
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction
    )
)


@dataclass
class SiteTemplate:
    """What a site prints around every article; empty lists when nothing repeats."""

    title_prefixes: list[str] = field(default_factory=list)
    title_suffixes: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)
    pages: int = 0
    # Metadata authors on most pages: the house byline, not the writer (see `house_keys`).
    house_authors: list[str] = field(default_factory=list)
    # Names the printed bylines give on most pages beside changing ones: interface text, a badge.
    byline_noise: list[str] = field(default_factory=list)
    # Element kinds ("span.article-date") that print the article's date on most pages, most pages first.
    date_lines: list[str] = field(default_factory=list)
    # Element kinds that print the author the metadata declares on most pages: where bylines stand.
    byline_lines: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (stored in site_templates.template)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SiteTemplate | None:
        """The template stored as a dict, or None for none stored."""
        if not data:
            return None
        return cls(
            list(data.get("title_prefixes") or []),
            list(data.get("title_suffixes") or []),
            list(data.get("boilerplate") or []),
            int(data.get("pages") or 0),
            # Absent from templates stored before they were learned.
            list(data.get("house_authors") or []),
            list(data.get("byline_noise") or []),
            list(data.get("date_lines") or []),
            list(data.get("byline_lines") or []),
        )

    def affixes(self) -> tuple[list[str], list[str]]:
        """(prefixes, suffixes) for `title.strip_site_affixes`."""
        return self.title_prefixes, self.title_suffixes

    def boilerplate_keys(self) -> frozenset[str]:
        """Folded boilerplate blocks, for comparing body lines."""
        return _folded(tuple(self.boilerplate))

    def house_keys(self) -> frozenset[str]:
        """Folded house bylines, for comparing metadata authors."""
        return _folded(tuple(self.house_authors))

    def noise_keys(self) -> frozenset[str]:
        """Folded byline noise, for comparing author names."""
        return _folded(tuple(self.byline_noise))


@lru_cache(maxsize=256)
def _folded(texts: tuple[str, ...]) -> frozenset[str]:
    # Every page of a site is extracted with the same template (rebuilt from its dict per page), so
    # its folded strings are worked out once per worker, not once per page.
    return frozenset(fold(t) for t in texts)


def fold(text: str) -> str:
    """Case and white space folded."""
    return squash(text).casefold()


def _titles(html: str) -> list[str]:
    head = html[:200_000]
    found = [
        squash(lxml.html.fromstring(f"<p>{m}</p>").text_content()) for m in _TITLE.findall(head)[:1] if m
    ]
    found += [squash(m) for m in _OG_TITLE.findall(head)[:1]]
    return [t for t in found if t]


def _affixes(title: str) -> tuple[set[str], set[str]]:
    prefixes, suffixes = set(), set()
    for separator in _SEPARATORS:
        start = 0
        while (index := title.find(separator, start)) >= 0:
            head, tail = title[: index + len(separator)], title[index:]
            if len(tail.split()) <= _MAX_AFFIX_WORDS + 1:
                suffixes.add(tail)
            if len(head.split()) <= _MAX_AFFIX_WORDS and separator != ": ":
                prefixes.add(head)
            start = index + 1
    return prefixes, suffixes


def _parsed(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (ValueError, lxml.etree.ParserError):
        return None


def _blocks(tree: lxml.html.HtmlElement) -> set[str]:
    blocks = set()
    for element in tree.iter("p", "h2", "h3", "h4", "li", "figcaption"):
        text = squash(element.text_content())
        if len(text.split()) >= _BLOCK_MIN_WORDS and len(text) < 400:
            blocks.add(text)
    return blocks


def _metadata_authors(page: PageMeta) -> set[str]:
    """The authors a page's JSON-LD and <meta name=author> name, as written."""
    names = {name for name, _ in ld_names(page.ld_get("author"))}
    names.update(page.all("author"))
    return {squash(n) for n in names if squash(n)}


@dataclass
class _PageParts:
    """What one sampled page offers the template."""

    prefixes: set[str]
    suffixes: set[str]
    blocks: dict[str, str]  # folded -> as printed
    authors: dict[str, str]
    printed: dict[str, str]
    dates: dict[str, str] = field(default_factory=dict)  # date-line kind -> the date it prints
    declared: str | None = None  # the publication date the metadata declares
    bylines: set[str] = field(default_factory=set)  # kinds that print an author the metadata declares


def _page_parts(html: str) -> _PageParts:
    prefixes: set[str] = set()
    suffixes: set[str] = set()
    for title in _titles(html):
        found_prefixes, found_suffixes = _affixes(title)
        prefixes |= found_prefixes
        suffixes |= found_suffixes
    tree = _parsed(html)
    if tree is None:
        return _PageParts(prefixes, suffixes, {}, {}, {})
    page = collect(tree)  # read once for the metadata's authors and date
    dates, declared = _dates(tree, page)
    authors = _metadata_authors(page)
    return _PageParts(
        prefixes,
        suffixes,
        {fold(b): b for b in _blocks(tree)},
        {fold(a): a for a in authors},
        {fold(n): n for n in _printed_bylines(tree)},
        dates,
        declared,
        _byline_kinds(tree, authors),
    )


def _shingles(texts: Iterable[str]) -> set[tuple[str, ...]]:
    tokens = words(" ".join(texts))
    return {tuple(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def _one_per_story(parts: list[_PageParts]) -> list[_PageParts]:
    """The pages with copies of one story (an agency story under several URLs) reduced to the first.

    Copies, even reworded ones, share many word runs of their own text; different stories few. Counted
    once each, copies that fill a small early sample cannot make their story's text the site's
    template. Blocks on nearly every page (menus, footers) are left out of the comparison.
    """
    on_pages = Counter(key for page in parts for key in page.blocks)
    everywhere = {key for key, n in on_pages.items() if n >= EVERYWHERE_SHARE * len(parts)}
    kept: list[tuple[_PageParts, set[tuple[str, ...]]]] = []
    for page in parts:
        own = _shingles(text for key, text in page.blocks.items() if key not in everywhere)
        if not any(own and seen and len(own & seen) >= COPY_SIMILARITY * len(own | seen) for _, seen in kept):
            kept.append((page, own))
    return [page for page, _ in kept]


def learn(pages: Iterable[str]) -> SiteTemplate:
    """The template shared by a site's pages (HTML strings)."""
    read = [_page_parts(html) for html in pages]
    stories = _one_per_story(read)
    if len(stories) < MIN_PAGES:
        return SiteTemplate(pages=len(read))
    needed = max(MIN_PAGES, MIN_SHARE * len(stories))

    def common(sets: Sequence[Iterable[str]]) -> list[str]:
        counts = Counter(key for found in sets for key in found)
        return [key for key, n in counts.items() if n >= needed]

    def spelled(maps: list[dict[str, str]]) -> list[str]:
        spelling = {key: value for found in reversed(maps) for key, value in found.items()}
        return [spelling[key] for key in sorted(common(maps))]

    # Longest first: "| Politik – Site" is stripped whole before "– Site" alone is tried.
    return SiteTemplate(
        title_prefixes=sorted(common([p.prefixes for p in stories]), key=lambda a: (-len(a), a)),
        title_suffixes=sorted(common([p.suffixes for p in stories]), key=lambda a: (-len(a), a)),
        boilerplate=spelled([p.blocks for p in stories]) if len(stories) >= MIN_STORIES_FOR_BLOCKS else [],
        pages=len(read),
        house_authors=spelled([p.authors for p in stories]),
        byline_noise=_byline_noise([p.printed for p in stories if p.printed]),
        date_lines=_date_lines(stories, needed),
        byline_lines=_byline_lines([p.bylines for p in stories if p.authors]),
    )


def _printed_bylines(tree: lxml.html.HtmlElement) -> list[str]:
    # The extractor's own byline reading, imported here: crawler.extract.article imports this module.
    from crawler.extract.article import printed_bylines

    try:
        return printed_bylines(tree)
    except Exception:  # like extract_article's own guard: a page it cannot read teaches nothing
        return []


def _dates(tree: lxml.html.HtmlElement, page: PageMeta) -> tuple[dict[str, str], str | None]:
    # The extractor's own date reading, imported here like printed_bylines.
    from crawler.extract.article import declared_date, printed_dates

    try:
        return printed_dates(tree), declared_date(page)
    except Exception:  # a page the extractor cannot read teaches nothing
        return {}, None


def _byline_kinds(tree: lxml.html.HtmlElement, authors: set[str]) -> set[str]:
    # The extractor's own element kinds, imported here like printed_bylines.
    from crawler.extract.article import byline_kinds

    try:
        return byline_kinds(tree, sorted(authors))
    except Exception:  # a page the extractor cannot read teaches nothing
        return set()


def _byline_lines(declaring: list[set[str]]) -> list[str]:
    """Element kinds that print the declared author on half the pages that declare one (and MIN_PAGES),
    on most pages first."""
    counts: Counter[str] = Counter(kind for kinds in declaring for kind in kinds)
    needed = max(MIN_PAGES, MIN_SHARE * len(declaring))
    return [
        kind
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if count >= needed
    ]


def _date_lines(stories: list[_PageParts], needed: float) -> list[str]:
    """Element kinds that print a date on `needed` pages: a different day on different pages (a date
    the same on every page is the site's, today's in its header), and the day the metadata declares
    on DATE_AGREEMENT of the pages that declare one."""
    kinds: Counter[str] = Counter(
        kind for page in stories for kind in page.dates if not _UPDATE_ONLY.search(kind)
    )
    learned = []
    # On as many pages, a <time> first: its datetime attribute is exact, a meta line's text may not be.
    for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], not item[0].startswith("time."))):
        days = [page.dates[kind][:10] for page in stories if kind in page.dates]
        declared = [
            (page.dates[kind][:10], page.declared[:10])
            for page in stories
            if kind in page.dates and page.declared
        ]
        agreeing = sum(printed == said for printed, said in declared)
        if count >= needed and len(set(days)) > 1 and agreeing >= DATE_AGREEMENT * len(declared):
            learned.append(kind)
    return learned


def _byline_noise(printed: list[dict[str, str]]) -> list[str]:
    """Names on NOISE_SHARE of the bylined pages, each time beside NOISE_PARTNERS other names or more."""
    counts: Counter[str] = Counter(key for names in printed for key in names)
    needed = max(MIN_PAGES, NOISE_SHARE * len(printed))
    noise = []
    for key, count in counts.items():
        partners = {other for names in printed if key in names for other in names if other != key}
        if count >= needed and len(partners) >= NOISE_PARTNERS:
            spelling = next(names[key] for names in printed if key in names)
            if not agency_of(spelling):  # "dpa" beside every writer is a credit, not noise
                noise.append(spelling)
    return sorted(noise)

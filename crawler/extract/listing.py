"""Listing pages (archives, category/tag/author/date pages, the blog index) told by what the site says.

WordPress themes name the template in `<body class>`: `single`/`single-post` for a post, `archive`
with `date`/`category`/`tag`/`author` for archives, `blog` for the posts index, `paged` for a page
2+ of any of them. Without those classes, several post teasers (`type-post`, `hentry`, the block
editor's `wp-block-post`) next to a `rel=next`/`rel=prev` link, or many teasers on their own, mark a
listing. No URL or site name decides.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree

from crawler.extract.meta import elements

# Body classes of a post or page template: the page is one entry, whatever else it shows.
ENTRY_CLASSES = frozenset({"single", "single-post", "page-template-default", "attachment"})
# Body classes of list templates (WordPress core's body_class() for archives, index and search).
LISTING_CLASSES = (
    "archive",
    "date",
    "category",
    "tag",
    "author",
    "blog",
    "paged",
    "search",
    "search-results",
)
# Elements WordPress's post loops repeat once per listed post (classic and block themes).
TEASERS_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' type-post ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' hentry ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' wp-block-post ')]"
)
PAGINATION_XPATH = "//link[@rel='next' or @rel='prev'] | //a[@rel='next' or @rel='prev']"
# Enough teasers on one page to be a list even without pagination.
MANY_TEASERS = 4


def listing_reason(body_class: str, teasers: int, paginated: bool, declared_article: bool) -> str | None:
    """Why a page is a listing (`body class archive`, `5 post teasers`...), or None when it is not."""
    classes = set(body_class.lower().split())
    if classes & ENTRY_CLASSES:
        return None
    found = [name for name in LISTING_CLASSES if name in classes]
    if found:
        return "body class " + " ".join(found)
    if declared_article:
        return None  # a post with a related-posts block: its teasers do not make it a list
    if teasers >= MANY_TEASERS or (teasers >= 2 and paginated):
        return f"{teasers} post teasers" + (" and pagination" if paginated else "")
    return None


TEASER_CLASSES = frozenset({"type-post", "hentry", "wp-block-post"})
# normalize-space() separators: TEASERS_XPATH's class tokens, for the walk below.
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _teaser_count(tree: Any) -> int:
    """How many elements TEASERS_XPATH selects: walked for an lxml tree, asked of a parsel selector."""
    if not isinstance(tree, lxml.etree._Element):
        return len(tree.xpath(TEASERS_XPATH))
    count = 0
    for element in elements(tree):
        value = element.get("class")
        if value and any(name in value for name in TEASER_CLASSES):
            count += not TEASER_CLASSES.isdisjoint(_XML_SPACE.split(value))
    return count


def page_listing_reason(tree: Any, declared_article: bool) -> str | None:
    """listing_reason for an lxml tree or a parsel selector (both give the same answer)."""
    body_class = " ".join(str(v) for v in _values(tree.xpath("//body/@class")))
    teasers = _teaser_count(tree)
    paginated = bool(tree.xpath(PAGINATION_XPATH))
    return listing_reason(body_class, teasers, paginated, declared_article)


def _values(found: Any) -> list[Any]:
    # parsel returns Selectors, lxml returns strings for attribute XPaths.
    return [item.get() if hasattr(item, "get") and not isinstance(item, str) else item for item in found]

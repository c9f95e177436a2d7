"""Section and tags from the post's own category and tag links (WordPress themes and many others).

Core WordPress emits neither og:title nor JSON-LD; what it prints is `rel="category tag"` links to
`/category/<slug>/` (nested: `/category/politik/inland/`) and `rel="tag"` links to `/tag/<slug>/`
in the post's header or footer. Links in menus, widgets and footers list the whole site, so only
links inside the post count.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement

from crawler.extract.meta import squash

_LINK_XPATH = (
    "//a[@href and (contains(@rel, 'tag') or contains(@href, '/category/') or contains(@href, '/tag/'))]"
)
_OUTSIDE_POST = re.compile(r"widget|sidebar|menu|(?<![\w-])nav|footer-|site-footer|related|breadcrumb", re.I)
_CATEGORY_PATH = re.compile(r"/category/((?:[^/?#]+/)*[^/?#]+)/?$")
_TAG_PATH = re.compile(r"/tag/([^/?#]+)/?$")
_MAX_TAGS = 30


def _in_post(link: HtmlElement) -> bool:
    """True when the link sits in the post (its header, meta line or footer), not in page chrome."""
    node = link.getparent()
    inside_article = False
    while node is not None:
        if node.tag in {"nav", "aside"} or (
            node.tag == "footer" and not inside_article and _is_site_footer(node)
        ):
            return False
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if _OUTSIDE_POST.search(marker):
            return False
        # Block themes (Twenty Twenty-Three) print the post in <main> without an <article>.
        if node.tag in {"article", "main"} or "post" in marker.split() or "hentry" in marker:
            inside_article = True
        node = node.getparent()
    return inside_article


def _is_site_footer(node: HtmlElement) -> bool:
    # A <footer> inside the post (entry-footer) holds its tags; the page's own footer does not.
    return not any(a.tag == "article" for a in node.iterancestors())


def _links(tree: HtmlElement) -> list[HtmlElement]:
    return [link for link in tree.xpath(_LINK_XPATH)[:200] if _in_post(link)]


def _slug_name(slug: str) -> str:
    return unquote(slug).replace("-", " ").strip().title()


def category_path(tree: HtmlElement) -> list[str]:
    """The post's primary category as a path, outermost first ([] when the page links none)."""
    links = _links(tree)
    names_by_path: dict[str, str] = {}
    primary: str | None = None
    for link in tree.xpath("//a[contains(@href, '/category/')]")[:300]:
        match = _CATEGORY_PATH.search(urlsplit(link.get("href", "")).path)
        text = squash(link.text_content())
        if match and text:
            names_by_path.setdefault(match.group(1).strip("/"), text)
    for link in links:
        # Classic themes mark category links rel="category tag", block themes rel="tag": the path decides.
        match = _CATEGORY_PATH.search(urlsplit(link.get("href", "")).path)
        if match:
            primary = match.group(1).strip("/")
            names_by_path[primary] = squash(link.text_content()) or names_by_path.get(primary, "")
            break
    if not primary:
        return []
    slugs = primary.split("/")
    path = []
    for depth in range(1, len(slugs) + 1):
        key = "/".join(slugs[:depth])
        path.append(names_by_path.get(key) or _slug_name(slugs[depth - 1]))
    return [p for p in path if p]


def tag_names(tree: HtmlElement) -> list[str]:
    """Names of the post's tag links, in page order."""
    tags: list[str] = []
    for link in _links(tree):
        rel = (link.get("rel") or "").split()
        path = urlsplit(link.get("href", "")).path
        if "category" in rel or _CATEGORY_PATH.search(path):
            continue
        if "tag" in rel or _TAG_PATH.search(path):
            name = squash(link.text_content()).lstrip("#")
            if name and name not in tags and len(name) < 80:
                tags.append(name)
        if len(tags) >= _MAX_TAGS:
            break
    return tags

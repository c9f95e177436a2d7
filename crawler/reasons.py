"""One vocabulary of rejection reasons: why a stored page is not an article (`raw_pages.rejected_reason`)."""

from __future__ import annotations

import codecs
import re
from enum import StrEnum


class Reason(StrEnum):
    """The code before the colon of every `rejected_reason`; details may follow it (see `with_detail`)."""

    # The payload itself: decided once, by `payload_problem`, for the crawl and the clean stage alike.
    EMPTY = "empty"
    BINARY = "binary"
    TOO_LARGE = "too_large"
    NOT_HTML = "not_html"
    UNPARSEABLE = "unparseable"
    CORRUPT_BODY = "corrupt_body"  # the stored gzip of a page does not decompress
    # What the page is: a listing, home or service page, or an article outside the configured sections.
    NOT_ARTICLE = "not_article"
    OUTSIDE_SECTIONS = "outside_sections"
    OUTSIDE_LANGUAGES = "outside_languages"  # an article in a language the site's `languages` leave out
    # Fetch outcomes without a usable response.
    REDIRECT_LOOP = "redirect_loop"
    OFFSITE_REDIRECT = "offsite_redirect"
    ROBOTS_FORBIDDEN = "robots_forbidden"
    ROBOTS_UNREACHABLE = "robots_unreachable"  # robots.txt answered 5xx or nothing: the night fetched nothing
    IGNORED = "ignored"
    FETCH_ERROR = "fetch_error"
    # Discovery documents (sitemaps, feeds) that could not be read.
    INVALID_XML = "invalid_xml"
    HOSTILE_XML = "hostile_xml"
    NOT_A_SITEMAP = "not_a_sitemap"
    # The extractor raised: a bug to look at, never a property of the page.
    ERROR = "error"


# Reasons that are part of a normal crawl rather than a sign of trouble (quality checks leave them out).
# NOT_HTML: robots.txt, sitemaps, feeds and REST API pages; on a cheap incremental night they are half
# of what is fetched.
EXPECTED = (Reason.NOT_ARTICLE, Reason.OUTSIDE_SECTIONS, Reason.OUTSIDE_LANGUAGES, Reason.NOT_HTML)


def with_detail(reason: Reason, detail: str) -> str:
    """`code: detail`, the stored form of a reason that carries an explanation."""
    return f"{reason}: {detail}"


def http_status(status: int) -> str:
    """The reason stored for a response with an error or redirect status (`http_404`)."""
    return f"http_{status}"


def code_of(rejected_reason: str) -> str:
    """The code of a stored reason, without its detail (`not_article: home page` → `not_article`)."""
    return rejected_reason.split(":", 1)[0].strip()


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


# A tag that opens a page of markup, looked for at the start of a payload that holds NUL bytes.
_MARKUP_START = re.compile(rb"<(?:(?:!doctype|html|head|body|meta|title|\?xml)\b|!--)", re.IGNORECASE)
_MARKUP_START_BYTES = 1024


def looks_binary(data: bytes) -> bool:
    """True for images, archives and other non-text payloads (NUL bytes or many control bytes)."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        # UTF-16 text has NULs too, but only with a byte-order mark in front.
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return False
        # A page of markup with a stray NUL (a CMS's broken copy and paste) is text, as browsers render
        # it; an image or archive opens with no tag, and UTF-16 without a mark is half NULs.
        few = sample.count(b"\x00") * 100 <= len(sample)
        if not (few and _MARKUP_START.search(sample, 0, _MARKUP_START_BYTES)):
            return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # one pass, not one per byte value
    return controls / len(sample) > 0.05


def payload_problem(body: bytes, max_bytes: int | None = None) -> Reason | None:
    """Empty, too large or binary: the checks every stored page gets before anyone parses it."""
    if not body.strip():
        return Reason.EMPTY
    if max_bytes is not None and len(body) > max_bytes:
        return Reason.TOO_LARGE
    if looks_binary(body):
        return Reason.BINARY
    return None

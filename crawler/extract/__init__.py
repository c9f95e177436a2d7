"""Article extraction: one HTML page in, title, body, metadata, dates and authors out."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extract.article import MAX_HTML_BYTES, Article, extract_article
    from crawler.extract.charset import decode_html
    from crawler.extract.version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "MAX_HTML_BYTES", "Article", "decode_html", "extract_article"]


# Where each lazily loaded name lives: the crawl process reads only `extract.meta` and must not pay
# for trafilatura, and the clean stage's own process only stamps rows with the version.
_HOMES = {
    "EXTRACTOR_VERSION": "crawler.extract.version",
    "decode_html": "crawler.extract.charset",
    "MAX_HTML_BYTES": "crawler.extract.article",
    "Article": "crawler.extract.article",
    "extract_article": "crawler.extract.article",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    # Kept as a module attribute: later lookups (one per page in the clean workers) skip this function.
    globals()[name] = value
    return value

"""Article extraction: one HTML page in, title, body, metadata, dates and authors out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extract.article import EXTRACTOR_VERSION, MAX_HTML_BYTES, Article, extract_article
    from crawler.extract.charset import decode_html

__all__ = ["EXTRACTOR_VERSION", "MAX_HTML_BYTES", "Article", "decode_html", "extract_article"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the crawl process reads only `extract.meta` and must not pay for trafilatura.
    if name == "decode_html":
        from crawler.extract import charset

        return charset.decode_html
    if name in __all__:
        from crawler.extract import article

        return getattr(article, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Article extraction: one HTML page in, title, body, metadata, dates and authors out."""

from crawler.extract.article import EXTRACTOR_VERSION, MAX_HTML_BYTES, Article, extract_article
from crawler.extract.charset import decode_html

__all__ = ["EXTRACTOR_VERSION", "MAX_HTML_BYTES", "Article", "decode_html", "extract_article"]

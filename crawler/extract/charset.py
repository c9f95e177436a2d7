"""Turn fetched HTML bytes into text: HTTP header, then <meta> charset, then detection."""

from __future__ import annotations

import codecs
import re

# Only the head of a document may declare its charset; scanning 4 KiB keeps this cheap on big pages.
_META_SCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
# Control characters that never occur in real text (tab, LF, FF and CR excluded).
_LATIN_FAMILY = {"iso8859-1", "latin-1", "cp1252", "iso8859-15", "ascii"}


def normalize_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    # Browsers treat latin-1 and ASCII labels as windows-1252 (WHATWG encoding standard); so do we,
    # which keeps curly quotes and the euro sign that such pages often contain.
    return "cp1252" if codec in _LATIN_FAMILY else codec


def charset_from_header(content_type: str | None) -> str | None:
    """Charset named in an HTTP Content-Type header."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return normalize_charset(match.group(1)) if match else None


def charset_from_meta(data: bytes) -> str | None:
    """Charset declared by <meta charset> or <meta http-equiv> in the document head."""
    match = _META_CHARSET.search(data[:_META_SCAN_BYTES])
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


def _strict(data: bytes, codec: str) -> str | None:
    """Decode without replacement; an incomplete multi-byte sequence at the very end is dropped,
    because a truncated download must not turn a UTF-8 page into mojibake."""
    try:
        decoder = codecs.getincrementaldecoder(codec)()
        return decoder.decode(data, final=False)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode HTML bytes: BOM, HTTP header, <meta> charset, then detection; never raises."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    declared = [c for c in (charset_from_header(content_type), charset_from_meta(data)) if c]
    if declared and declared[0] == "cp1252" and not data.isascii():
        # Servers and CMS templates often keep a stale latin-1 label on pages that are really UTF-8;
        # non-ASCII text that is valid UTF-8 is practically never genuine windows-1252.
        text = _strict(data, "utf-8")
        if text is not None:
            return text
    for codec in declared:
        text = _strict(data, codec)
        # Otherwise the label is wrong (typically a default "UTF-8" header on a latin-1 page):
        # fall through to detection instead of inserting U+FFFD for every umlaut.
        if text is not None:
            return text
    # Valid UTF-8 is practically never accidental for non-ASCII text, so try it before guessing.
    text = _strict(data, "utf-8")
    if text is not None:
        return text
    guessed = _detect(data)
    if guessed:
        text = _strict(data, guessed)
        if text is not None:
            return text
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so this cannot fail.
    text = _strict(data, "cp1252")
    return text if text is not None else data.decode("latin-1")


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    codec = normalize_charset(best.encoding) if best is not None else None
    # Without NUL bytes a UTF-16/32 guess is a misfire on short input, never a real page.
    if codec is None or codec.startswith(("utf-16", "utf-32")):
        return None
    return codec

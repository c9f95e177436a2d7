"""Text normalisation for comparing article bodies: words, the normalised text and its content hash.

Apart from `minhash` (numpy) so that the clean stage, which needs only the hash, and its workers do
not load numpy.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of the text after NFKC and lower-casing; punctuation and whitespace only separate them."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def normalize_text(text: str) -> str:
    """Lower-case NFKC text with punctuation and whitespace runs folded to single spaces."""
    return " ".join(words(text))


def content_hash(body: str) -> str:
    """sha256 hex of the normalised body: equal for texts differing only in case, punctuation or spacing."""
    return hashlib.sha256(normalize_text(body).encode("utf-8")).hexdigest()

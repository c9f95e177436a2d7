"""Turn author strings from structured data and bylines into a clean list of names."""

from __future__ import annotations

import re

# News agencies are kept when they are the byline ("Von Max Muster und dpa").
AGENCIES = frozenset(
    {"dpa", "afp", "ap", "reuters", "epd", "kna", "sid", "dts", "ddp", "apa", "ots", "idea", "rnd", "kna/epd"}
)
# Words that describe a role, not a person ("Max Muster, Korrespondent in Berlin").
_ROLE_WORDS = re.compile(
    r"\b(?:redakt\w*|korrespondent\w*|autor(?:in)?|reporter\w*|chefredakt\w*|ressortleit\w*|leiter\w*|"
    r"volontär\w*|mitarbeiter\w*|kolumnist\w*|moderat\w*|fotograf\w*|foto|fotos|bild|bilder|grafik\w*|"
    r"video|audio|illustration|quelle|mit material|material|aktualisiert|stand|update|uhr|"
    r"lesezeit|minuten|min\.?|kommentar\w*|analyse|interview|gastbeitrag|meinung|editor|writer|"
    r"staff|team|author)\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^\s*(?:(?:(?:ein|eine)\s+)?(?:kommentar|analyse|interview|gastbeitrag|essay|kolumne|reportage|"
    r"recherche|bericht|text|fotos?)\s+(?:von|vom)\b|von\b|by\b|text\s*:|autor(?:in|en)?\s*:|"
    r"aufgezeichnet\s+von|verfasst\s+von)\s*:?\s*",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|\bund\b|\band\b|\bsowie\b|\bmit\b)\s*", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*[(\[].*?[)\]]")
_DATE_LIKE = re.compile(r"\d{1,2}[.:/]\d{1,2}|\d{4}")
_URL_LIKE = re.compile(r"https?://|www\.|@\w+\.\w", re.IGNORECASE)
_ORG_LIKE = re.compile(r"\b(?:gmbh|verlag|ag|kg|mbh|e\.v\.|holding|media group)\b", re.IGNORECASE)


def _clean_one(name: str) -> str:
    name = _PARENTHESES.sub("", name)
    name = re.sub(r"\s+", " ", name).strip(" \t\n-–—:·•|,;.")
    name = _PREFIX.sub("", name).strip(" -–—:·•|,;")
    return name


def _is_name(part: str) -> bool:
    """Plausible person, agency or newsroom byline (not a role, date, URL or sentence)."""
    if not part or len(part) > 60 or _URL_LIKE.search(part) or _DATE_LIKE.search(part):
        return False
    if part.lower() in AGENCIES:
        return True
    words = part.split()
    if len(words) > 5:
        return False
    if len(words) == 1:
        # One-word bylines are newsroom names ("t-online", "ndr.de") or initials ("ssi"); a single
        # capitalised word is a label ("Kurzmeldung", "Meinung") far more often than a person.
        return (
            "." in part or "-" in part or (len(part) <= 4 and part.islower())
        ) and not _ROLE_WORDS.fullmatch(part)
    return not _ROLE_WORDS.search(part) or part.lower().startswith("redaktion")


def split_authors(raw: str) -> list[str]:
    """Split one byline ("Von A und B, dpa") into names."""
    text = _clean_one(raw)
    if not text or "://" in text or text.startswith("www."):
        # Some sites put a profile URL where the name belongs (article:author on Facebook pages).
        return []
    names = []
    for part in _SPLIT.split(text):
        part = _clean_one(part)
        if _is_name(part):
            names.append(part)
    return names


def clean_authors(raws: list[str], keep_organizations: bool = True) -> list[str]:
    """Split, clean and de-duplicate author strings, keeping their order."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in raws:
        if not raw:
            continue
        for name in split_authors(raw):
            if not keep_organizations and _ORG_LIKE.search(name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                result.append(name)
    return result


def is_agency(name: str) -> bool:
    """True for news agency bylines such as dpa or AFP."""
    return name.strip().lower() in AGENCIES

"""Edit records: what changed between two versions of an article, and what kind of change it was."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

# The fields compared, in the order they are listed in `fields_changed`. A change of any of them
# is a new version of the article; modified_at alone is not (pages touch it on every re-save).
TEXT_FIELDS = ("title", "lead", "body")
# correction: what the page declares about its correction (crawler/extract/corrections.py).
META_FIELDS = ("authors", "section", "tags", "published_at", "correction")
TRACKED_FIELDS = (*TEXT_FIELDS, *META_FIELDS, "modified_at")
VERSIONED_FIELDS = (*TEXT_FIELDS, *META_FIELDS)

# A body whose words are replaced by this share or more (1 - body_similarity, i.e. words removed plus
# words added over the words of both versions) is a substantial rewrite: 0.30 means about a third of
# the text is new. A single rewritten paragraph in a ten-paragraph story stays well below it.
SUBSTANTIAL_REWRITE_SHARE = 0.30

# The notes newsrooms put on a corrected or updated article. Searched in the text the edit added
# only: every article page says "Aktualisiert: <date>" in its byline, an added paragraph does not.
CORRECTION_NOTE = re.compile(
    r"\b(?:Korrektur|Korrigiert|Richtigstellung|Berichtigung|Update|Aktualisierung|Aktualisiert"
    r"|In einer (?:früheren|vorherigen|älteren|ersten) (?:Version|Fassung))\b",
    re.IGNORECASE,
)

KINDS = ("correction", "substantial_rewrite", "headline_change", "minor_edit", "metadata_only")

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class Edit:
    """One edit: the difference between an article's previous version and its new one."""

    kind: str
    fields_changed: list[str]
    title_before: str | None
    title_after: str | None
    words_added: int
    words_removed: int
    body_similarity: float
    correction_note: str | None


def words(text: str | None) -> list[str]:
    """The words of a text, punctuation dropped (a changed comma is not a changed word)."""
    return _WORD.findall(text or "")


def paragraphs(text: str | None) -> list[str]:
    """Non-empty paragraphs of a stored text (the extractor separates them with newlines)."""
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def word_diff(old: str | None, new: str | None) -> tuple[int, int, int]:
    """(words added, words removed, words kept) between two texts, compared word by word."""
    a, b = words(old), words(new)
    if a == b:
        return 0, 0, len(a)
    # autojunk off: common German words ("die", "der") must count as matches like any other.
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return len(b) - same, len(a) - same, same


def replaced_share(added: int, removed: int, kept: int) -> float:
    """Share of the words of both versions that one of them does not have (1 - body similarity)."""
    total = added + removed + 2 * kept
    return (added + removed) / total if total else 0.0


def added_paragraphs(old: str | None, new: str | None) -> list[str]:
    """Paragraphs of `new` that `old` does not have (each counted as often as it occurs)."""
    remaining = paragraphs(old)
    added = []
    for paragraph in paragraphs(new):
        if paragraph in remaining:
            remaining.remove(paragraph)
        else:
            added.append(paragraph)
    return added


def _same(field: str, a: Any, b: Any) -> bool:
    if field in ("authors", "tags"):
        return list(a or []) == list(b or [])
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    if field in ("published_at", "modified_at"):
        return _as_datetime(a) == _as_datetime(b)
    return (a or "") == (b or "")


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def changed_fields(
    old: dict[str, Any], new: dict[str, Any], names: tuple[str, ...] = TRACKED_FIELDS
) -> list[str]:
    """Names of the fields whose values differ between the two versions."""
    return [name for name in names if not _same(name, old.get(name), new.get(name))]


def is_new_version(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when the page changed in a way that makes a new version (text or metadata, not only modified_at)."""
    return bool(changed_fields(old, new, VERSIONED_FIELDS))


def correction_note(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """The correction or update note the edit added to the lead or body, or the correction the page
    newly declares outside its text (a "Korrigiert am …" date, schema.org correction); else None."""
    for part in ("lead", "body"):
        for paragraph in added_paragraphs(old.get(part), new.get(part)):
            if CORRECTION_NOTE.search(paragraph):
                return paragraph
    declared = new.get("correction")
    return declared if declared and declared != old.get("correction") else None


def classify(fields: list[str], share: float, note: str | None) -> str:
    """The kind of an edit; the first rule that applies wins (see KINDS for the order)."""
    if note is not None:
        return "correction"
    if "body" in fields and share >= SUBSTANTIAL_REWRITE_SHARE:
        return "substantial_rewrite"
    if "title" in fields:
        return "headline_change"
    if "body" in fields or "lead" in fields:
        return "minor_edit"
    return "metadata_only"


def compute_edit(old: dict[str, Any], new: dict[str, Any]) -> Edit:
    """The edit record between an article's previous fields and its new ones."""
    fields = changed_fields(old, new)
    added, removed, kept = word_diff(old.get("body"), new.get("body"))
    share = replaced_share(added, removed, kept)
    note = correction_note(old, new)
    return Edit(
        kind=classify(fields, share, note),
        fields_changed=fields,
        title_before=old.get("title"),
        title_after=new.get("title"),
        words_added=added,
        words_removed=removed,
        body_similarity=round(1.0 - share, 4),
        correction_note=note,
    )

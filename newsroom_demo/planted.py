"""Planted edits: on one day the portal corrects, retitles, rewrites, fixes a typo in, re-dates and removes
one article each, and knows exactly what it changed (the ground truth of the edit records)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from newsroom_demo.content import TopicKey, generate_story

PLANTED_DAY = 2  # the day the edits appear: the second night of `make demo`
# One article per kind, in this order; "removal" answers 410 Gone from PLANTED_DAY on.
PLANTED_KINDS = (
    "correction",
    "headline_change",
    "substantial_rewrite",
    "minor_edit",
    "metadata_only",
    "removal",
)
REWRITE_INDEX_OFFSET = 20_000_000  # generator index of the rewritten text, far from any other story
DATE_CORRECTION = timedelta(hours=-1)  # the date-only change: the publication time corrected by an hour


class Candidate(Protocol):
    """What the planner needs of an article of the portal."""

    @property
    def path(self) -> str:
        """The article's path."""
        ...


C = TypeVar("C", bound=Candidate)


@dataclass(frozen=True)
class PlantedEdit:
    """One planted change: which article, what kind (the expected edit kind, or "removal"), from which day."""

    path: str
    kind: str
    day: int = PLANTED_DAY


def plan(
    candidates: Sequence[C],
    linked_from: Callable[[C], Sequence[C]],
    removable: Callable[[C], bool],
    prefer_removal: Callable[[C], bool],
) -> dict[str, PlantedEdit]:
    """Pick one article per kind: the first five candidates are edited, and the removed one is linked from
    one of them (so a crawl that re-fetches the edited pages also meets the gone URL), preferring one
    for which `prefer_removal` holds (one whose story lives on as a copy)."""
    edited = list(candidates[:5])
    if len(edited) < 5:
        return {}
    planted = {c.path: PlantedEdit(c.path, kind) for c, kind in zip(edited, PLANTED_KINDS, strict=False)}
    linked = [r for c in edited for r in linked_from(c) if r.path not in planted and removable(r)]
    if linked:
        removed = next((r for r in linked if prefer_removal(r)), linked[0])
        planted[removed.path] = PlantedEdit(removed.path, "removal")
    return planted


def in_effect(edit: PlantedEdit | None, day: int) -> bool:
    """Whether the portal shows the planted change on `day`."""
    return edit is not None and day >= edit.day


def correction_note(key: TopicKey) -> str:
    """The correction paragraph appended to the corrected article."""
    return (
        f"Korrektur: In einer früheren Version dieses Artikels war der Ort der Sitzung falsch angegeben. "
        f"Richtig ist {key.place}."
    )


def new_headline(title: str) -> str:
    """The changed headline."""
    return f"Nach Kritik: {title}"


def rewritten(seed: int, gen: int, key: TopicKey) -> tuple[list[str], list[str]]:
    """(paragraphs, subheadings) of the rewritten body: another text on the same topic."""
    other = generate_story(seed, REWRITE_INDEX_OFFSET + gen, key)
    return list(other.paragraphs), list(other.subheadings)


def typo_index(paragraphs: Sequence[str], subheadings: Sequence[str]) -> int:
    """Index of the paragraph that carries the typo until it is fixed: the first body paragraph."""
    return next(i for i, p in enumerate(paragraphs) if p not in subheadings)


def with_typo(paragraph: str) -> str:
    """The paragraph with a typo: two letters of its longest word swapped."""
    words = paragraph.split(" ")
    i = max(range(len(words)), key=lambda n: (sum(ch.isalpha() for ch in words[n]), -n))
    word = words[i]
    words[i] = word[:2] + word[3] + word[2] + word[4:]
    return " ".join(words)


def corrected_date(published: datetime) -> datetime:
    """The publication time shown after the date-only change."""
    return published + DATE_CORRECTION


def modified_at(base_date: datetime, edit: PlantedEdit) -> datetime:
    """dateModified of a planted article once the change is in effect (morning of the change day)."""
    return base_date + timedelta(days=edit.day - 2, hours=7)


def gone_page(site_name: str) -> bytes:
    """The body of the 410 answer for a removed article."""
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>Artikel entfernt – '
        f"{site_name}</title></head><body><h1>Dieser Artikel ist nicht mehr verfügbar.</h1></body></html>"
    ).encode()

"""The correction a page declares about itself: schema.org `correction`, or a dated correction label."""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from crawler.extract.dates import parse_date
from crawler.extract.meta import PageMeta, elements, squash, text_of

_WORDS = r"korrigiert|korrektur|berichtigt|berichtigung|richtigstellung|corrected|correction"
# A label right before a date that says the page was corrected, not merely updated: "Aktualisiert am"
# stands on every re-saved page, "Korrigiert am" only where the newsroom owns up to an error.
CORRECTION_LABEL = re.compile(rf"\b(?:{_WORDS})\W{{0,3}}(?:am|vom|um|on|at)?\W{{0,3}}$", re.IGNORECASE)
# The words anywhere in a box the page marks as its correction (class correction/korrektur/…).
CORRECTION_WORDS = re.compile(
    rf"\b(?:{_WORDS}|in einer (?:früheren|vorherigen|älteren|ersten) (?:version|fassung))\b", re.IGNORECASE
)
MAX_BOX_CHARS = 800  # a correction box, not an article that happens to mention one
_BOX_CLASSES = ("correction", "korrektur", "berichtigung")  # within the class attribute, case as written


def _boxes_and_dates(tree: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """Elements marked as a correction box, and date elements (<time>, itemprop dateModified), in order.

    One walk for both: on a large page the walk over every element is most of the cost.
    """
    boxes: list[HtmlElement] = []
    dates: list[HtmlElement] = []
    for element in elements(tree):
        itemprop = element.get("itemprop")
        if itemprop == "correction":
            boxes.append(element)
        else:
            value = element.get("class")
            if value and any(name in value for name in _BOX_CLASSES):
                boxes.append(element)
        if element.tag == "time" or itemprop == "dateModified":
            dates.append(element)
    return boxes, dates


def _ld_correction(value: Any) -> str | None:
    """schema.org `correction`: a text, a URL, or a CorrectionComment (its text, else its date)."""
    if isinstance(value, list):
        return next((text for item in value if (text := _ld_correction(item))), None)
    if isinstance(value, dict):
        for key in ("text", "description", "name", "datePublished"):
            text = _ld_correction(value.get(key))
            if text:
                return text
        return None
    if isinstance(value, str):
        return squash(value) or None
    return None


def declared_correction(tree: HtmlElement, page: PageMeta) -> str | None:
    """What the page says about its correction (None when it declares none)."""
    declared = _ld_correction(page.ld_get("correction"))
    if declared:
        return declared
    boxes, dates = _boxes_and_dates(tree)
    for element in boxes:
        text = element.get("content") or text_of(element)
        if text and len(text) <= MAX_BOX_CHARS and CORRECTION_WORDS.search(text):
            return squash(text)
    for element in dates:
        label = CORRECTION_LABEL.search(_text_before(element)[-40:])
        when = element.get("datetime") or element.get("content") or text_of(element)
        if label and parse_date(when):
            return squash(f"{label.group(0)} {text_of(element) or when}")
    return None


def _text_before(element: HtmlElement) -> str:
    """The text right before an element inside its parent (the label of a date)."""
    previous = element.getprevious()
    if previous is not None:
        return previous.tail or text_of(previous)
    parent = element.getparent()
    return (parent.text or "") if parent is not None else ""

"""Checks of one extracted article against hand-checked values (used by test_extract and the regen script)."""

from __future__ import annotations

import collections
import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
MIN_LEAD_F1 = 0.9
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def tokens(text: str | None) -> list[str]:
    """Lower-case word tokens (the metric of ../shared/tools/score_extraction.py)."""
    return re.findall(r"\w+", (text or "").lower())


def bow_f1(pred: str | None, gold: str) -> float:
    """Bag-of-words F1 of pred against gold."""
    p, g = collections.Counter(tokens(pred)), collections.Counter(tokens(gold))
    tp = sum((p & g).values())
    if not tp:
        return 0.0
    precision, recall = tp / sum(p.values()), tp / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def fold(text: str | None) -> str:
    """Case and white space folded, invisible characters dropped (they never make a title differ)."""
    return re.sub(r"\s+", " ", INVISIBLE.sub("", text or "")).strip().lower()


def instant(value: str) -> dt.datetime:
    """An ISO timestamp as an aware datetime to the second; a naive one is Berlin local time."""
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BERLIN)
    return parsed.replace(microsecond=0)


def disagreements(expected: dict[str, Any], article: Any) -> list[str]:
    """Every way the article differs from the hand-checked values in expected ([] when it agrees)."""
    found: list[str] = []
    if article.rejected_reason is not None:
        return [f"rejected: {article.rejected_reason}"]
    if fold(article.title) != fold(expected["title"]):
        found.append(f"title {article.title!r} != {expected['title']!r}")
    if [fold(a) for a in article.authors] != [fold(a) for a in expected["authors"]]:
        found.append(f"authors {article.authors!r} != {expected['authors']!r}")
    if expected.get("published"):
        want = instant(expected["published"])
        got = instant(article.published_at) if article.published_at else None
        if got != want:
            found.append(f"published_at {article.published_at!r} is not the instant {want.isoformat()}")
    f1 = bow_f1(article.body, expected["body"])
    if f1 < expected["min_body_f1"]:
        found.append(f"body F1 {f1:.3f} < {expected['min_body_f1']}")
    if expected.get("summary"):
        lead_f1 = bow_f1(article.lead, " ".join(expected["summary"]))
        if lead_f1 < MIN_LEAD_F1:
            found.append(f"lead F1 {lead_f1:.3f} < {MIN_LEAD_F1}")
    if "section_path" in expected and article.section_path != expected["section_path"]:
        found.append(f"section_path {article.section_path!r} != {expected['section_path']!r}")
    if "kicker" in expected and fold(article.kicker) != fold(expected["kicker"]):
        found.append(f"kicker {article.kicker!r} != {expected['kicker']!r}")
    if "agencies" in expected and sorted(map(fold, article.agencies)) != sorted(
        map(fold, expected["agencies"])
    ):
        found.append(f"agencies {article.agencies!r} != {expected['agencies']!r}")
    return found

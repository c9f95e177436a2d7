"""Score newsroom's extractor and plain trafilatura on real pages of publishers outside the development set.

The pages are the real German-language article pages that trafilatura 1.1.0 and htmldate 1.2.3 ship
in their source distributions' test caches (fetched 2006–2020 from publishers none of which is in
`../shared/data/extraction-de/`). They are downloaded from PyPI on first use into a cache directory
(not stored here: they are the publishers' texts); the hand labels are ours, in
`benchmarks/unseen_pages/labels.jsonl`: the headline as printed, its kicker, the byline as a reader
reads it and the article's own date, written blind to both extractors. `round` 1 is the set rules were
then written from; round 2 was labelled afterwards, to measure those rules on pages they were not
written from. Same metrics as `../shared/tools/score_extraction.py`: exact title and author set after
folding case and spaces, same calendar day.

    python benchmarks/unseen_pages.py [--cache DIR] [--misses]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from crawler.extract import extract_article

LABELS = Path(__file__).parent / "unseen_pages" / "labels.jsonl"
DEFAULT_CACHE = Path.home() / ".cache" / "newsroom-unseen-pages"


def fold(text: str | None) -> str:
    """Case and white space folded, invisible characters dropped (as the development scorer does)."""
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text or "")
    return re.sub(r"\s+", " ", text).strip().lower()


def names(value: Any) -> list[str]:
    """trafilatura's author string ("A; B") as a list."""
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r";|,| und ", value) if part.strip()]
    return list(value)


def page_bytes(cache: Path, sdist: str, member: str) -> bytes:
    """One page from an sdist on PyPI, downloaded into cache once."""
    archive = cache / f"{sdist}.tar.gz"
    if not archive.exists():
        cache.mkdir(parents=True, exist_ok=True)
        name, version = sdist.rsplit("-", 1)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"{name}=={version}", "--no-binary", ":all:",
             "--no-deps", "--quiet", "--dest", str(cache)],
            check=True,
        )  # fmt: skip
    with tarfile.open(archive) as tar:
        handle = tar.extractfile(f"{sdist}/{member}")
        assert handle is not None, member
        return handle.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--misses", action="store_true", help="print newsroom's misses")
    args = parser.parse_args()
    import trafilatura

    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = [label for label in labels if label["is_article"]]
    keys = ("title", "authors", "date", "t_title", "t_authors", "t_date")
    hits: dict[Any, dict[str, int]] = {}
    for label in labels:
        html = page_bytes(args.cache, label["sdist"], label["file"])
        ours = extract_article(html, url=label["url"])
        plain = trafilatura.bare_extraction(
            html.decode("utf-8", "replace"), url=label["url"], with_metadata=True
        )
        theirs = plain if isinstance(plain, dict) else (plain.as_dict() if plain else {})
        day = (label["published"] or "")[:10]
        want = sorted({fold(n) for n in label["authors"]})
        found = {
            "title": fold(ours.title) == fold(label["title"]),
            "authors": sorted({fold(n) for n in ours.authors}) == want,
            "date": (ours.published_at or "")[:10] == day,
            "t_title": fold(theirs.get("title")) == fold(label["title"]),
            "t_authors": sorted({fold(n) for n in names(theirs.get("author"))}) == want,
            "t_date": (theirs.get("date") or "")[:10] == day,
        }
        for group in (label["round"], "all"):
            counts = hits.setdefault(group, dict.fromkeys(keys, 0) | {"pages": 0})
            counts["pages"] += 1
            for key, hit in found.items():
                counts[key] += hit
        if args.misses and not (found["title"] and found["authors"] and found["date"]):
            print(f"{label['file']}: title {ours.title!r} / {label['title']!r}; authors {ours.authors} / "
                  f"{label['authors']}; date {ours.published_at} / {label['published']}")  # fmt: skip
    print(f"{'':22} {'pages':>5} {'title':>7} {'authors':>8} {'date':>6}")
    for group in sorted(hits, key=str):
        counts = hits[group]
        for who, prefix in (("newsroom", ""), ("trafilatura", "t_")):
            name = f"{who}, {'all' if group == 'all' else f'round {group}'}"
            print(f"{name:22} {counts['pages']:>5} " + " ".join(
                f"{counts[prefix + k] / counts['pages']:>{w}.3f}" for k, w in (("title", 7), ("authors", 8), ("date", 6))
            ))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

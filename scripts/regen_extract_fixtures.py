#!/usr/bin/env python3
"""Regenerate the expected JSON of the extraction fixtures from the current extractor.

Usage (from the project root):
    python scripts/regen_extract_fixtures.py [--add NAME.html.gz ...]

Each tests/fixtures/extract/NAME.html.gz gets NAME.json beside it with the fields the tests compare.
`--add` first copies pages from the shared development set (../shared/data/extraction-de). The URL of a
page comes from its existing JSON or from the development set's expected.jsonl. After writing, every
fixture is checked against the hand-checked expected.jsonl (title, authors, publication day); a
disagreement is printed and makes the script exit with status 1, so review it before committing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import EXTRACTOR_VERSION, extract_article  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "extract"
DEV_SET = ROOT.parent / "shared" / "data" / "extraction-de"
FIELDS = ("title", "authors", "published_at", "section", "section_path", "lead", "body")


def _fold(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


def _dev_cases() -> dict[str, dict]:
    path = DEV_SET / "expected.jsonl"
    if not path.exists():
        return {}
    return {case["file"]: case for case in map(json.loads, path.open(encoding="utf-8"))}


def main() -> int:
    """Copy requested pages, rewrite every fixture's JSON and compare with the hand-checked values."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--add", nargs="*", default=[], help="page files to copy from the development set")
    args = parser.parse_args()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    cases = _dev_cases()
    for name in args.add:
        shutil.copyfile(DEV_SET / name, FIXTURES / name)
    disagreements = 0
    for page in sorted(FIXTURES.glob("*.html.gz")):
        json_path = page.with_name(page.name.removesuffix(".html.gz") + ".json")
        url = None
        if json_path.exists():
            url = json.loads(json_path.read_text(encoding="utf-8")).get("url")
        case = cases.get(page.name)
        url = url or (case or {}).get("url")
        html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        article = extract_article(html, url=url)
        expected = {"url": url, "extractor_version": EXTRACTOR_VERSION}
        expected.update({name: getattr(article, name) for name in FIELDS})
        json_path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if case is None:
            continue
        checks = {
            "title": _fold(article.title) == _fold(case["title"]),
            "authors": {_fold(a) for a in article.authors} == {_fold(a) for a in case["authors"]},
            "published": (article.published_at or "")[:10] == (case["published"] or "")[:10],
        }
        for field, ok in checks.items():
            if not ok:
                disagreements += 1
                print(f"{page.name}: {field} disagrees with expected.jsonl")
        print(f"wrote {json_path.relative_to(ROOT)}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())

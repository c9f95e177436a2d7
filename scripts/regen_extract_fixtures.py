#!/usr/bin/env python3
"""Write the extraction fixtures' expected JSON from hand-checked data, never from the extractor.

Usage (from the project root):
    python scripts/regen_extract_fixtures.py [--dev-set DIR] [--fixtures DIR] [--add NAME.html.gz ...]

Each tests/fixtures/extract/NAME.html.gz gets NAME.json beside it: title, authors, publication instant,
summary and body copied from the development set's hand-checked expected.jsonl (DIR, default
../shared/data/extraction-de or $NEWSROOM_DEV_SET), plus what tests/fixtures/extract/hand_checked.json
adds by hand (section_path read off the page's breadcrumb, the printed kicker, the agencies the page
credits, the body-F1 floor). `--add` takes more pages
from the development set. The current extractor is then run on every page and checked against those
values; if any check disagrees, nothing is written and the script exits 1. Missing inputs (the
development set, a page, hand_checked.json) exit 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from extract_checks import disagreements  # noqa: E402

from crawler.extract import extract_article  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "extract"
DEFAULT_DEV_SET = Path(
    os.environ.get("NEWSROOM_DEV_SET") or ROOT.parent / "shared" / "data" / "extraction-de"
)
COPIED = ("url", "title", "authors", "published", "summary", "body")


class MissingInput(Exception):
    """An input the fixtures are built from is not there."""


def _load_cases(dev_set: Path) -> dict[str, dict[str, Any]]:
    path = dev_set / "expected.jsonl"
    if not path.is_file():
        raise MissingInput(f"no development set at {path} (pass --dev-set or set NEWSROOM_DEV_SET)")
    with path.open(encoding="utf-8") as lines:
        return {case["file"]: case for case in map(json.loads, lines)}


def _load_hand_checked(fixtures: Path) -> dict[str, Any]:
    path = fixtures / "hand_checked.json"
    if not path.is_file():
        raise MissingInput(f"missing {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def expected_for(name: str, cases: dict[str, dict[str, Any]], hand: dict[str, Any]) -> dict[str, Any]:
    """The expected JSON of fixture page `name` (NAME.html.gz) from the hand-checked sources."""
    case = cases.get(name)
    if case is None:
        raise MissingInput(f"{name} is not in the development set's expected.jsonl")
    stem = name.removesuffix(".html.gz")
    extra = hand["pages"].get(stem, {})
    expected: dict[str, Any] = {"file": name, "source": "expected.jsonl of the development set"}
    expected.update({key: case[key] for key in COPIED})
    expected["min_body_f1"] = extra.get("min_body_f1", hand["default_min_body_f1"])
    for key in ("section_path", "kicker", "agencies"):
        if key in extra:
            expected[key] = extra[key]
    return expected


def main(argv: list[str] | None = None) -> int:
    """Check every fixture against its hand-checked values; write the JSON only when all agree."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev-set", type=Path, default=DEFAULT_DEV_SET)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="the fixture directory to write")
    parser.add_argument("--add", nargs="*", default=[], help="page files to copy from the development set")
    args = parser.parse_args(argv)
    try:
        cases = _load_cases(args.dev_set)
        hand = _load_hand_checked(args.fixtures)
        sources = {page.name: page for page in args.fixtures.glob("*.html.gz")}
        for name in args.add:
            sources[name] = args.dev_set / name
        unknown = set(hand["pages"]) - {name.removesuffix(".html.gz") for name in sources}
        if unknown:
            raise MissingInput(f"hand_checked.json names pages that are not fixtures: {sorted(unknown)}")
        planned: dict[str, tuple[Path, dict[str, Any]]] = {}
        failures: list[str] = []
        for name, source in sorted(sources.items()):
            if not source.is_file():
                raise MissingInput(f"missing page {source}")
            original = args.dev_set / name
            if original.is_file() and original.read_bytes() != source.read_bytes():
                failures.append(f"{name}: differs from the development set's page of that name")
            expected = expected_for(name, cases, hand)
            html = gzip.decompress(source.read_bytes()).decode("utf-8", "replace")
            article = extract_article(html, url=expected["url"])
            failures += [f"{name}: {problem}" for problem in disagreements(expected, article)]
            planned[name] = (source, expected)
    except MissingInput as missing:
        print(f"regen_extract_fixtures: {missing}", file=sys.stderr)
        return 2
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"regen_extract_fixtures: {len(failures)} disagreements, nothing written", file=sys.stderr)
        return 1
    for name, (source, expected) in planned.items():
        target = args.fixtures / name
        if source != target:
            shutil.copyfile(source, target)
        json_path = args.fixtures / (name.removesuffix(".html.gz") + ".json")
        json_path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

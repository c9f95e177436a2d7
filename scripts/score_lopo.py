#!/usr/bin/env python3
"""Score extraction leave-one-publisher-out (LOPO) beside the plain score and plain trafilatura.

Usage (from the project root, inside its virtual environment):
    python scripts/score_lopo.py [DATA_DIR] [--rules]

Every heuristic written while looking at the development set is a named rule
(`crawler.extract.rules.RULES`). For each publisher P, a rule stays on only if, on the pages of
the *other* publishers, switching it off loses more than it gains, and it helps at least two of
them (a rule that helps one publisher does not go in); P's pages are then scored with that rule
set. The LOPO figures are what a new publisher can expect from rules judged without it. Metrics are
those of ../shared/tools/score_extraction.py (imported from there, so they are the same).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import extract_article, rules  # noqa: E402

SCORER = ROOT.parent / "shared" / "tools" / "score_extraction.py"
FIELDS = ("title", "authors", "published", "f1")


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", SCORER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"score_lopo: scorer not found at {SCORER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page_scores(sc: Any, case: dict[str, Any], got: dict[str, Any]) -> dict[str, float]:
    day = sc.berlin_day(case["published"])
    return {
        "title": float(sc.fold(got.get("title")) == sc.fold(case["title"])),
        "authors": float(
            {sc.fold(a) for a in got.get("authors") or []} == {sc.fold(a) for a in case["authors"]}
        ),
        "published": float(bool(day) and sc.berlin_day(got.get("published_at")) == day),
        "f1": sc.bow_f1(got.get("body"), case["body"])[2],
    }


def _run(sc: Any, cases: list[dict[str, Any]], off: frozenset[str] = frozenset()) -> list[dict[str, float]]:
    with rules.disabled(off):
        return [_page_scores(sc, c, extract_article(c["html"], url=c["url"]).to_dict()) for c in cases]


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows) / len(rows), 3) for k in FIELDS}


def _speed(fn: Any, cases: list[dict[str, Any]]) -> float:
    start = time.process_time()
    for case in cases:
        fn(case["html"], case["url"])
    return len(cases) / (time.process_time() - start)


def main() -> int:
    """Print plain, LOPO and trafilatura scores, the speed ratio and (with --rules) each rule's record."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(ROOT.parent / "shared" / "data" / "extraction-de"))
    parser.add_argument("--rules", action="store_true", help="list what each rule does per publisher")
    args = parser.parse_args()
    sc = _scorer()
    cases = sc.load(Path(args.data_dir))
    publishers = sorted({c["publisher"] for c in cases})

    plain = _run(sc, cases)
    without = {name: _run(sc, cases, frozenset({name})) for name in rules.RULES}
    # gain[rule][publisher]: what switching the rule on adds on that publisher's pages (all fields summed)
    gain: dict[str, dict[str, float]] = {name: collections.defaultdict(float) for name in rules.RULES}
    for name, rows in without.items():
        for case, on, off in zip(cases, plain, rows, strict=True):
            gain[name][case["publisher"]] += sum(on.values()) - sum(off.values())

    lopo: list[dict[str, float]] = [{}] * len(cases)
    dropped: dict[str, list[str]] = {}
    for publisher in publishers:
        off = set()
        for name in rules.RULES:
            others = {p: g for p, g in gain[name].items() if p != publisher}
            helped = sum(g > 1e-9 for g in others.values())
            if sum(others.values()) <= 1e-9 or helped < 2:
                off.add(name)
        dropped[publisher] = sorted(off)
        index = [i for i, c in enumerate(cases) if c["publisher"] == publisher]
        for i, row in zip(index, _run(sc, [cases[i] for i in index], frozenset(off)), strict=True):
            lopo[i] = row

    base = [_page_scores(sc, c, sc.trafilatura_baseline(c["html"], c["url"])) for c in cases]
    ours_fn = lambda html, url: extract_article(html, url=url)  # noqa: E731
    ours_speed = max(_speed(ours_fn, cases), _speed(ours_fn, cases))
    base_speed = max(_speed(sc.trafilatura_baseline, cases), _speed(sc.trafilatura_baseline, cases))

    print(f"pages: {len(cases)}, publishers: {len(publishers)}")
    print(f"{'':26}" + "".join(f"{k:>11}" for k in FIELDS))
    for label, rows in (("project (all rules)", plain), ("project LOPO", lopo), ("trafilatura", base)):
        print(f"{label:26}" + "".join(f"{v:>11}" for v in _mean(rows).values()))
    print(
        f"speed: project {ours_speed:.1f} docs/s, trafilatura {base_speed:.1f} docs/s, ratio {ours_speed / base_speed:.2f}"
    )
    if args.rules:
        print("\nrule: publishers helped / hurt over the whole set; folds that switched it off")
        for name in rules.RULES:
            helped = sorted(p for p, g in gain[name].items() if g > 1e-9)
            hurt = sorted(p for p, g in gain[name].items() if g < -1e-9)
            folds_off = sum(name in off for off in dropped.values())
            print(f"  {name}: +{len(helped)} {helped} / -{len(hurt)} {hurt}; off in {folds_off} folds")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Throughput of crawl, clean and dedupe on the demo portal; prints figures, asserts nothing.

    python benchmarks/pipeline_bench.py [--articles 2000]

Runs one night against a fresh scratch database (on DATABASE_URL's server or the embedded default),
its stages one after another so that each is timed alone (`run` overlaps crawl and clean), then a
second, unchanged night with `run` (the incremental path), and times plain trafilatura over the same
stored pages in this process as the reference for the clean stage.
"""

from __future__ import annotations

import argparse
import gzip
import os
import time

from crawler import db, stages
from newsroom_demo.server import running_portal


def plain_trafilatura_seconds(url: str, limit: int) -> tuple[int, float]:
    """Seconds plain trafilatura needs, in one process, for the stored article pages."""
    import trafilatura

    with db.transaction(url) as cur:
        cur.execute(
            "SELECT body_gzip, final_url FROM raw_pages WHERE clean_outcome IN ('new','updated','unchanged') LIMIT %s",
            (limit,),
        )
        pages = [
            (gzip.decompress(bytes(body)).decode("utf-8", "replace"), page_url) for body, page_url in cur
        ]
    start = time.perf_counter()
    for html, page_url in pages:
        trafilatura.bare_extraction(html, url=page_url, with_metadata=True)
    return len(pages), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    with db.scratch_database("newsroom_bench") as url:
        with running_portal(articles=args.articles, seed=7) as portal:
            crawl = stages.crawl(portal.base_url, db_url=url)
            clean = stages.clean(run_id=crawl["run_id"], db_url=url)
            dedupe = stages.dedupe(run_id=crawl["run_id"], db_url=url)
            stages.check_quality(crawl["run_id"], url)
            stages.publish(crawl["run_id"], url)
            night2 = stages.run(portal.base_url, db_url=url)
        print(f"portal: {args.articles} articles (+ agency copies), cores: {os.cpu_count()}")
        print(
            f"crawl   night 1: {crawl['fetched']} pages in {crawl['seconds']:.1f} s = "
            f"{crawl['fetched'] / crawl['seconds']:.0f} pages/s"
        )
        print(
            f"clean   night 1: {clean['pages']} pages in {clean['seconds']:.1f} s = "
            f"{clean['pages'] / clean['seconds']:.0f} pages/s ({clean['new']} articles)"
        )
        print(f"dedupe  night 1: {dedupe['checked']} articles in {dedupe['seconds']:.2f} s")
        c2 = night2["crawl"]
        print(
            f"crawl   night 2 (unchanged portal): {c2['fetched']} pages fetched, {c2['not_modified']} not modified, "
            f"{c2['skipped_unchanged']} skipped by lastmod, {c2['seconds']:.1f} s"
        )
        pages, seconds = plain_trafilatura_seconds(url, clean["new"])
        reference = pages / seconds
        ours = clean["pages"] / clean["seconds"]
        print(f"plain trafilatura, 1 process, same pages: {reference:.0f} pages/s")
        print(
            f"ratio clean stage (all cores, incl. database writes) / plain trafilatura: {ours / reference:.2f}"
        )


if __name__ == "__main__":
    main()

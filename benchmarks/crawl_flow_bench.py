"""Request flow of one crawl against its politeness limit; prints figures and the ratio, asserts nothing.

    python benchmarks/crawl_flow_bench.py [--articles 200] [--delay 0.25] [--concurrency 4] [--site URL]

With a fixed DOWNLOAD_DELAY d, Scrapy starts at most one request per d on a site, so a night of n
requests cannot take less than (n - 1) x d: the ratio printed is the time between the first and the
last response over that bound (1.00 = requests flowed at the limit the whole night). Without --site
it crawls the demo portal on loopback; with --site, e.g. the real WordPress of the integration tests.
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from statistics import median

from crawler import db
from crawler.crawl.process import run_crawl
from newsroom_demo.server import running_portal


@contextmanager
def site_url(site: str | None, articles: int) -> Iterator[str]:
    """The given site, or a demo portal served for the duration."""
    if site:
        yield site
        return
    with running_portal(articles=articles, seed=7) as portal:
        yield portal.base_url


def response_times(url: str, run_id: str) -> list[float]:
    """When each response of the run arrived, in order (seconds since the epoch)."""
    with db.transaction(url) as cur:
        cur.execute("SELECT fetched_at FROM raw_pages WHERE run_id = %s ORDER BY fetched_at", (run_id,))
        return [row[0].timestamp() for row in cur.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--site", help="crawl this site instead of the demo portal")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, db.scratch_database("newsroom_flow") as url:
        with site_url(args.site, args.articles) as base:
            sites = os.path.join(tmp, "sites.toml")
            with open(sites, "w", encoding="utf-8") as out:
                out.write(
                    f"[defaults]\ndownload_delay = {args.delay}\nconcurrent_requests = {args.concurrency}\n\n"
                    f'[[site]]\nbase_url = "{base}"\n'
                )
            os.environ["NEWSROOM_SITES_FILE"] = sites
            started = time.monotonic()
            stats = run_crawl(base, "flow", url)
            wall = time.monotonic() - started
        times = response_times(url, "flow")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    span = times[-1] - times[0]
    bound = (len(times) - 1) * args.delay
    print(f"site: {base} (delay {args.delay} s, {args.concurrency} parallel)")
    print(f"requests {stats['requested']}, responses stored {len(times)}, crawl process {wall:.1f} s")
    print(f"first to last response {span:.1f} s, politeness bound {bound:.1f} s: ratio {span / bound:.2f}")
    print(
        f"gaps between responses: median {median(gaps) / args.delay:.2f} x delay, "
        f"longest {max(gaps) / args.delay:.1f} x delay, over 2 x delay: {sum(g > 2 * args.delay for g in gaps)}"
    )


if __name__ == "__main__":
    main()

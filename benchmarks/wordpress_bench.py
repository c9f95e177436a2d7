"""One night against a real WordPress at production politeness: crawl time against what politeness allows.

    python benchmarks/wordpress_bench.py [--flavour twentytwentythree-de_DE]

Needs what `make test-integration` needs (root, Debian's WordPress packages, MariaDB). Seeds the
integration tests' WordPress (day 1), crawls it once into a scratch database with the politeness of
the [defaults] in crawler/sites.toml, and prints the requests made, the crawl's wall seconds, the
minimum those requests take under the settings the crawl used (read from the spider's own Scrapy
settings, not assumed), and the ratio (issue 11's target: at most 1.25).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

from wordpress import FLAVOURS, running_wordpress  # noqa: E402
from wp_content import Plan  # noqa: E402

from crawler import db, stages  # noqa: E402
from crawler.config import SITES_FILE  # noqa: E402


def sites_file_for(base_url: str, directory: Path) -> Path:
    """A sites file listing base_url with the production [defaults] (not the loopback relaxation)."""
    defaults = tomllib.loads(SITES_FILE.read_text(encoding="utf-8")).get("defaults", {})
    lines = ["[defaults]", *(f"{k} = {_toml(v)}" for k, v in defaults.items()), ""]
    lines += ["[[site]]", 'name = "wordpress-bench"', f'base_url = "{base_url}"', ""]
    path = directory / "sites.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def crawl_settings(base_url: str) -> dict[str, Any]:
    """The politeness settings the crawl of base_url runs with: project settings after the spider applied its site's."""
    from scrapy.crawler import Crawler
    from scrapy.utils.project import get_project_settings

    from crawler.crawl.spider import PortalSpider

    cwd = os.getcwd()
    os.chdir(REPO)  # scrapy.cfg names the settings module, as for `newsroom crawl`
    try:
        settings = get_project_settings()
    finally:
        os.chdir(cwd)
    crawler = Crawler(PortalSpider, settings)
    PortalSpider.from_crawler(crawler, site=base_url, run_id="bench-settings")
    s = crawler.settings
    return {
        "DOWNLOAD_DELAY": s.getfloat("DOWNLOAD_DELAY"),
        "RANDOMIZE_DOWNLOAD_DELAY": s.getbool("RANDOMIZE_DOWNLOAD_DELAY"),
        "CONCURRENT_REQUESTS": s.getint("CONCURRENT_REQUESTS"),
        "CONCURRENT_REQUESTS_PER_DOMAIN": s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
        "CONCURRENT_REQUESTS_PER_IP": s.getint("CONCURRENT_REQUESTS_PER_IP"),
        "AUTOTHROTTLE_ENABLED": s.getbool("AUTOTHROTTLE_ENABLED"),
        "AUTOTHROTTLE_START_DELAY": s.getfloat("AUTOTHROTTLE_START_DELAY"),
    }


def minimum_seconds(requests: int, settings: dict[str, Any]) -> float | None:
    """Least wall time politeness allows for `requests` requests to one site, or None when it sets none.

    Scrapy's downloader lets one request leave a slot (one site; one IP with CONCURRENT_REQUESTS_PER_IP)
    per download delay, whatever the concurrency; the randomised delay (0.5-1.5 x) averages the delay.
    AutoThrottle never goes below DOWNLOAD_DELAY and starts at AUTOTHROTTLE_START_DELAY, so the delay
    is the floor either way. With no delay, only concurrency and the server's speed bound the crawl.
    """
    delay = settings["DOWNLOAD_DELAY"]
    if delay <= 0:
        return None
    return max(requests - 1, 0) * delay


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = [f.name for f in FLAVOURS]
    parser.add_argument("--flavour", choices=names, default="twentytwentythree-de_DE")
    args = parser.parse_args()
    flavour = FLAVOURS[names.index(args.flavour)]
    plan = Plan()
    with (
        tempfile.TemporaryDirectory() as tmp,
        db.scratch_database("newsroom_wpbench") as url,
        running_wordpress(flavour, plan.day1()) as wp,
    ):
        os.environ["NEWSROOM_SITES_FILE"] = str(sites_file_for(wp.base_url, Path(tmp)))
        settings = crawl_settings(wp.base_url)
        stats = stages.run(wp.base_url, db_url=url)
    crawl = stats["crawl"]
    requests, seconds = crawl["requested"], crawl["seconds"]
    floor = minimum_seconds(requests, settings)
    published = sum(1 for p in plan.posts.values() if p.fields["status"] == "publish")
    print(f"wordpress {flavour.name}: {published} published posts and pages, cores: {os.cpu_count()}")
    print("settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    print(f"night 1: {requests} requests, {crawl['fetched']} pages fetched, crawl {seconds:.1f} s")
    if floor is None:
        print("politeness minimum: none (no download delay); ratio not defined")
    else:
        print(f"politeness minimum: {floor:.1f} s ({requests - 1} x {settings['DOWNLOAD_DELAY']} s delay)")
        print(f"ratio crawl / minimum: {seconds / floor:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()

"""The reference crawl: a bare Scrapy spider fetching a given URL list with newsroom's crawl settings.

    python benchmarks/bare_spider.py --site URL --urls FILE

No parsing, no items, no database: each response is dropped. Settings are crawler/crawl/settings.py
plus the site's delay, concurrency and size cap, as the portal spider applies them; robots.txt is
fetched as one of the listed URLs, and redirects are not followed (the list already holds the
targets the portal spider fetched). Prints the Scrapy figures as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings

from crawler.config import site_config


class BareSpider(Spider):
    """Request every URL of a list once; keep nothing."""

    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> Any:
        """Every URL, in list order."""
        for url in self.urls:
            yield Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Drop the response."""
        return iter(())

    def failed(self, failure: Any) -> None:
        """Drop the failure (the portal spider stores it; the reference only counts it)."""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", required=True)
    parser.add_argument("--urls", required=True, help="file with one URL per line")
    args = parser.parse_args()
    with open(args.urls, encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    config = site_config(args.site)
    settings = Settings()
    settings.setmodule("crawler.crawl.settings", priority="project")
    for name, value in {
        "DOWNLOAD_DELAY": config.download_delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrent_requests,
        "DOWNLOAD_MAXSIZE": config.max_page_bytes,
        "ROBOTSTXT_OBEY": False,
        "REDIRECT_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {},
        "ITEM_PIPELINES": {},
        "LOG_LEVEL": "WARNING",
    }.items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({k: v for k, v in stats.items() if isinstance(v, int | float)}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scrapy settings of the newsroom crawl; the spider sets per-site delay, concurrency, size cap, robots."""

from __future__ import annotations

import os

BOT_NAME = "newsroom"
SPIDER_MODULES = ["crawler.crawl.spider"]

USER_AGENT = "newsroom/0.1 (+https://example.invalid/newsroom)"
ROBOTSTXT_OBEY = True  # the spider sets it from the site's config
ROBOTSTXT_USER_AGENT = "newsroom"

# Politeness comes from crawler/sites.toml (see PortalSpider.from_crawler), not from AutoThrottle guesses.
AUTOTHROTTLE_ENABLED = False
DOWNLOAD_DELAY = 0.25
# Scrapy draws a new random delay each time it looks at the queue, so a randomised delay of d spaced
# requests ~1.2 d apart on average (measured: 1.22 x on WordPress, 1.21 x on the demo): a fixed delay
# keeps the flow at the politeness limit (1.01-1.03 x, benchmarks/crawl_flow_bench.py).
RANDOMIZE_DOWNLOAD_DELAY = False
CONCURRENT_REQUESTS = 32
# Scrapy starts this many asyncio tasks for every response's output; the pipeline writes items
# synchronously in batches, so 100 (the default) is only overhead per request.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10_000_000
DOWNLOAD_WARNSIZE = 0
COOKIES_ENABLED = False

# Every status reaches the spider, which stores it with a rejected_reason; redirects are still followed.
HTTPERROR_ALLOW_ALL = True
REDIRECT_MAX_TIMES = 10
RETRY_ENABLED = True
RETRY_TIMES = 2
# 500 is left out: the spider retries it itself, once, late in the crawl (LATE_RETRY_STATUSES),
# because a WordPress under load answers 500 transiently and an immediate retry meets the same load.
RETRY_HTTP_CODES = [502, 503, 504, 522, 524, 408, 429]

# Scrapy 2.19 leaves per-domain concurrency unenforced under the asyncio reactor (see the class).
DOWNLOADER = "crawler.crawl.downloader.PoliteDownloader"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.crawl.middlewares.SharedRobotsTxtMiddleware": 100,
    # Above RedirectMiddleware (600) so its process_response sees a 3xx first.
    "crawler.crawl.middlewares.RedirectGuardMiddleware": 610,
}
ITEM_PIPELINES = {"crawler.crawl.pipeline.RawPagePipeline": 300}

# The spider keeps its own set of normalised URLs; Scrapy's fingerprint filter would also drop the
# redirect hops of already-seen URLs, so requests are sent with dont_filter=True.
DEPTH_LIMIT = 0
TELNETCONSOLE_ENABLED = False
# Scrapy reads a callback's source and parses it (inspect + ast) to warn about `return value` in a
# generator; its cache is keyed by bound method, which is new on every response, so the check ran on
# most responses of a crawl (about 4 % of the crawl's CPU). The spider's callbacks return no values.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Components the crawl never uses, off so that their imports and start-up are not paid either
# (RemoteControl alone imports aiohttp's web server): the crawl speaks http(s) only and writes its
# own rows, not feeds.
EXTENSIONS = {
    "scrapy.extensions.remote_control.RemoteControl": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.memdebug.MemoryDebugger": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.spiderstate.SpiderState": None,
    "scrapy.extensions.throttle.AutoThrottle": None,
}
DOWNLOAD_HANDLERS = {"s3": None, "ftp": None, "file": None, "data": None}
# REQUEST_FINGERPRINTER_IMPLEMENTATION is gone in Scrapy 2.19 (only the current fingerprinter exists).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 5

# Where raw pages go; `-s NEWSROOM_DATABASE_URL=...` overrides, empty means crawler.db.database_url().
NEWSROOM_DATABASE_URL = os.environ.get("DATABASE_URL", "")
NEWSROOM_BATCH_ROWS = 200  # rows per INSERT ... VALUES batch
NEWSROOM_FLUSH_SECONDS = 2.0  # also flush this often so progress polling of raw_pages sees rows
NEWSROOM_RETRY_BACKOFF = 2.0  # seconds before a 500 is fetched again; per site: retry_backoff in sites.toml
NEWSROOM_MAX_PAGINATION = 50  # deepest /page/N/ of a section followed; sitemaps cover the archive

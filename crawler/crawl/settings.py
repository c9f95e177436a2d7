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
# Only the components the crawl uses are listed: Scrapy imports every class named in a component
# setting, even one switched off with None, to resolve its key, so switching off RemoteControl still
# imported aiohttp's web server (about 0.1 s of every crawl's start). Left out: remote control, telnet,
# memory debugging, feeds, spider state, AutoThrottle (politeness comes from sites.toml), cookies, the
# HTTP cache and non-HTTP download handlers; robots.txt is SharedRobotsTxtMiddleware's.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.logstats.LogStats": 0,
}
DOWNLOADER_MIDDLEWARES_BASE = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": 300,
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 850,
}
# Every request the spider yields passes each spider middleware: DepthMiddleware (the spider counts
# link depth itself, DEPTH_LIMIT is 0) and MetaCopyDetectionMiddleware (a development warning) are left
# out, 1.2 % of the crawl's instructions on the 1,000-article demo (callgrind, same requests).
SPIDER_MIDDLEWARES_BASE = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": 800,
}
DOWNLOAD_HANDLERS_BASE = {
    "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
}
# REQUEST_FINGERPRINTER_IMPLEMENTATION is gone in Scrapy 2.19 (only the current fingerprinter exists).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# Scrapy's collector wraps every attribute access in a deprecation shim; the lean one does not
# (2.7 % of the crawl's instructions on the 1,000-article demo, callgrind, same requests).
STATS_CLASS = "crawler.crawl.stats.LeanStatsCollector"

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 5

# Where raw pages go; `-s NEWSROOM_DATABASE_URL=...` overrides, empty means crawler.db.database_url().
NEWSROOM_DATABASE_URL = os.environ.get("DATABASE_URL", "")
NEWSROOM_BATCH_ROWS = 200  # rows per INSERT ... VALUES batch
NEWSROOM_FLUSH_SECONDS = 0.5  # also flush this often: a clean beside the crawl starts on the first pages
NEWSROOM_RETRY_BACKOFF = 2.0  # seconds before a 500 is fetched again; per site: retry_backoff in sites.toml
# A robots.txt Crawl-delay above this many seconds is capped (with a warning): a silly value must not
# stall the night. The site's pace is max(download_delay, Crawl-delay), see PortalSpider._apply_crawl_delay.
NEWSROOM_MAX_CRAWL_DELAY = 30.0
NEWSROOM_MAX_PAGINATION = 50  # deepest /page/N/ of a section followed; sitemaps cover the archive

"""The crawl stage, Scrapy side: spider, middlewares, pipeline, items, settings, sitemaps, the crawl process."""

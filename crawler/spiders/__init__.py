"""Scrapy spiders of the newsroom crawl."""

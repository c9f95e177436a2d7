"""Scrapy's in-memory stats collector without its per-access deprecation shim."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class LeanStatsCollector(MemoryStatsCollector):
    """MemoryStatsCollector, with plain attribute access.

    Scrapy 2.19's StatsCollector routes every attribute access through `__getattribute__`, which first
    looks up a cached wrapper that warns about a deprecated `spider` argument and, for every other
    name (`_stats` inside each `inc_value`), raises and catches an AttributeError. The crawl and
    Scrapy count several figures per request, so that shim was a measurable share of the crawl's CPU.
    The methods are the same; only the warning about passing `spider` is gone (nothing here passes it).
    """

    __getattribute__ = object.__getattribute__

"""Scrapy's downloader with the per-site concurrency limit enforced again (sites.toml concurrent_requests)."""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class PoliteDownloader(Downloader):
    """Counts a request against its slot's concurrency from the moment it leaves the slot's queue.

    Scrapy 2.19 starts each download as an asyncio task and marks it transferring only when that
    task runs, so one pass of its queue loop sees every slot free and starts the whole queue: with
    no delay, CONCURRENT_REQUESTS_PER_DOMAIN limits nothing (tests/test_crawl_promises.py measured
    18 requests in flight against a limit of 3). The loop below is Scrapy's, plus that one line.
    """

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            # _download adds it too (a set: no double count) and removes it when the download ends.
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break

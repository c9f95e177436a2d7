"""Live progress of long stages: a rewritten line on a terminal, a summary line every few seconds in logs."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger("newsroom.progress")

TERMINAL_INTERVAL = 0.5
LOG_INTERVAL = 5.0


class Progress:
    """Counts pages, articles and rejects of one stage and shows them at a human pace."""

    def __init__(
        self, stage: str, enabled: bool = True, stream: TextIO | None = None, counts_articles: bool = True
    ) -> None:
        self.stage = stage
        # The crawl stores pages; articles exist only after clean, so its line must not claim "0 articles".
        self.counts_articles = counts_articles
        self.shown: str | None = None
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.on_terminal = self.stream.isatty()
        self.interval = TERMINAL_INTERVAL if self.on_terminal else LOG_INTERVAL
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.pages = self.articles = self.rejected = 0

    def update(self, pages: int, rejected: int = 0, articles: int | None = None) -> None:
        """Record the latest counts; show them if the interval has passed."""
        self.pages, self.rejected = pages, rejected
        if articles is not None:
            self.articles = articles
        now = time.monotonic()
        if self.enabled and now - self.last_shown >= self.interval:
            self.last_shown = now
            self._show()

    def line(self) -> str:
        """The status line: pages, rate, articles, rejects."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        articles = f"{self.articles} articles, " if self.counts_articles else ""
        return (
            f"{self.stage}: {self.pages} pages, {self.pages / elapsed:.1f} pages/s, "
            f"{articles}{self.rejected} rejected, {elapsed:.0f} s"
        )

    def _counts(self) -> tuple[int, int, int]:
        return self.pages, self.articles, self.rejected

    def _show(self) -> None:
        self.shown = repr(self._counts())
        if self.on_terminal:
            self.stream.write("\r\033[K" + self.line())
            self.stream.flush()
        else:
            log.info(self.line())

    def close(self) -> None:
        """Show the final counts and end the terminal line."""
        if not self.enabled:
            return
        if self.shown != repr(self._counts()):  # the final counts once, not the same line twice
            self._show()
        if self.on_terminal:
            self.stream.write("\n")
            self.stream.flush()


class Poller(threading.Thread):
    """Calls sample() every interval in the background until stopped (for stages run in a subprocess)."""

    def __init__(self, sample: Callable[[], None], interval: float = TERMINAL_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.sample = sample
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.sample()
            except Exception:  # progress is cosmetic: a failed sample must not stop the crawl
                log.debug("progress sample failed", exc_info=True)

    def stop(self) -> None:
        """Stop polling and wait for the thread."""
        self.stopped.set()
        self.join()

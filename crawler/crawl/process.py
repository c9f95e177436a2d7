"""Run one crawl in its own process (a Twisted reactor cannot be restarted); return its recorded figures."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

from crawler import procs

# The directory that holds the `crawler` package (the checkout, or site-packages of an install).
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
LOG_TAIL_LINES = 60
STOP_POLL_SECONDS = 0.5
GC_THRESHOLD = 10_000  # allocations between gen-0 collections in the crawl process (default 700)


class CrawlFailed(RuntimeError):
    """The crawl subprocess failed; carries the reason and the tail of its log."""

    def __init__(self, reason: str, log_tail: str = "") -> None:
        super().__init__(f"{reason}\n{log_tail}" if log_tail else reason)
        self.reason = reason
        self.log_tail = log_tail


def crawl_stats(db_url: str, run_id: str) -> dict[str, Any] | None:
    """The figures the crawl recorded under crawl_runs.stats->'crawl', or None."""
    from crawler import db

    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT stats -> 'crawl' FROM crawl_runs WHERE run_id = %s", (run_id,))
            row = cur.fetchone()
    finally:
        conn.close()
    return dict(row[0]) if row and row[0] is not None else None


def crawl_command(site_url: str, run_id: str, max_pages: int | None = None) -> list[str]:
    """The command line of one crawl process (the database URL travels in the environment, not argv)."""
    command = [sys.executable, "-m", "crawler.crawl.process", "--site", site_url, "--run-id", run_id]
    if max_pages is not None:
        command += ["--max-pages", str(max_pages)]
    return command


def run_crawl(
    site_url: str,
    run_id: str,
    db_url: str,
    max_pages: int | None = None,
    log_file: str | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Crawl site_url into raw_pages in a subprocess; return stats->'crawl' or raise CrawlFailed.

    Setting `stop` (from another thread) ends the crawl's process group early.
    """
    env = {**os.environ, "DATABASE_URL": db_url}  # never in argv, where `ps` would show a password
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    sink = open(log_file, "a", encoding="utf-8") if log_file else None  # noqa: SIM115 - closed below
    try:
        # Scrapy logs to stderr; stdout is merged so nothing reaches the caller's stdout.
        # Its own process group: a Ctrl-C, SIGTERM or failure here stops the crawl and all it started.
        process = procs.start_group(
            crawl_command(site_url, run_id, max_pages),
            cwd=PACKAGE_PARENT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        with procs.group_stopped_on_exit(process):
            if stop is not None:
                threading.Thread(target=_stop_when_set, args=(stop, process), daemon=True).start()
            assert process.stdout is not None
            for line in process.stdout:
                tail.append(line)
                if sink:
                    sink.write(line)
            code = process.wait()
            process.stdout.close()
    finally:
        if sink:
            sink.close()
    log_tail = "".join(tail)
    if code != 0:
        raise CrawlFailed(f"crawl of {site_url} (run {run_id}) exited with status {code}", log_tail)
    stats = crawl_stats(db_url, run_id)
    if stats is None:
        raise CrawlFailed(f"crawl of {site_url} (run {run_id}) recorded no figures", log_tail)
    return stats


def _stop_when_set(stop: threading.Event, process: subprocess.Popen[str]) -> None:
    """Stop the crawl's process group once stop is set; return when the crawl ends by itself."""
    while not stop.wait(STOP_POLL_SECONDS):
        if process.poll() is not None:
            return
    if process.poll() is None:
        procs.stop_group(process)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the crawl process: `python -m crawler.crawl.process --site URL --run-id ID`."""
    parser = argparse.ArgumentParser(prog="python -m crawler.crawl.process", description=__doc__)
    parser.add_argument("--site", required=True)
    parser.add_argument("--run-id")
    parser.add_argument("--max-pages", type=int)
    parser.add_argument("--log-file")
    args = parser.parse_args(argv)
    # Killed parent (even by SIGKILL): this crawl ends too instead of writing a run nobody waits for.
    procs.die_with_parent()

    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler.crawl.spider import PortalSpider

    settings = Settings()
    settings.setmodule("crawler.crawl.settings", priority="project")
    if args.log_file:
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    from crawler import db
    from crawler.hostlock import crawl_lock
    from crawler.urls import site_key

    # The fetching process holds the host's lock (not the task that started it), so a crawl orphaned
    # by a lost worker still blocks a retry of the same host until it is really gone.
    lock_url = str(settings.get("NEWSROOM_DATABASE_URL") or "") or db.database_url()
    with crawl_lock(lock_url, site_key(args.site)):
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(PortalSpider)
        process.crawl(crawler, site=args.site, run_id=args.run_id, max_pages=args.max_pages)
        # Every request allocates a few hundred short-lived objects (request, response, headers,
        # deferreds, asyncio handles), so the default gen-0 threshold of 700 ran the cycle collector
        # about 350 times a night (5-6 % of the crawl's CPU on the 1,000-article demo); what was
        # imported is frozen out of its walks. Cycles are still collected, a few times less often.
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, 20, 20)
        process.start()
    stats = crawler.stats
    reason = stats.get_value("finish_reason") if stats else None
    failure = stats.get_value("newsroom/failure") if stats else None
    if crawler.spider is None:
        failure = "the spider never started"
    if failure or reason != "finished":
        print(f"crawl failed: {failure or reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

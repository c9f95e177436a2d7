"""Crawler promises, each checked where it is kept: on the requests the demo portal receives.

Every test names in its docstring the one-line change of the crawler that makes it fail (checked by
applying it, seeing the test fail, and reverting).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg2.extensions
import pytest

from crawler.crawl.process import run_crawl
from newsroom_demo.server import PortalServer, running_portal
from newsroom_demo.site import PortalModes

# Scrapy's RANDOMIZE_DOWNLOAD_DELAY waits between 0.5 and 1.5 times the delay.
DELAY_JITTER = 0.5
# Request starts are taken when the portal's handler runs, a little after Scrapy sent them; on a busy
# machine two successive requests can be delivered this much closer together than they were sent.
DELIVERY_SLACK = 0.2


@dataclass
class Seen:
    """One request as the portal saw it."""

    path: str
    headers: dict[str, str]
    status: int
    started: float
    ended: float


@contextmanager
def portal_log(server: PortalServer, latency: float = 0.0) -> Iterator[list[Seen]]:
    """Every request the portal answers while the block runs; `latency` seconds added to each answer."""
    seen: list[Seen] = []
    lock = threading.Lock()
    original = server.portal.respond

    def respond(path_with_query: str, request_headers: Any) -> Any:
        started = time.monotonic()
        status, headers, body = original(path_with_query, request_headers)
        if latency:
            time.sleep(latency)
        with lock:
            lower = {k.lower(): v for k, v in request_headers.items()}
            seen.append(Seen(path_with_query, lower, status, started, time.monotonic()))
        return status, headers, body

    server.portal.respond = respond  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        server.portal.respond = original  # type: ignore[method-assign]


def site_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str, **settings: Any) -> None:
    """Crawl base_url with these sites.toml settings (the loopback default has no delay)."""
    lines = [f'base_url = "{base_url}"']
    for key, value in settings.items():
        text = str(value).lower() if isinstance(value, bool) else repr(value)
        lines.append(f"{key} = {text}")
    path = tmp_path / "sites.toml"
    path.write_text("[defaults]\n\n[[site]]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_SITES_FILE", str(path))


def raw_rows(conn: psycopg2.extensions.connection, run_id: str) -> dict[str, tuple[int, str | None, str]]:
    """url -> (status, rejected_reason, final_url) of one run's raw_pages."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT url, status, rejected_reason, final_url FROM raw_pages WHERE run_id = %s", (run_id,)
        )
        return {url: (status, reason, final) for url, status, reason, final in cur.fetchall()}


def paths(seen: list[Seen]) -> set[str]:
    return {s.path for s in seen}


# --- robots.txt --------------------------------------------------------------------------------------


def _disallowed_story(server: PortalServer) -> str:
    """A story that sections, sitemaps and other articles link to, and that robots.txt disallows."""
    return server.portal.story_paths()[-1]  # the newest: on the home page, its section and the feed


@pytest.mark.parametrize("obey", [True, False])
def test_a_linked_article_disallowed_by_robots_txt_is_never_requested(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, obey: bool
) -> None:
    """A disallowed article linked from the home page is never requested; with obey_robots=false it is.

    The disallowed path is an ordinary article permalink, which no hard-coded exclusion (/wp-admin/ ...)
    matches: only robots.txt keeps it out.
    Mutation: requesting f"{...}/robots.tx" instead of "/robots.txt" in PortalSpider.start (both the
    spider's check and the middleware then see no rules) makes the obey=True case fetch the article.
    """
    with running_portal(articles=8, seed=11, bad_pages=False) as server:
        story = _disallowed_story(server)
        server.portal.test_modes = PortalModes(robots_disallow=(story,))
        site_settings(tmp_path, monkeypatch, server.base_url, obey_robots=obey)
        home = server.portal.respond("/", {"Host": server.base_url.removeprefix("http://")})[2]
        assert f'href="{server.base_url}{story}"'.encode() in home  # linked by an <a>
        with portal_log(server) as seen:
            stats = run_crawl(server.base_url, "robots", db_url)
    others = set(server.portal.story_paths()) - {story}
    assert others <= paths(seen)  # the crawl itself went everywhere else
    if obey:
        assert story not in paths(seen)
        assert stats["robots_forbidden"] >= 1
    else:
        assert story in paths(seen)
        assert raw_rows(conn, "robots")[server.base_url + story][:2] == (200, None)


# --- conditional requests (304) ----------------------------------------------------------------------


def test_night_two_without_sitemap_lastmod_is_answered_by_304s(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no <lastmod> anywhere, an unchanged night 2 costs conditional requests answered 304.

    The portal checks both validators: every article request of night 2 carries the ETag and the
    Last-Modified date the portal sent on night 1.
    Mutation: deleting `headers["If-None-Match"] = state.etag` in PortalSpider.request fails the
    header assertion (the portal still answers 304 on If-Modified-Since alone).
    """
    # No REST API either, and a revisit policy that finds every article due: otherwise nothing would
    # ask for the unchanged articles at all (which is what makes such nights cheap).
    with running_portal(articles=12, seed=12, bad_pages=False, rest_api=False) as server:
        server.portal.test_modes = PortalModes(sitemap_lastmod=False)
        site_settings(
            tmp_path, monkeypatch, server.base_url, revisit_recent_every_days=0.0, revisit_every_days=0.0
        )
        stories = set(server.portal.story_paths())
        with portal_log(server) as night1:
            run_crawl(server.base_url, "night-1", db_url)
        with portal_log(server) as night2:
            stats = run_crawl(server.base_url, "night-2", db_url)

    host = {"Host": server.base_url.removeprefix("http://")}
    for sitemap in ("/sitemap_index.xml", "/post-sitemap.xml"):
        status, _, body = server.portal.respond(sitemap, host)
        assert status == 200 and b"<loc>" in body and b"<lastmod>" not in body
    validators = {s.path: s for s in night1 if s.path in stories and s.status == 200}
    assert set(validators) == stories
    first_answers = {path: server.portal.respond(path, host)[1] for path in stories}
    story_requests = [s for s in night2 if s.path in stories]
    assert {s.path for s in story_requests} == stories
    for s in story_requests:
        assert s.headers.get("if-none-match") == first_answers[s.path]["ETag"], s
        assert s.headers.get("if-modified-since") == first_answers[s.path]["Last-Modified"], s
        assert s.status == 304, s
    assert stats["skipped_unchanged"] == 0  # nothing to skip by: the cost is carried by the 304s
    assert stats["not_modified"] >= len(stories)  # and static pages the revisit policy found due
    stored = raw_rows(conn, "night-2")
    assert not {server.base_url + path for path in stories} & set(stored)


# --- politeness --------------------------------------------------------------------------------------


def _max_in_flight(seen: list[Seen]) -> int:
    events = sorted([(s.started, 1) for s in seen] + [(s.ended, -1) for s in seen])
    current = peak = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def test_requests_to_one_host_keep_the_download_delay(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Successive request starts are at least delay x (1 - jitter) apart (no bound on the total time).

    Mutation: `"DOWNLOAD_DELAY": config.download_delay / 4` in PortalSpider.from_crawler.
    """
    delay = 1.0
    with running_portal(articles=3, seed=13, bad_pages=False) as server:
        site_settings(tmp_path, monkeypatch, server.base_url, download_delay=delay, concurrent_requests=4)
        with portal_log(server) as seen:
            run_crawl(server.base_url, "polite", db_url, max_pages=16)
    starts = sorted(s.started for s in seen)
    assert len(starts) >= 15
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= delay * (1 - DELAY_JITTER) - DELIVERY_SLACK, sorted(gaps)[:5]
    assert _max_in_flight(seen) == 1  # with a delay, one request at a time: the next waits for it


def test_requests_to_one_host_respect_the_concurrency_limit(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With slow answers, at most `concurrent_requests` are in flight at once, and that many are reached.

    Mutation: `"CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrent_requests + 1` in from_crawler.
    """
    with running_portal(articles=20, seed=14, bad_pages=False) as server:
        site_settings(tmp_path, monkeypatch, server.base_url, download_delay=0.0, concurrent_requests=3)
        with portal_log(server, latency=0.15) as seen:
            run_crawl(server.base_url, "parallel", db_url, max_pages=40)
    assert len(seen) >= 30
    assert _max_in_flight(seen) == 3


# --- link depth --------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_link_following_stops_at_max_link_depth(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: int
) -> None:
    """Pages reachable only through a chain of links from the home page are followed `depth` hops deep.

    Mutation: `elif depth + 1 <= self.config.max_link_depth + 1:` in PortalSpider._follow_links.
    """
    with running_portal(articles=4, seed=15, bad_pages=False) as server:
        server.portal.test_modes = PortalModes(link_chain=6)
        # Every link is tried (no yield samples): this is about the depth bound alone.
        site_settings(
            tmp_path,
            monkeypatch,
            server.base_url,
            max_link_depth=depth,
            link_sample=100_000,
            archive_sample=100_000,
        )
        with portal_log(server) as seen:
            run_crawl(server.base_url, "depth", db_url)
    assert {p for p in paths(seen) if p.startswith("/kette/")} == {
        f"/kette/{n}/" for n in range(1, depth + 1)
    }


# --- off-site redirects ------------------------------------------------------------------------------


@contextmanager
def other_site() -> Iterator[tuple[str, list[str]]]:
    """A second server on loopback (same host, other port: another site) that records what reaches it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>fremd</body></html>")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_a_redirect_off_the_site_is_recorded_and_never_followed(db_url: str, conn) -> None:
    """A linked page answering 302 to another site: its row says offsite_redirect, the other site sees nothing.

    The target is 127.0.0.1 on another port, which Scrapy's own offsite filter (host names only) lets
    through; the crawler's redirect guard stops it, and the spider's redirect verdict behind it.
    Mutation: deleting `raise OffsiteRedirect(...)` in RedirectGuardMiddleware.process_response (the row
    becomes a 302 alias without a reason).
    """
    with other_site() as (elsewhere, hits), running_portal(articles=4, seed=16, bad_pages=False) as server:
        server.portal.test_modes = PortalModes(offsite_redirect=elsewhere + "/ziel/")
        with portal_log(server) as seen:
            stats = run_crawl(server.base_url, "offsite", db_url)
    assert "/weiter/extern/" in paths(seen)
    assert hits == []
    status, reason, _ = raw_rows(conn, "offsite")[server.base_url + "/weiter/extern/"]
    assert (status, reason) == (0, "offsite_redirect")
    assert stats["rejected"]["offsite_redirect"] == 1

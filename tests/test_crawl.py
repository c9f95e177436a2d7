"""The crawl stage against the demo portal on loopback, into a real PostgreSQL (one process per crawl)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2.extensions
import pytest
from support import before_each_answer

from crawler.crawl.process import CrawlFailed, run_crawl
from crawler.crawl.spider import PortalSpider, is_section_url, jsonld_types, paced_delay
from crawler.urls import normalize_url
from newsroom_demo.server import PortalServer, running_portal

REPO = Path(__file__).resolve().parent.parent
STATS_KEYS = {
    "discovered", "fetched", "not_modified", "skipped_unchanged", "stored", "rejected", "bytes", "seconds",
}  # fmt: skip


@contextmanager
def request_log(server: PortalServer) -> Iterator[list[str]]:
    """Every path+query the portal answered while the block runs."""
    seen: list[str] = []  # list.append is atomic: the portal's threads need no lock
    with before_each_answer(server, seen.append):
        yield seen


@contextmanager
def request_times(server: PortalServer) -> Iterator[list[float]]:
    """When the portal received each request (time.monotonic) while the block runs."""
    times: list[float] = []
    with before_each_answer(server, lambda _: times.append(time.monotonic())):
        yield times


def rows(conn: psycopg2.extensions.connection, run_id: str) -> list[dict[str, Any]]:
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT url, final_url, status, rejected_reason, discovered_via, body_gzip IS NOT NULL,
                      body_bytes, content_type, headers, sitemap_lastmod, site
               FROM raw_pages WHERE run_id = %s""",
            (run_id,),
        )
        names = [
            "url", "final_url", "status", "reason", "via", "has_body", "bytes", "ctype", "headers", "lastmod",
            "site",
        ]  # fmt: skip
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def stored_stories(page_rows: list[dict[str, Any]], story_urls: set[str]) -> set[str]:
    """Story URLs stored with content (status 200) in these rows, by normalised final URL."""
    return {
        normalize_url(r["final_url"])
        for r in page_rows
        if r["status"] == 200 and normalize_url(r["final_url"]) in story_urls
    }


def sites_file(path: Path, base_url: str, defaults: dict[str, Any] | None = None, **site: Any) -> str:
    """A sites.toml for one site (no delay unless `defaults` say otherwise); returns its path."""

    def toml(settings: dict[str, Any]) -> str:
        return "".join(f"{name} = {json.dumps(value)}\n" for name, value in settings.items())

    path.write_text(
        f"[defaults]\n{toml({'download_delay': 0.0, **(defaults or {})})}\n"
        f"[[site]]\n{toml({'base_url': base_url, **site})}",
        encoding="utf-8",
    )
    return str(path)


def exhaustive_sites(path: Path, base_url: str) -> str:
    """A sites.toml that tries every link and archive: for tests about pages, not about discovery."""
    return sites_file(path, base_url, {"concurrent_requests": 8}, archive_sample=100000, link_sample=100000)


def test_a_late_retry_does_not_wait_out_its_backoff_once_the_server_answered_others(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The backoff gives an overloaded server time; a server that answered other pages since is not
    # overloaded, so when the crawl has nothing else to do it retries at once. With an hour's backoff
    # the night would otherwise never end: it is stopped after 5 minutes (a bound, not a speed figure).
    with running_portal(articles=30, seed=2, day=1, flaky_pages=True) as server:
        base = server.base_url
        flaky = server.portal.flaky_paths()
        monkeypatch.setenv(
            "NEWSROOM_SITES_FILE",
            sites_file(
                tmp_path / "sites.toml", base, archive_sample=100000, link_sample=100000, retry_backoff=3600
            ),
        )
        stop = threading.Event()
        bound = threading.Timer(300, stop.set)
        bound.start()
        try:
            stats = run_crawl(base, "night-1", db_url, stop=stop)
        finally:
            bound.cancel()
    assert not stop.is_set()
    assert stats["late_retries"] >= len(flaky) > 0
    by_url = {r["url"]: r for r in rows(conn, "night-1")}
    for path in flaky:
        assert by_url[normalize_url(base + path)]["status"] == 200  # its retry landed


def test_first_crawl_stores_every_story_once_and_bad_pages_with_reasons(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        running_portal(articles=60, seed=1, day=1, flaky_pages=True) as server,
        request_log(server) as requested,
    ):
        base = server.base_url
        stories = {normalize_url(base + s.url) for s in server.portal.stories()}
        bad = server.portal.bad_paths()
        flaky = server.portal.flaky_paths()
        assert flaky
        # Bad pages are linked from the home page only; the default samples of links would miss some.
        monkeypatch.setenv("NEWSROOM_SITES_FILE", exhaustive_sites(tmp_path / "sites.toml", base))
        stats = run_crawl(base, "night-1", db_url)

    page_rows = rows(conn, "night-1")
    assert stored_stories(page_rows, stories) == stories
    for r in page_rows:
        for url in (r["url"], r["final_url"]):
            assert url.startswith(base + "/"), url  # never an external page
            assert "/wp-admin/" not in url
        assert (
            r["site"] == base.split("://", 1)[1]
        )  # host and port: another portal on this host is another site
    assert not any("example.org" in path or "/wp-admin/" in path for path in requested)

    # Each normalised URL was downloaded once, except that a 500 is fetched once more late in the crawl:
    # the page that fails once lands, the one that always fails is recorded as http_500.
    counts = Counter(normalize_url(base + path) for path in requested)
    failing = {normalize_url(base + p) for p in [*flaky, *(p for p, k in bad.items() if k == "http_500")]}
    assert {url for url, n in counts.items() if n > 1} == failing
    assert all(counts[url] == 2 for url in failing)
    assert len({r["url"] for r in page_rows}) == len(page_rows)
    assert stats["late_retries"] == len(failing)

    by_url = {r["url"]: r for r in page_rows}
    for path in flaky:
        row = by_url[normalize_url(base + path)]
        assert (row["status"], row["reason"], row["has_body"]) == (200, None, True), row
    for path, kind in bad.items():
        row = by_url[normalize_url(base + path)]
        assert row["reason"] == kind, (path, row)
    too_large = next(p for p, k in bad.items() if k == "too_large")
    assert by_url[normalize_url(base + too_large)]["has_body"] is False

    # Old URLs (/?p=ID, /archiv/slug/) only redirect to articles the sitemaps, the REST API and the
    # pages' shortlinks already name: they are never fetched just to learn that alias.
    assert not [p for p in requested if p.startswith(("/?p=", "/archiv/"))]

    vias = {r["via"] for r in page_rows}
    assert {"robots", "sitemap", "feed", "section", "link"} <= vias
    robots = by_url[base + "/robots.txt"]
    assert robots["via"] == "robots" and robots["ctype"].startswith("text/plain") and robots["has_body"]
    article = by_url[next(iter(sorted(stories)))]
    assert {k.lower() for k in article["headers"]} >= {"etag", "last-modified"} and article["bytes"] > 0

    assert set(stats) >= STATS_KEYS
    assert stats["stored"] == len(page_rows)
    assert stats["discovered"] >= len(page_rows)
    assert stats["rejected"]["redirect_loop"] == 2 and stats["rejected"]["too_large"] == 1
    assert stats["not_modified"] == 0 and stats["skipped_unchanged"] == 0
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM fetch_state WHERE site = %s AND etag IS NOT NULL",
            (base.split("://", 1)[1],),
        )
        assert cur.fetchone()[0] >= len(stories)


def test_later_nights_store_only_what_changed(db_url: str, conn) -> None:
    with running_portal(articles=60, seed=1, day=1) as server:
        base = server.base_url
        stories = {normalize_url(base + s.url) for s in server.portal.stories()}
        run_crawl(base, "night-1", db_url)

        unchanged = run_crawl(base, "night-2", db_url)
        assert stored_stories(rows(conn, "night-2"), stories) == set()
        assert unchanged["skipped_unchanged"] > 0
        assert unchanged["skipped_unchanged"] + unchanged["not_modified"] >= len(stories)

        server.set_day(2)
        changed = {normalize_url(base + path) for path in server.portal.changed_paths()}
        assert changed
        night3 = run_crawl(base, "night-3", db_url)
        page_rows = rows(conn, "night-3")

    assert stored_stories(page_rows, stories) == changed
    # The home page, feeds and sitemaps are fetched in full every night: that is how new articles are
    # found (sections only as a sample, since they found nothing the sitemaps missed).
    assert {base + "/", base + "/feed/", base + "/sitemap_index.xml"} <= {
        r["url"] for r in page_rows if r["status"] == 200
    }
    assert night3["stored"] == len(page_rows)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM fetch_state WHERE url = ANY(%s) AND run_id = 'night-3'", (sorted(changed),)
        )
        assert cur.fetchone()[0] == len(changed)


def test_retried_crawl_with_the_same_run_id_replaces_its_rows(db_url: str, conn) -> None:
    with running_portal(articles=20, seed=3, day=1) as server:
        first = run_crawl(server.base_url, "night-1", db_url)
        before = {r["url"] for r in rows(conn, "night-1")}
        again = run_crawl(server.base_url, "night-1", db_url)
        after = {r["url"] for r in rows(conn, "night-1")}
    # The retry stores every URL it fetches once, replacing the first attempt's row (how far the
    # navigation samples reach may differ between attempts; rows are never duplicated).
    assert after >= before
    assert again["stored"] == len(after) and first["stored"] == len(before)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT url) FROM raw_pages")
        assert cur.fetchone() == (len(after), len(after))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), count(*) FILTER (WHERE status = 'running') FROM crawl_runs")
        assert cur.fetchone() == (1, 1)  # run_crawl never finishes the run: the stage runner does


def test_scrapy_crawl_command_works_from_the_repository_root(db_url: str, conn) -> None:
    with running_portal(articles=5, seed=4, day=1) as server:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"site={server.base_url}", "-a",
             "run_id=cli-run", "-s", f"NEWSROOM_DATABASE_URL={db_url}"],
            cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        stories = {normalize_url(server.base_url + s.url) for s in server.portal.stories()}
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == ""
    assert stored_stories(rows(conn, "cli-run"), stories) == stories
    stored_rows = len(rows(conn, "cli-run"))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT stats -> 'crawl' ->> 'stored' FROM crawl_runs WHERE run_id = 'cli-run'")
        assert int(cur.fetchone()[0]) == stored_rows


def test_max_pages_bounds_the_crawl(db_url: str, conn) -> None:
    with running_portal(articles=30, seed=5, day=1) as server:
        stats = run_crawl(server.base_url, "small", db_url, max_pages=12)
    assert len(rows(conn, "small")) == stats["stored"] == 12
    assert stats["max_pages_reached"] is True


def test_allowed_sections_keep_articles_of_other_sections_out(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_portal(articles=30, seed=6, day=1) as server:
        sites = sites_file(tmp_path / "sites.toml", server.base_url, allowed_sections=["politik"])
        monkeypatch.setenv("NEWSROOM_SITES_FILE", sites)
        stories = {normalize_url(server.base_url + s.url) for s in server.portal.stories()}
        stats = run_crawl(server.base_url, "politik-only", db_url)
    page_rows = rows(conn, "politik-only")
    stored = stored_stories([r for r in page_rows if r["reason"] is None], stories)
    politik = {url for url in stories if "/politik/" in url}
    assert stored == politik
    assert stats["outside_sections"] > 0
    assert base_paths(page_rows) >= {"/", "/sport/"}  # navigation pages are still fetched
    # Articles found under other URLs (no dated path) are stored, but marked for the clean stage to skip.
    assert {
        r["reason"] for r in page_rows if r["status"] == 200 and normalize_url(r["final_url"]) in stories
    } <= {None, "outside_sections"}


def test_requests_flow_at_the_politeness_limit(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a delay of d, one request may start every d: requests must arrive d apart all night, not in
    # bursts with idle seconds between them (the engine idling until its 5 s heartbeat), and never closer.
    delay = 0.2
    with running_portal(articles=20, seed=8, bad_pages=False) as server, request_times(server) as times:
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f"[defaults]\ndownload_delay = {delay}\nconcurrent_requests = 4\n\n"
            f'[[site]]\nbase_url = "{server.base_url}"\n',
            encoding="utf-8",
        )
        monkeypatch.setenv("NEWSROOM_SITES_FILE", str(sites))
        stats = run_crawl(server.base_url, "flow", db_url)
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    assert len(times) == stats["requested"] > 50
    # Politeness: no two requests closer than the delay (a little timer slack allowed).
    assert gaps[0] >= 0.8 * delay
    # Flow: the typical gap is the delay itself, and long gaps are rare (a noisy machine may stall a few).
    assert gaps[len(gaps) // 2] < 1.25 * delay
    assert sum(g > 2 * delay for g in gaps) <= len(gaps) // 20


def test_robots_txt_crawl_delay_paces_the_site(db_url: str, conn) -> None:
    # A Crawl-delay above the configured delay (0 on loopback) sets the pace of the host's slot.
    delay = 0.25
    with running_portal(articles=5, seed=8, bad_pages=False) as server:
        original = server.portal.respond

        def respond(path_with_query: str, request_headers: Any) -> Any:
            status, headers, body = original(path_with_query, request_headers)
            if path_with_query == "/robots.txt":
                body = body.replace(b"User-agent: *\n", f"User-agent: *\nCrawl-delay: {delay}\n".encode())
            return status, headers, body

        server.portal.respond = respond  # type: ignore[method-assign]
        with request_times(server) as times:
            stats = run_crawl(server.base_url, "paced", db_url)
    assert stats["crawl_delay_s"] == delay
    assert len(times) == stats["requested"] > 10
    # robots.txt went out before the delay was known; every later request waited for it (timer slack:
    # one delay). Lower bounds only: a slow machine cannot fail them.
    assert times[-1] - times[1] >= (len(times) - 3) * delay


def test_a_huge_crawl_delay_is_capped_and_a_short_one_leaves_the_configured_delay() -> None:
    assert paced_delay(0.5, 86400.0, 30.0) == 30.0  # a silly value cannot stall the night
    assert paced_delay(0.5, 2.0, 30.0) == 2.0
    assert paced_delay(0.5, 0.1, 30.0) == 0.5  # never faster than sites.toml says
    assert paced_delay(0.5, None, 30.0) == 0.5
    assert paced_delay(60.0, 86400.0, 30.0) == 60.0  # the cap bounds robots.txt, not the configuration


def base_paths(page_rows: list[dict[str, Any]]) -> set[str]:
    from urllib.parse import urlsplit

    return {urlsplit(r["url"]).path for r in page_rows if r["status"] == 200}


def test_unreachable_site_gives_fetch_error_rows_and_the_crawl_still_finishes(db_url: str, conn) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    stats = run_crawl(f"http://127.0.0.1:{port}", "down", db_url)
    page_rows = rows(conn, "down")
    assert page_rows and all(r["status"] == 0 for r in page_rows)
    assert {r["reason"] for r in page_rows} == {"fetch_error: DownloadConnectionRefusedError"}
    assert stats["rejected"] == {"fetch_error: DownloadConnectionRefusedError": len(page_rows)}
    # Its robots.txt never answered (RFC 9309: disallow everything), so nothing else was tried.
    assert [r["url"] for r in page_rows] == [f"http://127.0.0.1:{port}/robots.txt"]
    assert stats["robots_unreachable"].startswith("robots_unreachable: robots.txt could not be fetched")


def test_database_failure_raises_crawl_failed(db_url: str) -> None:
    with running_portal(articles=3, seed=7, day=1) as server, pytest.raises(CrawlFailed) as failed:
        run_crawl(server.base_url, "no-db", "postgresql://nobody@127.0.0.1:1/none")
    assert "exited with status" in failed.value.reason
    assert failed.value.log_tail


def test_link_filters_and_page_shapes() -> None:
    spider = PortalSpider(site="https://www.example-portal.de/", run_id="unit")
    base = "https://example-portal.de"  # normalised URLs fold www.; requests keep the given host
    assert spider.request_url(base + "/politik/x/") == "https://www.example-portal.de/politik/x/"
    assert spider.crawl_url(base + "/politik/x/?utm_source=nl&fbclid=1#kommentare") == base + "/politik/x/"
    assert spider.crawl_url("http://example-portal.de/politik/x/amp/") == base + "/politik/x/"
    for unwanted in (
        "https://example.org/extern",
        "https://www.example-portal.de:8443/politik/",
        base + "/wp-admin/",
        base + "/wp-login.php",
        base + "/politik/x/feed/",
        base + "/comments/feed/",  # lists comments, not articles
        base + "/bild.jpg",
        base + "/politik/x/?replytocom=5",
        base + "/politik/page/999/",
        "mailto:redaktion@example-portal.de",
    ):
        assert spider.crawl_url(unwanted) is None, unwanted
    assert spider.crawl_url(base + "/feed/") == base + "/feed/"
    assert spider.crawl_url(base + "/politik/feed/") == base + "/politik/feed/"  # a section's feed
    assert is_section_url(base + "/") and is_section_url(base + "/politik/page/3/")
    assert not is_section_url(base + "/?p=12") and not is_section_url(base + "/politik/2025/01/02/a/")
    assert "newsarticle" in jsonld_types('{"@graph": [{"@type": ["NewsArticle"]}, {"@type": "WebPage"}]}')
    assert jsonld_types("{not json") == set()


def test_the_crawl_loads_only_the_scrapy_components_it_uses() -> None:
    # Scrapy imports every component named in a setting, even one switched off, so the crawl lists only
    # its own: no remote-control web server (aiohttp), telnet console, feed exports or cookie jar at start.
    probe = """
import sys, json
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
settings = Settings()
settings.setmodule("crawler.crawl.settings", priority="project")
enabled = {}
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):
    # What Scrapy's MiddlewareManager does to find a crawl's components.
    enabled[name] = [c.rsplit(".", 1)[-1] if isinstance(c, str) else c.__name__
                     for c in build_component_list(settings.get_component_priority_dict_with_base(name))]
print(json.dumps({"modules": sorted(m for m in sys.modules if m.split(".")[0] in {"aiohttp", "scrapy"}),
                  "enabled": enabled, "stats": load_object(settings["STATS_CLASS"]).__name__}))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    modules = set(found["modules"])
    assert not {m for m in modules if m.startswith("aiohttp")}
    for unused in ("remote_control", "telnet", "feedexport", "cookies", "httpcache", "spiderstate"):
        assert not [m for m in modules if m.endswith(unused)], unused
    enabled = found["enabled"]
    assert {"CoreStats", "LogStats", "MemoryUsage"} <= set(enabled["EXTENSIONS"])
    assert {
        "SharedRobotsTxtMiddleware",
        "RedirectGuardMiddleware",
        "RetryMiddleware",
        "HttpProxyMiddleware",
    } <= set(enabled["DOWNLOADER_MIDDLEWARES"])
    assert "RobotsTxtMiddleware" not in enabled["DOWNLOADER_MIDDLEWARES"]  # SharedRobotsTxtMiddleware's job
    assert {"HttpErrorMiddleware", "RefererMiddleware"} <= set(enabled["SPIDER_MIDDLEWARES"])
    assert found["stats"] == "LeanStatsCollector"


def test_the_lean_stats_collector_counts_like_scrapys() -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.crawl.stats import LeanStatsCollector

    results = []
    for cls in (MemoryStatsCollector, LeanStatsCollector):
        stats = cls(get_crawler())
        stats.inc_value("newsroom/discovered")
        stats.inc_value("newsroom/discovered", 2)
        stats.max_value("depth", 3)
        stats.max_value("depth", 1)
        stats.set_value("finish_reason", "finished")
        results.append(stats.get_stats())
    assert results[0] == results[1] == {"newsroom/discovered": 3, "depth": 3, "finish_reason": "finished"}

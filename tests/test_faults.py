"""Faults and misuse (issue 13): overlapping runs, kills, hostile responses; real processes and Postgres."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2.extensions
from support import REPO, newsroom

from crawler import db, runs
from crawler.urls import normalize_url
from newsroom_demo.server import PortalServer, running_portal

# Bounds of the polling loops below (iterations x sleep), generous for a loaded machine: they end a
# test that would otherwise hang, they are not a claim about speed.
POLL_SECONDS = 0.1
MAX_POLLS = 1800


def start_newsroom(*args: str) -> subprocess.Popen[str]:
    """`newsroom ARGS` as a real process of its own, output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def expected_articles(server: PortalServer) -> set[str]:
    return {normalize_url(server.base_url + story.url) for story in server.portal.stories()}


def only_run_id(conn: psycopg2.extensions.connection) -> str:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT run_id FROM crawl_runs")
        (run_id,) = cur.fetchone()
    return str(run_id)


def copy_run(conn: psycopg2.extensions.connection, source: str, target: str) -> None:
    """A second run of the same site that fetched the same pages a second later, not cleaned yet."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO crawl_runs (run_id, site) SELECT %s, site FROM crawl_runs WHERE run_id = %s",
            (target, source),
        )
        cur.execute(
            """INSERT INTO raw_pages (run_id, site, url, final_url, status, headers, content_type, body_gzip,
                   body_bytes, body_sha256, fetched_at, discovered_via, sitemap_lastmod, rejected_reason)
               SELECT %s, site, url, final_url, status, headers, content_type, body_gzip, body_bytes,
                      body_sha256, fetched_at + interval '1 second', discovered_via, sitemap_lastmod,
                      CASE WHEN status = 0 OR status >= 400 THEN rejected_reason END
               FROM raw_pages WHERE run_id = %s""",
            (target, source),
        )


@contextmanager
def articles_locked(url: str) -> Iterator[psycopg2.extensions.connection]:
    """Hold an EXCLUSIVE lock on articles: every clean stops at its first article write until released."""
    blocker = db.connect(url)
    try:
        with blocker.cursor() as cur:
            cur.execute("LOCK TABLE articles IN EXCLUSIVE MODE")
        yield blocker
    finally:
        blocker.rollback()
        blocker.close()


def waiting_on_articles(conn: psycopg2.extensions.connection) -> int:
    """How many sessions wait for a lock on the articles table."""
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               WHERE c.relname = 'articles' AND NOT l.granted"""
        )
        return int(cur.fetchone()[0])


def test_1_overlapping_cleans_of_one_site_both_finish_with_every_article_once(db_url: str, conn) -> None:
    with running_portal(articles=30, seed=5, day=1) as server:
        expected = expected_articles(server)
        newsroom("crawl", "--site", server.base_url)
    first = only_run_id(conn)
    copy_run(conn, first, "overlapping-run")
    with articles_locked(db_url):
        cleans = [
            start_newsroom("clean", "--run-id", run_id, "--workers", "1")
            for run_id in (first, "overlapping-run")
        ]
        # Provably overlapping: both cleans wait at their first article write, in the same instant.
        for _ in range(MAX_POLLS):
            if waiting_on_articles(conn) == 2 or any(p.poll() is not None for p in cleans):
                break
            time.sleep(POLL_SECONDS)
        assert waiting_on_articles(conn) == 2, [p.poll() for p in cleans]
    outputs = [p.communicate() for p in cleans]
    assert [p.returncode for p in cleans] == [0, 0], [err[-2000:] for _, err in outputs]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert {row[0] for row in cur.fetchall()} == expected
        cur.execute(
            """SELECT count(*) FILTER (WHERE cleaned_at IS NULL),
                      count(*) FILTER (WHERE clean_outcome = 'new'),
                      count(DISTINCT article_id) FILTER (WHERE clean_outcome = 'new')
               FROM raw_pages"""
        )
        # Nothing left uncleaned, and each article was created by exactly one page of one run.
        assert cur.fetchone() == (0, len(expected), len(expected))


def test_4_two_runs_of_a_site_in_the_same_second_are_two_runs(db_url: str, conn) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 24, 2, 0, 0, tzinfo=UTC)
    ids = {runs.new_run_id("https://example.de/", now) for _ in range(2)}
    assert len(ids) == 2
    with conn, conn.cursor() as cur:
        for run_id in ids:
            runs.start_run(cur, run_id, "example.de")
        cur.execute("SELECT count(*) FROM crawl_runs WHERE site = 'example.de'")
        assert cur.fetchone()[0] == 2
    assert all(
        run_id.startswith("20261124T020000.000000Z-") and run_id.endswith("-example.de") for run_id in ids
    )


def test_5_a_gzip_bomb_is_recorded_as_too_large(db_url: str, conn) -> None:
    import gzip

    from crawler.crawl.process import run_crawl

    bomb = gzip.compress(b"<html><body>" + b" " * 30_000_000 + b"</body></html>", compresslevel=9)
    with running_portal(articles=5, seed=8, day=1) as server:
        target = server.portal.stories()[0].url
        original = server.portal.respond

        def respond(
            path_with_query: str, request_headers: dict[str, str]
        ) -> tuple[int, dict[str, str], bytes]:
            if path_with_query.split("?", 1)[0] == target:  # 30 MB of spaces in 30 kB of gzip
                return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb
            return original(path_with_query, request_headers)

        server.portal.respond = respond  # type: ignore[method-assign]
        run_crawl(server.base_url, "bomb", db_url)
        bomb_url = normalize_url(server.base_url + target)
    assert len(bomb) < 100_000
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT rejected_reason, body_gzip IS NULL FROM raw_pages WHERE run_id = 'bomb' AND url = %s",
            (bomb_url,),
        )
        assert cur.fetchall() == [("too_large", True)]

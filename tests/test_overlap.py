"""Overlapped stages: `run` cleans pages while its crawl still fetches, and leaves what separate stages leave."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2.extensions
import pytest
from test_crawl import sites_file

from crawler import stages
from crawler.extract.template import SAMPLE_PAGES
from newsroom_demo.server import running_portal


def outcome_counts(conn: psycopg2.extensions.connection, run_id: str) -> dict[str, int]:
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT coalesce(clean_outcome, 'uncleaned'), count(*) FROM raw_pages WHERE run_id = %s GROUP BY 1",
            (run_id,),
        )
        return dict(cur.fetchall())


def copies(conn: psycopg2.extensions.connection) -> set[tuple[str, str]]:
    """(copy, original) pairs the duplicates stage marked, by path (each portal gets its own port)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT a.url, o.url FROM articles a JOIN articles o ON o.article_id = a.duplicate_of")
        return {(urlsplit(copy).path, urlsplit(original).path) for copy, original in cur.fetchall()}


def test_run_cleans_while_the_crawl_fetches_and_matches_separate_stages(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Dedupe links articles while clean still stores them. Whether clean lags the crawl here depends on
    # the machine, so clean is held open after its work until dedupe has signed articles (bounded):
    # a dedupe that only started after clean would never sign them, and the run would not overlap.
    real_clean = stages.clean
    signed_during_clean: list[int] = []

    def clean_that_waits_for_dedupe(*args: Any, **kwargs: Any) -> dict[str, Any]:
        figures = real_clean(*args, **kwargs)
        if kwargs.get("follow") is not None:  # the night's own clean, not a backlog's
            for _ in range(600):
                with conn, conn.cursor() as cur:
                    cur.execute("SELECT count(*) FROM article_minhash")
                    signed = cur.fetchone()[0]
                if signed:
                    signed_during_clean.append(signed)
                    break
                time.sleep(0.05)
        return figures

    monkeypatch.setattr(stages, "clean", clean_that_waits_for_dedupe)
    # A loopback portal is crawled in well under a second, faster than clean's workers start on a busy
    # machine: a politeness delay stretches the crawl to a few seconds, as a real site's takes.
    with running_portal(articles=120, seed=11, day=1) as server:
        monkeypatch.setenv(
            "NEWSROOM_SITES_FILE", sites_file(tmp_path / "sites.toml", server.base_url, download_delay=0.03)
        )
        figures = stages.run(server.base_url, db_url=db_url, run_id="overlapped")
    with conn, conn.cursor() as cur:
        # Some page was cleaned before the crawl fetched its last page: the stages overlapped.
        cur.execute(
            """SELECT count(*) FILTER (WHERE cleaned_at < (SELECT max(fetched_at) FROM raw_pages
                                                          WHERE run_id = 'overlapped'))
               FROM raw_pages WHERE run_id = 'overlapped'"""
        )
        assert cur.fetchone()[0] > 0
        # Dedupe signed articles before clean returned: the two overlapped.
        assert signed_during_clean and signed_during_clean[0] > 0
        cur.execute("SELECT count(*) FROM articles")
        overlapped_articles = cur.fetchone()[0]
        # The site's template was learned again as the crawl stored pages: from a full sample, not
        # from the few pages (if any) stored when clean began.
        cur.execute("SELECT pages FROM site_templates")
        assert [row[0] for row in cur.fetchall()] == [SAMPLE_PAGES]
    overlapped = outcome_counts(conn, "overlapped")
    assert "uncleaned" not in overlapped  # the drain after the crawl left nothing behind
    assert figures["clean"]["new"] == overlapped["new"] == overlapped_articles > 100
    overlapped_copies = copies(conn)
    assert len(overlapped_copies) == figures["dedupe"]["duplicates"] > 0

    # The same site into a fresh set of tables with the stages one after another gives the same rows.
    with conn, conn.cursor() as cur:
        cur.execute("TRUNCATE articles, raw_pages, fetch_state, url_aliases, crawl_runs CASCADE")
    with running_portal(articles=120, seed=11, day=1) as server:
        monkeypatch.setenv(
            "NEWSROOM_SITES_FILE", sites_file(tmp_path / "sites.toml", server.base_url, download_delay=0.03)
        )
        stages.crawl(server.base_url, run_id="separate", db_url=db_url)
        assert outcome_counts(conn, "separate") == {"uncleaned": sum(overlapped.values())}
        stages.clean(run_id="separate", db_url=db_url)
        stages.dedupe(run_id="separate", db_url=db_url)
    assert outcome_counts(conn, "separate") == overlapped
    assert copies(conn) == overlapped_copies


def test_an_overlapped_night_that_fetched_nothing_fails_and_leaves_no_crawl_thread(db_url: str, conn) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(stages.NothingFetched):
        stages.run(f"http://127.0.0.1:{port}", db_url=db_url, run_id="dead")
    with conn, conn.cursor() as cur:
        cur.execute("SELECT status FROM crawl_runs WHERE run_id = 'dead'")
        assert cur.fetchone()[0] == "failed"
    assert not [t for t in threading.enumerate() if t.name == "crawl"]  # no crawl thread left behind

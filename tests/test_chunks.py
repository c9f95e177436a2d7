"""Clean backlog and re-extraction split into id ranges (what the mapped maintenance tasks run, one per worker)."""

from __future__ import annotations

import itertools
from typing import Any

from crawler import db, stages


def _articles(conn: Any) -> list[tuple[Any, ...]]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, title, body, content_hash FROM articles ORDER BY url")
        return cur.fetchall()


def test_chunked_clean_and_reclean_cover_every_page_once_and_match_one_pass(db_url: str, conn: Any) -> None:
    from newsroom_demo.server import running_portal

    with running_portal(articles=25, seed=3) as server, db.scratch_database("newsroom_ref") as reference:
        stages.crawl(server.base_url, run_id="chunked", db_url=db_url)
        stages.crawl(server.base_url, run_id="reference", db_url=reference)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM raw_pages WHERE cleaned_at IS NULL")
            backlog = cur.fetchone()[0]
        assert backlog > 25

        ranges = stages.chunks("raw_pages", 3, db_url=db_url)
        assert len(ranges) == 3
        assert all(lo <= hi for lo, hi in ranges)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))  # disjoint, ordered
        pages = 0
        for lo, hi in ranges:
            figures = stages.clean(db_url=db_url, workers=1, page_range=[lo, hi])
            pages += figures["pages"]
            with conn, conn.cursor() as cur:  # a chunk cleans only its own range
                cur.execute(
                    "SELECT count(*) FROM raw_pages WHERE cleaned_at IS NOT NULL AND page_id > %s", (hi,)
                )
                assert cur.fetchone()[0] == 0
        assert pages == backlog
        assert stages.chunks("raw_pages", 3, db_url=db_url) == []  # nothing left

        stages.clean(db_url=reference, workers=1)
        ref_conn = db.connect(reference)
        try:
            assert _articles(conn) == _articles(ref_conn) and len(_articles(conn)) >= 20
        finally:
            ref_conn.close()

    # a re-extraction of every article in 2 chunks touches each article exactly once
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        articles = cur.fetchone()[0]
    assert stages.chunks("articles", 2, db_url=db_url, only_outdated=True) == []  # all current
    ranges = stages.chunks("articles", 2, db_url=db_url)
    totals = [stages.reclean(db_url=db_url, only_outdated=False, workers=1, article_range=r) for r in ranges]
    assert sum(t["pages"] for t in totals) == articles
    assert all(t["pages"] > 0 for t in totals)
    assert sum(t["updated"] for t in totals) == 0  # same extractor: nothing changes

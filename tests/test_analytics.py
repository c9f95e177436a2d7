"""The analytics schema: search, the views, the read-only analyst role, the example queries, publish."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.errors
import pytest

from crawler import analytics

QUERIES_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"
_ids = count(1)

# The columns each example query returns; a new file in sql/queries needs an entry here.
EXPECTED_QUERY_COLUMNS = {
    "top_sections_this_week.sql": ["section", "articles", "copies", "sites"],
    "search.sql": ["rank", "title", "url", "published_at", "snippet"],
    "copies_of_a_story.sql": [
        "original_title", "original_site", "copy_site", "copy_url", "method", "similarity", "delay",
    ],
    "articles_per_author.sql": ["author", "articles", "words", "sites", "sections"],
    "crawl_health.sql": [
        "run_id", "status", "discovered", "fetched", "new", "updated", "duplicates", "rejected_total",
        "rejected", "fill_title", "fill_published_at", "fill_authors", "fill_section", "seconds",
    ],
    "daily_counts_month.sql": ["day", "site", "articles", "copies", "words"],
    "rejections_last_week.sql": ["site", "stage", "reason", "pages", "runs"],
    "headline_changes_last_week.sql": [
        "site", "detected_at", "title_before", "title_after", "kind", "after_publication", "url",
    ],
    "most_corrected_sections.sql": [
        "section", "corrected_articles", "corrections", "edits", "rewrites", "headline_changes", "sites",
    ],
    "removed_within_a_day.sql": [
        "site", "title", "url", "published_at", "removed_at", "online_for", "live_copies", "live_copy_sites",
    ],
}  # fmt: skip


def insert_article(cur: Any, **fields: Any) -> int:
    """Insert one articles row (sensible defaults for the NOT NULL columns); return its id."""
    n = next(_ids)
    row: dict[str, Any] = {
        "url": f"https://www.example.de/artikel-{n}.html",
        "site": "www.example.de",
        "title": f"Meldung {n}",
        "body": "Der Stadtrat tagte am Montag im Rathaus.",
        "section": "Politik",
        "authors": ["Anna Schmidt"],
        "published_at": "2026-03-01T10:00:00Z",
        "content_hash": hashlib.sha1(str(n).encode()).hexdigest(),
        "first_seen_at": "2026-03-01T10:05:00Z",
        "last_seen_at": "2026-03-01T10:05:00Z",
        "extractor_version": "test",
        "word_count": 8,
    }
    row.update(fields)
    names = ", ".join(row)
    placeholders = ", ".join(["%s"] * len(row))
    cur.execute(
        f"INSERT INTO articles ({names}) VALUES ({placeholders}) RETURNING article_id", list(row.values())
    )
    return int(cur.fetchone()[0])


def search(cur: Any, query: str, **kwargs: Any) -> list[dict[str, Any]]:
    args = "".join(f", {name} => %({name})s" for name in kwargs)
    cur.execute(f"SELECT * FROM analytics.search(%(query)s{args})", {"query": query, **kwargs})
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def analytics_views(cur: Any) -> list[str]:
    cur.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'analytics' AND c.relkind IN ('v', 'm', 'r') ORDER BY 1"""
    )
    return [row[0] for row in cur.fetchall()]


def test_search_finds_inflected_forms_with_a_snippet(conn) -> None:
    with conn.cursor() as cur:
        target = insert_article(
            cur,
            title="Bürgermeister erhält Drohungen",
            body="Nach den Drohungen gegen den Bürgermeister ermittelt die Polizei. Der Rat ist besorgt.",
        )
        insert_article(cur, title="Neues Schwimmbad eröffnet", body="Das Bad hat seit Montag geöffnet.")
        conn.commit()
        hits = search(cur, "Drohung")
    assert [hit["article_id"] for hit in hits] == [target]
    assert hits[0]["url"].startswith("https://www.example.de/")
    assert hits[0]["rank"] > 0
    assert "<b>Drohungen</b>" in hits[0]["snippet"]


def test_title_hit_ranks_above_body_hit(conn) -> None:
    with conn.cursor() as cur:
        body_only = insert_article(
            cur,
            title="Sitzung des Stadtrats",
            body="Am Rande der Sitzung ging es auch um den Streik der Busfahrer.",
        )
        in_title = insert_article(
            cur, title="Streik legt Busverkehr lahm", body="Die Busse blieben im Depot."
        )
        in_lead = insert_article(
            cur, title="Pendler warten", lead="Ein Streik trifft den Nahverkehr.", body="Viele kamen zu spät."
        )
        conn.commit()
        hits = search(cur, "Streiks")
    assert [hit["article_id"] for hit in hits] == [in_title, in_lead, body_only]
    assert hits[0]["rank"] > hits[1]["rank"] > hits[2]["rank"]


def test_search_excludes_copies_and_honours_since_and_limit(conn) -> None:
    with conn.cursor() as cur:
        original = insert_article(cur, title="Hochwasser an der Elbe", published_at="2026-03-01T08:00:00Z")
        insert_article(
            cur, title="Hochwasser an der Elbe", duplicate_of=original, duplicate_method="exact",
            duplicate_similarity=1.0, published_at="2026-03-02T08:00:00Z",
        )  # fmt: skip
        older = insert_article(cur, title="Hochwasser im Harz", published_at="2025-01-01T08:00:00Z")
        conn.commit()
        assert {hit["article_id"] for hit in search(cur, "Hochwasser")} == {original, older}
        assert [hit["article_id"] for hit in search(cur, "Hochwasser", since="2026-01-01T00:00:00Z")] == [
            original
        ]
        assert len(search(cur, "Hochwasser", lim=1)) == 1
        assert search(cur, "und die der") == []  # only stop words


def test_story_clusters_sum_up_each_original_with_its_copies(conn) -> None:
    with conn.cursor() as cur:
        original = insert_article(cur, site="www.a.de", first_seen_at="2026-03-01T08:00:00Z")
        near = insert_article(
            cur, site="www.b.de", duplicate_of=original, duplicate_method="near", duplicate_similarity=0.8,
            first_seen_at="2026-03-01T09:00:00Z", last_seen_at="2026-03-04T09:00:00Z",
        )  # fmt: skip
        exact = insert_article(cur, site="www.a.de", duplicate_of=original, duplicate_method="exact")
        insert_article(cur, title="Ohne Kopien")
        conn.commit()
        cur.execute(
            """SELECT original_id, copies, copy_ids, sites, min_similarity, max_similarity, exact_copies,
                      first_seen_at::text, last_seen_at::text FROM analytics.story_clusters"""
        )
        assert cur.fetchall() == [
            (original, 2, [near, exact], ["www.a.de", "www.b.de"], pytest.approx(0.8), 1.0, 1,
             "2026-03-01 08:00:00+00", "2026-03-04 09:00:00+00"),
        ]  # fmt: skip


def test_duplicates_are_excluded_from_articles_and_listed_as_copies(conn) -> None:
    with conn.cursor() as cur:
        original = insert_article(cur, site="www.a.de", title="Original", published_at="2026-03-01T08:00:00Z")
        near = insert_article(
            cur, site="www.b.de", title="Kopie", duplicate_of=original, duplicate_method="near",
            duplicate_similarity=0.91, published_at="2026-03-01T10:00:00Z",
        )  # fmt: skip
        exact = insert_article(
            cur, site="www.c.de", title="Kopie 2", duplicate_of=original, duplicate_method="exact",
            published_at="2026-03-01T09:00:00Z",
        )  # fmt: skip
        other = insert_article(cur, title="Anderes Thema")
        conn.commit()
        cur.execute("SELECT article_id, copies FROM analytics.articles ORDER BY article_id")
        assert cur.fetchall() == [(original, 2), (other, 0)]
        cur.execute(
            """SELECT copy_id, copy_site, original_id, original_site, method, similarity, delay
               FROM analytics.article_copies ORDER BY copy_id"""
        )
        rows = cur.fetchall()
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        (near, "www.b.de", original, "www.a.de", "near"),
        (exact, "www.c.de", original, "www.a.de", "exact"),
    ]
    assert rows[0][5] == pytest.approx(0.91)
    assert rows[1][5] == pytest.approx(1.0)
    assert str(rows[0][6]) == "2:00:00"


def test_daily_counts_bucket_by_berlin_day(conn) -> None:
    with conn.cursor() as cur:
        # 00:30 on 2 March in Berlin (UTC+1), 23:59 on 1 March, and in summer time (UTC+2) 00:30 on 2 July.
        insert_article(cur, published_at="2026-03-01T23:30:00Z", section="Politik")
        insert_article(cur, published_at="2026-03-01T22:59:00Z", section="Politik")
        insert_article(cur, published_at="2026-07-01T22:30:00Z", section="Sport")
        original = insert_article(cur, published_at="2026-03-02T09:00:00Z", section="Politik")
        insert_article(
            cur, published_at="2026-03-02T10:00:00Z", section="Politik", duplicate_of=original,
            duplicate_method="exact",
        )  # fmt: skip
        insert_article(
            cur, published_at=None, first_seen_at="2026-03-02T12:00:00Z", last_seen_at="2026-03-02T12:00:00Z",
            section="Politik",
        )  # fmt: skip
        conn.commit()
        cur.execute("SELECT day, section, articles, copies, undated FROM analytics.daily_counts ORDER BY day")
        rows = cur.fetchall()
    assert rows == [
        (date(2026, 3, 1), "Politik", 1, 0, 0),
        (date(2026, 3, 2), "Politik", 3, 1, 1),
        (date(2026, 7, 2), "Sport", 1, 0, 0),
    ]


def test_crawl_health_shows_the_run_stats(conn) -> None:
    stats = {
        "crawl": {
            "discovered": 120, "fetched": 100, "not_modified": 5, "skipped_unchanged": 15, "stored": 95,
            "rejected": {"http_404": 3, "not_html": 2}, "bytes": 123456, "seconds": 12.5,
        },
        "clean": {
            "pages": 95, "new": 80, "updated": 5, "unchanged": 3, "seconds": 4.25,
            "rejected": {"not_article": 6, "http_404": 3, "not_html": 2},  # every rejected page of the run
            "field_fill": {"title": 1.0, "published_at": 0.95, "body": 1.0, "authors": 0.6, "section": 0.9},
        },
        "dedupe": {"checked": 85, "duplicates": 7, "exact": 2, "near": 5, "seconds": 0.5},
    }  # fmt: skip
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO crawl_runs (run_id, site, status, stats) VALUES (%s, %s, 'success', %s)",
            ("20260301T020000Z-example.de", "https://www.example.de", json.dumps(stats)),
        )
        cur.execute("INSERT INTO crawl_runs (run_id, site) VALUES ('20260302T020000Z-example.de', 'x')")
        conn.commit()
        cur.execute("SELECT * FROM analytics.crawl_health ORDER BY run_id")
        columns = [d[0] for d in cur.description]
        done, running = (dict(zip(columns, row, strict=True)) for row in cur.fetchall())
        cur.execute("SELECT stage, reason, pages FROM analytics.crawl_rejections ORDER BY stage, reason")
        rejections = cur.fetchall()
    assert (done["discovered"], done["fetched"], done["not_modified"], done["stored"]) == (120, 100, 5, 95)
    assert (done["new"], done["updated"], done["unchanged"], done["duplicates"]) == (80, 5, 3, 7)
    assert (done["exact_duplicates"], done["near_duplicates"], done["bytes"]) == (2, 5, 123456)
    # The clean stage's figures hold the crawl's rejects too: each page counted once.
    assert done["rejected"] == {"http_404": 3, "not_html": 2, "not_article": 6}
    assert done["rejected_total"] == 11
    assert float(done["fill_published_at"]) == 0.95
    assert float(done["fill_authors"]) == 0.6
    assert float(done["seconds"]) == 17.25
    assert done["status"] == "success"
    # A run whose stages have not reported yet: NULL figures, no error.
    assert running["fetched"] is None and running["rejected"] == {} and running["rejected_total"] == 0
    assert rejections == [
        ("clean", "http_404", 3),
        ("clean", "not_article", 6),
        ("clean", "not_html", 2),
        ("crawl", "http_404", 3),
        ("crawl", "not_html", 2),
    ]


def test_analyst_reads_every_view_and_searches(conn) -> None:
    with conn.cursor() as cur:
        insert_article(cur, title="Drohungen gegen Gemeinderat")
        cur.execute(
            "INSERT INTO crawl_runs (run_id, site, stats) VALUES ('r1', 's', '{\"crawl\": {\"fetched\": 1}}')"
        )
        conn.commit()
        views = analytics_views(cur)
        assert {"articles", "article_copies", "daily_counts", "crawl_health", "crawl_rejections"} <= set(
            views
        )
        assert {"article_edits", "headline_changes", "removed_articles", "daily_edits"} <= set(views)
        cur.execute("SET ROLE news_analyst")
        for view in views:
            cur.execute(f"SELECT * FROM analytics.{view}")
            cur.fetchall()
        assert len(search(cur, "Drohung")) == 1
        cur.execute("SELECT current_user")
        assert cur.fetchone()[0] == "news_analyst"
    conn.rollback()


WRITES = {
    "articles": "UPDATE analytics.articles SET title = 'x'",
    "article_copies": "UPDATE analytics.article_copies SET copy_title = 'x'",
    "daily_counts": "UPDATE analytics.daily_counts SET site = 'x'",
    "crawl_health": "UPDATE analytics.crawl_health SET site = 'x'",
    "crawl_rejections": "UPDATE analytics.crawl_rejections SET site = 'x'",
    "story_clusters": "UPDATE analytics.story_clusters SET copies = 0",
    "article_edits": "UPDATE analytics.article_edits SET kind = 'x'",
    "headline_changes": "UPDATE analytics.headline_changes SET title_after = 'x'",
    "removed_articles": "UPDATE analytics.removed_articles SET title = 'x'",
    "daily_edits": "UPDATE analytics.daily_edits SET edits = 0",
}
DENIED = [
    *(f"INSERT INTO analytics.{view} DEFAULT VALUES" for view in WRITES),
    *WRITES.values(),
    *(f"DELETE FROM analytics.{view}" for view in WRITES),
    "SELECT * FROM public.articles",
    "SELECT * FROM public.raw_pages",
    "SELECT * FROM public.crawl_runs",
    "SELECT * FROM public.article_versions",
    "SELECT * FROM public.article_edits",
    "INSERT INTO public.crawl_runs (run_id, site) VALUES ('x', 'y')",
    "CREATE VIEW analytics.mine AS SELECT 1",
]


@pytest.mark.parametrize("statement", DENIED)
def test_analyst_is_refused_writes_and_raw_tables(conn, statement: str) -> None:
    with conn.cursor() as cur:
        insert_article(cur)
        conn.commit()
        cur.execute("SET ROLE news_analyst")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(statement)
    conn.rollback()


def test_every_analytics_view_covers_the_known_writes(conn) -> None:
    # A new analytics view needs its read_only trigger (see crawler/migrations/0003_analytics.sql) and a line in WRITES.
    with conn.cursor() as cur:
        assert set(analytics_views(cur)) == set(WRITES)
        cur.execute(
            """SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'analytics'"""
        )
        assert {row[0] for row in cur.fetchall()} == set(WRITES)


def test_owner_writes_to_views_are_refused_too(conn) -> None:
    with conn.cursor() as cur:
        insert_article(cur)
        conn.commit()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="read-only"):
            cur.execute("UPDATE analytics.articles SET title = 'x'")
    conn.rollback()


def test_every_analytics_view_and_column_is_commented(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(
            """SELECT c.relname, a.attname
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               WHERE ((n.nspname = 'analytics' AND c.relkind IN ('v', 'm', 'r'))
                      OR (n.nspname = 'public' AND c.relname IN ('articles', 'article_versions', 'raw_pages',
                          'crawl_runs', 'url_aliases', 'fetch_state', 'article_edits')))
                 AND (obj_description(c.oid, 'pg_class') IS NULL
                      OR (a.attname IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))"""
        )
        missing = cur.fetchall()
        cur.execute(
            """SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'analytics' AND obj_description(p.oid, 'pg_proc') IS NULL"""
        )
        missing += cur.fetchall()
    assert missing == []


COPY_URL = "https://www.b.de/kopie.html"
REMOVED_URL = "https://www.example.de/geloescht.html"
REMOVED_PUBLISHED = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)


def _seed_everything(cur: Any) -> None:
    """A little of everything, dated now, so that each example query has rows to return."""
    original = insert_article(
        cur, title="Drohungen gegen Bürgermeister", authors=["Anna Schmidt", "Jonas Becker"],
        published_at="now", first_seen_at="now", last_seen_at="now",
    )  # fmt: skip
    insert_article(
        cur, title="Kopie", site="www.b.de", duplicate_of=original, duplicate_method="near",
        duplicate_similarity=0.9, published_at="now", first_seen_at="now", last_seen_at="now",
        url=COPY_URL,
    )  # fmt: skip
    cur.execute(
        "INSERT INTO crawl_runs (run_id, site, stats) VALUES ('r1', 'https://www.example.de', %s)",
        (json.dumps({"crawl": {"fetched": 3, "rejected": {"http_404": 1}}, "clean": {"new": 2}}),),
    )
    insert_edit(
        cur, original, kind="correction", fields_changed=["title", "body"], title_before="Drohung gegen Rat",
        title_after="Drohungen gegen Bürgermeister", detected_at="now",
    )  # fmt: skip
    # Removed 12 hours after publication, 40 days ago: outside this week's and this month's counts.
    insert_article(
        cur, title="Gelöscht", url=REMOVED_URL, published_at=REMOVED_PUBLISHED, first_seen_at=REMOVED_PUBLISHED,
        last_seen_at=REMOVED_PUBLISHED, removed_at=REMOVED_PUBLISHED + timedelta(hours=12),
    )  # fmt: skip


def insert_edit(cur: Any, article_id: int, **fields: Any) -> None:
    """Insert one article_edits row for version 2 of the article (defaults for the NOT NULL columns)."""
    row: dict[str, Any] = {
        "article_id": article_id, "version": 2, "previous_version": 1, "kind": "minor_edit",
        "fields_changed": ["body"], "words_added": 1, "words_removed": 1, "body_similarity": 0.9,
        "detected_at": "2026-03-02T08:00:00Z",
    }  # fmt: skip
    row.update(fields)
    cur.execute(
        f"INSERT INTO article_edits ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",
        list(row.values()),
    )


def _expected_query_rows(today: date) -> dict[str, list[tuple[Any, ...]]]:
    """What each example query returns on _seed_everything's data, worked out by hand from that data.

    One story (www.example.de, Politik, 8 words, two authors) and its near copy (www.b.de, similarity
    0.9, same instant), one running crawl run with 3 fetched, 2 new and one http_404.
    """
    story = "Drohungen gegen Bürgermeister"
    return {
        "top_sections_this_week.sql": [("Politik", 1, 1, 2)],
        "copies_of_a_story.sql": [
            (story, "www.example.de", "www.b.de", COPY_URL, "near", Decimal("0.900"), timedelta(0))
        ],
        "articles_per_author.sql": [
            ("Anna Schmidt", 1, 8, ["www.example.de"], ["Politik"]),
            ("Jonas Becker", 1, 8, ["www.example.de"], ["Politik"]),
        ],
        "crawl_health.sql": [
            ("r1", "running", None, 3, 2, None, None, 1, {"http_404": 1}, None, None, None, None, Decimal(0))
        ],
        "daily_counts_month.sql": [(today, "www.b.de", 0, 1, 0), (today, "www.example.de", 1, 0, 8)],
        "rejections_last_week.sql": [("https://www.example.de", "crawl", "http_404", 1, 1)],
    }


def test_example_queries_run_for_the_analyst_and_return_the_documented_rows(conn) -> None:
    files = sorted(path.name for path in QUERIES_DIR.glob("*.sql"))
    assert files == sorted(EXPECTED_QUERY_COLUMNS)
    with conn.cursor() as cur:
        _seed_everything(cur)
        conn.commit()
        cur.execute("SELECT (now() AT TIME ZONE 'Europe/Berlin')::date")
        expected = _expected_query_rows(cur.fetchone()[0])
        expected.update(_expected_edit_query_rows(cur))
        cur.execute("SET ROLE news_analyst")  # the queries only need what the analyst can read
        for name in files:
            text = (QUERIES_DIR / name).read_text(encoding="utf-8")
            assert text.startswith("-- Question: "), name
            cur.execute(text)
            assert [d[0] for d in cur.description] == EXPECTED_QUERY_COLUMNS[name], name
            rows = cur.fetchall()
            if name == "search.sql":  # rank and snippet are the search's own: checked in the search tests
                assert [(r[1], r[2]) for r in rows] == [("Drohungen gegen Bürgermeister", _first_url(cur))]
                assert rows[0][0] > 0 and rows[0][4] == "Der Stadtrat tagte am Montag im Rathaus."
            else:
                assert rows == expected[name], name
    conn.rollback()


def _expected_edit_query_rows(cur: Any) -> dict[str, list[tuple[Any, ...]]]:
    """What the edit and removal queries return on _seed_everything's data: the story's one edit (a
    correction that also changed the headline, seen at publication) and the article removed after 12 h."""
    cur.execute("SELECT e.detected_at, a.url FROM article_edits e JOIN articles a USING (article_id)")
    detected_at, url = cur.fetchone()
    removed_at = REMOVED_PUBLISHED + timedelta(hours=12)
    return {
        "headline_changes_last_week.sql": [
            ("www.example.de", detected_at, "Drohung gegen Rat", "Drohungen gegen Bürgermeister", "correction",
             timedelta(0), url),
        ],
        "most_corrected_sections.sql": [("Politik", 1, 1, 1, 0, 1, ["www.example.de"])],
        "removed_within_a_day.sql": [
            ("www.example.de", "Gelöscht", REMOVED_URL, REMOVED_PUBLISHED, removed_at, timedelta(hours=12), 0, []),
        ],
    }  # fmt: skip


def _first_url(cur: Any) -> str:
    cur.execute("SELECT url FROM analytics.articles WHERE title = 'Drohungen gegen Bürgermeister'")
    return str(cur.fetchone()[0])


def test_publish_reports_what_analysts_see(conn) -> None:
    with conn.cursor() as cur:
        _seed_everything(cur)
        conn.commit()
    figures = analytics.publish(conn)
    assert figures["stories"] == 1
    assert figures["copies"] == 1
    assert figures["crawl_runs"] == 1
    assert figures["daily_count_rows"] == 3  # today on two sites, and the removed article's day
    assert (figures["edits"], figures["removed"]) == (1, 1)
    assert figures["materialized_views_refreshed"] == []
    assert json.loads(json.dumps(figures)) == figures  # printable by the CLI and storable by Airflow


def test_publish_refreshes_materialized_views(conn) -> None:
    with conn.cursor() as cur:
        insert_article(cur)
        cur.execute(
            "CREATE MATERIALIZED VIEW analytics.story_count AS SELECT 1 AS one, count(*) AS n FROM articles"
        )
        cur.execute("CREATE UNIQUE INDEX ON analytics.story_count (one)")
        cur.execute(
            "CREATE MATERIALIZED VIEW analytics.site_count AS SELECT count(DISTINCT site) AS n FROM articles"
        )
        insert_article(cur)
        conn.commit()
        figures = analytics.publish(conn)
        assert figures["materialized_views_refreshed"] == ["site_count", "story_count"]
        cur.execute("SELECT n FROM analytics.story_count")
        assert cur.fetchone()[0] == 2
        # Views added later are readable by the analyst through the default privileges.
        cur.execute("SET ROLE news_analyst")
        cur.execute("SELECT n FROM analytics.site_count")
        assert cur.fetchone()[0] == 1
    conn.rollback()

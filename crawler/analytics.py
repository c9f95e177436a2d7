"""The publish step: make what analysts query (the `analytics` schema) current and fast.

The analytics views (crawler/migrations/0003_analytics.sql) read the core tables live, so publishing means
refreshing any materialised view in the schema (none today; later migrations may add some),
refreshing the planner statistics of the tables the views and `analytics.search` read, and
reporting what analysts now see.
"""

from __future__ import annotations

import time
from typing import Any

from psycopg2 import sql
from psycopg2.extensions import connection as Connection

SCHEMA = "analytics"
# The tables under the views; ANALYZE keeps the search and daily_counts plans on their indexes.
ANALYZED_TABLES = ("articles", "crawl_runs", "article_edits")


def materialized_views(conn: Connection) -> list[str]:
    """Names of the materialised views in the analytics schema."""
    with conn.cursor() as cur:
        cur.execute("SELECT matviewname FROM pg_matviews WHERE schemaname = %s ORDER BY 1", (SCHEMA,))
        return [row[0] for row in cur.fetchall()]


def _has_unique_index(conn: Connection, view: str) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            """SELECT EXISTS (SELECT FROM pg_index i
                              WHERE i.indrelid = to_regclass(%s) AND i.indisunique AND i.indpred IS NULL)""",
            (f'{SCHEMA}."{view}"',),
        )
        row = cur.fetchone()
    return bool(row and row[0])


def publish(conn: Connection) -> dict[str, Any]:
    """Refresh materialised views, ANALYZE the tables under analytics, and return what is published.

    Commits. A materialised view with a unique index is refreshed CONCURRENTLY (readers are not
    blocked), one without is refreshed plainly.
    """
    start = time.monotonic()
    refreshed = []
    with conn.cursor() as cur:
        for view in materialized_views(conn):
            ident = sql.Identifier(SCHEMA, view)
            populated = _is_populated(conn, view)
            if populated and _has_unique_index(conn, view):
                cur.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(ident))
            else:
                cur.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(ident))
            refreshed.append(view)
        for table in ANALYZED_TABLES:
            cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier("public", table)))
        for view in refreshed:
            cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(SCHEMA, view)))
        cur.execute(
            """SELECT (SELECT count(*) FROM analytics.articles),
                      (SELECT count(*) FROM analytics.article_copies),
                      (SELECT count(*) FROM analytics.daily_counts),
                      (SELECT count(*) FROM analytics.crawl_health),
                      (SELECT min(day) FROM analytics.daily_counts),
                      (SELECT max(day) FROM analytics.daily_counts),
                      (SELECT max(started_at) FROM analytics.crawl_health),
                      (SELECT count(*) FROM analytics.article_edits),
                      (SELECT count(*) FROM analytics.removed_articles)"""
        )
        row = cur.fetchone()
    conn.commit()
    assert row is not None
    stories, copies, day_rows, runs, first_day, last_day, last_run, edits, removed = row
    return {
        "stories": stories,
        "copies": copies,
        "daily_count_rows": day_rows,
        "crawl_runs": runs,
        "first_day": first_day.isoformat() if first_day else None,
        "last_day": last_day.isoformat() if last_day else None,
        "last_run_started_at": last_run.isoformat() if last_run else None,
        "edits": edits,
        "removed": removed,
        "materialized_views_refreshed": refreshed,
        "analyzed": [f"public.{t}" for t in ANALYZED_TABLES],
        "seconds": round(time.monotonic() - start, 2),
    }


def _is_populated(conn: Connection, view: str) -> bool:
    # CONCURRENTLY refuses a view that was created WITH NO DATA and never refreshed.
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ispopulated FROM pg_matviews WHERE schemaname = %s AND matviewname = %s", (SCHEMA, view)
        )
        row = cur.fetchone()
    return bool(row and row[0])

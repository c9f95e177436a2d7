"""The analytics views and functions over edits and removals, on hand-made rows."""

from __future__ import annotations

from datetime import date

import psycopg2.errors
import pytest
from test_analytics import insert_article, insert_edit


def test_article_diff_lists_changed_paragraphs_with_their_positions(conn) -> None:
    with conn.cursor() as cur:
        article = insert_article(
            cur, title="Neu", lead="Vorspann", body="A\nB\n\nX\nA\nD", version=2,
        )  # fmt: skip
        cur.execute(
            """INSERT INTO article_versions (article_id, version, title, lead, body, content_hash, valid_from, valid_to)
               VALUES (%s, 1, 'Alt', 'Vorspann', E'A\\nB\\nC\\nA', 'h', now(), now())""",
            (article,),
        )
        conn.commit()
        cur.execute("SET ROLE news_analyst")
        cur.execute("SELECT * FROM analytics.article_diff(%s)", (article,))  # the latest edit: 1 -> 2
        assert cur.fetchall() == [
            ("title", 1, "-", "Alt"),
            ("title", 1, "+", "Neu"),
            ("body", 3, "-", "C"),
            ("body", 3, "+", "X"),  # empty lines are no paragraphs; the second "A" is kept
            ("body", 5, "+", "D"),
        ]
        cur.execute(
            "SELECT change, paragraph FROM analytics.article_diff(%s, 2, 1) WHERE part = 'body'", (article,)
        )
        assert cur.fetchall() == [("-", "X"), ("+", "C"), ("-", "D")]
        cur.execute("SELECT count(*) FROM analytics.article_diff(%s, 2, 2)", (article,))
        assert cur.fetchone()[0] == 0
        with pytest.raises(psycopg2.errors.NoDataFound, match="versions 1 to 2"):
            cur.execute("SELECT * FROM analytics.article_diff(%s, 1, 3)", (article,))
    conn.rollback()


def test_removed_articles_tell_whether_the_story_lives_on(conn) -> None:
    with conn.cursor() as cur:
        original = insert_article(
            cur, site="www.a.de", published_at="2026-03-01T08:00:00Z", removed_at="2026-03-01T20:00:00Z",
        )  # fmt: skip
        insert_article(cur, site="www.b.de", duplicate_of=original, duplicate_method="near")
        gone_copy = insert_article(
            cur, site="www.c.de", duplicate_of=original, duplicate_method="exact", removed_at="2026-03-03T08:00:00Z",
        )  # fmt: skip
        alone = insert_article(
            cur, site="www.a.de", published_at=None, first_seen_at="2026-03-01T10:00:00Z",
            last_seen_at="2026-03-01T10:00:00Z", removed_at="2026-03-05T10:00:00Z",
        )  # fmt: skip
        kept = insert_article(cur, site="www.a.de")
        conn.commit()
        cur.execute(
            """SELECT article_id, online_for::text, live_copies, live_copy_sites, is_copy
               FROM analytics.removed_articles ORDER BY article_id"""
        )
        assert cur.fetchall() == [
            (original, "12:00:00", 1, ["www.b.de"], False),  # the copy on www.c.de is gone too
            (gone_copy, "1 day 22:00:00", 1, ["www.b.de"], True),  # its original is gone as well
            (alone, "4 days", 0, [], False),  # undated: online since first seen
        ]
        cur.execute("SELECT article_id FROM analytics.articles ORDER BY article_id")
        assert cur.fetchall() == [(kept,)]
    conn.rollback()


def test_daily_edits_count_kinds_and_removals_per_berlin_day(conn) -> None:
    with conn.cursor() as cur:
        a = insert_article(cur, section="Politik", version=3)
        b = insert_article(cur, section="Politik", removed_at="2026-03-01T23:30:00Z")  # 2 March in Berlin
        insert_edit(cur, a, kind="correction", detected_at="2026-03-01T22:00:00Z")
        insert_edit(
            cur, a, version=3, previous_version=2, kind="headline_change", detected_at="2026-03-01T23:10:00Z"
        )
        insert_edit(cur, b, kind="metadata_only", detected_at="2026-03-01T08:00:00Z")
        conn.commit()
        cur.execute(
            """SELECT day, section, edits, corrections, rewrites, headline_changes, minor_edits, metadata_only,
                      removals FROM analytics.daily_edits ORDER BY day"""
        )
        assert cur.fetchall() == [
            (date(2026, 3, 1), "Politik", 2, 1, 0, 0, 0, 1, 0),
            (date(2026, 3, 2), "Politik", 1, 0, 0, 1, 0, 0, 1),
        ]
        cur.execute("SELECT article_id, version, title_before IS NULL FROM analytics.headline_changes")
        assert cur.fetchall() == []  # fields_changed of the hand-made rows name only the body
    conn.rollback()

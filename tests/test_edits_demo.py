"""Two nights on the demo portal with planted edits: each kind of change lands as the portal made it.

Expected values come from the portal's ground truth (its stories on both days and what it planted),
never from the code under test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from support import newsroom
from test_edits import newer_extractor
from test_portal import fetch

from crawler import clean
from crawler.urls import normalize_url, site_key
from newsroom_demo.planted import PLANTED_KINDS
from newsroom_demo.server import running_portal
from newsroom_demo.site import Portal, StorySpec


def fetch_dicts(cur: Any, query: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cur.execute(query, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def expected_diff(before: StorySpec, after: StorySpec) -> set[tuple[str, str, str]]:
    """(part, change, text) of every headline or body paragraph the portal changed."""
    rows = set()
    if before.title != after.title:
        rows |= {("title", "-", before.title), ("title", "+", after.title)}
    rows |= {("body", "-", p) for p in before.paragraphs if p not in after.paragraphs}
    rows |= {("body", "+", p) for p in after.paragraphs if p not in before.paragraphs}
    return rows


def test_two_nights_record_each_planted_edit_exactly(
    db_url: str, conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_portal(articles=60, seed=1, day=1, planted_edits=True) as server:
        site, base = server.portal, server.base_url
        newsroom("run", "--site", base)
        before = {s.url: s for s in site.stories()}
        server.set_day(2)
        planted = site.planted_edits(since_day=1)
        changed = site.changed_paths(since_day=1)
        after = {s.url: s for s in site.stories()}
        copies = site.copy_pairs()
        newsroom("run", "--site", base)
    assert sorted(planted.values()) == sorted(PLANTED_KINDS)
    url = {path: normalize_url(base + path) for path in before}
    (removed,) = [path for path, kind in planted.items() if kind == "removal"]

    with conn, conn.cursor() as cur:
        edits = {
            row["url"]: row
            for row in fetch_dicts(cur, "SELECT * FROM analytics.article_edits ORDER BY article_id")
        }
        # Exactly one edit per article whose page changed, the planted ones with their kind.
        assert set(edits) == {url[p] for p in changed}
        assert all((row["previous_version"], row["version"]) == (1, 2) for row in edits.values())
        for path, kind in planted.items():
            if kind == "removal":
                continue
            row = edits[url[path]]
            old, new = before[path], after[path]
            assert row["kind"] == kind, path
            assert (row["title_before"], row["title_after"]) == (old.title, new.title)
            diff = fetch_dicts(cur, "SELECT * FROM analytics.article_diff(%s, 1, 2)", (row["article_id"],))
            assert {(d["part"], d["change"], d["paragraph"]) for d in diff} == expected_diff(old, new), kind
            assert len(diff) == len(expected_diff(old, new))
            _assert_positions(cur, row["article_id"], diff)
            if kind == "correction":
                note = new.paragraphs[-1]
                assert row["correction_note"] == note
                assert (row["words_added"], row["words_removed"]) == (len(re.findall(r"\w+", note)), 0)
                assert row["fields_changed"] == ["body", "modified_at"]
            elif kind == "headline_change":
                assert row["fields_changed"] == ["title", "modified_at"]
                assert (row["words_added"], row["words_removed"], row["body_similarity"]) == (0, 0, 1.0)
            elif kind == "substantial_rewrite":
                assert row["fields_changed"] == ["body", "modified_at"]
                assert row["body_similarity"] <= 0.7
            elif kind == "minor_edit":  # the typo fix: one word out, one word in
                assert row["fields_changed"] == ["body", "modified_at"]
                assert (row["words_added"], row["words_removed"]) == (1, 1)
            elif kind == "metadata_only":  # the date-only change
                assert row["fields_changed"] == ["published_at", "modified_at"]
                assert (row["words_added"], row["words_removed"], row["body_similarity"]) == (0, 0, 1.0)
                assert diff == []
                cur.execute("SELECT published_at FROM articles WHERE url = %s", (url[path],))
                assert cur.fetchone()[0] == new.published_at != old.published_at

        headline = [p for p, kind in planted.items() if kind == "headline_change"]
        cur.execute("SELECT url, title_before, title_after FROM analytics.headline_changes")
        assert cur.fetchall() == [(url[p], before[p].title, after[p].title) for p in headline]

        gone = fetch_dicts(cur, "SELECT * FROM analytics.removed_articles")
        cur.execute("SELECT min(fetched_at) FROM raw_pages WHERE url = %s AND status = 410", (url[removed],))
        fetched_gone = cur.fetchone()[0]
        live = [c for c, original in copies.items() if original == removed]
        assert len(gone) == 1
        row = gone[0]
        assert (row["url"], row["title"], row["published_at"]) == (
            url[removed], before[removed].title, before[removed].published_at,
        )  # fmt: skip
        assert row["removed_at"] == fetched_gone and row["online_for"] == fetched_gone - row["published_at"]
        assert row["live_copies"] == len(live) == 1
        assert row["live_copy_sites"] == [site_key(base)]  # the portal's host and port

        # Left out of articles and search, unless asked for.
        cur.execute("SELECT count(*) FROM analytics.articles WHERE url = %s", (url[removed],))
        assert cur.fetchone()[0] == 0
        query = before[removed].title
        cur.execute("SELECT url FROM analytics.search(%s, lim => 100)", (query,))
        assert url[removed] not in {r[0] for r in cur.fetchall()}
        cur.execute("SELECT url FROM analytics.search(%s, lim => 100, include_removed => true)", (query,))
        assert url[removed] in {r[0] for r in cur.fetchall()}

        cur.execute("SELECT sum(edits), sum(corrections), sum(removals) FROM analytics.daily_edits")
        total, corrections, removals = cur.fetchone()
        assert (total, removals) == (len(changed), 1)
        assert corrections >= 1
        cur.execute("SELECT count(*) FROM article_versions")
        versions = cur.fetchone()[0]

    # A reclean with a newer extractor re-reads every page but is no edit.
    newer_extractor(monkeypatch)
    assert clean.reclean_pages(conn, only_outdated=False, workers=1)["updated"] > 0
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM article_edits")
        assert cur.fetchone()[0] == len(changed)
        cur.execute("SELECT count(*) FROM article_versions")
        assert cur.fetchone()[0] == versions


def _assert_positions(cur: Any, article_id: int, diff: list[dict[str, Any]]) -> None:
    """Each body row's position is the paragraph's number in the version it comes from."""
    cur.execute(
        """SELECT body FROM article_versions WHERE article_id = %s AND version = 1
           UNION ALL SELECT body FROM articles WHERE article_id = %s""",
        (article_id, article_id),
    )
    old, new = ([line.strip() for line in r[0].splitlines() if line.strip()] for r in cur.fetchall())
    for d in diff:
        if d["part"] == "body":
            lines = old if d["change"] == "-" else new
            assert lines[d["position"] - 1] == d["paragraph"]


def test_the_portal_changes_exactly_the_planted_and_changed_pages() -> None:
    with running_portal(articles=60, seed=1, day=1, planted_edits=True) as server:
        paths = server.portal.story_paths()
        before = {p: fetch(server.base_url + p)[1]["ETag"] for p in paths}
        server.set_day(2)
        planted = server.portal.planted_edits(since_day=1)
        (removed,) = [p for p, kind in planted.items() if kind == "removal"]
        answers = {p: fetch(server.base_url + p) for p in paths}
        assert {p for p in paths if answers[p][1]["ETag"] != before[p]} == server.portal.changed_paths() | {
            removed
        }
        assert answers[removed][0] == 410
        assert removed not in server.portal.story_paths()
        assert {p for p, kind in planted.items() if kind != "removal"} <= server.portal.changed_paths()
    quiet = Portal(articles=60, seed=1, day=2)  # without the option the portal plants nothing
    assert quiet.planted_edits() == {} and removed in quiet.story_paths()

"""End to end: `newsroom run` against the demo portal on loopback into a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg2.extensions
import pytest
from support import REPO, newsroom
from test_crawl import exhaustive_sites

from crawler.urls import normalize_url
from newsroom_demo.server import running_portal

SEED_TEXT = (REPO / "newsroom_demo" / "seed-article.txt").read_text(encoding="utf-8")
BOILERPLATE = (
    "Die mobile Version verlassen",
    "Startseite",
    "Lesen Sie auch",
    "Newsletter",
    "Cookies",
    "Teilen",
)


def article_rows(conn: psycopg2.extensions.connection) -> dict[str, dict]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, article_id, title, section, body, version, duplicate_of FROM articles")
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_two_nights_land_every_article_once_and_version_changes(db_url: str, conn) -> None:
    with running_portal(articles=40, seed=3, day=1) as server:
        site = server.portal
        expected = {normalize_url(server.base_url + story.url) for story in site.stories()}
        report = newsroom("run", "--site", server.base_url).stdout
        assert "articles new" in report and "pages rejected" in report

        night1 = article_rows(conn)
        assert set(night1) == expected  # every article, and nothing else (URL variants collapsed)
        for path in site.non_article_paths():
            assert normalize_url(server.base_url + path) not in night1

        by_path = {story.url: story for story in site.stories()}
        for story in by_path.values():
            row = night1[normalize_url(server.base_url + story.url)]
            assert row["title"] == story.title
            if story.copy_of:  # agency copies point at their original
                original = night1[normalize_url(server.base_url + story.copy_of)]
                assert row["duplicate_of"] == original["article_id"]

        with conn, conn.cursor() as cur:
            cur.execute("SELECT u.url, a.url FROM url_aliases u JOIN articles a USING (article_id)")
            aliases = dict(cur.fetchall())
        old_urls = {
            normalize_url(server.base_url + old): normalize_url(server.base_url + story.url)
            for story in site.stories()
            if not story.url.startswith("/kaputt/")
            for old in site.old_urls(story.url)
        }
        redirected = {alias: target for alias, target in aliases.items() if alias in old_urls}
        assert all(old_urls[alias] == target for alias, target in redirected.items())
        # Old URLs are not fetched just to learn an alias the shortlinks and the REST API already give.
        with conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM raw_pages WHERE url = ANY(%s)", (sorted(old_urls),))
            assert cur.fetchone() == (0,)

        server.set_day(2)
        changed = {normalize_url(server.base_url + path) for path in site.changed_paths()}
        assert changed
        newsroom("run", "--site", server.base_url)
        night2 = article_rows(conn)

    assert set(night2) == expected  # no new rows
    for url, row in night2.items():
        assert row["article_id"] == night1[url]["article_id"]
        assert row["version"] == (2 if url in changed else 1), url
        assert (row["body"] != night1[url]["body"]) == (url in changed)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT article_id) FROM article_versions")
        assert cur.fetchone() == (len(changed), len(changed))
        cur.execute("SELECT status, stats ? 'crawl', stats ? 'clean', stats ? 'dedupe' FROM crawl_runs")
        assert cur.fetchall() == [("success", True, True, True)] * 2


def test_seed_article_comes_out_clean(db_url: str, conn) -> None:
    with running_portal(articles=5, seed=1) as server:
        newsroom("run", "--site", server.base_url)
        url = normalize_url(server.base_url + server.portal.seed_article_path)
    row = article_rows(conn)[url]
    lines = [line.strip() for line in SEED_TEXT.splitlines() if line.strip()]
    assert row["title"] == "Putin wird Venezuela gegen Trumps Drohungen helfen"
    assert row["section"] == "Politik"
    for paragraph in lines[5:-1]:  # teaser, subheadings and paragraphs, without site name and footer
        assert paragraph in row["body"], paragraph[:60]
    for phrase in BOILERPLATE:
        assert phrase not in row["body"]


def test_bad_pages_are_kept_with_a_reason_and_the_run_goes_on(
    db_url: str, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_portal(articles=5, seed=2) as server:
        # Bad pages are linked from the home page only; the default samples of links would miss some.
        monkeypatch.setenv("NEWSROOM_SITES_FILE", exhaustive_sites(tmp_path / "sites.toml", server.base_url))
        newsroom("run", "--site", server.base_url)
        bad = server.portal.bad_paths()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, rejected_reason FROM raw_pages WHERE rejected_reason IS NOT NULL")
        reasons = {url: reason for url, reason in cur.fetchall()}
        cur.execute("SELECT status FROM crawl_runs")
        assert cur.fetchone()[0] == "success"
    for path in bad:
        assert any(url.startswith(normalize_url(server.base_url + path)) for url in reasons), path
    assert not any("example.org" in url for url in reasons)
    assert "http_404" not in reasons.values()  # the portal links only to pages it serves


def test_extract_command_prints_the_article_as_json(tmp_path: Path) -> None:
    import json
    import urllib.request

    with running_portal(articles=3, seed=1) as server:
        url = server.base_url + server.portal.seed_article_path
        page = tmp_path / "page.html"
        page.write_bytes(urllib.request.urlopen(url).read())
    article = json.loads(newsroom("extract", str(page), "--url", url).stdout)
    assert article["title"] == "Putin wird Venezuela gegen Trumps Drohungen helfen"
    assert article["section"] == "Politik"
    assert article["rejected_reason"] is None

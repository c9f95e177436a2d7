"""Fixtures of the WordPress integration tests: a seeded real WordPress per flavour, and two nights on it."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from wordpress import FLAVOURS, REPO, Flavour, WordPress, is_readable_post, running_wordpress
from wp_content import EDITED, FAIL_ONCE, Plan

from crawler import db
from crawler.urls import normalize_url

# Loopback needs no politeness delay.
SITES_TOML = """\
[defaults]
download_delay = 0.0
concurrent_requests = 4
max_pages = 5000
max_link_depth = 2
max_page_bytes = 10000000
obey_robots = true
allowed_sections = []

[[site]]
name = "wordpress-{name}"
base_url = "{base_url}"
"""
ARTICLE_COLUMNS = (
    "article_id, url, title, lead, body, authors, section, section_path, tags, published_at, "
    "modified_at, language, version, duplicate_of"
)


@dataclass
class SeededWordPress:
    """A served WordPress seeded with day 1 of the plan: its base URL and what it holds."""

    flavour: Flavour
    wp: WordPress
    plan: Plan
    truth: dict[str, dict[str, Any]]  # by plan key

    @property
    def base_url(self) -> str:
        """http://ADDR:PORT of the instance."""
        return self.wp.base_url


@dataclass
class Night:
    """One `newsroom run` and the articles table after it."""

    run_id: str
    stats: dict[str, Any]
    articles: dict[str, dict[str, Any]]  # by url
    stdout: str


@dataclass
class Nights:
    """Two nights of the pipeline on one WordPress: day 1, then an edit, a new post and a trashed post."""

    site: SeededWordPress
    db_url: str
    night1: Night
    night2: Night
    truth1: dict[str, dict[str, Any]]
    truth2: dict[str, dict[str, Any]]
    fail_once_pending: int
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, key: str, day: int = 1) -> str:
        """The normalised URL of a plan key's post as it was on `day`."""
        return normalize_url((self.truth1 if day == 1 else self.truth2)[key]["url"])

    def published(self, day: int = 1) -> dict[str, dict[str, Any]]:
        """Posts a reader can read on `day`: published, not password-protected (by normalised URL)."""
        truth = self.truth1 if day == 1 else self.truth2
        return {normalize_url(t["url"]): t for t in truth.values() if is_readable_post(t)}

    def posts(self) -> dict[str, tuple[dict[str, Any], list[str]]]:
        """Every post published on day 1 or 2 by normalised URL: WordPress's truth and its text's paragraphs.

        A trashed post is in it with its day-1 URL and text: its row is kept.
        """
        posts = {**self.published(1), **self.published(2)}
        plan = self.site.plan
        return {
            url: (truth, [plan.edited_story.lead, *plan.edited_story.paragraphs])
            if truth["key"] == EDITED
            else (truth, plan.posts[truth["key"]].paragraphs)
            for url, truth in posts.items()
        }

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of one SQL query on the pipeline's database."""
        conn = db.connect(self.db_url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        finally:
            conn.close()


def squash(text: str) -> str:
    """Text as compared: entities decoded, runs of whitespace one space."""
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def gmt(value: str) -> datetime:
    """A WordPress *_gmt column as an aware datetime."""
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """WordPress's truth rows keyed by the plan's keys."""
    return {row["key"]: row for row in rows if row["key"]}


@pytest.fixture(scope="session", params=FLAVOURS, ids=lambda f: f.name)
def wordpress(request: pytest.FixtureRequest) -> Iterator[SeededWordPress]:
    """A real WordPress of one flavour, freshly installed and seeded with day 1; removed afterwards."""
    plan = Plan()
    with running_wordpress(request.param, plan.day1()) as wp:
        yield SeededWordPress(request.param, wp, plan, by_key(wp.truth()))


def _articles(db_url: str) -> dict[str, dict[str, Any]]:
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles")
            names = [d[0] for d in cur.description]
            return {row[1]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    finally:
        conn.close()


@pytest.fixture
def scratch_db(pg_server: str) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    name = f"newsroom_wp_{uuid.uuid4().hex[:10]}"
    db.ensure_database(pg_server, name)
    try:
        yield db.with_database(pg_server, name)
    finally:
        db.drop_database(pg_server, name)


def sites_file(tmp_path: Path, flavour: Flavour, base_url: str) -> Path:
    """The sites.toml of one WordPress instance (no politeness delay on loopback)."""
    path = tmp_path / "sites.toml"
    path.write_text(SITES_TOML.format(name=flavour.name, base_url=base_url), encoding="utf-8")
    return path


def run_night(db_url: str, base_url: str, sites_file: Path) -> Night:
    """`newsroom run --site URL` as a user runs it, then the run's recorded figures and the articles."""
    env = {**os.environ, "DATABASE_URL": db_url, "NEWSROOM_SITES_FILE": str(sites_file)}
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "run", "--site", base_url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    conn = db.connect(db_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT run_id, stats FROM crawl_runs ORDER BY started_at DESC LIMIT 1")
            run_id, stats = cur.fetchone()
    finally:
        conn.close()
    return Night(run_id, stats, _articles(db_url), done.stdout)


@pytest.fixture(scope="session")
def nights(
    wordpress: SeededWordPress, pg_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Nights]:
    """Night 1 on day 1 (one post answers 500 once), day 2's changes, night 2; the database is kept."""
    name = f"newsroom_wp_{uuid.uuid4().hex[:10]}"
    db.ensure_database(pg_server, name)
    db_url = db.with_database(pg_server, name)
    sites_file = tmp_path_factory.mktemp("sites") / "sites.toml"
    sites_file.write_text(
        SITES_TOML.format(name=wordpress.flavour.name, base_url=wordpress.base_url), encoding="utf-8"
    )
    try:
        wp = wordpress.wp
        truth1 = wordpress.truth
        wp.fail_once(truth1[FAIL_ONCE]["url"])
        night1 = run_night(db_url, wordpress.base_url, sites_file)
        pending = wp.failures_pending()
        wp.apply(wordpress.plan.day2(datetime.now(UTC)))
        truth2 = by_key(wp.truth())
        night2 = run_night(db_url, wordpress.base_url, sites_file)
        yield Nights(wordpress, db_url, night1, night2, truth1, truth2, pending)
    finally:
        db.drop_database(pg_server, name)

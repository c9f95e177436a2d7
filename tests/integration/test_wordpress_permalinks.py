"""A real WordPress whose posts have no dated URL: WordPress's own default (plain /?p=ID) and /%postname%/.

Nothing in such a post's URL says it is an article, WordPress itself prints neither og:type nor JSON-LD,
and with plain permalinks a post's URL is the /?p=ID short link that is an alias everywhere else. One
night of `newsroom run` must still store every readable post once, and count them as articles.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conftest import SITES_TOML, by_key, run_night, squash
from wordpress import Flavour, is_readable_post, running_wordpress
from wp_content import Plan

from crawler import db
from crawler.urls import normalize_url

UNDATED = (
    Flavour("twentytwentyone", "de_DE", "127.0.0.6", permalinks=""),
    Flavour("twentytwentyone", "de_DE", "127.0.0.7", permalinks="/%postname%/"),
)


@pytest.mark.parametrize("flavour", UNDATED, ids=lambda f: f.name)
def test_posts_without_a_dated_url_are_each_one_article(
    flavour: Flavour, pg_server: str, tmp_path: Path
) -> None:
    name = f"newsroom_wp_{uuid.uuid4().hex[:10]}"
    db.ensure_database(pg_server, name)
    db_url = db.with_database(pg_server, name)
    try:
        with running_wordpress(flavour, Plan().day1()) as wp:
            sites_file = tmp_path / "sites.toml"
            sites_file.write_text(
                SITES_TOML.format(name=flavour.name, base_url=wp.base_url), encoding="utf-8"
            )
            truth = [t for t in by_key(wp.truth()).values() if is_readable_post(t)]
            night = run_night(db_url, wp.base_url, sites_file)
        posts = {normalize_url(t["url"]): t for t in truth}
        assert len(posts) >= 60
        if not flavour.permalinks:
            assert all("?p=" in url for url in posts)  # the set-up under test: plain permalinks
        assert set(night.articles) == set(posts)
        for url, post in posts.items():
            assert night.articles[url]["title"] == squash(post["title"]), post["key"]
        # The crawl's own guess knows them for articles too (its figures and yields rest on it).
        assert night.stats["crawl"]["articles"] >= len(posts)
    finally:
        db.drop_database(pg_server, name)

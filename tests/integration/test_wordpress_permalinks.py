"""A real WordPress whose posts have no dated URL: WordPress's own default (plain /?p=ID) and /%postname%/.

Nothing in such a post's URL says it is an article, WordPress itself prints neither og:type nor JSON-LD,
and with plain permalinks a post's URL is the /?p=ID short link that is an alias everywhere else. One
night of `newsroom run` must still store every readable post once, and count them as articles. With
/%postname%/ permalinks, night 2 must fetch every new post and skip the unchanged ones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import by_key, run_night, sites_file, squash
from wordpress import REST_API_REFUSED, Flavour, is_readable_post, running_wordpress
from wp_content import EDITED, Plan, _wp_dates

from crawler.urls import normalize_url

UNDATED = (
    Flavour("twentytwentyone", "de_DE", "127.0.0.6", permalinks=""),
    Flavour("twentytwentyone", "de_DE", "127.0.0.7", permalinks="/%postname%/"),
)


@pytest.mark.parametrize("flavour", UNDATED, ids=lambda f: f.name)
def test_posts_without_a_dated_url_are_each_one_article(
    flavour: Flavour, scratch_db: str, tmp_path: Path
) -> None:
    with running_wordpress(flavour, Plan().day1()) as wp:
        truth = [t for t in by_key(wp.truth()).values() if is_readable_post(t)]
        night = run_night(scratch_db, wp.base_url, sites_file(tmp_path, flavour, wp.base_url))
    posts = {normalize_url(t["url"]): t for t in truth}
    assert len(posts) >= 60
    if not flavour.permalinks:
        assert all("?p=" in url for url in posts)  # the set-up under test: plain permalinks
    assert set(night.articles) == set(posts)
    for url, post in posts.items():
        assert night.articles[url]["title"] == squash(post["title"]), post["key"]
    # The crawl's own guess knows them for articles too (its figures and yields rest on it).
    assert night.stats["crawl"]["articles"] >= len(posts)


NEW_POSTS = 12  # more than the feed's 10 newest: the rest only the posts sitemap and sections list
POSTNAME = (
    Flavour("twentytwentyone", "de_DE", "127.0.0.14", permalinks="/%postname%/"),
    Flavour("twentytwentyone", "de_DE", "127.0.0.15", permalinks="/%postname%/", config=REST_API_REFUSED),
)


def _day2_with_new_posts(plan: Plan, count: int) -> dict[str, Any]:
    """Day 2's changes (one edit, one new post, one trashed) and count - 1 more new posts."""
    now = datetime.now(UTC)
    day2 = plan.day2(now)
    first = day2["posts"][0]
    for n in range(1, count):
        more = dict(first)
        more.update(
            key=f"new{n}",
            title=f"{first['title']} ({n})",
            slug=f"{first['slug']}-{n}",
            **_wp_dates(now - timedelta(hours=1, minutes=5 * n)),
        )
        day2["posts"].append(more)
    return day2


@pytest.mark.parametrize("flavour", POSTNAME, ids=["rest-api", "rest-api-refused"])
def test_postname_posts_are_articles_on_night_2(flavour: Flavour, scratch_db: str, tmp_path: Path) -> None:
    # /%postname%/ posts look like section pages (/slug/). Once night 1 has found them to be articles, the
    # posts sitemap lists articles: night 2 must fetch every new post it lists (not a navigation sample of
    # them), and must skip posts the REST API says are unchanged (not fetch every listing again).
    plan = Plan()
    with running_wordpress(flavour, plan.day1()) as wp:
        sites = sites_file(tmp_path, flavour, wp.base_url)
        night1 = run_night(scratch_db, wp.base_url, sites)
        wp.apply(_day2_with_new_posts(plan, NEW_POSTS))
        truth = by_key(wp.truth())
        night2 = run_night(scratch_db, wp.base_url, sites)
    new = {normalize_url(truth[k]["url"]) for k in truth if k.startswith("new")}
    assert len(new) == NEW_POSTS
    readable = {normalize_url(t["url"]) for t in truth.values() if is_readable_post(t)}
    assert new | readable <= set(night2.articles)
    if not flavour.config:
        # The REST API says which posts changed: the unchanged ones are not fetched again, the edit is.
        assert night2.stats["crawl"]["requested"] < night1.stats["crawl"]["requested"] / 2
        assert night2.articles[normalize_url(truth[EDITED]["url"])]["version"] >= 2


CATEGORY_POSTNAME = Flavour("twentytwentyone", "de_DE", "127.0.0.16", permalinks="/%category%/%postname%/")
RENAMED, MOVED = "p12", "p13"  # day 2: a new headline and slug; another category


def test_a_renamed_or_moved_post_keeps_its_row(scratch_db: str, tmp_path: Path) -> None:
    # An editor renames a post (new title and slug) and moves another to a new category: both get a new
    # URL, and WordPress redirects the old one. Each must stay one row, under its new URL, with the
    # rename kept as a version; no row may be left behind under the old URL.
    plan = Plan()
    with running_wordpress(CATEGORY_POSTNAME, plan.day1()) as wp:
        sites = sites_file(tmp_path, CATEGORY_POSTNAME, wp.base_url)
        night1 = run_night(scratch_db, wp.base_url, sites)
        before = by_key(wp.truth())
        moved = plan.posts[MOVED].fields
        other = next(
            c["slug"] for c in plan.categories if c["parent"] is None and c["slug"] != moved["category"]
        )
        title = f"Neu: {plan.posts[RENAMED].fields['title']}"
        wp.apply(
            {
                "edits": [
                    {"key": RENAMED, "title": title, "slug": f"{plan.posts[RENAMED].fields['slug']}-neu"},
                    {"key": MOVED, "category": other},
                ]
            }
        )
        after = by_key(wp.truth())
        night2 = run_night(scratch_db, wp.base_url, sites)
    for key in (RENAMED, MOVED):
        old, new = normalize_url(before[key]["url"]), normalize_url(after[key]["url"])
        assert old != new, key  # the set-up under test: the post has a new URL
        assert old in night1.articles and new in night2.articles and old not in night2.articles, key
        assert night2.articles[new]["article_id"] == night1.articles[old]["article_id"], key
    assert len(night2.articles) == len(night1.articles)
    renamed = night2.articles[normalize_url(after[RENAMED]["url"])]
    assert (renamed["title"], renamed["version"]) == (title, 2)

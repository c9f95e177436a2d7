"""A real WordPress whose listings are incomplete: a posts sitemap capped to the newest posts, no REST API.

Real sitemaps are often capped (SEO plugins list recent posts) and some sites refuse the REST API to
anonymous readers. Then only the navigation (sections, their later pages, archives) lists the older
posts: night 1 must still store every readable post, and night 2 must find both a new post and a
backdated one that only a section's later pages list; so must night 4, after a quiet night 3.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import by_key, run_night, sites_file
from wordpress import REST_API_REFUSED, Flavour, is_readable_post, running_wordpress
from wp_content import BASE_DATE, Plan, _wp_dates

from crawler.urls import normalize_url

SITEMAP_NEWEST = 10
# The posts sitemap lists only the newest posts: filters registered before WordPress loads its plugin API
# (WP_Hook::build_preinitialized_hooks reads them from $wp_filter), so no plugin file is shared.
CAPPED_SITEMAP = f"""
$GLOBALS['wp_filter']['wp_sitemaps_posts_query_args'][10][] = ['accepted_args' => 2, 'function' =>
    function ($args, $post_type) {{
        $args['orderby'] = 'date';
        $args['order'] = 'DESC';
        $args['posts_per_page'] = {SITEMAP_NEWEST};
        return $args;
    }}];
$GLOBALS['wp_filter']['wp_sitemaps_posts_pre_max_num_pages'][10][] = ['accepted_args' => 2, 'function' =>
    function ($max, $post_type) {{ return 1; }}];
"""
# Four posts a listing page (WordPress's default is ten): sections long enough to have a middle.
SHORT_PAGES = """
$GLOBALS['wp_filter']['pre_option_posts_per_page'][10][] = ['accepted_args' => 1, 'function' =>
    function ($value) { return 4; }];
"""
FLAVOUR = Flavour(
    "twentytwentyone", "de_DE", "127.0.0.8", config=CAPPED_SITEMAP + REST_API_REFUSED + SHORT_PAGES
)


def _largest_section(plan: Plan) -> str:
    """The top-level category listing the most posts (its subcategories' included, as WordPress lists them)."""
    parent = {c["slug"]: c["parent"] for c in plan.categories}
    sizes: dict[str, int] = {}
    for post in plan.posts.values():
        category = post.fields.get("category")
        if category:
            section = parent.get(category) or category
            sizes[section] = sizes.get(section, 0) + 1
    section = max(sizes, key=lambda s: sizes[s])
    assert sizes[section] > 10  # more than WordPress's first page of 10 posts
    return section


def _middle_date(plan: Plan) -> datetime:
    """A date halfway through the largest section's posts: its middle page lists a post of that date."""
    parent = {c["slug"]: c["parent"] for c in plan.categories}
    section = _largest_section(plan)
    dates = sorted(
        datetime.fromisoformat(post.fields["date"]).replace(tzinfo=BASE_DATE.tzinfo)
        for post in plan.posts.values()
        if post.fields.get("category")
        and (parent.get(post.fields["category"]) or post.fields["category"]) == section
    )
    half = len(dates) // 2
    return dates[half - 1] + (dates[half] - dates[half - 1]) / 2


def test_posts_only_navigation_lists_are_found_on_night_1_and_night_2(
    scratch_db: str, tmp_path: Path
) -> None:
    plan = Plan()
    with running_wordpress(FLAVOUR, plan.day1()) as wp:
        # The set-up under test: the sitemap lists only the newest posts, the REST API refuses.
        with urllib.request.urlopen(wp.base_url + "/wp-sitemap-posts-post-1.xml", timeout=30) as answer:
            assert answer.read().count(b"<loc>") == SITEMAP_NEWEST
        try:
            urllib.request.urlopen(wp.base_url + "/wp-json/wp/v2/posts", timeout=30)
            raise AssertionError("the REST API answered")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
        sites = sites_file(tmp_path, FLAVOUR, wp.base_url)
        posts = {normalize_url(t["url"]) for t in wp.truth() if is_readable_post(t)}
        night1 = run_night(scratch_db, wp.base_url, sites)

        day2 = plan.day2(datetime.now(UTC))
        backdated = dict(day2["posts"][0])
        backdated.update(
            key="backdated",
            title="Nachgereicht: " + backdated["title"],
            slug=backdated["slug"] + "-nachgereicht",
            category=_largest_section(plan),
            # Older than every other post: only the last pages of its section and archives list it.
            **_wp_dates(BASE_DATE - timedelta(days=100)),
        )
        day2["posts"].append(backdated)
        wp.apply(day2)
        truth2 = by_key(wp.truth())
        night2 = run_night(scratch_db, wp.base_url, sites)
        # A quiet night (navigation finds nothing new), then one more backdated post: the night after a
        # quiet one was once only a sample of the navigation, and such a post waited for the draw.
        night3 = run_night(scratch_db, wp.base_url, sites)
        late = dict(backdated, key="backdated-2", title="Nachgetragen: " + day2["posts"][0]["title"])
        late.update(
            slug=day2["posts"][0]["slug"] + "-nachgetragen", **_wp_dates(BASE_DATE - timedelta(days=101))
        )
        wp.apply({"posts": [late]})
        truth4 = by_key(wp.truth())
        night4 = run_night(scratch_db, wp.base_url, sites)
        # A post dated into the middle of the largest section: neither its first nor its last page lists
        # it, but the section now holds one post more than night 4 measured.
        middle = dict(backdated, key="middle", title="Nachgeliefert: " + day2["posts"][0]["title"])
        middle.update(slug=day2["posts"][0]["slug"] + "-nachgeliefert", **_wp_dates(_middle_date(plan)))
        wp.apply({"posts": [middle]})
        truth5 = by_key(wp.truth())
        night5 = run_night(scratch_db, wp.base_url, sites)
    assert len(posts) >= 60
    assert set(night1.articles) == posts
    found_by = {
        channel: figures["articles"] for channel, figures in night1.stats["crawl"]["channels"].items()
    }
    assert found_by.get("sitemap", 0) <= SITEMAP_NEWEST
    # The rest came through navigation (which of its channels reached a post first may vary).
    navigation = sum(found_by.get(channel, 0) for channel in ("section", "pagination", "archive", "link"))
    assert navigation >= len(posts) - SITEMAP_NEWEST
    for key in ("new", "backdated"):
        assert normalize_url(truth2[key]["url"]) in night2.articles, key
    # Night 2 walks navigation again (it paid on night 1), not the whole first night.
    assert night2.stats["crawl"]["requested"] < night1.stats["crawl"]["requested"] / 2
    assert normalize_url(truth4["backdated-2"]["url"]) in night4.articles
    assert normalize_url(truth5["middle"]["url"]) in night5.articles
    assert night5.stats["crawl"]["listing_insertions"] >= 1
    # The sitemap names 10 of the posts: later nights know the rest need navigation, walked every night.
    for night in (night3, night4):
        assert night.stats["crawl"]["unlisted_articles_known"] >= len(posts) - SITEMAP_NEWEST
        assert night.stats["crawl"]["skipped_navigation"] == 0

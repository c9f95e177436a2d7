"""Listing pages (archives, category/tag/author/date pages, blog index) never become articles."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.extract import extract_article
from crawler.extract.listing import listing_reason, page_listing_reason
from newsroom_demo.content import generate_story
from newsroom_demo.site import Portal


def classic_page(body_class: str, main: str, head: str = "") -> str:
    """A Twenty Twenty-One-like page: no JSON-LD, no og: tags, only what WordPress core prints."""
    return (
        '<!doctype html><html lang="de-DE"><head><meta charset="UTF-8">'
        "<title>Oktober 2025 – Stadtanzeiger</title>"
        f'<link rel="https://api.w.org/" href="http://wp.test/wp-json/">{head}</head>'
        f'<body class="{body_class}"><div id="page" class="site"><main id="main" class="site-main">{main}'
        '</main><aside class="widget-area"><section class="widget widget_archive"><h2>Archiv</h2><ul>'
        '<li><a href="http://wp.test/2025/11/">November 2025</a></li>'
        '<li><a href="http://wp.test/2025/10/">Oktober 2025</a></li></ul></section></aside></div></body></html>'
    )


def teasers(n: int) -> str:
    return "".join(
        f'<article id="post-{i}" class="post-{i} post type-post status-publish format-standard hentry '
        f'category-politik entry"><header class="entry-header"><h2 class="entry-title default-max-width">'
        f'<a href="http://wp.test/2025/10/0{i}/meldung-{i}/">Meldung Nummer {i}</a></h2></header>'
        f'<div class="entry-content"><p>{generate_story(4, i).lead}</p></div></article>'
        for i in range(1, n + 1)
    )


MONTH_ARCHIVE = classic_page(
    "archive date logged-out wp-embed-responsive is-light-theme no-js hfeed",
    '<header class="page-header alignwide"><h1 class="page-title">Monat: <span>Oktober 2025</span></h1>'
    f"</header>{teasers(10)}",
    '<link rel="next" href="http://wp.test/2025/10/page/2/">',
)
SINGLE_POST = classic_page(
    "post-template-default single single-post postid-7 single-format-standard wp-embed-responsive",
    '<article id="post-7" class="post-7 post type-post status-publish hentry category-politik entry">'
    '<header class="entry-header"><h1 class="entry-title">Meldung Nummer 7</h1></header>'
    f'<div class="entry-content">{"".join(f"<p>{p}</p>" for p in generate_story(4, 7).paragraphs)}</div></article>'
    f'<nav class="related">{teasers(3)}</nav>',
)


@pytest.mark.parametrize(
    ("body_class", "expected"),
    [
        ("archive date", "body class archive date"),
        ("archive category category-politik category-3", "body class archive category"),
        ("archive tag tag-haushalt", "body class archive tag"),
        ("archive author author-redaktion author-2", "body class archive author"),
        ("home blog", "body class blog"),
        ("archive date paged paged-2 date-paged-2", "body class archive date paged"),
        ("post-template-default single single-post postid-5", None),
        ("page-template-default page page-id-2", None),
    ],
)
def test_wordpress_body_classes_name_the_template(body_class: str, expected: str | None) -> None:
    assert listing_reason(body_class, teasers=0, paginated=False, declared_article=False) == expected


def test_teasers_and_pagination_mark_a_listing_without_body_classes() -> None:
    assert listing_reason("", teasers=5, paginated=False, declared_article=False) == "5 post teasers"
    assert listing_reason("", teasers=2, paginated=True, declared_article=False) == (
        "2 post teasers and pagination"
    )
    assert listing_reason("", teasers=1, paginated=True, declared_article=False) is None
    # A post with a related-posts block declares itself an article: its teasers do not make it a list.
    assert listing_reason("", teasers=6, paginated=True, declared_article=True) is None


def test_a_classic_theme_monthly_archive_is_not_an_article() -> None:
    tree = lxml.html.fromstring(MONTH_ARCHIVE)
    assert page_listing_reason(tree, declared_article=False) == "body class archive date"
    archive = extract_article(MONTH_ARCHIVE.encode(), url="http://wp.test/2025/10/")
    assert archive.word_count > 200  # long enough to pass for an article by length alone
    assert archive.rejected_reason == "not_article: listing page (body class archive date)"
    post = extract_article(SINGLE_POST.encode(), url="http://wp.test/2025/10/07/meldung-7/")
    assert post.rejected_reason is None


def test_demo_portal_archives_are_listings_the_extractor_rejects() -> None:
    portal = Portal(articles=120, seed=3)
    pages = portal.non_article_paths()
    archives = [p for p in pages if p.count("/") == 3 and p[1:5].isdigit()]
    assert archives  # monthly archives /YYYY/MM/, linked from every page's archive widget
    later = [p for p in pages if "/page/" in p]
    assert later
    for path in [*archives, *later[:: max(1, len(later) // 5)], "/politik/", "/tag/berlin/", "/"]:
        status, headers, body = portal.respond(path, {"Host": "portal.test"})
        assert status == 200, path
        article = extract_article(body, url="http://portal.test" + path, content_type=headers["Content-Type"])
        assert article.rejected_reason is not None and article.rejected_reason.startswith("not_article"), path


def test_walked_queries_select_what_their_xpath_did() -> None:
    # Teasers, breadcrumbs and correction boxes are found by walking the tree instead of XPath (a fifth
    # of the cost on large pages); the walk must select exactly what the XPath selected, tokens and
    # letter case included.
    from crawler.extract.corrections import _boxes_and_dates
    from crawler.extract.listing import TEASERS_XPATH, _teaser_count
    from crawler.extract.meta import _is_breadcrumb, elements

    classes = [
        "type-post", "post\ttype-post\nx", "type-posts", "xhentry", "hentry", " wp-block-post ",
        "wp-block-post-title", "HENTRY", "Breadcrumbs", "nav-BREADCRUMB", "breadcrumbx", "bread crumb",
        "correction-box", "Korrektur", "article-korrektur", "berichtigung", "", "plain",
    ]  # fmt: skip
    parts = [f'<div class="{c}" id="i{n}">x</div>' for n, c in enumerate(classes)]
    parts += [
        '<nav aria-label="Breadcrumb">a</nav>', '<ol itemtype="https://schema.org/BreadcrumbList">b</ol>',
        '<p itemprop="correction">c</p>', '<span id="site-breadcrumb">d</span>',
        '<time class="korrektur">e</time>', '<span itemprop="dateModified">f</span>',
    ]  # fmt: skip
    tree = lxml.html.document_fromstring("<html><body>" + "".join(parts) + "</body></html>")
    breadcrumb_xpath = (
        "//*[contains(translate(@class,'BREADCRUMB','breadcrumb'),'breadcrumb') or "
        "contains(translate(@id,'BREADCRUMB','breadcrumb'),'breadcrumb') or "
        "contains(translate(@aria-label,'BREADCRUMB','breadcrumb'),'breadcrumb') or "
        "@itemtype='https://schema.org/BreadcrumbList' or @itemtype='http://schema.org/BreadcrumbList']"
    )
    boxes_xpath = (
        "//*[@itemprop='correction' or contains(@class, 'correction') or contains(@class, 'korrektur')"
        " or contains(@class, 'berichtigung')]"
    )
    assert _teaser_count(tree) == len(tree.xpath(TEASERS_XPATH)) == 4
    assert [e for e in elements(tree) if _is_breadcrumb(e)] == tree.xpath(breadcrumb_xpath)
    assert len(tree.xpath(breadcrumb_xpath)) == 6
    boxes, dates = _boxes_and_dates(tree)
    assert boxes == tree.xpath(boxes_xpath)
    assert len(boxes) == 5
    assert dates == tree.xpath("//time|//*[@itemprop='dateModified']")
    assert len(dates) == 2


def test_the_walked_date_lines_are_what_the_xpath_selected() -> None:
    from crawler.extract.article import _date_lines

    classes = ["Date", "post-DATUM", "timeline", "LINEINFO", "article-info", "metadata", "other", "", "Äta"]
    parts = "".join(f'<p class="{c}">x<span class="meta">y</span></p>' for c in classes)
    tree = lxml.html.document_fromstring(f'<html><head></head><body class="date">{parts}</body></html>')
    lower = "translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    xpath = (
        f"//body//*[contains({lower},'date') or contains({lower},'datum') or "
        f"contains({lower},'time') or contains({lower},'lineinfo') or "
        f"contains({lower},'article-info') or contains({lower},'meta')]"
    )
    assert list(_date_lines(tree)) == tree.xpath(xpath)
    assert len(tree.xpath(xpath)) == 6 + len(classes)  # the body itself is not one of them

"""Bylines, dates and headlines as older blog themes and magazine templates print them (issue 12).

Found on real pages of German-language publishers outside the development set: a post meta line
("posted by X at …", "Von X am …"), a "Von" line after empty share boxes, a "Recent comments" widget
and an embedded video that carry author markup of their own, a quoted social-media post with its own
date, an article printed inside an <aside>, the site's CMS login as metadata author. Each case fails
with its rule (crawler/extract/rules.py) switched off.
"""

from __future__ import annotations

import pytest

from crawler.extract import extract_article, rules

SENTENCE = "Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für das kommende Jahr beschlossen. "
TEXT = f"<p>{SENTENCE * 4}</p>" * 4
URL = "https://www.beispiel-zeitung.de/lokales/haushalt-beschlossen/"


def page(article: str, head: str = "", after: str = "") -> str:
    return (
        "<html lang='de'><head><meta charset='utf-8'><title>Haushalt beschlossen</title>"
        f"<meta property='og:site_name' content='beispiel-zeitung.de'>{head}</head><body>"
        f"<main><article>{article}</article>{after}</main></body></html>"
    )


RECENT_COMMENTS = (
    "<div id='secondary'><h3>Neueste Kommentare</h3><ul><li class='recentcomments'>"
    "<span class='comment-author-link'><a href='/'>Johnny Leser</a></span> bei <a href='/x/'>X</a></li></ul></div>"
)
VIDEO = (
    "<div itemscope itemtype='https://schema.org/VideoObject'><video></video>"
    "<div itemprop='author' itemscope itemtype='https://schema.org/Organization'>"
    "<meta itemprop='name' content='Beispiel TV'></div></div>"
)


@pytest.mark.parametrize(
    ("article", "after", "authors", "rule"),
    [
        # Blog themes print the byline in the post's meta line, often after the text.
        (
            f"<h1>Haushalt beschlossen</h1>{TEXT}<div class='post-meta'>posted by Stadler at 12:53</div>",
            "",
            ["Stadler"],
            "byline_post_meta_line",
        ),
        (
            f"<h1>Haushalt beschlossen</h1>{TEXT}"
            "<div class='asset-meta'>Von Christian am 03.05.2013, 11:51 | 0 Meinungen</div>",
            "",
            ["Christian"],
            "byline_post_meta_line",
        ),
        # The byline line comes after a row of empty share and ad boxes.
        (
            "<h1>Haushalt beschlossen</h1>"
            + "<div class='share'><ul><li></li><li></li></ul></div>" * 6
            + f"<p><em>Von Gregor Lipinski</em></p>{TEXT}",
            "",
            ["Gregor Lipinski"],
            "byline_post_meta_line",
        ),
        # WordPress's "Recent comments" widget signs comments, not the post.
        (
            f"<h1>Haushalt beschlossen</h1>{TEXT}<p class='meta'>Von Anna Berger</p>",
            RECENT_COMMENTS,
            ["Anna Berger"],
            "byline_not_comment_signatures",
        ),
        # An embedded video's microdata author is the video's.
        (
            f"<h1>Haushalt beschlossen</h1><p>von <span itemprop='author'>Inga Buller</span></p>{VIDEO}{TEXT}",
            "",
            ["Inga Buller"],
            "byline_media_authors_last",
        ),
        # Interface text beside a Kürzel, and an author box's "mehr" link, are no names.
        (
            f"<h1>Haushalt beschlossen</h1><div class='author_share'>so <span>Artikel empfehlen:</span></div>{TEXT}",
            "",
            ["so"],
            None,
        ),
    ],
)
def test_blog_and_magazine_bylines(article: str, after: str, authors: list[str], rule: str | None) -> None:
    assert extract_article(page(article, after=after), url=URL).authors == authors
    if rule is not None:
        with rules.disabled([rule]):
            assert extract_article(page(article, after=after), url=URL).authors != authors


def test_the_sites_numbered_login_is_no_author() -> None:
    head = '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Beispiel-Zeitung1"}}</script>'
    html = page(f"<h1>Haushalt beschlossen</h1>{TEXT}", head=head)
    assert extract_article(html, url=URL).authors == []
    with rules.disabled(["byline_site_account"]):
        assert extract_article(html, url=URL).authors == ["Beispiel-Zeitung1"]


def test_a_quoted_posts_date_is_not_the_articles() -> None:
    embed = (
        "<blockquote class='instagram-media'><p>Ein Beitrag geteilt von X</p>"
        "<time datetime='2018-03-12T19:30:12+00:00'>Mär 12, 2018</time></blockquote>"
    )
    html = page(f"<h1>Haushalt beschlossen</h1><p class='date'>29.01.2019</p>{TEXT}{embed}")
    assert (extract_article(html, url=URL).published_at or "")[:10] == "2019-01-29"
    with rules.disabled(["date_not_in_embeds"]):
        assert (extract_article(html, url=URL).published_at or "")[:10] == "2018-03-12"


# An article printed inside an <aside>: two of three metadata titles carry the site's suffixes, and
# without the printed <h1> they would win.
SEO = "Haushalt beschlossen - Kreisblatt Nordheide Lokales - Nordheider Kreisblatt"
IN_ASIDE = (
    f"<html lang='de'><head><meta charset='utf-8'><title>{SEO}</title><meta property='og:title' "
    f"content='Haushalt beschlossen'><meta name='twitter:title' content='{SEO}'></head><body><main>"
    f"<aside class='content'><section><header><h1>Haushalt beschlossen</h1></header>{TEXT}</section></aside>"
    "</main></body></html>"
)
# A breadcrumb trail that ends with the page's own headline, which the <title> also leads with.
CRUMB_IS_HEADLINE = (
    "<html lang='de'><head><meta charset='utf-8'><title>Homo Beispielensis | Landeszentrale für politische "
    "Bildung</title></head><body><div class='breadcrumb'><nav><ol><li><a href='/'>Startseite</a></li><li>"
    "<a href='/themen/'>Die Menschen</a></li><li>Homo Beispielensis</li></ol></nav></div>"
    f"<main><article><h1>Homo Beispielensis</h1>{TEXT}</article></main></body></html>"
)


@pytest.mark.parametrize(
    ("html", "title", "rule"),
    [
        (IN_ASIDE, "Haushalt beschlossen", "title_confirmed_chrome_h1"),
        (CRUMB_IS_HEADLINE, "Homo Beispielensis", "title_crumb_is_headline"),
    ],
)
def test_the_printed_headline_where_chrome_or_a_crumb_hid_it(html: str, title: str, rule: str) -> None:
    assert extract_article(html, url=URL).title == title
    with rules.disabled([rule]):
        assert extract_article(html, url=URL).title != title


def test_a_podcast_transcripts_only_author_is_its_episodes() -> None:
    audio = (
        "<div itemscope itemtype='https://schema.org/AudioObject'><h2>Folge 16</h2>"
        "<span itemprop='author'>Autor/in: Korinna Beispiel</span></div>"
    )
    html = page(f"<h1>Haushalt beschlossen</h1>{audio}{TEXT}")
    assert extract_article(html, url=URL).authors == ["Korinna Beispiel"]


def test_a_guest_authors_profession_is_not_part_of_the_name() -> None:
    html = page(f"<h1>Haushalt beschlossen</h1><p class='author'>Rechtsanwalt Dennis Beispiel</p>{TEXT}")
    assert extract_article(html, url=URL).authors == ["Dennis Beispiel"]


def test_yoasts_webpage_object_dates_a_post_without_an_article_object() -> None:
    graph = (
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Beispiel"}, '
        '{"@type": "WebPage", "url": "' + URL + '", "datePublished": "2017-08-03T10:49:24+00:00"}]}'
    )
    html = page(
        f"<h1>Haushalt beschlossen</h1>{TEXT}", head=f"<script type='application/ld+json'>{graph}</script>"
    )
    assert (extract_article(html, url=URL).published_at or "")[:10] == "2017-08-03"
    with rules.disabled(["date_webpage_ld"]):
        assert extract_article(html, url=URL).published_at is None


def test_a_comment_box_of_another_cms_does_not_date_the_article() -> None:
    comments = (
        "<div class='ce_comments block'><div class='comment_default first'><p class='info'>"
        "<time datetime='2014-11-05T14:25:40+00:00' class='date'>05.11.2014</time></p><p>Toll!</p></div></div>"
    )
    html = page(f"<h1>Haushalt beschlossen</h1>{TEXT}{comments}")
    assert extract_article(html, url=URL).published_at is None
    with rules.disabled(["date_not_in_lists_or_comments"]):
        assert (extract_article(html, url=URL).published_at or "")[:10] == "2014-11-05"


def test_a_screen_reader_heading_of_the_government_site_builder_is_not_the_headline() -> None:
    html = page(
        f"<h1>Haushalt beschlossen im Stadtrat</h1>{TEXT}",
        head="",
    ).replace("<body>", "<body><h1 class='aural'>Bundesministerium für Beispiele und Muster</h1>")
    assert extract_article(html, url=URL).title == "Haushalt beschlossen im Stadtrat"


@pytest.mark.parametrize(
    "credit",
    [
        "<span style='font-size: x-small;'>ssi, dan; Foto [M]: Beispielbild; Erstveröffentlichung: 4.4.18</span>",
        "<div class='m-source'><div class='a-text-block'>ssi/dan</div></div>",
    ],
)
def test_writers_initials_after_the_text_are_the_byline_where_metadata_names_the_site(credit: str) -> None:
    head = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
        '"author": {"@type": "Organization", "name": "beispiel-zeitung.de"}}</script>'
    )
    html = page(f"<h1>Haushalt beschlossen</h1>{TEXT}{credit}", head=head)
    assert extract_article(html, url=URL).authors == ["ssi", "dan"]
    with rules.disabled(["byline_end_credit"]):
        assert extract_article(html, url=URL).authors == ["beispiel-zeitung.de"]
    # A person named in the metadata stays the byline; an agency's short name is no writer's initials.
    person = head.replace("Organization", "Person").replace("beispiel-zeitung.de", "Anna Berger")
    assert extract_article(
        page(f"<h1>Haushalt beschlossen</h1>{TEXT}{credit}", head=person), url=URL
    ).authors == ["Anna Berger"]
    agency = credit.replace("ssi, dan", "dpa").replace("ssi/dan", "dpa")
    assert extract_article(
        page(f"<h1>Haushalt beschlossen</h1>{TEXT}{agency}", head=head), url=URL
    ).authors == ["beispiel-zeitung.de"]

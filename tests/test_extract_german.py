"""Bylines and dates of German news pages as a reader finds them (issue 12): the post's own, not a
related box's or a sidebar's; markup read as it separates names, roles and biographies; unmarked
"Von …" and "Veröffentlicht am …" lines under the headline; the permalink's day as a last resort.

The rules (crawler/extract/rules.py): byline_not_in_related, byline_german_marks, byline_von_line,
byline_structure, byline_over_desk_metadata, date_keyword_line, date_published_over_updated,
date_from_url. With them switched off, the cases each rule is for fail; the rest guard against the
rules reading too much.
"""

from __future__ import annotations

import json

import pytest
from lxml.html import HtmlElement

from crawler.extract import extract_article
from crawler.extract.dates import parse_date

SENTENCE = "Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für das kommende Jahr beschlossen. "
RELATED = (
    "<aside class='related'><h3>Mehr zum Thema</h3><div class='teaser'><a href='/andere/'>Anderes</a>"
    "<div class='author'>Von Eva Falsch</div></div></aside>"
)


def news_page(header: str) -> str:
    """A German news page whose article header holds `header`, followed by a related box naming another author."""
    return (
        "<html lang='de'><head><meta charset='utf-8'><title>Haushalt beschlossen</title></head><body><main>"
        f"<article><h1>Haushalt beschlossen</h1>{header}"
        + f"<p>{SENTENCE * 4}</p>" * 4
        + f"</article>{RELATED}</main></body></html>"
    )


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        ("<span class='autor'>Anna Berger</span>", ["Anna Berger"]),  # German class names
        (
            "<div class='meta'>Von <a href='/autoren/anna-berger'>Anna Berger</a> | 28.04.2023</div>",
            ["Anna Berger"],
        ),
        ("<p class='meta'>Von Anna Berger | 28.04.2023</p>", ["Anna Berger"]),  # an unmarked "Von" line
        ("<p>Von: Anna Berger</p>", ["Anna Berger"]),  # with a colon, as whole newspaper groups print it
        # an item of the header's meta list
        (
            "<ul class='meta'><li>28.04.2023</li><li>Von: Anna Berger, Max Graf</li></ul>",
            ["Anna Berger", "Max Graf"],
        ),
        ("<p>Von: Berlin nach Hamburg</p>", []),  # still a route
        # The form of the piece before "von" ("Ein Kommentar von …"), unmarked under the headline.
        ("<p>Ein Kommentar von Anna Berger</p>", ["Anna Berger"]),
        ("<p>Eine Analyse von Daten der Stadtwerke zeigt, was das kostet</p>", []),  # a sentence
        ("<p>Text: Anna Berger · Fotos: Max Graf</p>", ["Anna Berger"]),  # or "Text:" line, photos apart
        ("<p>Text ist hier Nebensache, sagt Anna Berger.</p>", []),  # a sentence is no byline
        ("<p><em>Von Dr. Anna Berger und dpa</em></p>", ["Dr. Anna Berger", "dpa"]),
        # Gender-fair role labels are labels too, with or without a colon of their own.
        ("<p class='byline'>Autor*in: Anna Berger</p>", ["Anna Berger"]),
        ("<p>Autor:innen: Anna Berger und Max Graf</p>", ["Anna Berger", "Max Graf"]),  # unmarked line
        ("<div class='byline'><span>AUTOR/IN</span> <span>Anna Berger</span></div>", ["Anna Berger"]),
        ("<p class='byline'>Onlinefassung: Max Graf</p>", ["Max Graf"]),
        # An author box's post count linked to the author's page is no second author.
        (
            "<div class='author-box'><a href='/author/anna/'>Anna Berger</a> "
            "<a href='/author/anna/' class='postcount'>438 Artikel</a></div>",
            ["Anna Berger"],
        ),
        ("", []),  # no byline at all: the related box's author is not this article's
        ("<p>Von Berlin nach Hamburg</p>", []),  # a route, not a name
        ("<p>Von der Leyen in Kiew</p>", []),
        # Markup separates what joined text would glue: several authors, a name and its role, a biography.
        (
            "<div class='authors'><div class='author'><a href='/a'>Anna Berger</a></div>"
            "<div class='author'><a href='/m'>Max Graf</a></div></div>",
            ["Anna Berger", "Max Graf"],
        ),
        (
            "<p>Von <span class='author'>Anna Berger</span> und <span class='author'>Max Graf</span></p>",
            ["Anna Berger", "Max Graf"],
        ),
        (
            "<div class='author-info'><span class='author-name'>Anna Berger</span>"
            "<span class='author-role'>Politikredakteurin</span></div>",
            ["Anna Berger"],
        ),
        (
            "<div class='author'><b>Anna Berger</b><p>Anna Berger schreibt seit 2010 über Kommunalpolitik "
            "und lebt in Köln.</p></div>",
            ["Anna Berger"],
        ),
        (
            "<div class='byline'>Von Anna Berger <a href='https://social.example/ab'>Twitter</a></div>",
            ["Anna Berger"],
        ),
        # An agency in the byline's own text beside author links is an author too.
        (
            "<p>Von <a href='/autoren/anna-berger/'>Anna Berger</a>, <a href='/autoren/max-graf/'>Max Graf</a>"
            " und dpa</p>",
            ["Anna Berger", "Max Graf", "dpa"],
        ),
        # Microdata that gives the name only as an attribute.
        (
            "<div itemprop='author' itemscope><meta itemprop='name' content='Anna Berger'></div>",
            ["Anna Berger"],
        ),
        # A reader signing a comment is not the author.
        ("<div class='comment-list'><div class='comment-author'>Von Eva Leser</div></div>", []),
        # Labels of buttons and links inside the byline are not names and do not hide the name.
        (
            "<div class='author'>Anna Berger <a href='/autor/anna/'>Zur Autorenseite</a></div>",
            ["Anna Berger"],
        ),
        ("<div class='author'>Anna Berger<br>Mehr Artikel</div>", ["Anna Berger"]),
        # A desk named beside a person is the person's desk, not a second author; alone it is the byline.
        ("<p class='byline'>Von Anna Berger, Sportredaktion</p>", ["Anna Berger"]),
        ("<p class='byline'>Von der Sportredaktion</p>", ["Sportredaktion"]),
        # A byline and an author box beside it are two things, not one line of two authors.
        ("<div class='byline'>Von Anna Berger</div><div class='author-box'>Max Graf</div>", ["Anna Berger"]),
        # The words before "von" are the byline's form, not the name.
        ("<p class='byline'>Ein Artikel von Anna Berger</p>", ["Anna Berger"]),
        ("<p class='byline'>Geschrieben von Anna Berger</p>", ["Anna Berger"]),
        ("<p class='byline'>Veröffentlicht am 28.04.2023 von Anna Berger</p>", ["Anna Berger"]),
        ("<p class='byline'>Erstellt 28.04.2023, 10:15 Uhr von Anna Berger</p>", ["Anna Berger"]),
        # A publication in quotation marks is credited as printed, without the marks; marks inside a
        # name stay.
        ("<p class='byline'>Anna Berger, «Tages-Anzeiger»</p>", ["Anna Berger", "Tages-Anzeiger"]),
        ("<p class='byline'>Von Hans „Hansi“ Berger</p>", ["Hans „Hansi“ Berger"]),
        # A time stamp relative to the reader's visit is no second author.
        ("<p class='byline'>Anna Berger · vor 3 Stunden</p>", ["Anna Berger"]),
        ("<p class='byline'>Anna Berger | gestern, 18:30 Uhr</p>", ["Anna Berger"]),
        # The label before the name, in its plural and with the photos.
        ("<div class='authors'><span>Texte:</span> <span>Anna Berger</span></div>", ["Anna Berger"]),
        ("<p class='byline'>Text und Fotos: Anna Berger</p>", ["Anna Berger"]),
        ("<p class='byline'>Gastautorin: Anna Berger</p>", ["Anna Berger"]),
        ("<p class='byline'>Moderation: Anna Berger</p>", ["Anna Berger"]),
        ("<p class='byline'>Leserbrief von Anna Berger, Wien</p>", ["Anna Berger"]),
        # dpa's regional service after it is part of the credit; a writer's initials stay.
        ("<p class='byline'>dpa/lno</p>", ["dpa"]),
        ("<p class='byline'>dpa/mab</p>", ["dpa", "mab"]),
    ],
)
def test_the_posts_byline_is_found_and_other_stories_bylines_are_not(header: str, authors: list[str]) -> None:
    assert (
        extract_article(news_page(header), url="https://zeitung.example/2026/11/20/haushalt/").authors
        == authors
    )


SIDEBAR = (
    "<aside class='sidebar'><h3>Neueste Artikel</h3><ul><li><a href='/a/'>Anderes</a> "
    "<time datetime='2020-01-05T10:00:00+01:00'>5.1.2020</time></li></ul></aside>"
)


def dated_page(header: str) -> str:
    """A news page with `header` under its headline and a sidebar of other stories' dates before it."""
    return (
        f"<html lang='de'><head><meta charset='utf-8'><title>Haushalt beschlossen</title></head><body>{SIDEBAR}"
        f"<main><article><h1>Haushalt beschlossen</h1>{header}"
        + f"<p>{SENTENCE * 4}</p>" * 4
        + "</article></main></body></html>"
    )


@pytest.mark.parametrize(
    ("header", "url", "day"),
    [
        (
            "<p>Veröffentlicht am 28. April 2023</p>",
            "https://zeitung.example/politik/haushalt/",
            "2023-04-28",
        ),
        # The first date of the line is the publication, the second the update.
        (
            "<p>Erstellt: 27.04.2023 · Aktualisiert: 28.04.2023</p>",
            "https://zeitung.example/haushalt/",
            "2023-04-27",
        ),
        # The update printed first: the date the line names as the publication's.
        (
            "<p>Aktualisiert: 29.04.2023, 08:00 · Erstellt: 27.04.2023, 10:15</p>",
            "https://zeitung.example/haushalt/",
            "2023-04-27",
        ),
        (
            '<div class="meta">Zuletzt aktualisiert am 29.04.2023 | veröffentlicht am 27.04.2023</div>',
            "https://zeitung.example/haushalt/",
            "2023-04-27",
        ),
        # A list of other stories inside the article, a reader's comment: their dates are not the article's.
        (
            "<p>Text.</p><h3>Mehr zum Thema</h3><ul><li><a href='/alt/'>Alter Beitrag</a> "
            "<time datetime='2021-03-12T08:00:00+01:00'>12.03.2021</time></li></ul>",
            "https://zeitung.example/haushalt/",
            None,
        ),
        (
            "<div id='comments'><div class='comment'><time datetime='2021-03-12T08:00:00+01:00'>12.03.2021</time>"
            " Ein Leser schreibt.</div></div>",
            "https://zeitung.example/haushalt/",
            None,
        ),
        # The article's own meta line may link to its author and still dates the article.
        (
            "<ul class='meta'><li>Von <a href='/autor/anna-berger/'>Anna Berger</a> am "
            "<time datetime='2023-04-28T10:15:00+02:00'>28.04.2023</time></li></ul>",
            "https://zeitung.example/haushalt/",
            "2023-04-28",
        ),
        # A <time> without a datetime attribute: its printed text, not a list item's linking elsewhere.
        ("<p class='info'><time>28.04.2023</time></p>", "https://zeitung.example/haushalt/", "2023-04-28"),
        (
            "<ul><li><a href='/alt/'>Alter Beitrag</a> <time>12.03.2021</time></li></ul>",
            "https://zeitung.example/haushalt/",
            None,
        ),
        # The byline line dates the article; so does a dateline of a place and a date, with no label.
        (
            "<p class='byline'>Von Anna Berger · 28.04.2023, 10:15 Uhr</p>",
            "https://zeitung.example/haushalt/",
            "2023-04-28",
        ),
        ("<p>Wien, 28.04.2023</p>", "https://zeitung.example/haushalt/", "2023-04-28"),
        # An author box after the text dates the writer's career, not the article.
        (
            "<p>Text.</p>" * 16
            + "<div class='author-box'>Anna Berger schreibt seit 01.03.2015 für uns</div>",
            "https://zeitung.example/haushalt/",
            None,
        ),
        (
            "<div><span>Zürich</span> <span>28. April 2023, 10:15 Uhr</span></div>",
            "https://zeitung.example/haushalt/",
            "2023-04-28",
        ),
        # A sentence that mentions a date, a linked teaser line: not the article's date.
        (
            "<p>Am 12.03.2021 hatte der Stadtrat schon einmal über den Haushalt beraten.</p>",
            "https://zeitung.example/haushalt/",
            None,
        ),
        ("<p><a href='/alt/'>Alter Beitrag</a> 12.03.2021</p>", "https://zeitung.example/haushalt/", None),
        ("<p>Ab 1. Mai 2023 gilt das neue Ticket</p>", "https://zeitung.example/haushalt/", None),
        ("<p>Bad Ischl, Freitag, 28. April 2023</p>", "https://zeitung.example/haushalt/", "2023-04-28"),
        # The permalink's day comes before an unmarked short line.
        (
            "<p>Ab 1. Mai 2023 gilt das Ticket</p>",
            "https://zeitung.example/2023/04/28/haushalt/",
            "2023-04-28",
        ),
        # No printed date at all: the permalink's day, never a sidebar's.
        ("", "https://zeitung.example/2023/04/28/haushalt/", "2023-04-28"),
        ("", "https://zeitung.example/politik/haushalt/", None),
    ],
)
def test_the_articles_own_date_is_read_from_its_header_line_or_url(
    header: str, url: str, day: str | None
) -> None:
    published = extract_article(dated_page(header), url=url).published_at
    assert (published[:10] if published else None) == day


# A card of another story, as "Mehr zum Thema" and "Das könnte Sie interessieren" boxes print them:
# neither its box nor its class says "teaser", but its heading links elsewhere.
CARD = (
    "<div class='box'><a href='/alt/'><h3>Alter Beitrag über den Haushalt</h3></a>"
    "<div class='info'><time datetime='2020-01-05T10:00:00+01:00'>5.1.2020</time></div></div>"
)
CARD_ARTICLE = (
    "<article class='card'><h3><a href='/alt/'>Alter Beitrag</a></h3>"
    "<time datetime='2020-01-05T10:00:00+01:00'>5.1.2020</time></article>"
)


@pytest.mark.parametrize("card", [CARD, CARD_ARTICLE])
@pytest.mark.parametrize(
    "own",
    [
        "<span class='date'>28.04.2023</span>",
        "<p>28.04.2023, 10:15 Uhr</p>",
        "<div class='meta'><time>28.04.2023</time></div>",
    ],
)
def test_a_card_of_another_story_before_or_after_the_article_does_not_date_it(card: str, own: str) -> None:
    article = (
        f"<main><article><h1>Haushalt beschlossen</h1>{own}"
        + f"<p>{SENTENCE * 4}</p>" * 4
        + f"<section>{card * 3}</section></article></main>"
    )
    for body in (f"<div class='top'>{card * 2}</div>{article}", article):
        page = f"<html lang='de'><head><meta charset='utf-8'><title>Haushalt</title></head><body>{body}</body></html>"
        published = extract_article(page, url="https://zeitung.example/haushalt/").published_at
        assert (published or "")[:10] == "2023-04-28"


def test_the_card_search_never_reads_a_box_larger_than_a_card(monkeypatch: pytest.MonkeyPatch) -> None:
    # Large pages without paragraphs (tickers built of divs, code listings) nest every date candidate in
    # boxes of thousands of elements; searching each of them for a linked heading took seconds a page.
    from crawler.extract import article as article_module

    searched: list[int] = []
    search = article_module._LINKED_HEADING

    def counting(box: HtmlElement) -> object:
        searched.append(sum(1 for _ in box.iter()))
        return search(box)

    monkeypatch.setattr(article_module, "_LINKED_HEADING", counting)
    entries = "".join(
        f"<div class='entry'><div class='line'><span>{i % 24}:00 Uhr</span></div>"
        f"<div class='text'>Eintrag {i}: Die Lage bleibt angespannt.</div></div>"
        for i in range(1500)
    )
    page = (
        "<html lang='de'><head><meta charset='utf-8'><title>Ticker</title></head><body><main><article>"
        f"<h1>Liveticker: Hochwasser</h1><div class='ticker'><div class='list'>{entries}</div></div>"
        f"<section>{CARD * 2}</section></article></main></body></html>"
    )
    article = extract_article(page, url="https://zeitung.example/ticker/")
    assert searched and max(searched) < article_module._CARD_ELEMENTS
    # Cards are still told apart: the page's only dates stand in the two cards, so it has none.
    assert article.published_at is None


def test_the_articles_own_date_counts_when_its_headline_stands_above_the_article_element() -> None:
    # <h1> in a header above <article>, a "Lesen Sie auch" heading linking elsewhere inside the text.
    page = (
        "<html lang='de'><head><meta charset='utf-8'><title>Haushalt</title></head><body><main>"
        "<div class='head'><h1>Haushalt beschlossen</h1></div><article><div class='info'>"
        "<time datetime='2023-04-28T10:15:00+02:00'>28.04.2023</time></div>"
        + f"<p>{SENTENCE * 4}</p>" * 2
        + "<h3><a href='/alt/'>Lesen Sie auch: Der Haushalt 2022</a></h3>"
        + f"<p>{SENTENCE * 4}</p>" * 2
        + f"<section>{CARD * 2}</section></article></main></body></html>"
    )
    published = extract_article(page, url="https://zeitung.example/haushalt/").published_at
    assert published == "2023-04-28T10:15:00+02:00"


def test_a_post_whose_title_links_to_itself_under_a_logo_h1_keeps_its_date() -> None:
    # Older blog themes: the site's name in the page's only <h1>, the post's title an <h2> linking to the post.
    page = (
        "<html lang='de'><head><meta charset='utf-8'><title>Haushalt</title></head><body>"
        "<header><h1 class='site-title'><a href='/'>Stadtblog</a></h1></header><article><header>"
        "<h2 class='entry-title'><a href='/haushalt/'>Haushalt beschlossen</a></h2><div class='entry-meta'>"
        "<time datetime='2023-04-28T10:15:00+02:00'>28.04.2023</time></div></header>"
        + f"<p>{SENTENCE * 4}</p>" * 4
        + "</article></body></html>"
    )
    published = extract_article(page, url="https://zeitung.example/haushalt/").published_at
    assert published == "2023-04-28T10:15:00+02:00"


def test_lines_under_the_headline_are_read_under_the_articles_h1_not_a_logos() -> None:
    # Many themes put the site's logo in the page's first <h1>, a menu of spans after it.
    logo = (
        "<header class='site'><h1 class='logo'><a href='/'>Kurier</a></h1>"
        + "".join(f"<div class='menu'><span>Ressort {i}</span></div>" for i in range(10))
        + "</header>"
    )
    page = news_page("<p>Von Anna Berger</p><p>Veröffentlicht am 28. April 2023</p>").replace(
        "<body>", "<body>" + logo
    )
    article = extract_article(page, url="https://zeitung.example/politik/haushalt/")
    assert (article.authors, (article.published_at or "")[:10]) == (["Anna Berger"], "2023-04-28")


@pytest.mark.parametrize(
    ("ld_author", "header", "authors"),
    [
        # Metadata naming no person yields to the printed byline that names one ...
        ({"@type": "Person", "name": "Redaktion"}, "<p class='byline'>Von Anna Berger</p>", ["Anna Berger"]),
        ({"@type": "Person", "name": "admin"}, "<p class='byline'>Von Anna Berger</p>", ["Anna Berger"]),
        # ... but stays the byline where the page names nobody, and a named person in it still counts.
        ({"@type": "Person", "name": "Redaktion"}, "", ["Redaktion"]),
        ({"@type": "Person", "name": "Max Graf"}, "<p class='byline'>Von Anna Berger</p>", ["Max Graf"]),
        # A CMS login is no person either ("vb_online", "redakteur2"); a newsroom's domain is a byline.
        ({"@type": "Person", "name": "vb_online"}, "<p class='byline'>Von Anna Berger</p>", ["Anna Berger"]),
        ({"@type": "Person", "name": "redakteur2"}, "<p class='byline'>sda</p>", ["sda"]),
        ({"@type": "Person", "name": "ndr.de"}, "<p class='byline'>Von Anna Berger</p>", ["ndr.de"]),
        # A role after the name in metadata is no second author, compounds included.
        ({"@type": "Person", "name": "Luzia Tschirky, SRF-Korrespondentin"}, "", ["Luzia Tschirky"]),
        # The same persons printed: the byline as printed, with academic titles and the agency beside them.
        (
            {"@type": "Person", "name": "Christa Tobler"},
            "<p class='byline'>Ein Gastkommentar von Prof. Dr. Christa Tobler</p>",
            ["Prof. Dr. Christa Tobler"],
        ),
        (
            {"@type": "Person", "name": "Anna Berger"},
            "<p class='byline'>Von Anna Berger, dpa</p>",
            ["Anna Berger", "dpa"],
        ),
        (
            [{"@type": "Person", "name": "Anna Berger"}, {"@type": "Person", "name": "Max Graf"}],
            "<p class='byline'>Von Dr. Anna Berger und Max Graf</p>",
            ["Dr. Anna Berger", "Max Graf"],
        ),
        # Other persons printed (or fewer of them): the metadata's, not a mix.
        (
            [{"@type": "Person", "name": "Anna Berger"}, {"@type": "Person", "name": "Max Graf"}],
            "<p class='byline'>Von Dr. Anna Berger</p>",
            ["Anna Berger", "Max Graf"],
        ),
    ],
)
def test_metadata_naming_no_person_yields_to_the_printed_byline(
    ld_author: dict[str, str] | list[dict[str, str]], header: str, authors: list[str]
) -> None:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "author": ld_author})
    page = news_page(header).replace("</head>", f"<script type='application/ld+json'>{ld}</script></head>")
    assert extract_article(page, url="https://zeitung.example/haushalt/").authors == authors


@pytest.mark.parametrize(
    ("name", "authors"),
    [
        ("Berger, Anna", ["Anna Berger"]),
        ("Müller-Lüdenscheidt, Hans Peter", ["Hans Peter Müller-Lüdenscheidt"]),
        ("Anna Berger, Max Graf", ["Anna Berger", "Max Graf"]),  # two people
        ("Reuters, AFP", ["Reuters", "AFP"]),  # two agencies
    ],
)
def test_a_metadata_person_named_surname_first_is_one_person(name: str, authors: list[str]) -> None:
    ld = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "author": '
        f'{{"@type": "Person", "name": "{name}"}}}}</script>'
    )
    page = dated_page("").replace("</head>", ld + "</head>")
    assert extract_article(page, url="https://zeitung.example/haushalt/").authors == authors


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        # A desk beside an agency is no person's desk: both are the byline (SDA is an agency as dpa is).
        ("Redaktion Tamedia/SDA", ["Redaktion Tamedia", "SDA"]),
        ("Von Anna Berger, SDA", ["Anna Berger", "SDA"]),
        # The desk of a paper called "Heute" is no time stamp; "heute, 10:15" still is.
        ("Heute Redaktion", ["Heute Redaktion"]),
        ("Anna Berger · heute, 10:15", ["Anna Berger"]),
    ],
)
def test_desks_beside_agencies_and_desks_named_like_a_day_stay_the_byline(
    byline: str, authors: list[str]
) -> None:
    page = news_page(f"<p class='byline'>{byline}</p>")
    assert extract_article(page, url="https://zeitung.example/haushalt/").authors == authors


def test_a_broadcasters_studio_beside_a_person_is_her_desk_and_alone_the_byline() -> None:
    beside = news_page("<p class='byline'>Von Anna Berger, ARD-Hauptstadtstudio</p>")
    alone = news_page("<p class='byline'>ARD-Hauptstadtstudio</p>")
    assert extract_article(beside, url="https://zeitung.example/haushalt/").authors == ["Anna Berger"]
    assert extract_article(alone, url="https://zeitung.example/haushalt/").authors == ["ARD-Hauptstadtstudio"]


@pytest.mark.parametrize(
    ("line", "agencies"),
    [
        ("Quelle: ntv.de, mli/dpa/rts", ["dpa"]),  # the site's domain first
        ("Quelle: ntv.de, dpa, AFP", ["dpa", "AFP"]),
        (
            "Quelle: die Stadtverwaltung. AFP berichtete zuerst davon.",
            [],
        ),  # the credit ends with its sentence
    ],
)
def test_a_source_line_naming_the_sites_domain_still_credits_its_agencies(
    line: str, agencies: list[str]
) -> None:
    page = news_page("<p class='byline'>Von Anna Berger</p>").replace(
        "</article>", f"<p>{line}</p></article>"
    )
    assert extract_article(page, url="https://zeitung.example/haushalt/").agencies == agencies


@pytest.mark.parametrize(
    ("note", "agencies"),
    [
        ("<p class='article-credit'>Mit Material von dpa</p>", ["dpa"]),
        ("<div class='article-footer'>Quelle: AFP</div>", ["AFP"]),
        ("<p class='credits'>(APA/dpa)</p>", ["APA", "dpa"]),
        # A bare agency name in such a note is a photo's credit as often: not read.
        ("<p class='copyright'>© dpa</p>", []),
        ("<div class='image-credit'>Quelle: dpa</div>", []),  # an image's note
    ],
)
def test_a_credit_note_that_boilerplate_removal_drops_still_credits_its_agencies(
    note: str, agencies: list[str]
) -> None:
    page = news_page("<p class='byline'>Von Anna Berger</p>").replace("</article>", f"{note}</article>")
    assert extract_article(page, url="https://zeitung.example/haushalt/").agencies == agencies


def test_an_agency_in_parentheses_after_a_metadata_author_is_credited() -> None:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "author": "Anna Berger (APA)"})
    page = news_page("").replace("</head>", f"<script type='application/ld+json'>{ld}</script></head>")
    article = extract_article(page, url="https://zeitung.example/haushalt/")
    assert (article.authors, article.agencies) == (["Anna Berger"], ["APA"])


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        # RFC 2822 (feeds, some meta tags): the zone counts, so the Berlin day is right.
        ("Fri, 28 Apr 2023 23:30:00 GMT", "2023-04-28T23:30:00+00:00"),
        ("Fri, 28 Apr 2023 23:30:00 +0000", "2023-04-28T23:30:00+00:00"),
        ("28 Apr 2023 10:15 +0200", "2023-04-28T10:15:00+02:00"),
        # A zone abbreviation the parser does not know is read as Berlin time instead of failing the page.
        ("Fri Apr 28 10:15:00 EDT 2023", "2023-04-28T10:15:00+02:00"),
        ("28 Apr 2023 10:15 PM", "2023-04-28T10:15:00+02:00"),
    ],
)
def test_dates_with_a_zone_are_read_in_that_zone_and_unknown_zones_do_not_fail(
    text: str, parsed: str
) -> None:
    assert parse_date(text) == parsed


def test_a_time_element_outside_the_article_is_not_its_date() -> None:
    from crawler.extract import rules

    # A site header shows today's date in a <time>; the article prints its own below the headline.
    page = dated_page("<p class='info'><time>28.04.2023</time></p>").replace(
        "<body>", "<body><header class='site-header'><time>Montag, 30. November 2026</time></header>"
    )
    assert (extract_article(page, url="https://zeitung.example/haushalt/").published_at or "")[
        :10
    ] == "2023-04-28"
    # Without the rules that read the article's own line, nothing is left: not the header's date.
    with rules.disabled(["date_time_text", "date_byline_or_place_line"]):
        assert extract_article(page, url="https://zeitung.example/haushalt/").published_at is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("28 avril 2023", "2023-04-28"),
        ("Samedi 28 octobre 2023, 10:15", "2023-10-28"),
        ("3 février 2024", "2024-02-03"),
        ("12 août 2022", "2022-08-12"),
    ],
)
def test_french_month_names_of_luxembourg_and_swiss_pages_are_read(text: str, day: str) -> None:
    page = dated_page(f"<p class='date'>{text}</p>")
    assert (extract_article(page, url="https://zeitung.example/haushalt/").published_at or "")[:10] == day

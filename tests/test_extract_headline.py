"""Headline, kicker and SEO title: the headline as printed, confirmed by metadata, never overridden by it."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from crawler import clean, runs
from crawler.extract import extract_article
from crawler.extract.title import strip_site_affixes

PARAGRAPH = (
    "Der Stadtrat hat am Dienstagabend nach langer Debatte über den Haushalt abgestimmt. Die Mehrheit "
    "setzte sich knapp durch, die Opposition kündigte an, das Ergebnis rechtlich prüfen zu lassen. "
)
URL = "https://zeitung.example/politik/2026/11/20/haushalt-beschlossen/"


def page(header: str, head: str = "", site: str = "Musterzeitung") -> str:
    """A news page with the given <head> extras and article header markup."""
    return (
        f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        f"<meta property='og:site_name' content='{site}'><meta property='og:type' content='article'>{head}</head>"
        "<body><nav class='breadcrumb'><a href='/'>Startseite</a> <a href='/politik/'>Politik</a></nav>"
        f"<main><article><header>{header}</header><div class='entry-content'>"
        + f"<p>{PARAGRAPH}</p>" * 6
        + "</div></article></main></body></html>"
    )


def og(title: str) -> str:
    return f"<meta property='og:title' content='{title}'>"


def test_kicker_span_in_h1_with_hidden_colon_is_read_as_one_title_and_stored_apart() -> None:
    header = (
        "<h1><span class='headline-kicker'>Haushalt</span><span class='visually-hidden'>:</span>"
        "<span class='headline-title'>Stadtrat stimmt knapp zu</span></h1>"
    )
    article = extract_article(page(header, og("Haushalt: Stadtrat stimmt knapp zu")), url=URL)
    assert (article.title, article.kicker, article.seo_title) == (
        "Haushalt: Stadtrat stimmt knapp zu",
        "Haushalt",
        None,
    )


def test_glued_kicker_without_separator_is_not_glued_into_the_title() -> None:
    # <span>Demo</span><span>Der …</span> reads "DemoDer …" when text nodes are concatenated.
    header = "<h1><span class='dachzeile'>Demo</span><span class='headline'>Der Stadtrat stimmt knapp zu</span></h1>"
    article = extract_article(page(header), url=URL)
    assert article.title == "Der Stadtrat stimmt knapp zu"
    assert article.kicker == "Demo"


def test_kicker_element_followed_by_the_headline_as_bare_text_is_split_there() -> None:
    # Themes print "<h1><span class=subtitle>Kolumne<span>: </span></span>Headline</h1>": the headline is
    # the kicker's tail, not an element of its own.
    header = (
        "<h1 class='entry-title'><span class='teaser__subtitle'>Kolumne<span>:&#160;</span></span>"
        "Der Stadtrat stimmt knapp zu</h1>"
    )
    article = extract_article(page(header), url=URL)
    assert (article.title, article.kicker) == ("Der Stadtrat stimmt knapp zu", "Kolumne")
    bare = "<h1><span class='topline'>Haushalt</span> Der Stadtrat stimmt knapp zu</h1>"
    article = extract_article(page(bare, og("Haushalt: Der Stadtrat stimmt knapp zu")), url=URL)
    assert (article.title, article.kicker) == ("Haushalt: Der Stadtrat stimmt knapp zu", "Haushalt")
    # An unmarked first element is no kicker unless a separator follows it.
    plain = "<h1><em>Der</em> Stadtrat stimmt knapp zu</h1>"
    article = extract_article(page(plain), url=URL)
    assert (article.title, article.kicker) == ("Der Stadtrat stimmt knapp zu", None)


def test_a_plain_colon_after_the_site_or_section_name_is_no_part_of_a_metadata_title() -> None:
    # No printed headline: the title comes from metadata, without the site's or the section's name.
    for prefix in ("Musterzeitung", "Politik"):
        title = f"<title>{prefix}: Der Stadtrat stimmt knapp zu</title>"
        assert extract_article(page("", title), url=URL).title == "Der Stadtrat stimmt knapp zu"
    # A topic before the colon is the story's own, and so is a word the site's name merely contains.
    for topic in ("Haushalt", "Muster"):
        title = f"<title>{topic}: Der Stadtrat stimmt knapp zu</title>"
        assert extract_article(page("", title), url=URL).title == f"{topic}: Der Stadtrat stimmt knapp zu"


def test_a_heading_after_a_trail_of_links_is_a_crumb_but_after_one_topic_link_the_headline() -> None:
    seo = og("Haushalt 2027: Alles, was Sie wissen müssen")
    trail = "<div class='top'><a href='/'>Start</a> › <a href='/politik/'>Politik</a> › <h1>Haushalt 2027</h1></div>"
    topic = (
        "<a class='topic' href='/thema/haushalt/'>Haushalt</a><h1>Warum der Stadtrat so knapp zustimmte</h1>"
    )
    # In the trail, the <h1> is the crumb's last item: the metadata title stands.
    assert extract_article(page(trail, seo), url=URL).title == "Haushalt 2027: Alles, was Sie wissen müssen"
    # One link before it is the story's topic line: the printed <h1> is the headline, whatever metadata says.
    assert extract_article(page(topic, seo), url=URL).title == "Warum der Stadtrat so knapp zustimmte"


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        # The site's name as its host spells it, without og:site_name to say so.
        (
            "Stadtrat stimmt zu | Rhein Bote",
            "https://www.rheinbote.example/h/stadtrat",
            "Stadtrat stimmt zu",
        ),
        (
            "Stadtrat stimmt zu | Münchner Bote Zeitung",
            "https://www.muenchnerbote.example/politik/x-1.1",
            "Stadtrat stimmt zu",
        ),
        # Every directory before the slug names a section, not only the first.
        (
            "Stadtrat stimmt zu | Inland | kurier.example",
            "https://kurier.example/politik/inland/stadtrat/4024",
            "Stadtrat stimmt zu",
        ),
        # Dates, times and generic labels after the headline are not part of it; a score is.
        (
            "Stadtrat stimmt zu | Kurier | 28. April 2023",
            "https://kurier.example/politik/stadtrat/1",
            "Stadtrat stimmt zu",
        ),
        (
            "Stadtrat stimmt zu | 28.04.2023 - 10:15 Uhr",
            "https://kurier.example/politik/stadtrat/1",
            "Stadtrat stimmt zu",
        ),
        (
            "Stadtrat stimmt zu (28.04.2023)",
            "https://kurier.example/politik/stadtrat/1",
            "Stadtrat stimmt zu",
        ),
        (
            "Stadtrat stimmt zu - Nachrichten aus Wien",
            "https://kurier.example/politik/stadtrat/1",
            "Stadtrat stimmt zu",
        ),
        (
            "Bayern schlägt Dortmund - 3:1",
            "https://kurier.example/sport/bayern/1",
            "Bayern schlägt Dortmund - 3:1",
        ),
        ("Bundestagswahl | 2025", "https://kurier.example/politik/wahl/1", "Bundestagswahl | 2025"),
        # Angle quotes separate like a bar; a quotation in guillemets is part of the headline.
        (
            "Stadtrat stimmt zu › Rhein Bote",
            "https://www.rheinbote.example/h/stadtrat",
            "Stadtrat stimmt zu",
        ),
        (
            "Stadtrat stimmt zu « Rhein Bote",
            "https://www.rheinbote.example/h/stadtrat",
            "Stadtrat stimmt zu",
        ),
        (
            "Stadtrat sagt »Nein« zur Rhein Bote",
            "https://www.rheinbote.example/h/stadtrat",
            "Stadtrat sagt »Nein« zur Rhein Bote",
        ),
        # A domain name before a plain colon is the site's, a topic is the story's.
        ("news.RB.at: Stadtrat stimmt zu", "https://www.rb.example/h/stadtrat", "Stadtrat stimmt zu"),
        ("Haushalt: Stadtrat stimmt zu", "https://www.rb.example/h/stadtrat", "Haushalt: Stadtrat stimmt zu"),
        # A two-letter host is no name to match: "Frankfurter Richter" is part of the story.
        (
            "Neue Regeln - Frankfurter Richter",
            "https://www.fr.example/stadtrat-92123.html",
            "Neue Regeln - Frankfurter Richter",
        ),
    ],
)
def test_site_and_section_names_come_off_titles_by_what_the_url_says(
    title: str, url: str, expected: str
) -> None:
    assert strip_site_affixes(title, None, [], url) == expected


def test_kicker_line_before_the_h1_goes_to_its_own_column() -> None:
    header = "<p class='topline'>Kommunalpolitik</p><h1>Stadtrat stimmt knapp zu</h1>"
    article = extract_article(page(header, og("Stadtrat stimmt knapp zu")), url=URL)
    assert (article.title, article.kicker) == ("Stadtrat stimmt knapp zu", "Kommunalpolitik")


def test_topic_prefix_of_the_metadata_title_becomes_the_kicker_not_the_title() -> None:
    head = (
        og("Haushaltsstreit: Stadtrat stimmt knapp zu")
        + "<title>Haushaltsstreit: Stadtrat stimmt knapp zu</title>"
    )
    article = extract_article(page("<h1>Stadtrat stimmt knapp zu</h1>", head), url=URL)
    assert (article.title, article.kicker) == ("Stadtrat stimmt knapp zu", "Haushaltsstreit")


def test_metadata_worded_differently_never_overrides_the_printed_h1() -> None:
    ld = (
        '<script type=\'application/ld+json\'>{"@type":"NewsArticle",'
        '"headline":"Knappe Mehrheit für den Etat 2027 im Rathaus"}</script>'
    )
    article = extract_article(page("<h1>Stadtrat stimmt knapp zu</h1>", ld), url=URL)
    assert article.title == "Stadtrat stimmt knapp zu"
    assert article.seo_title == "Knappe Mehrheit für den Etat 2027 im Rathaus"


def test_seo_h1_in_the_breadcrumb_loses_to_the_printed_headline_metadata_confirms() -> None:
    # Some templates print an SEO <h1> as the breadcrumb's last item and the headline in an <h2>.
    html = page(
        "<h2 class='article-headline'>Stadtrat stimmt knapp zu</h2>",
        og("Rathaus: Alles zum Haushalt 2027 – die Übersicht")
        + '<script type=\'application/ld+json\'>{"@type":"NewsArticle","headline":"Stadtrat stimmt knapp zu"}'
        "</script>",
    ).replace(
        "<a href='/politik/'>Politik</a></nav>",
        "<a href='/politik/'>Politik</a><h1>Rathaus: Alles zum Haushalt 2027 – die Übersicht</h1></nav>",
    )
    article = extract_article(html, url=URL)
    assert article.title == "Stadtrat stimmt knapp zu"
    assert article.seo_title == "Rathaus: Alles zum Haushalt 2027 – die Übersicht"


def test_site_name_section_and_date_around_metadata_titles_are_stripped() -> None:
    head = "<title>Politik | Stadtrat stimmt knapp zu | Musterzeitung | 28.04.2023</title>"
    html = page("<div class='intro'>Kein Titel hier</div>", head)
    assert extract_article(html, url=URL).title == "Stadtrat stimmt knapp zu"


def test_clean_stage_stores_kicker_seo_title_and_agencies_and_reclean_rewrites_them(conn) -> None:
    header = (
        "<p class='kicker'>Kommunalpolitik</p><h1>Stadtrat stimmt knapp zu</h1>"
        "<div class='byline'>Von Anna Schäfer und dpa</div>"
    )
    ld = (
        '<script type=\'application/ld+json\'>{"@type":"NewsArticle",'
        '"headline":"Knappe Mehrheit für den Etat 2027 im Rathaus","datePublished":"2026-11-20T08:00:00+01:00"}'
        "</script>"
    )
    html = page(header, ld)
    with conn, conn.cursor() as cur:
        runs.start_run(cur, "night1", "zeitung.example")
        cur.execute(
            """INSERT INTO raw_pages (run_id, site, url, final_url, status, content_type, body_gzip, body_bytes,
                   fetched_at) VALUES ('night1', 'zeitung.example', %s, %s, 200, 'text/html', %s, %s, %s)""",
            (URL, URL, gzip.compress(html.encode()), len(html), datetime(2026, 11, 20, 2, tzinfo=UTC)),
        )
    assert clean.clean_pages(conn, workers=1)["new"] == 1
    with conn, conn.cursor() as cur:
        cur.execute("SELECT title, kicker, seo_title, agencies FROM articles")
        assert cur.fetchall() == [
            (
                "Stadtrat stimmt knapp zu",
                "Kommunalpolitik",
                "Knappe Mehrheit für den Etat 2027 im Rathaus",
                ["dpa"],
            )
        ]
        # analysts see them in analytics.articles (migration 0018)
        cur.execute("SELECT kicker, seo_title, agencies FROM analytics.articles")
        assert cur.fetchall() == [
            ("Kommunalpolitik", "Knappe Mehrheit für den Etat 2027 im Rathaus", ["dpa"])
        ]
        # reclean rewrites the new columns from the stored page without crawling
        cur.execute("UPDATE articles SET kicker = NULL, agencies = '{}', extractor_version = 'old'")
    assert clean.reclean_pages(conn, workers=1)["pages"] == 1
    with conn, conn.cursor() as cur:
        cur.execute("SELECT kicker, agencies FROM articles")
        assert cur.fetchall() == [("Kommunalpolitik", ["dpa"])]


def test_a_ressort_the_url_files_the_story_under_is_no_part_of_a_metadata_title() -> None:
    # No printed headline, no breadcrumb, no articleSection: only the URL says "politik" is a section.
    html = (
        "<html lang='de'><head><title>Politik : Stadtrat stimmt knapp zu</title>"
        "<meta property='og:type' content='article'></head><body><article>"
        + f"<p>{PARAGRAPH}</p>" * 6
        + "</article></body></html>"
    )
    assert extract_article(html, url=URL).title == "Stadtrat stimmt knapp zu"
    # A post slug is no directory: its words say nothing about sections.
    slug_url = "https://zeitung.example/politik-stadtrat-stimmt-knapp-zu/"
    assert extract_article(html, url=slug_url).title == "Politik : Stadtrat stimmt knapp zu"


def test_a_kicker_the_heading_prints_stays_in_the_title_even_where_it_names_a_section() -> None:
    # The story is filed under /politik/ and the breadcrumb says "Politik"; the h1 prints "Politik:" as
    # its kicker and the metadata gives that wording: the section's name is the heading's own part here.
    header = (
        "<h1><span class='kicker'>Politik</span>: <span class='title'>Stadtrat stimmt knapp zu</span></h1>"
    )
    article = extract_article(page(header, og("Politik: Stadtrat stimmt knapp zu")), url=URL)
    assert (article.title, article.kicker) == ("Politik: Stadtrat stimmt knapp zu", "Politik")
    # Without the kicker printed inside the heading, "Politik:" still comes off as the section.
    plain = extract_article(
        page("<h1>Stadtrat stimmt knapp zu</h1>", og("Politik: Stadtrat stimmt knapp zu")), url=URL
    )
    assert plain.title == "Stadtrat stimmt knapp zu"


@pytest.mark.parametrize(
    "header",
    [
        "<h1><span class='zplus-badge'>Z+</span> Stadtrat stimmt knapp zu</h1>",
        "<h1><svg class='logo'><title>Abo-Artikel</title><path d='M0 0'/></svg>Stadtrat stimmt knapp zu</h1>",
        "<h1><span class='headline'><i class='icon-premium'>+</i> Stadtrat stimmt knapp zu</span></h1>",
    ],
)
def test_a_subscription_badge_or_icon_in_the_headline_is_no_part_of_it(header: str) -> None:
    # No metadata title to confirm it: the printed headline alone, without the badge's text.
    article = extract_article(page(header), url=URL)
    assert (article.title, article.kicker) == ("Stadtrat stimmt knapp zu", None)


@pytest.mark.parametrize(
    "header",
    [
        "<h1><span>Demo</span>Der Stadtrat stimmt knapp zu</h1>",
        "<h1>Demo<br>Der Stadtrat stimmt knapp zu</h1>",
        "<h1>Demo <span>Der Stadtrat stimmt knapp zu</span></h1>",
    ],
)
def test_a_metadata_title_without_the_headings_unmarked_first_part_makes_that_part_the_kicker(
    header: str,
) -> None:
    article = extract_article(page(header, og("Der Stadtrat stimmt knapp zu")), url=URL)
    assert (article.title, article.kicker) == ("Der Stadtrat stimmt knapp zu", "Demo")
    # Without a metadata title to say so, the heading stays whole: nothing marks its first part.
    alone = extract_article(page(header), url=URL)
    assert (alone.title, alone.kicker) == ("Demo Der Stadtrat stimmt knapp zu", None)


def test_a_headline_element_whose_class_names_plus_is_no_badge() -> None:
    header = "<h1><span class='headline--plus'>Stadtrat stimmt knapp zu</span></h1>"
    assert extract_article(page(header), url=URL).title == "Stadtrat stimmt knapp zu"


@pytest.mark.parametrize(
    "deck",
    [
        "<small>Die Opposition will klagen</small>",
        "<span class='subline'>Die Opposition will klagen</span>",
        "<br><span>Die Opposition will klagen</span>",
    ],
)
def test_a_deck_line_that_ends_the_heading_is_cut_off_where_the_metadata_title_ends(deck: str) -> None:
    from crawler.extract import rules

    header = f"<h1>Stadtrat stimmt knapp zu {deck}</h1>"
    confirmed = page(header, og("Stadtrat stimmt knapp zu"))
    whole = "Stadtrat stimmt knapp zu Die Opposition will klagen"
    assert extract_article(confirmed, url=URL).title == "Stadtrat stimmt knapp zu"
    # Without metadata saying where the headline stops, the heading stays whole, as printed.
    assert extract_article(page(header), url=URL).title == whole
    with rules.disabled(["title_meta_confirms_deck"]):
        assert extract_article(confirmed, url=URL).title == whole


def test_words_marked_inside_a_headline_are_no_deck() -> None:
    # A name in <em> or a link ends many headlines; one word, or words the heading goes on after,
    # are part of it, whatever a shorter metadata title says.
    for header, meta in (
        ("<h1>Stadtrat trifft <em>Bürgermeisterin</em></h1>", "Stadtrat trifft"),
        ("<h1>Stadtrat trifft <a href='/x'>die Bürgermeisterin</a> im Rathaus</h1>", "Stadtrat trifft"),
    ):
        title = extract_article(page(header, og(meta)), url=URL).title
        assert title is not None and title.startswith("Stadtrat trifft ") and len(title.split()) > 2, header


def test_metadata_title_that_only_adds_an_unknown_site_name_does_not_replace_the_printed_headline() -> None:
    # The page names no site, so "| Radio Ost" is not stripped; quotes differ between <title> and <h1>.
    head = '<title>"Wir zahlen nicht": Stadtrat stimmt knapp zu | Radio Ost</title>'
    header = "<h1>«Wir zahlen nicht»: Stadtrat stimmt knapp zu</h1>"
    article = extract_article(page(header, head, site=""), url=URL)
    assert article.title == "«Wir zahlen nicht»: Stadtrat stimmt knapp zu"


def test_metadata_title_that_goes_on_where_a_printed_headline_is_cut_off_is_taken_whole() -> None:
    header = "<h1>Stadtrat stimmt nach langer Debatte knapp…</h1>"
    head = og("Stadtrat stimmt nach langer Debatte knapp zu")
    article = extract_article(page(header, head), url=URL)
    assert article.title == "Stadtrat stimmt nach langer Debatte knapp zu"
    # Not cut off, the printed headline stands; "(Video)" in <title> labels the page.
    header = "<h1>Stadtrat stimmt nach langer Debatte knapp zu</h1>"
    head = "<title>Stadtrat stimmt nach langer Debatte knapp zu (Video)</title>"
    assert (
        extract_article(page(header, head), url=URL).title == "Stadtrat stimmt nach langer Debatte knapp zu"
    )


def test_a_kicker_inside_a_wrapper_that_holds_nothing_else_is_the_kicker() -> None:
    header = (
        "<hgroup><div class='mb-3 flex' data-test='labels'><span class='text-overline'>Haushalt</span></div>"
        "<h2 class='title'>Stadtrat stimmt knapp zu</h2></hgroup>"
    )
    article = extract_article(page(header, og("Stadtrat stimmt knapp zu")), url=URL)
    assert (article.title, article.kicker) == ("Stadtrat stimmt knapp zu", "Haushalt")
    # A wrapper holding more than the kicker (a date, a share button) is no kicker's wrapper.
    crowded = header.replace("</span></div>", "</span><time>28.04.2023</time></div>")
    assert extract_article(page(crowded, og("Stadtrat stimmt knapp zu")), url=URL).kicker is None


def test_a_topic_the_social_title_puts_before_the_headline_is_the_kicker_whatever_title_confirms_it() -> None:
    # <title> (with a site name no rule knows) confirms the printed headline first; og:title adds a topic.
    head = og("Haushalt: Stadtrat stimmt knapp zu") + "<title>Stadtrat stimmt knapp zu – Radio Ost</title>"
    article = extract_article(page("<h1>Stadtrat stimmt knapp zu</h1>", head, site=""), url=URL)
    assert (article.title, article.kicker, article.seo_title) == (
        "Stadtrat stimmt knapp zu",
        "Haushalt",
        None,
    )


def test_a_columnists_name_before_the_headline_in_metadata_is_no_kicker() -> None:
    header = "<h1>Die Republik der Verlierer</h1><p class='byline'>Von Anna Berger</p>"
    column = extract_article(page(header, og("Anna Berger: Die Republik der Verlierer")), url=URL)
    assert (column.title, column.kicker, column.authors) == (
        "Die Republik der Verlierer",
        None,
        ["Anna Berger"],
    )
    # A topic is still the kicker.
    topic = extract_article(page(header, og("Wahlanalyse: Die Republik der Verlierer")), url=URL)
    assert (topic.title, topic.kicker) == ("Die Republik der Verlierer", "Wahlanalyse")


def test_a_class_saying_the_page_has_breadcrumbs_is_no_breadcrumb_trail() -> None:
    # Themes mark <body> or a wrapper "has-breadcrumbs"; the trail itself is an element of its own.
    html = page("<h1>Stadtrat stimmt knapp zu</h1>").replace(
        "<body>",
        "<body class='single has-breadcrumbs'><div class='menu'><a href='/politik/'>Politik</a></div>",
    )
    html = html.replace("<nav class='breadcrumb'>", "<nav class='site-nav'>")
    article = extract_article(html, url="https://zeitung.example/stadtrat-stimmt-knapp-zu/")
    assert article.section_path == []
    # The trail itself is still read.
    trail = page("<h1>Stadtrat stimmt knapp zu</h1>")
    assert (
        extract_article(trail, url="https://zeitung.example/stadtrat-stimmt-knapp-zu/").section == "Politik"
    )

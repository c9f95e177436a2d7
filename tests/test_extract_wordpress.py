"""Fields from WordPress's own markup (issue 11): classic and block theme pages, bylines and agency credits.

The two pages in tests/fixtures/extract_wp/ are written after Twenty Twenty-One (German) and Twenty
Twenty-Three (as shipped, en-US) single-post markup; the expected values below are read off them by
hand. Neither page has og:title or JSON-LD, as core WordPress emits neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.extract.authors import agencies_in, split_authors

FIXTURES = Path(__file__).parent / "fixtures" / "extract_wp"
CLASSIC_URL = "http://127.0.0.1:8080/2025/10/14/landtag-beschliesst-neues-schulgesetz/"
BLOCK_URL = "http://127.0.0.1:8080/2025/08/20/neue-zahlen-zum-bahnstreik/"


def load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_classic_theme_post_gives_title_nested_category_tags_and_desk_byline() -> None:
    article = extract_article(load("twentytwentyone_de.html"), url=CLASSIC_URL)
    assert article.rejected_reason is None
    assert article.title == "Landtag beschließt neues Schulgesetz"  # not "… – Nachrichtenportal Deutschland"
    # <title> only adds the site's name around the printed title: no SEO title of its own, no kicker
    assert (article.seo_title, article.kicker) == (None, None)
    # the post's category link, not the menu's or the widget's; its parent named by the page's own link
    assert (article.section, article.section_path) == ("Politik", ["Politik", "Landespolitik"])
    assert article.tags == ["Bildung", "Schule"]  # not the tag cloud's "Bahn"
    assert article.authors == ["NDR Redaktion"]
    assert article.published_at == "2025-10-14T09:30:00+02:00"
    assert article.language == "de"
    assert article.body is not None and article.body.startswith("Der Landtag hat am Dienstag")
    assert "Oktober 2025" not in article.body and "Vorheriger Beitrag" not in article.body
    assert article.shortlink == "http://127.0.0.1:8080/?p=12"  # the post's ID outlives a slug change
    # A theme printing the home page as every page's shortlink names no post: the body class does.
    home = load("twentytwentyone_de.html").replace("http://127.0.0.1:8080/?p=12", "http://127.0.0.1:8080/")
    assert extract_article(home, url=CLASSIC_URL).shortlink == "http://127.0.0.1:8080/?p=12"
    assert extract_article(home.replace("postid-12", ""), url=CLASSIC_URL).shortlink is None


def test_block_theme_as_shipped_gives_german_lower_case_byline_and_agency_credits() -> None:
    article = extract_article(load("twentytwentythree_en.html"), url=BLOCK_URL)
    assert article.rejected_reason is None
    assert article.title == "Neue Zahlen zum Bahnstreik überraschen Fachleute"
    assert (article.section, article.section_path) == ("Panorama", ["Panorama"])
    assert article.tags == ["Bahn", "Streik"]
    assert article.authors == ["jetzt"]  # a magazine's lower-case name, as printed
    assert article.language == "de"  # the text is German although <html lang> says en-US
    assert article.agencies == ["dpa", "AFP"]  # dateline "(dpa)" and "Mit Material von AFP"
    # No <link rel=shortlink> on this page: its post ID is read from the `postid-31` body class.
    assert article.shortlink == "http://127.0.0.1:8080/?p=31"


def test_declared_language_stands_when_the_text_agrees() -> None:
    page = load("twentytwentythree_en.html").replace('lang="en-US"', 'lang="de-DE"')
    assert extract_article(page, url=BLOCK_URL).language == "de"


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Von Dr. Anna Muster", ["Dr. Anna Muster"]),
        ("Prof. Dr. Hans-Peter Meier und dpa", ["Prof. Dr. Hans-Peter Meier", "dpa"]),
        ("Von Lisa Mayr/APA", ["Lisa Mayr", "APA"]),
        ("Anna Muster, SDA", ["Anna Muster", "SDA"]),
        ("Redaktion", ["Redaktion"]),
        ("NDR Redaktion", ["NDR Redaktion"]),
        ("Redaktion hessenschau.de", ["Redaktion hessenschau.de"]),
        ("Von Anna Muster, Frankfurt", ["Anna Muster"]),  # a place is not a name
        ("xy Frankfurt", []),  # initials with a place
        ("Frankfurt am Main", []),
        ("Themen bearbeiten", []),  # interface text
        ("Mehr vom Autor", []),
        ("Von Anna Muster @amuster", ["Anna Muster"]),  # a social-media handle is an address
        ("Von unserem Redakteur Max Graf", ["Max Graf"]),  # the role is not the name
        ("Von unserer Brüssel-Korrespondentin Anna Muster", ["Anna Muster"]),
        ("Interview: Anna Muster", ["Anna Muster"]),
        ("Von Anna Muster aus Wien", ["Anna Muster"]),  # nor the place
        ("Anna Muster 28.04.2023 um 10:15", ["Anna Muster"]),  # nor the date
        ("Prof. Anna Muster, PhD", ["Prof. Anna Muster"]),  # nor a degree after it
        ("Anna Muster, M.A. und Max Graf, MBA", ["Anna Muster", "Max Graf"]),
        ("Von Anna Muster am 28.4.", ["Anna Muster"]),
        ("Von Anna Muster und Max Graf in Frankfurt am Main", ["Anna Muster", "Max Graf"]),
        ("Anna Muster (@amuster) und Max Graf", ["Anna Muster", "Max Graf"]),
        # a job title after the name, compound or hyphenated, is not a second author
        ("Anna Muster, SRF-Korrespondentin", ["Anna Muster"]),
        ("Anna Muster, freie Journalistin", ["Anna Muster"]),
        ("Anna Muster, Politikredakteurin der Tageszeitung", ["Anna Muster"]),
        ("Anna Muster, Gastautorin", ["Anna Muster"]),
        ("t-online", ["t-online"]),  # a hyphenated newsroom name still is one
        # the piece's kind before "von", compounds too
        ("Gastkommentar von Anna Muster", ["Anna Muster"]),
        ("Ein Hintergrundbericht von Max Graf", ["Max Graf"]),
        # a date with the month's name after the name
        ("Von Anna Muster 28. April 2023, 10:15 Uhr", ["Anna Muster"]),
        ("Anna Muster am 3. Jänner 2024", ["Anna Muster"]),
        ("Anna Mai", ["Anna Mai"]),  # a month's name alone is no date
        # a button's or link's label beside the name is cut off, the name kept; alone it is no name
        ("Von Anna Muster E-Mail", ["Anna Muster"]),
        ("Anna Muster Zur Autorenseite", ["Anna Muster"]),
        ("Weitere Artikel von Anna Muster", ["Anna Muster"]),
        ("Anna Muster · Artikel anhören", ["Anna Muster"]),
        ("Mehr Artikel", []),
        ("Anna Link", ["Anna Link"]),
        # an agency with its dateline's place is the agency; an agency's national service keeps its name
        ("dpa Berlin", ["dpa"]),
        ("Anna Muster, AFP Paris", ["Anna Muster", "AFP"]),
        ("AFP Deutschland", ["AFP Deutschland"]),
        ("ap Berlin", []),  # lower-case "ap" is initials, and with a place no name
        # a job title before the name
        ("Korrespondentin Anna Muster", ["Anna Muster"]),
        ("Von Redaktionsleiter Dr. Max Graf", ["Dr. Max Graf"]),
        # desks in compounds are collective bylines ("Die Redaktion" as printed)
        ("Sportredaktion", ["Sportredaktion"]),
        ("Von der Politik-Redaktion", ["Politik-Redaktion"]),
        ("Redaktionsteam", ["Redaktionsteam"]),
        ("Die Redaktion", ["Die Redaktion"]),
    ],
)
def test_bylines_as_a_reader_reads_them(byline: str, names: list[str]) -> None:
    assert split_authors(byline) == names


def test_a_byline_with_interface_text_in_its_markup_still_names_its_author() -> None:
    # Joined, "Von Anna Berger Themen bearbeiten" is no name; the markup separates the two.
    sentence = (
        "Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für das kommende Jahr beschlossen. "
    )
    html = (
        "<html lang='de'><head><meta property='og:type' content='article'></head><body><article>"
        "<h1>Haushalt beschlossen</h1><div class='byline'>Von Anna Berger "
        "<a href='/themen/'>Themen bearbeiten</a></div>"
        + f"<p>{sentence * 4}</p>" * 4
        + "</article></body></html>"
    )
    assert extract_article(html, url="https://zeitung.example/2026/11/20/haushalt/").authors == [
        "Anna Berger"
    ]


def test_a_desk_credited_next_to_a_person_is_not_a_second_author() -> None:
    page = load("twentytwentyone_de.html").replace(
        '<span class="byline">von <a href="http://127.0.0.1:8080/author/ndr-redaktion/" rel="author">NDR Redaktion</a>',
        '<span class="byline">von <a href="http://127.0.0.1:8080/author/anna/" rel="author">Dr. Anna Muster</a> '
        'und <a href="http://127.0.0.1:8080/author/ndr-redaktion/" rel="author">NDR Redaktion</a>',
    )
    assert extract_article(page, url=CLASSIC_URL).authors == ["Dr. Anna Muster"]


@pytest.mark.parametrize(
    ("bylines", "texts", "agencies"),
    [
        (["Anna Muster", "dpa"], [], ["dpa"]),
        ([], ["Berlin (dpa/AFP) - Der Bundestag hat ..."], ["dpa", "AFP"]),
        ([], ["Text.\nMit Material von dpa und Reuters"], ["dpa", "Reuters"]),
        ([], ["Text.\nQuelle: KNA"], ["KNA"]),
        ([], ["Text.\nepd/lnw"], ["epd"]),
        (["AFP Deutschland"], [], ["AFP"]),
        ([], ["Wien (APA) - ...", "Bern (Keystone-SDA) - ..."], ["APA", "Keystone-SDA"]),
        ([], ["Von Anna Muster (mit dpa und AFP)"], ["dpa", "AFP"]),  # a byline's own agency credit
        ([], ["Im Stadtteil (Mitte) wird gebaut (mit Fotos)."], []),
        # a mention is not a credit; "ap" inside words and lower-case "ap" are no agency
        ([], ["Die Nachrichtenagentur dpa berichtete, der Trap sei cap."], []),
        # nor is an agency named in parentheses mid-sentence; a credit line counts in any case
        ([], ["Das berichtete der Evangelische Pressedienst (epd) am Montag."], []),
        ([], ["Text.\napa/red"], ["APA"]),
        # with a copyright sign or a leading slash, as Swiss and Austrian sites print the credit line
        ([], ["Der Rat hat entschieden.\n© Keystone-SDA"], ["Keystone-SDA"]),
        ([], ["Der Rat hat entschieden.\n(c) APA"], ["APA"]),
        ([], ["Der Rat hat entschieden.\n/SDA"], ["SDA"]),
        ([], ["Der Rat hat entschieden.\n© Stadtblatt"], []),
        ([], ["Der Rat hat entschieden. (sid)"], ["SID"]),
        # dpa copy that other sites print ends with dpa's service line, often without "(dpa)"
        ([], ["Der Rat hat entschieden.\n© dpa-infocom, dpa:230428-99-483045/5"], ["dpa"]),
        ([], ["Der Rat hat entschieden.\ndpa:240516-99-53606/3"], ["dpa"]),
        # an editor's initials before the agency; not a capitalised word before it mid-sentence
        ([], ["Der Rat hat entschieden. (red/apa)"], ["APA"]),
        ([], ["Der Rat hat entschieden. (sda/afp)"], ["SDA", "AFP"]),
        ([], ["Die Partei (ÖVP/APA) sagt nichts."], []),
        # a credit closed by its day, as Austrian and Swiss sites print it, with or without an editor's mark
        ([], ["Der Rat hat entschieden.\n(APA, 28.4.2023)"], ["APA"]),
        ([], ["Der Rat hat entschieden. (red, APA, 28. April 2023)"], ["APA"]),
        ([], ["Der Rat hat entschieden. (sda/dpa, 12.3.24)"], ["SDA", "dpa"]),
        # a script of the agency's web service named in the text is no credit of the text
        ([], ["Der Rat hat entschieden. Die Karte lädt von core.dpa-infocom.net nach."], []),
    ],
)
def test_agency_credits(bylines: list[str], texts: list[str], agencies: list[str]) -> None:
    assert agencies_in(bylines, texts) == agencies


def test_date_is_the_posts_own_not_one_from_a_related_list_printed_before_it() -> None:
    related = (
        '<aside class="related-posts"><ul><li><a href="/2024/01/02/alt/">Alter Beitrag</a> '
        '<time datetime="2024-01-02T08:00:00+01:00">2. Januar 2024</time></li></ul></aside>'
        '<div class="teaser"><time datetime="2023-05-05T10:00:00+02:00">5. Mai 2023</time></div>'
    )
    page = load("twentytwentyone_de.html").replace(
        '<main id="main" class="site-main">', '<main id="main" class="site-main">' + related
    )
    assert extract_article(page, url=CLASSIC_URL).published_at == "2025-10-14T09:30:00+02:00"

"""Learn the site, not the page: templates learned from a site's pages, stored per site, used in cleaning."""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crawler import clean, runs
from crawler.extract import extract_article
from crawler.extract.template import SiteTemplate, learn
from newsroom_demo.site import SITE_NAME, Portal

SITE = "https://ms-lokal.example"
SUFFIX = " – Das Stadtmagazin für Musterhausen"
APPEAL = (
    "Unterstützen Sie unabhängigen Lokaljournalismus in Musterhausen: Schon mit fünf Euro im Monat "
    "helfen Sie uns, weiter jeden Tag für Sie zu berichten."
)
HEADLINES = [
    "Neues Hallenbad öffnet im Frühjahr",
    "Stadtrat streitet über Parkgebühren",
    "Bäckerei am Markt schließt nach 80 Jahren",
    "Radweg an der Hauptstraße wird verbreitert",
    "Musikschule sucht neue Räume",
    "Wochenmarkt zieht auf den Rathausplatz",
    "Feuerwehr bekommt neues Löschfahrzeug",
    "Grundschule erhält eine Mensa",
    "Sportverein feiert hundert Jahre",
    "Bücherei verlängert ihre Öffnungszeiten",
    "Kreisel an der Bahnhofstraße ist fertig",
    "Tierheim sucht ehrenamtliche Helfer",
]
# Each story's text is drawn from these words by its own seed, so two stories share no run of words
# the way copies of one story do (the learner counts copies once).
VOCABULARY = [
    "die",
    "der",
    "das",
    "und",
    "im",
    "am",
    "mit",
    "für",
    "auf",
    "von",
    "nach",
    "über",
    "vor",
    "bei",
    "Stadt",
    "Verwaltung",
    "Ausschuss",
    "Anwohner",
    "Vereine",
    "Rathaus",
    "Bürgermeisterin",
    "Gemeinderat",
    "Haushalt",
    "Kosten",
    "Planung",
    "Baustelle",
    "Sommer",
    "Herbst",
    "Winter",
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Pläne",
    "Entscheidung",
    "Bürger",
    "Kinder",
    "Schule",
    "Straße",
    "Platz",
    "Markt",
    "Zukunft",
    "Förderung",
    "Antrag",
    "Sitzung",
    "Mehrheit",
    "Opposition",
    "Zustimmung",
    "Kritik",
    "Gutachten",
    "Verkehr",
    "Parkplätze",
    "Bäume",
    "Spielplatz",
    "Eröffnung",
    "Umbau",
    "Sanierung",
    "Millionen",
    "Euro",
    "vorgestellt",
    "beraten",
    "beschlossen",
    "geprüft",
    "verschoben",
    "gefordert",
    "erwartet",
]


def story(index: int) -> str:
    """A page of a site whose template hides its name from page-level rules: no og:site_name, a
    suffix unlike its host, no printed headline element, and a donation appeal inside the text."""
    paragraphs = "".join(
        f"<p>{HEADLINES[index]}: "
        + " ".join(random.Random(100 * index + p).choices(VOCABULARY, k=35))
        + ".</p>"
        for p in range(5)
    )
    return (
        f"<!DOCTYPE html><html lang='de'><head><title>{HEADLINES[index]}{SUFFIX}</title>"
        f"<meta property='og:type' content='article'></head><body><div class='content'>"
        f"<div class='text'>{paragraphs}<p>{APPEAL}</p></div></div></body></html>"
    )


def test_template_is_learned_from_the_pages_of_one_site() -> None:
    template = learn(story(i) for i in range(12))
    assert template.title_suffixes == [SUFFIX]
    assert template.boilerplate == [APPEAL]
    assert template.pages == 12


def test_too_few_pages_teach_nothing() -> None:
    assert learn(story(i) for i in range(3)) == SiteTemplate(pages=3)


def test_template_strips_the_site_suffix_and_its_boilerplate_a_single_page_keeps() -> None:
    url = f"{SITE}/lokales/bad.html"
    alone = extract_article(story(0), url=url)
    assert alone.title == HEADLINES[0] + SUFFIX
    assert APPEAL in (alone.body or "")
    template = learn(story(i) for i in range(1, 12))  # learned from the site's *other* pages
    with_site = extract_article(story(0), url=url, site_template=template)
    assert with_site.title == HEADLINES[0]
    assert APPEAL not in (with_site.body or "")
    assert with_site.body == (alone.body or "").replace("\n" + APPEAL, "")


def test_demo_portal_sites_learn_their_suffix_and_keep_every_field() -> None:
    for seed in (5, 11):
        portal = Portal(articles=30, seed=seed)
        pages = [portal.respond(s.url, {"Host": "portal.test"})[2] for s in portal.stories()[:20]]
        template = learn(page.decode() for page in pages)
        assert template.title_suffixes == [f" – {SITE_NAME}"]
        assert template.house_authors == []  # several writers, each on a few pages: no house byline
        # The post's own <time> first (its datetime attribute is exact), then the meta line it stands in.
        assert template.date_lines[0] == "time.entry-date.published"
        for spec, page in zip(portal.stories()[:20], pages, strict=True):
            article = extract_article(page, url="http://portal.test" + spec.url, site_template=template)
            assert (article.title, article.body, article.authors) == (
                spec.title,
                spec.body_text,
                list(spec.authors),
            )


def test_clean_stage_learns_stores_and_uses_each_sites_template(conn) -> None:
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    other = "https://anderes-blatt.example"
    with conn, conn.cursor() as cur:
        runs.start_run(cur, "night1", SITE)
        for i, headline in enumerate(HEADLINES):
            for site in (SITE, other):
                html = story(i) if site == SITE else story(i).replace(SUFFIX, " | Anderes Blatt")
                url = f"{site}/lokales/{i}.html"
                cur.execute(
                    """INSERT INTO raw_pages (run_id, site, url, final_url, status, content_type, body_gzip,
                           body_bytes, fetched_at) VALUES ('night1', %s, %s, %s, 200, 'text/html', %s, %s, %s)""",
                    (site, url, url, gzip.compress(html.encode()), len(html), t0 + timedelta(minutes=i)),
                )
            assert headline
    assert clean.clean_pages(conn, workers=1)["new"] == 2 * len(HEADLINES)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT site, template->'title_suffixes', pages FROM site_templates ORDER BY site")
        assert cur.fetchall() == [(other, [" | Anderes Blatt"], 12), (SITE, [SUFFIX], 12)]
        cur.execute("SELECT DISTINCT title FROM articles ORDER BY title")
        assert [row[0] for row in cur.fetchall()] == sorted(HEADLINES)
        cur.execute("SELECT count(*) FROM articles WHERE body LIKE %s", (f"%{APPEAL[:40]}%",))
        assert cur.fetchone()[0] == 0


def test_a_template_learned_from_few_pages_is_learned_again_as_the_crawl_stores_more(
    conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `newsroom run` cleans while the crawl stores pages: on a site's first night the first batches
    # come before there is anything to learn from. The template is learned again each time the site's
    # stored pages have doubled, and not on every batch.
    from crawler import site_templates

    learned: list[list[str]] = []
    real_learn_sites = site_templates.learn_sites

    def counting(connection: Any, sites: list[str], run_id: str | None = None) -> dict[str, Any]:
        learned.append(list(sites))
        return real_learn_sites(connection, sites, run_id)

    monkeypatch.setattr(site_templates, "learn_sites", counting)
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with conn, conn.cursor() as cur:
        runs.start_run(cur, "night1", SITE)

    def store(indexes: range) -> None:
        with conn, conn.cursor() as cur:
            for i in indexes:
                html = story(i % len(HEADLINES)).replace("<title>", f"<title>{i} ")
                url = f"{SITE}/lokales/{i}.html"
                cur.execute(
                    """INSERT INTO raw_pages (run_id, site, url, final_url, status, content_type, body_gzip,
                           body_bytes, fetched_at) VALUES ('night1', %s, %s, %s, 200, 'text/html', %s, %s, %s)""",
                    (SITE, url, url, gzip.compress(html.encode()), len(html), t0 + timedelta(minutes=i)),
                )

    templates = site_templates.RunTemplates("night1", growing=True)
    assert templates.refresh(conn) == {}  # nothing stored yet: nothing to learn
    store(range(2))
    assert templates.refresh(conn)[SITE]["title_suffixes"] == []  # two pages teach nothing
    store(range(2, 3))
    templates.refresh(conn)
    assert len(learned) == 1  # 3 pages are not yet twice 2 (nor the 4 a template needs)
    store(range(3, 6))
    assert templates.refresh(conn)[SITE]["title_suffixes"] == [SUFFIX]  # 6 pages: learned again
    assert [len(sites) for sites in learned] == [1, 1]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pages FROM site_templates WHERE site = %s", (SITE,))
        assert cur.fetchone()[0] == 6
    # Learned from more than half a sample, it is learned again once a full sample is stored (the
    # stored pages are counted up to a sample, so "twice as many" would never come), then no more.
    monkeypatch.setattr(site_templates, "SAMPLE_PAGES", 10)
    store(range(6, 10))
    templates.refresh(conn)
    assert [len(sites) for sites in learned] == [1, 1, 1]
    store(range(10, 14))
    templates.refresh(conn)
    assert len(learned) == 3
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pages FROM site_templates WHERE site = %s", (SITE,))
        assert cur.fetchone()[0] == 10
    # A clean of a stored backlog (no crawl beside it) learns once, not on every batch.
    backlog = site_templates.RunTemplates("night1")
    backlog.refresh(conn)
    store(range(14, 20))
    backlog.refresh(conn)
    assert len(learned) == 4


# A site whose CMS posts every story under one account ("Petra Schulz", the editor who publishes)
# while the page prints who wrote it: the metadata names the house, the byline the writer.
HOUSE = "Petra Schulz"
WRITERS = ["Jonas Weber", "Dr. Aylin Kaya", "Jonas Weber", "Marta Nowak", HOUSE, "Lena Brandt"]


def house_story(index: int, printed: str | None = None) -> str:
    """A story of that site: JSON-LD credits the house account, the byline line its writer."""
    writer = WRITERS[index] if printed is None else printed
    byline = f"<p class='byline'>Von {writer}</p>" if writer else ""
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", '
        f'"headline": "{HEADLINES[index]}", "author": {{"@type": "Person", "name": "{HOUSE}"}}}}'
    )
    page = story(index).replace("</head>", f"<script type='application/ld+json'>{ld}</script></head>")
    return page.replace("<div class='text'>", f"<h1>{HEADLINES[index]}</h1>{byline}<div class='text'>")


def test_the_house_byline_is_learned_and_a_printed_byline_naming_the_writer_outranks_it() -> None:
    from crawler.extract import rules

    template = learn(house_story(i) for i in range(1, 6))  # the site's *other* pages
    assert template.house_authors == [HOUSE]
    url = f"{SITE}/lokales/0.html"
    assert extract_article(house_story(0), url=url).authors == [HOUSE]  # one page alone: metadata wins
    assert extract_article(house_story(0), url=url, site_template=template).authors == ["Jonas Weber"]
    academic = extract_article(house_story(1), url=url, site_template=template)
    assert academic.authors == ["Dr. Aylin Kaya"]
    with rules.disabled(["byline_over_house_metadata"]):
        assert extract_article(house_story(0), url=url, site_template=template).authors == [HOUSE]


def test_the_house_byline_stays_where_the_page_prints_no_one_else() -> None:
    template = learn(house_story(i) for i in range(1, 6))
    url = f"{SITE}/lokales/4.html"
    # Printed as the same name, or not printed at all, or only a desk: the metadata stands.
    for printed in (HOUSE, "", "Redaktion"):
        page = house_story(4, printed=printed)
        assert extract_article(page, url=url, site_template=template).authors == [HOUSE], printed


def test_an_author_on_few_of_a_sites_pages_is_no_house_byline() -> None:
    # One prolific writer on under half the pages is a writer: nothing is learned, nothing changes.
    pages = [house_story(i).replace(HOUSE, WRITERS[i] if i % 2 else HOUSE) for i in range(6)]
    template = learn(pages)
    assert template.house_authors == []
    assert SiteTemplate.from_dict({"title_suffixes": [SUFFIX], "pages": 6}) == SiteTemplate(
        title_suffixes=[SUFFIX], pages=6
    )  # a template stored before house bylines were learned still loads


# A site whose byline prints a link beside every writer's name: the reader sees "Alle Texte" as a link,
# page-level rules see two names.
NOISE = "Alle Texte"


def noise_story(index: int, byline: str | None = None) -> str:
    """A story of that site: a byline of its writer and the site's link beside it."""
    names = byline if byline is not None else f"Von {WRITERS[index]}"
    line = f"<div class='byline'><span>{names}</span> <a href='/texte/'>{NOISE}</a></div>"
    return story(index).replace("<div class='text'>", f"<h1>{HEADLINES[index]}</h1>{line}<div class='text'>")


def test_what_the_bylines_print_beside_every_writer_is_learned_as_noise_not_a_name() -> None:
    from crawler.extract import rules

    template = learn(noise_story(i) for i in range(1, 6))
    assert template.byline_noise == [NOISE]
    url = f"{SITE}/lokales/0.html"
    assert extract_article(noise_story(0), url=url).authors == ["Jonas Weber", NOISE]  # the page alone
    assert extract_article(noise_story(0), url=url, site_template=template).authors == ["Jonas Weber"]
    with rules.disabled(["byline_site_noise"]):
        assert extract_article(noise_story(0), url=url, site_template=template).authors == [
            "Jonas Weber",
            NOISE,
        ]


def test_a_one_writer_site_a_credited_agency_and_a_lone_noise_byline_are_kept() -> None:
    # The same writer on every page has no changing names beside it: a writer, not noise.
    solo = learn(noise_story(i, byline="Von Anna Berger") for i in range(6))
    assert solo.byline_noise == []

    # An agency credited beside every writer is a credit, though it stands on every byline.
    def agency_copy(index: int) -> str:
        line = f"<p class='byline'>Von {WRITERS[index]} und dpa</p>"
        return story(index).replace(
            "<div class='text'>", f"<h1>{HEADLINES[index]}</h1>{line}<div class='text'>"
        )

    agency = learn(agency_copy(i) for i in range(1, 6))
    assert agency.byline_noise == []
    assert extract_article(agency_copy(0), url=SITE, site_template=agency).authors == ["Jonas Weber", "dpa"]
    # A page whose byline is nothing but what the site prints everywhere keeps it.
    template = learn(noise_story(i) for i in range(1, 6))
    assert extract_article(noise_story(0, byline=""), url=SITE, site_template=template).authors == [NOISE]


@pytest.mark.parametrize(
    ("key", "learned", "pages"),
    [("house_authors", [HOUSE], house_story), ("byline_noise", [NOISE], noise_story)],
)
def test_clean_stage_learns_the_sites_bylines_and_credits_the_writers_only(
    conn: Any, key: str, learned: list[str], pages: Any
) -> None:
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with conn, conn.cursor() as cur:
        runs.start_run(cur, "night1", SITE)
        for i in range(len(WRITERS)):
            html, url = pages(i), f"{SITE}/lokales/{i}.html"
            cur.execute(
                """INSERT INTO raw_pages (run_id, site, url, final_url, status, content_type, body_gzip,
                       body_bytes, fetched_at) VALUES ('night1', %s, %s, %s, 200, 'text/html', %s, %s, %s)""",
                (SITE, url, url, gzip.compress(html.encode()), len(html), t0 + timedelta(minutes=i)),
            )
    assert clean.clean_pages(conn, workers=1)["new"] == len(WRITERS)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT template -> %s FROM site_templates WHERE site = %s", (key, SITE))
        assert cur.fetchone()[0] == learned
        cur.execute("SELECT url, authors FROM articles ORDER BY url")
        got = {url.rsplit("/", 1)[1]: authors for url, authors in cur.fetchall()}
    assert got == {f"{i}.html": [writer] for i, writer in enumerate(WRITERS)}


def test_a_page_whose_byline_cannot_be_read_teaches_nothing_and_fails_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crawler.extract import article

    def broken(tree: Any) -> list[str]:
        raise ValueError("odd markup")

    monkeypatch.setattr(article, "printed_bylines", broken)
    template = learn(noise_story(i) for i in range(1, 6))
    assert template.byline_noise == [] and template.pages == 5


def test_copies_of_one_story_in_a_small_sample_do_not_make_its_text_the_template() -> None:
    # Early in a first night the sample is small; an agency story stored under four URLs (the original
    # and copies credited to dpa, AFP, Reuters) once made its paragraphs "boilerplate" of the site, and
    # the clean stage then cut them from that very story.
    copies = [story(0).replace(APPEAL, f"{APPEAL} ({agency})") for agency in ("dpa", "AFP", "Reuters", "KNA")]
    template = learn([*copies, *(story(i) for i in range(1, 5))])
    assert template.boilerplate == []  # 5 stories: too few to learn text blocks from
    template = learn([*copies, *(story(i) for i in range(1, 11))])
    assert template.boilerplate == [APPEAL]
    assert template.title_suffixes == [SUFFIX] and template.pages == 14
    article = extract_article(copies[0], url=f"{SITE}/lokales/0.html", site_template=template)
    assert article.body is not None and article.body.startswith(f"{HEADLINES[0]}: ")


def test_a_subheading_few_stories_share_is_no_template_yet() -> None:
    # A first night's early sample: six stories, four of them with the same subheading. The site's title
    # suffix is clear from four pages; a text block needs ten different stories.
    pages = [
        story(i).replace("<p>", "<h2>Was Fachleute sagen</h2><p>", 1) if i < 4 else story(i) for i in range(6)
    ]
    template = learn(pages)
    assert template.title_suffixes == [SUFFIX]
    assert template.boilerplate == []


def dated_story(index: int, declared: bool) -> str:
    """A page of a site that prints its dates where no page-level rule looks (a class naming no date,
    above the headline) and a ticker whose <time> shows the same day on every page; some pages also
    declare their date in JSON-LD."""
    day = f"{index + 1:02d}.04.2023"
    ld = (
        f'<script type=\'application/ld+json\'>{{"@type": "NewsArticle", '
        f'"datePublished": "2023-04-{index + 1:02d}T09:00:00+02:00"}}</script>'
        if declared
        else ""
    )
    paragraphs = "".join(
        "<p>" + " ".join(random.Random(100 * index + p).choices(VOCABULARY, k=35)) + ".</p>" for p in range(5)
    )
    return (
        f"<!DOCTYPE html><html lang='de'><head><title>{HEADLINES[index]}</title>{ld}</head><body>"
        "<div class='ticker'><time datetime='2026-11-30T08:00:00+01:00'>30.11.2026</time> Eilmeldung</div>"
        f"<main><div class='stamp'>{day}</div><h1>{HEADLINES[index]}</h1>{paragraphs}</main></body></html>"
    )


def test_where_a_site_prints_its_dates_is_learned_and_beats_a_ticker_on_every_page() -> None:
    template = learn(dated_story(i, declared=i % 2 == 0) for i in range(1, 12))
    # The ticker's <time> gives one day on every page: the site's, not an article's.
    assert template.date_lines == ["div.stamp"]
    alone = extract_article(dated_story(0, declared=False), url=f"{SITE}/a.html")
    assert (alone.published_at or "")[:10] == "2026-11-30"  # read alone, the page gives the ticker's day
    with_site = extract_article(dated_story(0, declared=False), url=f"{SITE}/a.html", site_template=template)
    assert (with_site.published_at or "")[:10] == "2023-04-01"
    assert with_site.sources["published_at"] == "template"


def test_a_printed_date_that_disagrees_with_the_declared_one_is_not_learned() -> None:
    # Every page declares a day a month after the one it prints: the printed kind is not the date line.
    pages = [
        dated_story(i, declared=True).replace(f'"2023-04-{i + 1:02d}', f'"2023-05-{i + 1:02d}')
        for i in range(12)
    ]
    assert learn(pages).date_lines == []


def test_the_innermost_element_that_prints_the_date_is_learned_not_its_column() -> None:
    # A block theme's column holds only the post's date: the column reads the day, its <time> the instant.
    def page(index: int) -> str:
        day = f"2023-04-{index + 1:02d}"
        return dated_story(index, declared=False).replace(
            f"<div class='stamp'>{index + 1:02d}.04.2023</div>",
            f"<div class='wp-block-column'><time datetime='{day}T17:45:00+02:00'>{index + 1}. April 2023</time></div>",
        )

    template = learn(page(i) for i in range(1, 12))
    assert template.date_lines == ["div.wp-block-column>time"]  # the ticker's <time> stands in another box
    article = extract_article(page(0), url=f"{SITE}/a.html", site_template=template)
    assert article.published_at == "2023-04-01T17:45:00+02:00"


STAFF = ["Anna Berger", "Max Graf", "Eva Lindner", "Jonas Kehl"]


def credited_story(index: int, credit: str | None) -> str:
    """A page of a site that prints its byline in a class no page-level rule knows, below the text; its
    JSON-LD names the writer, except on a page whose byline is a desk or an agency."""
    ld = (
        f'<script type=\'application/ld+json\'>{{"@type": "NewsArticle", "author": '
        f'{{"@type": "Person", "name": "{credit}"}}}}</script>'
        if credit in STAFF
        else ""
    )
    paragraphs = "".join(
        "<p>" + " ".join(random.Random(100 * index + p).choices(VOCABULARY, k=35)) + ".</p>" for p in range(5)
    )
    return (
        f"<!DOCTYPE html><html lang='de'><head><title>{HEADLINES[index]}</title>{ld}</head><body><main>"
        f"<h1>{HEADLINES[index]}</h1>{paragraphs}<div class='c-meta__source'>{credit or ''}</div>"
        "</main></body></html>"
    )


@pytest.mark.parametrize(("credit", "authors"), [("Lokalredaktion", ["Lokalredaktion"]), ("dpa", ["dpa"])])
def test_where_a_site_prints_its_bylines_is_learned_and_gives_a_desk_or_agency(
    credit: str, authors: list[str]
) -> None:
    template = learn(credited_story(i, STAFF[i % 4]) for i in range(1, 12))
    assert template.byline_lines == ["div.c-meta__source"]
    alone = extract_article(credited_story(0, credit), url=f"{SITE}/a.html")
    assert alone.authors == []  # read alone, no rule knows that class
    with_site = extract_article(credited_story(0, credit), url=f"{SITE}/a.html", site_template=template)
    assert with_site.authors == authors
    assert with_site.sources["authors"] == "template"
    # Where the metadata names the writer, the metadata stands; an empty byline line gives nothing.
    assert extract_article(credited_story(1, "Max Graf"), site_template=template).authors == ["Max Graf"]
    assert extract_article(credited_story(0, None), site_template=template).authors == []
    # A one-word label there is no byline.
    assert extract_article(credited_story(0, "Bildergalerie"), site_template=template).authors == []

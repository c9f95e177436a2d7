"""Article extraction: stored real pages, aggregate quality on the dev set, bad input, boilerplate."""

from __future__ import annotations

import collections
import gzip
import json
import re
from pathlib import Path

import pytest

from crawler.extract import EXTRACTOR_VERSION, MAX_HTML_BYTES, Article, decode_html, extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction-de"
COMPARED_FIELDS = ("title", "authors", "published_at", "section", "lead", "body")

PARAGRAPH = (
    "Der Bundestag hat am Donnerstag nach langer Debatte über den Haushalt abgestimmt. Die Koalition "
    "setzte sich mit knapper Mehrheit durch, die Opposition kündigte Widerstand im Bundesrat an. "
)


def _fixture_pages() -> list[Path]:
    return sorted(FIXTURES.glob("*.html.gz"))


@pytest.mark.parametrize("page", _fixture_pages(), ids=lambda p: p.name.removesuffix(".html.gz"))
def test_stored_pages_match_their_expected_json(page: Path) -> None:
    expected = json.loads(page.with_name(page.name.removesuffix(".html.gz") + ".json").read_text("utf-8"))
    html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    article = extract_article(html, url=expected["url"])
    assert article.rejected_reason is None
    for name in COMPARED_FIELDS:
        assert getattr(article, name) == expected[name], name


def test_fixtures_are_present() -> None:
    assert len(_fixture_pages()) >= 8


# --- aggregate quality on the development set (the metrics of ../shared/tools/score_extraction.py) ---


def _tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def _bow_f1(pred: str | None, gold: str) -> float:
    p, g = collections.Counter(_tokens(pred)), collections.Counter(_tokens(gold))
    tp = sum((p & g).values())
    if not tp:
        return 0.0
    precision, recall = tp / sum(p.values()), tp / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def _fold(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


@pytest.mark.skipif(not (DEV_SET / "expected.jsonl").exists(), reason="development set not available")
def test_dev_set_meets_quality_targets() -> None:
    sums: collections.Counter[str] = collections.Counter()
    cases = [json.loads(line) for line in (DEV_SET / "expected.jsonl").open(encoding="utf-8")]
    for case in cases:
        html = gzip.decompress((DEV_SET / case["file"]).read_bytes()).decode("utf-8", "replace")
        got = extract_article(html, url=case["url"])
        assert got.rejected_reason is None, case["file"]
        sums["f1"] += _bow_f1(got.body, case["body"])
        sums["title"] += _fold(got.title) == _fold(case["title"])
        day = (case["published"] or "")[:10]
        sums["published"] += bool(day) and (got.published_at or "")[:10] == day
        sums["authors"] += {_fold(a) for a in got.authors} == {_fold(a) for a in case["authors"]}
    n = len(cases)
    scores = {k: sums[k] / n for k in ("f1", "title", "published", "authors")}
    assert scores["f1"] >= 0.97, scores
    assert scores["title"] >= 0.92, scores
    assert scores["published"] >= 0.97, scores
    assert scores["authors"] >= 0.88, scores


# --- bad input: a rejection or a correct decode, never an exception ---


def _article_page(body: str = PARAGRAPH * 6, head: str = "") -> str:
    return (
        f"<html lang='de'><head><title>Haushalt beschlossen | Testzeitung</title>{head}</head><body>"
        f"<article><h1>Haushalt beschlossen</h1><p>{body}</p><p>{PARAGRAPH}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("", "empty"),
        (b"", "empty"),
        ("   \n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "binary"),
    ],
)
def test_empty_and_binary_input_is_rejected(data: str | bytes, reason: str) -> None:
    assert extract_article(data).rejected_reason == reason


def test_truncated_html_does_not_raise() -> None:
    page = _article_page()
    for cut in (10, 200, len(page) // 2):
        article = extract_article(page[:cut], url="https://example.de/politik/haushalt-123.html")
        assert isinstance(article, Article)
        assert article.rejected_reason is not None or article.body


def test_truncated_html_with_enough_text_is_still_an_article() -> None:
    page = _article_page()
    article = extract_article(page[: len(page) - 40], url="https://example.de/politik/haushalt-123.html")
    assert article.rejected_reason is None
    assert "Bundestag" in (article.body or "")


def test_latin1_bytes_with_header_charset() -> None:
    data = _article_page(body="Die Straße führt über Äcker. " + PARAGRAPH * 6).encode("latin-1")
    article = extract_article(
        data, url="https://example.de/a.html", content_type="text/html; charset=ISO-8859-1"
    )
    assert "Die Straße führt über Äcker." in (article.body or "")


def test_latin1_bytes_wrongly_declared_utf8() -> None:
    data = _article_page(body="Größere Öfen für Übungsräume. " + PARAGRAPH * 6).encode("cp1252")
    assert "Größere Öfen für Übungsräume." in decode_html(data, "text/html; charset=utf-8")
    article = extract_article(data, url="https://example.de/a.html", content_type="text/html; charset=utf-8")
    assert "Größere Öfen für Übungsräume." in (article.body or "")


def test_meta_charset_is_honoured() -> None:
    data = b"<html><head><meta charset='windows-1252'></head><body><p>M\xfcnchen \x80</p></body></html>"
    assert "München €" in decode_html(data)


def test_utf8_page_labelled_latin1_stays_utf8() -> None:
    data = "<html><head><meta charset='iso-8859-1'></head><body><p>Gärten</p></body></html>".encode()
    assert "Gärten" in decode_html(data)


def test_twenty_megabyte_page_is_rejected_without_parsing() -> None:
    page = "<html><body>" + "<p>" + "x" * 1000 + "</p>" * 1 + "</p>" * 0
    page = page + ("<p>" + "Wort " * 200 + "</p>") * 20_000
    assert len(page) > 2 * MAX_HTML_BYTES
    assert extract_article(page).rejected_reason == "too_large"
    assert extract_article(page.encode()).rejected_reason == "too_large"


def test_impressum_page_is_rejected() -> None:
    page = _article_page(body="Verantwortlich im Sinne des Presserechts: Max Muster. " + PARAGRAPH * 5)
    page = page.replace("Haushalt beschlossen", "Impressum")
    reason = extract_article(page, url="https://example.de/impressum").rejected_reason
    assert reason is not None and reason.startswith("not_article")


def test_tag_listing_page_is_rejected() -> None:
    teasers = "".join(
        f"<div class='teaser'><h2><a href='/politik/artikel-{i}.html'>Schlagzeile Nummer {i}</a></h2>"
        f"<p>Kurzer Anrisstext {i}.</p></div>"
        for i in range(20)
    )
    page = f"<html><head><title>Thema Haushalt</title></head><body><main>{teasers}</main></body></html>"
    reason = extract_article(page, url="https://example.de/tag/haushalt/").rejected_reason
    assert reason is not None and reason.startswith("not_article")


def test_home_page_and_short_pages_are_rejected() -> None:
    assert (
        extract_article(_article_page(), url="https://example.de/").rejected_reason
        == "not_article: home page"
    )
    short = "<html><body><article><h1>Kurz</h1><p>Nur ein Satz.</p></article></body></html>"
    reason = extract_article(short, url="https://example.de/kurz.html").rejected_reason
    assert reason is not None and reason.startswith("not_article")


# --- a hand-written WordPress-style page full of boilerplate ---

WORDPRESS_PAGE = """<!DOCTYPE html>
<html lang="de-DE"><head><meta charset="utf-8">
<title>Koalition einigt sich auf Haushalt – Testzeitung</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Testzeitung">
<meta property="article:published_time" content="2024-05-02T09:15:00">
<link rel="canonical" href="/politik/koalition-einigt-sich-auf-haushalt/">
</head><body>
<div id="cookie-banner" class="cookie-notice"><p>Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.
Mit Klick auf Akzeptieren stimmen Sie der Verwendung aller Cookies zu.</p><button>Akzeptieren</button></div>
<header><nav class="main-menu"><a href="/">Startseite</a><a href="/politik/">Politik</a></nav></header>
<nav class="breadcrumb"><ol><li><a href="/">Startseite</a></li><li><a href="/politik/">Politik</a></li>
<li>Koalition einigt sich auf Haushalt</li></ol></nav>
<article class="post type-post">
<h1 class="entry-title">Koalition einigt sich auf Haushalt</h1>
<div class="entry-meta">Von <a rel="author" href="/author/anna-beispiel/">Anna Beispiel</a> und
<a rel="author" href="/author/ben-muster/">Ben Muster</a> | 2. Mai 2024</div>
<div class="share-buttons"><a href="#">Teilen</a><a href="#">Drucken</a><a href="#">WhatsApp</a></div>
<div class="entry-content">
<p>Erster Absatz: Nach wochenlangem Streit hat sich die Koalition in der Nacht auf einen Haushalt für das
kommende Jahr geeinigt, der Kürzungen in mehreren Ressorts vorsieht.</p>
<figure><img src="a.jpg" alt="">
<figcaption>Die Fraktionschefs nach der Sitzung. Foto: Max Fotograf</figcaption></figure>
<p>Zweiter Absatz: Besonders umstritten waren die Ausgaben für Verteidigung und Soziales, über die bis zuletzt
verhandelt wurde, wie Teilnehmer der Runde berichteten.</p>
<div class="related-posts"><h3>Lesen Sie auch</h3>
<ul><li><a href="/politik/a/">Streit um Schuldenbremse geht weiter</a></li>
<li><a href="/politik/b/">Was die Länder jetzt fordern</a></li></ul></div>
<h2>Was die Einigung bedeutet</h2>
<p>Dritter Absatz: Für die meisten Bürgerinnen und Bürger ändert sich zunächst wenig, doch Kommunen müssen mit
geringeren Zuweisungen rechnen und ihre Planungen anpassen.</p>
<div class="newsletter-signup"><h3>Newsletter</h3><p>Jetzt den Politik-Newsletter abonnieren und keine
Nachricht mehr verpassen!</p></div>
<h2>Wie es weitergeht</h2>
<p>Vierter Absatz: Der Bundestag soll den Entwurf noch vor der Sommerpause beraten, die Opposition kündigte
bereits Änderungsanträge und eine namentliche Abstimmung an.</p>
<p class="ad">Anzeige</p>
</div>
<section id="comments" class="comments-area"><h2>3 Kommentare</h2><p>Leser123 schrieb: Endlich eine
Einigung, das hat aber lange gedauert, finde ich.</p></section>
</article>
<footer><p><a href="?amp=0">Die mobile Version verlassen</a></p></footer>
</body></html>"""


def test_wordpress_page_boilerplate_is_removed() -> None:
    article = extract_article(
        WORDPRESS_PAGE, url="https://testzeitung.de/politik/koalition-einigt-sich-auf-haushalt/"
    )
    assert article.rejected_reason is None
    assert article.title == "Koalition einigt sich auf Haushalt"
    assert article.section == "Politik"
    assert article.section_path == ["Politik"]
    assert article.authors == ["Anna Beispiel", "Ben Muster"]
    assert article.published_at == "2024-05-02T09:15:00+02:00"
    assert article.canonical_url == "https://testzeitung.de/politik/koalition-einigt-sich-auf-haushalt/"
    assert article.language == "de"
    body = article.body or ""
    expected_order = [
        "Erster Absatz",
        "Zweiter Absatz",
        "Was die Einigung bedeutet",
        "Dritter Absatz",
        "Wie es weitergeht",
        "Vierter Absatz",
    ]
    positions = [body.find(marker) for marker in expected_order]
    assert all(p >= 0 for p in positions), body
    assert positions == sorted(positions)
    for boilerplate in (
        "Startseite",
        "Lesen Sie auch",
        "Streit um Schuldenbremse",
        "Newsletter",
        "Cookies",
        "Teilen",
        "Drucken",
        "Foto: Max Fotograf",
        "Fraktionschefs",
        "Anzeige",
        "Kommentare",
        "Leser123",
        "Die mobile Version verlassen",
    ):
        assert boilerplate not in body, boilerplate


def test_paywalled_teaser_is_flagged() -> None:
    ld = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        '"headline":"Haushalt beschlossen","isAccessibleForFree":false,"datePublished":"2024-05-02"}</script>'
    )
    article = extract_article(_article_page(body=PARAGRAPH, head=ld), url="https://example.de/politik/x.html")
    assert article.is_paywalled
    assert article.page_type == "NewsArticle"
    assert article.sources["published_at"] == "json-ld"


def test_result_shape() -> None:
    article = extract_article(_article_page(), url="https://example.de/politik/haushalt-123.html")
    data = article.to_dict()
    for name in (
        "title",
        "lead",
        "body",
        "authors",
        "published_at",
        "modified_at",
        "section",
        "section_path",
        "tags",
        "language",
        "canonical_url",
        "site_name",
        "page_type",
        "is_paywalled",
        "rejected_reason",
        "word_count",
        "sources",
    ):
        assert name in data
    assert article.sources["body"] == "trafilatura"
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", EXTRACTOR_VERSION)

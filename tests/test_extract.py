"""Article extraction: stored real pages, aggregate quality on the dev set, bad input, boilerplate."""

from __future__ import annotations

import collections
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from extract_checks import bow_f1, disagreements, fold

from crawler.extract import EXTRACTOR_VERSION, MAX_HTML_BYTES, Article, decode_html, extract_article
from crawler.reasons import looks_binary

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
REPO = Path(__file__).resolve().parents[1]
DEV_SET = Path(os.environ.get("NEWSROOM_DEV_SET") or REPO.parent / "shared" / "data" / "extraction-de")
REGEN = REPO / "scripts" / "regen_extract_fixtures.py"

PARAGRAPH = (
    "Der Bundestag hat am Donnerstag nach langer Debatte über den Haushalt abgestimmt. Die Koalition "
    "setzte sich mit knapper Mehrheit durch, die Opposition kündigte Widerstand im Bundesrat an. "
)


def _fixture_pages() -> list[Path]:
    return sorted(FIXTURES.glob("*.html.gz"))


def _expected(page: Path) -> dict[str, Any]:
    return json.loads(page.with_name(page.name.removesuffix(".html.gz") + ".json").read_text("utf-8"))


def dev_set() -> Path:
    """The development set; missing, it fails the test under CI=true and skips it elsewhere."""
    if not (DEV_SET / "expected.jsonl").is_file():
        message = f"development set not available at {DEV_SET}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI runs every test)")
        pytest.skip(message)
    return DEV_SET


@pytest.mark.parametrize("page", _fixture_pages(), ids=lambda p: p.name.removesuffix(".html.gz"))
def test_stored_pages_agree_with_the_hand_checked_values(page: Path) -> None:
    """Title, authors, instant, section_path exact; body and lead above an F1 floor, all hand-checked.

    Mutation: `article.authors = article.authors[:1]` at the end of _fill_authors in
    crawler/extract/article.py fails BSZ (3 authors expected) and MDR, TOnline.
    """
    expected = _expected(page)
    html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    article = extract_article(html, url=expected["url"])
    assert disagreements(expected, article) == []


def test_fixtures_are_present_and_most_compare_section_path() -> None:
    pages = _fixture_pages()
    assert len(pages) >= 8
    assert sum("section_path" in _expected(page) for page in pages) >= len(pages) - 2


def test_fixture_json_is_the_hand_checked_data() -> None:
    """Every expected value is the development set's or hand_checked.json's, never the extractor's."""
    cases = {c["file"]: c for c in map(json.loads, (dev_set() / "expected.jsonl").open(encoding="utf-8"))}
    hand = json.loads((FIXTURES / "hand_checked.json").read_text("utf-8"))
    for page in _fixture_pages():
        expected, case = _expected(page), cases[page.name]
        assert page.read_bytes() == (DEV_SET / page.name).read_bytes(), page.name
        for key in ("url", "title", "authors", "published", "summary", "body"):
            assert expected[key] == case[key], (page.name, key)
        extra = hand["pages"].get(page.name.removesuffix(".html.gz"), {})
        assert expected.get("section_path") == extra.get("section_path"), page.name
        assert expected["min_body_f1"] == extra.get("min_body_f1", hand["default_min_body_f1"])


def _regen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REGEN), *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def _fixture_copy(tmp_path: Path) -> Path:
    """A copy of the fixture directory for the script to write into (the repository's stays untouched)."""
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    return copy


def _tree_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_regen_refuses_to_write_when_a_check_disagrees(tmp_path: Path) -> None:
    """A wrong hand value (a changed title) makes the script exit 1 and write nothing.

    Mutation: writing the JSON files before `if failures:` in scripts/regen_extract_fixtures.py
    rewrites Stern_2023_04_28.json with the wrong title and fails the byte comparison.
    """
    source = dev_set()
    altered = tmp_path / "dev"
    altered.mkdir()
    lines = []
    for case in map(json.loads, (source / "expected.jsonl").open(encoding="utf-8")):
        if case["file"] == "Stern_2023_04_28.html.gz":
            case["title"] = "Ein ganz anderer Titel"
        lines.append(json.dumps(case, ensure_ascii=False))
        (altered / case["file"]).symlink_to(source / case["file"])
    (altered / "expected.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fixtures = _fixture_copy(tmp_path)
    done = _regen("--dev-set", str(altered), "--fixtures", str(fixtures))
    assert done.returncode == 1, done.stderr
    assert "Stern_2023_04_28.html.gz: title" in done.stderr
    assert "nothing written" in done.stderr
    assert _tree_bytes(fixtures) == _tree_bytes(FIXTURES)


def test_regen_fails_without_its_inputs(tmp_path: Path) -> None:
    """No development set: exit 2 with a one-line reason, nothing written (it used to check nothing, exit 0)."""
    fixtures = _fixture_copy(tmp_path)
    done = _regen("--dev-set", str(tmp_path / "missing"), "--fixtures", str(fixtures))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no development set" in done.stderr
    assert _tree_bytes(fixtures) == _tree_bytes(FIXTURES)


def test_regen_writes_the_same_fixtures_from_the_same_hand_checked_data(tmp_path: Path) -> None:
    """With the real development set the script agrees with every page and reproduces the JSON byte for byte."""
    source = dev_set()
    fixtures = _fixture_copy(tmp_path)
    for json_file in fixtures.glob("*_[0-9][0-9][0-9][0-9]_*.json"):
        json_file.unlink()  # written again from the hand-checked data alone
    done = _regen("--dev-set", str(source), "--fixtures", str(fixtures))
    assert done.returncode == 0, done.stderr
    assert _tree_bytes(fixtures) == _tree_bytes(FIXTURES)


# --- aggregate quality on the development set (the metrics of ../shared/tools/score_extraction.py) ---


def test_dev_set_meets_quality_targets() -> None:
    source = dev_set()
    sums: collections.Counter[str] = collections.Counter()
    cases = [json.loads(line) for line in (source / "expected.jsonl").open(encoding="utf-8")]
    for case in cases:
        html = gzip.decompress((source / case["file"]).read_bytes()).decode("utf-8", "replace")
        got = extract_article(html, url=case["url"])
        assert got.rejected_reason is None, case["file"]
        sums["f1"] += bow_f1(got.body, case["body"])
        sums["title"] += fold(got.title) == fold(case["title"])
        day = (case["published"] or "")[:10]
        sums["published"] += bool(day) and (got.published_at or "")[:10] == day
        sums["authors"] += {fold(a) for a in got.authors} == {fold(a) for a in case["authors"]}
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


def test_a_stray_nul_byte_in_a_page_of_markup_does_not_make_it_binary() -> None:
    # A CMS's broken copy and paste leaves a NUL in the text; browsers render the page, so do we.
    page = _article_page(PARAGRAPH.replace("Haushalt", "Haus\x00halt", 1) + PARAGRAPH * 5)
    for data in (page.encode("utf-8"), page):
        article = extract_article(data, url="https://example.de/politik/haushalt-123.html")
        assert article.rejected_reason is None
        assert article.title == "Haushalt beschlossen"
        assert article.body is not None and "\x00" not in article.body and "\ufffd" not in article.body
    # Many NULs, or NULs in a payload that does not open with markup, are still binary.
    assert looks_binary(page.encode("utf-16-le"))
    assert looks_binary(b"\x00" * 100 + page.encode())
    assert looks_binary(page.encode().replace(b" ", b"\x00"))
    assert not looks_binary(page.encode("utf-16"))  # with its byte-order mark: text


def test_json_ld_authors_named_by_reference_in_the_graph_are_resolved() -> None:
    # SEO plugins name the author once in the @graph and give the article only its @id; with no
    # printed byline the page then had no author.
    def page(author: object) -> str:
        graph = [
            {"@type": "NewsArticle", "headline": "Haushalt beschlossen", "author": author,
             "publisher": {"@id": "https://example.de/#org"}, "datePublished": "2024-05-01T10:00:00+02:00"},
            {"@type": "Person", "@id": "https://example.de/#/schema/person/a", "name": "Anna Berger"},
            {"@type": "Person", "@id": "https://example.de/#/schema/person/b", "name": "Dr. Jan Wolf"},
            {"@type": "Organization", "@id": "https://example.de/#org", "name": "Testzeitung"},
        ]  # fmt: skip
        script = json.dumps({"@context": "https://schema.org", "@graph": graph})
        return _article_page(head=f"<script type='application/ld+json'>{script}</script>")

    one = {"@id": "https://example.de/#/schema/person/a"}
    two = [one, {"@id": "https://example.de/#/schema/person/b"}]
    unknown = {"@id": "https://example.de/#/schema/person/x"}
    url = "https://example.de/politik/haushalt-123.html"
    assert extract_article(page(one), url=url).authors == ["Anna Berger"]
    assert extract_article(page(two), url=url).authors == ["Anna Berger", "Dr. Jan Wolf"]
    assert extract_article(page(unknown), url=url).authors == []
    assert extract_article(page(one), url=url).site_name == "Testzeitung"


def test_the_article_object_of_the_page_is_chosen_over_a_related_storys() -> None:
    # Some CMSs print a NewsArticle object per teaser; a richer related one came first and dated the page.
    related = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Alter Beitrag zum Etat",
        "datePublished": "2020-01-01T10:00:00+01:00", "author": {"@type": "Person", "name": "Max Alt"},
        "articleBody": "Ein alter Text.", "mainEntityOfPage": "https://example.de/politik/alt-1.html",
    }  # fmt: skip
    own = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Haushalt beschlossen",
        "datePublished": "2024-05-01T10:00:00+02:00", "author": {"@type": "Person", "name": "Anna Berger"},
    }  # fmt: skip
    by_url = dict(
        own, headline="Etat: Bundestag stimmt zu", mainEntityOfPage={"@id": "https://example.de/p.html"}
    )
    for mine in (own, by_url):
        scripts = "".join(
            f"<script type='application/ld+json'>{json.dumps(x)}</script>" for x in (related, mine)
        )
        head = f"<link rel='canonical' href='https://example.de/p.html'>{scripts}"
        article = extract_article(_article_page(head=head), url="https://example.de/p.html")
        assert (article.authors, (article.published_at or "")[:10]) == (["Anna Berger"], "2024-05-01")


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
    assert re.fullmatch(r"\d{4}\.\d+\.\d+(?:\.\d+)?", EXTRACTOR_VERSION)


def test_a_missing_development_set_fails_under_ci(tmp_path: Path) -> None:
    """CI=true turns the dev-set skip into a failure.

    Mutation: deleting the `pytest.fail(...)` line in dev_set() lets the run below pass (skipped).
    """
    env = {**os.environ, "NEWSROOM_DEV_SET": str(tmp_path / "missing")}
    node = f"{Path(__file__).name}::test_dev_set_meets_quality_targets"
    runs = {
        ci: subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
            cwd=Path(__file__).parent,
            env={**env, "CI": ci},
            capture_output=True,
            text=True,
            timeout=600,
        )
        for ci in ("true", "")
    }
    assert runs["true"].returncode == 1, runs["true"].stdout[-2000:]
    assert "CI runs every test" in runs["true"].stdout
    assert runs[""].returncode == 0 and "1 skipped" in runs[""].stdout, runs[""].stdout[-2000:]

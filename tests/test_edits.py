"""Edit records: the kind of a change and its figures, at the thresholds' boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_clean import add_page, count, page_html, paragraphs, start

from crawler import clean, edits, extract

TEN = "eins zwei drei vier fünf sechs sieben acht neun zehn"


def version(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": "Rat beschließt Haushalt",
        "lead": "Der Stadtrat hat getagt.",
        "body": TEN,
        "authors": ["Anna Schmidt"],
        "section": "Politik",
        "tags": ["Haushalt"],
        "published_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        "modified_at": datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
    }
    base.update(fields)
    return base


def replaced(n: int) -> str:
    """TEN with its first n words replaced by other words."""
    words = TEN.split()
    return " ".join([f"neu{i}" for i in range(n)] + words[n:])


def test_replacing_three_of_ten_words_is_the_rewrite_boundary() -> None:
    # 3 removed + 3 added over 20 words = 0.30 replaced: exactly SUBSTANTIAL_REWRITE_SHARE.
    edit = edits.compute_edit(version(), version(body=replaced(3)))
    assert (edit.words_added, edit.words_removed, edit.body_similarity) == (3, 3, 0.7)
    assert edit.kind == "substantial_rewrite"
    assert edits.SUBSTANTIAL_REWRITE_SHARE == 0.30


def test_replacing_two_of_ten_words_is_a_minor_edit() -> None:
    edit = edits.compute_edit(version(), version(body=replaced(2)))
    assert (edit.words_added, edit.words_removed, edit.body_similarity) == (2, 2, 0.8)
    assert edit.kind == "minor_edit"
    assert edit.fields_changed == ["body"]


def test_a_typo_fix_is_a_minor_edit_and_punctuation_alone_changes_no_word() -> None:
    typo = edits.compute_edit(
        version(body="Der Rat tagte im Ratahus."), version(body="Der Rat tagte im Rathaus.")
    )
    assert (typo.kind, typo.words_added, typo.words_removed) == ("minor_edit", 1, 1)
    comma = edits.compute_edit(version(body="Der Rat tagte, lange."), version(body="Der Rat tagte lange."))
    assert (comma.kind, comma.words_added, comma.words_removed, comma.body_similarity) == (
        "minor_edit",
        0,
        0,
        1.0,
    )


def test_new_headline_with_a_small_body_change_is_a_headline_change() -> None:
    edit = edits.compute_edit(version(), version(title="Haushalt beschlossen", body=replaced(2)))
    assert edit.kind == "headline_change"
    assert (edit.title_before, edit.title_after) == ("Rat beschließt Haushalt", "Haushalt beschlossen")
    assert edit.fields_changed == ["title", "body"]


def test_rewrite_wins_over_a_new_headline() -> None:
    edit = edits.compute_edit(version(), version(title="Ganz neu", body=replaced(3)))
    assert edit.kind == "substantial_rewrite"


@pytest.mark.parametrize(
    "note",
    [
        "Korrektur: In einer früheren Version hieß es, der Rat habe abgelehnt.",
        "In einer früheren Version dieses Artikels stand ein falsches Datum.",
        "Update, 14:00 Uhr: Der Bürgermeister hat sich geäußert.",
        "Aktualisiert um 15 Uhr mit einer Stellungnahme der Polizei.",
        "Aktualisierung: Die Sitzung wurde vertagt.",
    ],
)
def test_an_added_correction_or_update_note_makes_a_correction(note: str) -> None:
    old = version(body=TEN + "\nZweiter Absatz ohne Hinweis.")
    new = version(body=TEN + "\nZweiter Absatz ohne Hinweis.\n" + note, title="Neuer Titel")
    edit = edits.compute_edit(old, new)
    assert edit.kind == "correction"  # even with a new headline: the note says why the page changed
    assert edit.correction_note == note


def test_a_note_that_was_already_there_is_not_a_new_correction() -> None:
    body = "Korrektur: Ein alter Hinweis.\n" + TEN
    edit = edits.compute_edit(version(body=body), version(body=body + " elf"))
    assert (edit.kind, edit.correction_note) == ("minor_edit", None)


def test_words_that_merely_contain_a_marker_do_not_count() -> None:
    edit = edits.compute_edit(version(), version(body=TEN + "\nDie Updates der Software kamen spät."))
    assert edit.kind == "minor_edit"


def test_metadata_only_changes() -> None:
    moved = version(published_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    edit = edits.compute_edit(version(), moved)
    assert (edit.kind, edit.fields_changed, edit.words_added, edit.body_similarity) == (
        "metadata_only", ["published_at"], 0, 1.0,
    )  # fmt: skip
    assert edits.is_new_version(version(), moved)
    authors = edits.compute_edit(version(), version(authors=["Anna Schmidt", "Jonas Becker"], tags=[]))
    assert (authors.kind, authors.fields_changed) == ("metadata_only", ["authors", "tags"])


def test_modified_at_alone_is_no_new_version_and_iso_strings_compare_as_times() -> None:
    touched = version(modified_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    assert not edits.is_new_version(version(), touched)
    same_time = version(published_at="2026-03-01T10:00:00+01:00")  # 09:00 UTC, as the extractor writes it
    assert edits.changed_fields(version(), same_time) == []


def test_lead_change_is_a_minor_edit() -> None:
    edit = edits.compute_edit(version(), version(lead="Der Stadtrat hat lange getagt."))
    assert (edit.kind, edit.fields_changed) == ("minor_edit", ["lead"])


# ---- the clean stage writes them ---------------------------------------------------------------------

URL = "http://portal.test/politik/2026/11/20/plan/"
T0 = datetime(2026, 11, 20, 2, tzinfo=UTC)


def _night(conn, run_id: str, html: str, fetched_at: datetime) -> dict[str, object]:
    start(conn, run_id)
    with conn, conn.cursor() as cur:
        add_page(cur, run_id, URL, html, fetched_at)
    return clean.clean_pages(conn, workers=1)


def _edits(conn) -> list[tuple[object, ...]]:
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT version, previous_version, kind, fields_changed, title_before, title_after, run_id
               FROM article_edits ORDER BY version"""
        )
        return cur.fetchall()


def test_a_new_version_gets_its_edit_record(conn) -> None:
    first = paragraphs(1)
    _night(conn, "night1", page_html("Der Plan", first, URL), T0)
    corrected = [*first, "Korrektur: In einer früheren Version stand ein falscher Name."]
    assert (
        _night(conn, "night2", page_html("Der Plan", corrected, URL), T0 + timedelta(days=1))["updated"] == 1
    )
    _night(conn, "night3", page_html("Der neue Plan", corrected, URL), T0 + timedelta(days=2))
    assert _edits(conn) == [
        (2, 1, "correction", ["body"], "Der Plan", "Der Plan", "night2"),
        (3, 2, "headline_change", ["title"], "Der Plan", "Der neue Plan", "night3"),
    ]
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT correction_note, words_added, words_removed, detected_at FROM article_edits WHERE version = 2"
        )
        assert cur.fetchone() == (corrected[-1], 9, 0, T0 + timedelta(days=1))
    # A page fetched again unchanged makes neither a version nor an edit.
    _night(conn, "night4", page_html("Der neue Plan", corrected, URL), T0 + timedelta(days=3))
    assert len(_edits(conn)) == 2 and count(conn, "article_versions") == 2


def newer_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the extractor was upgraded: a new version string, and every title and body read differently."""
    real = extract.extract_article

    def upgraded(*args: object, **kwargs: object) -> extract.Article:
        article = real(*args, **kwargs)  # type: ignore[arg-type]
        if article.title:
            article.title = article.title.upper()
        if article.body:
            article.body += "\nBildunterschrift, die der neue Extraktor mitnimmt."
        return article

    monkeypatch.setattr(extract, "extract_article", upgraded)
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "2099.1")


def test_reclean_with_a_newer_extractor_adds_no_edit(conn, monkeypatch: pytest.MonkeyPatch) -> None:
    _night(conn, "night1", page_html("Der Plan", paragraphs(1), URL), T0)
    _night(conn, "night2", page_html("Der Plan", paragraphs(2), URL), T0 + timedelta(days=1))
    assert len(_edits(conn)) == 1
    newer_extractor(monkeypatch)
    totals = clean.reclean_pages(conn, workers=1)
    assert (totals["pages"], totals["updated"]) == (1, 1)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT title, version, extractor_version FROM articles")
        assert cur.fetchone() == ("DER PLAN", 2, "2099.1")
    assert len(_edits(conn)) == 1 and count(conn, "article_versions") == 1


def test_clean_with_a_newer_extractor_compares_like_with_like(conn, monkeypatch: pytest.MonkeyPatch) -> None:
    _night(conn, "night1", page_html("Der Plan", paragraphs(1), URL), T0)
    newer_extractor(monkeypatch)
    # The same page again (its ETag moved, say): the new extractor reads it differently, but the page
    # did not change, so there is no new version and no edit.
    again = _night(conn, "night2", page_html("Der Plan", paragraphs(1), URL), T0 + timedelta(days=1))
    assert (again["updated"], again["unchanged"]) == (0, 1)
    assert _edits(conn) == [] and count(conn, "article_versions") == 0
    with conn, conn.cursor() as cur:
        cur.execute("SELECT title, version, extractor_version FROM articles")
        assert cur.fetchone() == ("DER PLAN", 1, "2099.1")


def test_clean_with_a_newer_extractor_records_only_the_page_change(
    conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    _night(conn, "night1", page_html("Der Plan", paragraphs(1), URL), T0)
    newer_extractor(monkeypatch)
    _night(conn, "night2", page_html("Der neue Plan", paragraphs(1), URL), T0 + timedelta(days=1))
    # Only the headline changed on the page; the extractor's extra caption is not part of the edit.
    assert _edits(conn) == [(2, 1, "headline_change", ["title"], "DER PLAN", "DER NEUE PLAN", "night2")]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT title, body LIKE %s FROM article_versions", ("%Bildunterschrift%",))
        assert cur.fetchone() == ("DER PLAN", True)  # the old page as the current extractor reads it


# ---- a correction the page declares only at its date ----------------------------------------------------


def dated_page(label: str, when: str, paragraphs_: list[str]) -> str:
    """page_html with a date line "<label> <time>" in the article header."""
    line = f'<p class="entry-meta">{label} <time datetime="{when}">{when[:10]}</time></p>'
    return page_html("Der Plan", paragraphs_, URL).replace("<h1>", line + "<h1>", 1)


@pytest.mark.parametrize(
    ("label", "declared"),
    [
        ("Korrigiert am", True),
        ("Korrektur:", True),
        ("Veröffentlicht am 20.11.2026 | Berichtigt am", True),
        ("Aktualisiert am", False),
        ("Zuletzt geändert:", False),
        ("Korrigiert wurde auch die Tabelle. Stand:", False),  # a sentence, not the date's label
    ],
)
def test_a_date_labelled_as_a_correction_is_declared(label: str, declared: bool) -> None:
    article = extract.extract_article(dated_page(label, "2026-11-21T09:30:00+01:00", paragraphs(1)), URL)
    assert article.rejected_reason is None and article.title == "Der Plan"
    assert (article.correction is not None) == declared
    if declared:
        assert article.correction is not None and article.correction.endswith("2026-11-21")


def test_schema_org_correction_and_a_correction_box_are_declared() -> None:
    ld = '"correction":{"@type":"CorrectionComment","text":"Der Name des Ministers war falsch geschrieben."},'
    html = page_html("Der Plan", paragraphs(1), URL).replace('"headline"', ld + '"headline"', 1)
    assert extract.extract_article(html, URL).correction == "Der Name des Ministers war falsch geschrieben."
    box = '<aside class="article-correction">Berichtigung: Die Sitzung war am Dienstag.</aside>'
    boxed = page_html("Der Plan", paragraphs(1), URL).replace("</article>", box + "</article>", 1)
    assert extract.extract_article(boxed, URL).correction == "Berichtigung: Die Sitzung war am Dienstag."
    assert extract.extract_article(page_html("Der Plan", paragraphs(1), URL), URL).correction is None


def test_a_correction_declared_only_at_the_date_makes_a_correction_edit(conn) -> None:
    text = paragraphs(1)
    _night(conn, "night1", dated_page("Aktualisiert am", "2026-11-20T10:00:00+01:00", text), T0)
    # Same text; the date line now says the article was corrected.
    night2 = _night(
        conn, "night2", dated_page("Korrigiert am", "2026-11-21T09:30:00+01:00", text), T0 + timedelta(days=1)
    )
    assert night2["updated"] == 1
    assert _edits(conn) == [(2, 1, "correction", ["correction"], "Der Plan", "Der Plan", "night2")]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT correction_note, words_added, words_removed FROM article_edits")
        assert cur.fetchone() == ("Korrigiert am 2026-11-21", 0, 0)
        cur.execute("SELECT correction FROM article_versions")
        assert cur.fetchone() == (None,)
    # The next night shows the same correction (and a new modification time): no new edit. A later
    # correction date is a correction again.
    same = dated_page("Korrigiert am", "2026-11-21T09:30:00+01:00", text).replace(
        "</head>", '<meta property="article:modified_time" content="2026-11-22T08:00:00+01:00"></head>', 1
    )
    assert _night(conn, "night3", same, T0 + timedelta(days=2))["updated"] == 0
    again = dated_page("Korrigiert am", "2026-11-23T11:00:00+01:00", text)
    _night(conn, "night4", again, T0 + timedelta(days=3))
    assert [(e[0], e[2]) for e in _edits(conn)] == [(2, "correction"), (3, "correction")]
    assert clean.reclean_pages(conn, only_outdated=False, workers=1)["pages"] == 1
    assert len(_edits(conn)) == 2  # a reclean adds no edit

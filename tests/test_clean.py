"""The clean stage on raw pages written straight into a real PostgreSQL."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import psycopg2.extensions

from crawler import clean, extract, runs

SITE = "portal.test"
WORDS = [
    "Die",
    "Bürgermeisterin",
    "der",
    "Stadt",
    "hat",
    "am",
    "Montag",
    "einen",
    "neuen",
    "Plan",
    "für",
    "die",
    "Straßen",
    "vorgestellt",
]


def page_html(title: str, paragraphs: list[str], canonical: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title} – Portal</title>
<link rel="canonical" href="{canonical}"><meta property="og:type" content="article">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}",
"datePublished":"2026-11-20T08:00:00+01:00","author":[{{"@type":"Person","name":"Anna Schäfer"}}]}}</script>
</head><body><article><h1>{title}</h1><div class="entry-content">{body}</div></article></body></html>"""


def paragraphs(seed: int, count: int = 6) -> list[str]:
    return [" ".join(WORDS[(seed + i + j) % len(WORDS)] for j in range(40)) + "." for i in range(count)]


def add_page(
    cur, run_id: str, url: str, html: str, fetched_at: datetime, final_url: str | None = None
) -> None:
    cur.execute(
        """INSERT INTO raw_pages (run_id, site, url, final_url, status, content_type, body_gzip, body_bytes, fetched_at)
           VALUES (%s, %s, %s, %s, 200, 'text/html; charset=utf-8', %s, %s, %s)""",
        (run_id, SITE, url, final_url or url, gzip.compress(html.encode()), len(html), fetched_at),
    )


def start(conn: psycopg2.extensions.connection, run_id: str) -> None:
    with conn, conn.cursor() as cur:
        runs.start_run(cur, run_id, SITE)


def count(conn, table: str) -> int:
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return cur.fetchone()[0]


def test_variants_collapse_and_a_change_becomes_version_two(conn) -> None:
    url = "http://portal.test/politik/2026/11/20/plan/"
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    start(conn, "night1")
    with conn, conn.cursor() as cur:
        add_page(cur, "night1", url, page_html("Der Plan", paragraphs(1), url), t0)
        add_page(cur, "night1", url + "amp/", page_html("Der Plan", paragraphs(1)[:4], url), t0)
        add_page(cur, "night1", url + "?utm_source=x", page_html("Der Plan", paragraphs(1), url), t0)
    first = clean.clean_pages(conn, workers=1)
    assert (first["new"], first["unchanged"], first["rejected"]) == (1, 2, 0)
    assert count(conn, "articles") == 1
    with conn, conn.cursor() as cur:
        # The article's own page made the row (one batch holds all three), not its shorter AMP copy.
        cur.execute("SELECT a.body, p.url FROM articles a JOIN raw_pages p ON p.page_id = a.raw_page_id")
        body, made_by = cur.fetchone()
        cur.execute("SELECT url FROM url_aliases ORDER BY url")
        aliases = [row[0] for row in cur.fetchall()]
    assert made_by == url and len(body.split()) > 200  # six paragraphs of 40 words, the AMP copy four
    assert url + "amp/" in aliases

    start(conn, "night2")
    with conn, conn.cursor() as cur:
        add_page(cur, "night2", url, page_html("Der Plan", paragraphs(2), url), t0 + timedelta(days=1))
    second = clean.clean_pages(conn, workers=1)
    assert second["updated"] == 1
    with conn, conn.cursor() as cur:
        cur.execute("SELECT version, body FROM articles")
        version, body = cur.fetchone()
        cur.execute("SELECT version, body FROM article_versions")
        old_version, old_body = cur.fetchone()
    assert (version, old_version) == (2, 1)
    assert body.startswith(paragraphs(2)[0][:30]) and old_body.startswith(paragraphs(1)[0][:30])

    # Re-running the stage finds nothing left to do and changes nothing.
    assert clean.clean_pages(conn, workers=1)["pages"] == 0
    assert (count(conn, "articles"), count(conn, "article_versions")) == (1, 1)


def test_non_articles_and_crawl_rejects_never_land(conn) -> None:
    start(conn, "night1")
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with conn, conn.cursor() as cur:
        add_page(
            cur,
            "night1",
            "http://portal.test/impressum/",
            "<html><head><title>Impressum</title></head><body><p>Verantwortlich: Max</p></body></html>",
            t0,
        )
        add_page(cur, "night1", "http://portal.test/leer/", "", t0)
        cur.execute(
            """INSERT INTO raw_pages (run_id, site, url, final_url, status, fetched_at, rejected_reason)
               VALUES ('night1', %s, 'http://portal.test/riesig/', 'http://portal.test/riesig/', 200, %s, 'too_large')""",
            (SITE, t0),
        )
    totals = clean.clean_pages(conn, workers=1)
    assert totals["rejected"] == 3 and totals["new"] == 0
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, rejected_reason FROM raw_pages ORDER BY url")
        reasons = dict(cur.fetchall())
        figures = clean.run_clean_figures(cur, "night1")
    assert reasons["http://portal.test/riesig/"] == "too_large"
    assert reasons["http://portal.test/impressum/"].startswith("not_article")
    assert reasons["http://portal.test/leer/"] == "empty"
    assert figures["pages"] == 3 and sum(figures["rejected"].values()) == 3


def test_parallel_workers_give_the_same_articles_as_one(conn) -> None:
    start(conn, "night1")
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with conn, conn.cursor() as cur:
        for i in range(40):
            url = f"http://portal.test/politik/2026/11/20/artikel-{i}/"
            add_page(cur, "night1", url, page_html(f"Artikel {i}", paragraphs(i), url), t0)
    totals = clean.clean_pages(conn, workers=2)
    assert totals["new"] == 40
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(DISTINCT content_hash), min(version), max(version) FROM articles")
        assert cur.fetchone() == (len({tuple(paragraphs(i)) for i in range(40)}), 1, 1)
        cur.execute("SELECT count(*) FROM raw_pages WHERE cleaned_at IS NULL")
        assert cur.fetchone()[0] == 0


def test_pipelined_batches_commit_alone_and_a_failure_releases_the_one_in_flight(
    conn, db_url, monkeypatch
) -> None:
    """With a spare connection the next batch is claimed while one is written: each is still its own
    transaction, so a failure keeps what was committed and leaves the rest to a re-run, cleaned once."""
    from crawler import db

    start(conn, "night1")
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with conn, conn.cursor() as cur:
        for i in range(200):  # 64 pages a batch with 2 workers: four batches
            url = f"http://portal.test/politik/2026/11/20/artikel-{i}/"
            add_page(cur, "night1", url, page_html(f"Artikel {i}", paragraphs(i), url), t0)
    written = clean._write_results
    calls = {"n": 0}

    def fail_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return written(*args, **kwargs)

    monkeypatch.setattr(clean, "_write_results", fail_third)
    spare = db.connect(db_url)
    try:
        try:
            clean.clean_pages(conn, workers=2, spare=spare)
        except RuntimeError as error:
            assert str(error) == "disk full"
        else:
            raise AssertionError("the failed write did not surface")
        # Two batches committed; the failed one and the one claimed beside it were rolled back.
        assert count(conn, "articles") == 128
        assert spare.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
        monkeypatch.setattr(clean, "_write_results", written)
        totals = clean.clean_pages(conn, workers=2, spare=spare)
    finally:
        spare.close()
    assert totals["new"] == 72 and totals["pages"] == 72
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT url), max(version) FROM articles")
        assert cur.fetchone() == (200, 200, 1)
        cur.execute("SELECT count(*) FROM raw_pages WHERE cleaned_at IS NULL")
        assert cur.fetchone()[0] == 0


def test_reclean_applies_the_current_extractor_without_new_versions(conn) -> None:
    start(conn, "night1")
    url = "http://portal.test/politik/2026/11/20/reclean/"
    with conn, conn.cursor() as cur:
        add_page(
            cur,
            "night1",
            url,
            page_html("Neu extrahiert", paragraphs(3), url),
            datetime(2026, 11, 20, tzinfo=UTC),
        )
    clean.clean_pages(conn, workers=1)
    with conn, conn.cursor() as cur:  # as if an older extractor had written a worse title
        cur.execute("UPDATE articles SET title = 'alt', extractor_version = '2000.1'")
    totals = clean.reclean_pages(conn, workers=1)
    assert (totals["pages"], totals["updated"]) == (1, 1)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT title, version, extractor_version FROM articles")
        title, version, extractor_version = cur.fetchone()
    assert (title, version, extractor_version) == ("Neu extrahiert", 1, extract.EXTRACTOR_VERSION)
    assert clean.reclean_pages(conn, workers=1)["pages"] == 0  # nothing outdated is left
    assert count(conn, "article_versions") == 0


def test_a_row_another_clean_made_meanwhile_is_updated_not_duplicated(conn, monkeypatch) -> None:
    # Batches insert their new articles in one statement; when an overlapping clean committed the same
    # URL after this batch looked, the insert skips it and the page takes the one-by-one path.
    url = "http://portal.test/politik/2026/11/20/rennen/"
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    start(conn, "night1")
    with conn, conn.cursor() as cur:
        add_page(cur, "night1", url, page_html("Das Rennen", paragraphs(3), url), t0)
    assert clean.clean_pages(conn, workers=1)["new"] == 1
    start(conn, "night2")
    with conn, conn.cursor() as cur:
        add_page(cur, "night2", url, page_html("Das Rennen", paragraphs(4), url), t0 + timedelta(days=1))
    looked = []

    def saw_nothing(cur, urls):
        looked.append(list(urls))
        return dict.fromkeys(urls)  # as if the row were not there yet when the batch looked

    monkeypatch.setattr(clean, "_locked_articles", saw_nothing)
    second = clean.clean_pages(conn, workers=1)
    assert looked == [[url]]
    assert (second["new"], second["updated"]) == (0, 1)
    assert (count(conn, "articles"), count(conn, "article_versions")) == (1, 1)


def test_a_post_under_a_new_slug_keeps_its_row(conn) -> None:
    # WordPress keeps a post's ID (its shortlink /?p=ID) when an editor changes its slug or category:
    # the page under the new URL is the same article, whose row moves and gets a version, not a twin.
    old, new = "http://portal.test/politik/plan/", "http://portal.test/inland/neuer-plan/"

    def post(title: str, url: str, shortlink: str = "http://portal.test/?p=7") -> str:
        html = page_html(title, paragraphs(3), url)
        return html.replace("</head>", f'<link rel="shortlink" href="{shortlink}"></head>')

    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    start(conn, "night1")
    with conn, conn.cursor() as cur:
        add_page(cur, "night1", old, post("Der Plan", old), t0)
        # Another post that shares nothing with the first one but a (misprinted) shortlink stays its own.
        add_page(
            cur,
            "night1",
            "http://portal.test/sport/spiel/",
            page_html("Das Spiel", paragraphs(9), "http://portal.test/sport/spiel/").replace(
                "</head>", '<link rel="shortlink" href="http://portal.test/?p=8"></head>'
            ),
            t0,
        )
    assert clean.clean_pages(conn, workers=1)["new"] == 2

    start(conn, "night2")
    with conn, conn.cursor() as cur:
        add_page(cur, "night2", new, post("Der neue Plan", new), t0 + timedelta(days=1))
        # A new post printing an old post's shortlink but telling another story is a new article.
        other = "http://portal.test/kultur/konzert/"
        add_page(
            cur,
            "night2",
            other,
            page_html("Das Konzert", [p.upper()[::-1] for p in paragraphs(5)], other).replace(
                "</head>", '<link rel="shortlink" href="http://portal.test/?p=8"></head>'
            ),
            t0 + timedelta(days=1),
        )
    second = clean.clean_pages(conn, workers=1)
    assert (second["new"], second["updated"]) == (1, 1)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, title, version FROM articles ORDER BY article_id")
        rows = cur.fetchall()
        cur.execute("SELECT title FROM article_versions")
        before = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT url FROM url_aliases WHERE article_id = (SELECT article_id FROM articles WHERE url = %s)",
            (new,),
        )
        aliases = {r[0] for r in cur.fetchall()}
    assert rows[0] == (new, "Der neue Plan", 2)
    assert [r[0] for r in rows[1:]] == ["http://portal.test/sport/spiel/", other]
    assert before == ["Der Plan"]
    assert {old, "http://portal.test/?p=7"} <= aliases


def test_a_translation_outside_the_sites_languages_is_no_article(conn, tmp_path, monkeypatch) -> None:
    # A German portal with Polylang's English translations under /en/: with `languages = ["de"]` the
    # translation is stored as a raw page with its reason, not counted as an article.
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[defaults]\n[[site]]\nbase_url = "http://portal.test"\nlanguages = ["de"]\n', encoding="utf-8"
    )
    english = (
        "The mayor of the city presented a new plan for the streets on Monday, and the council will"
        " vote on it next week after a long debate about the costs."
    )
    german, translation = "http://portal.test/politik/plan/", "http://portal.test/en/politics/plan/"
    t0 = datetime(2026, 11, 20, 2, tzinfo=UTC)
    start(conn, "night1")
    with conn, conn.cursor() as cur:
        add_page(cur, "night1", german, page_html("Der Plan", paragraphs(4), german), t0)
        add_page(
            cur,
            "night1",
            translation,
            page_html("The plan", [english] * 6, translation).replace('lang="de"', 'lang="en"'),
            t0,
        )
    monkeypatch.setenv("NEWSROOM_SITES_FILE", str(sites))
    done = clean.clean_pages(conn, workers=1)
    assert (done["new"], done["rejected"]) == (1, 1)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert [r[0] for r in cur.fetchall()] == [german]
        cur.execute("SELECT rejected_reason FROM raw_pages WHERE url = %s", (translation,))
        assert cur.fetchone()[0] == "outside_languages: en"


def test_without_configured_languages_every_language_is_kept(conn, tmp_path, monkeypatch) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text('[defaults]\n[[site]]\nbase_url = "http://portal.test"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_SITES_FILE", str(sites))
    url = "http://portal.test/en/politics/plan/"
    english = "The mayor presented a new plan for the streets on Monday and the council will vote on it. " * 6
    start(conn, "night1")
    with conn, conn.cursor() as cur:
        add_page(
            cur,
            "night1",
            url,
            page_html("The plan", [english] * 4, url).replace('lang="de"', 'lang="en"'),
            datetime(2026, 11, 20, 2, tzinfo=UTC),
        )
    assert clean.clean_pages(conn, workers=1)["new"] == 1

"""Benchmark of what analysts query: analytics.search and analytics.daily_counts on generated articles.

    python benchmarks/search_bench.py [--articles 200000] [--runs 40] [--keep]

Creates a scratch database on the server of DATABASE_URL (or the embedded default), applies the
migrations, bulk-loads generated German articles with COPY, then times each query (p50/p95 over
--runs) and prints the EXPLAIN lines that show which indexes the plans use. The scratch database
is dropped at the end unless --keep.

Targets (200,000 articles): search for a common word, top 20, p95 < 50 ms; daily_counts for a
month, p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import psycopg2.extensions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler import db

SITES = ("www.tagesblick.de", "www.nordkurier-online.de", "www.rheinpost.de", "www.alpenzeitung.de")
SECTIONS = ("Politik", "Wirtschaft", "Sport", "Kultur", "Panorama", "Wissen", "Regional", "Meinung")
AUTHORS = ("Anna Schmidt", "Jonas Becker", "Lea Wagner", "Felix Hoffmann", "Marie Schulz", "dpa", "AFP")
END = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
SPAN_DAYS = 365
# Candidates for "a common German word": the one matching the most stories is timed.
COMMON_CANDIDATES = ("Dienstag", "Stadt", "Sprecher", "Angaben", "Jahr", "Regierung", "Zeit", "sagte")
OTHER_QUERIES = ("Drohung", "Lüneburg Spielplan", '"offenen Brief"', "Regierung -Stadt")

# Fallback text when newsroom_demo.content is unavailable: a Zipf-weighted German vocabulary.
_VOCABULARY = (
    "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es an "
    "werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war "
    "Regierung Stadt Drohung Drohungen Bürgermeister Polizei Gericht Haushalt Millionen Euro Prozent "
    "Sprecher Angaben Dienstag Mittwoch Donnerstag Freitag Verkehr Schule Kinder Familien Pläne Bericht "
    "Kritik Entscheidung Verband Unternehmen Ministerium Behörde Bahn Klima Energie Wahl Partei Streik"
)
_WORDS = _VOCABULARY.split()


def _fallback_corpus(stories: int, seed: int) -> Iterator[tuple[str, str, str, str | None]]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(_WORDS))]
    for i in range(stories):
        words = rng.choices(_WORDS, weights, k=rng.randint(150, 600))
        body = " ".join(words).capitalize() + "."
        title = " ".join(rng.choices(_WORDS[40:], k=6))
        original = f"doc-{rng.randrange(i):07d}" if i and rng.random() < 0.1 else None
        yield f"doc-{i:07d}", title, body, original


def corpus(stories: int, seed: int) -> tuple[str, Iterator[tuple[str, str, str, str | None]]]:
    """(source name, documents as (doc_id, title, body, original_id))."""
    try:
        from newsroom_demo.content import labelled_corpus
    except ImportError:
        return "simple built-in generator", _fallback_corpus(stories, seed)
    docs = ((d.doc_id, d.title, d.body, d.original_id) for d in labelled_corpus(stories, seed))
    return "newsroom_demo.content.labelled_corpus", docs


def _copy_text(value: object) -> str:
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


COLUMNS = (
    "article_id", "url", "site", "title", "lead", "body", "authors", "section", "section_path", "tags",
    "published_at", "language", "word_count", "content_hash", "is_paywalled", "duplicate_of",
    "duplicate_method", "duplicate_similarity", "first_seen_at", "last_seen_at", "extractor_version",
)  # fmt: skip


def load(conn: psycopg2.extensions.connection, articles: int, seed: int) -> str:
    """COPY `articles` generated stories into public.articles; return the text source used."""
    source, docs = corpus(articles, seed)
    rng = random.Random(seed)
    ids: dict[str, int] = {}
    buffer = io.StringIO()
    with conn.cursor() as cur:
        # The GIN and expression indexes are rebuilt after the load: much faster than maintaining them.
        cur.execute(
            """SELECT indexname, indexdef FROM pg_indexes
               WHERE schemaname = 'public' AND tablename = 'articles'
                 AND indexname NOT IN ('articles_pkey', 'articles_url_key')"""
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for n, (doc_id, title, text, original_id) in enumerate(docs, start=1):
            ids[doc_id] = n
            lead, _, body = text.partition("\n")
            if not body:
                lead, body = "", text
            published = END - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
            section = rng.choice(SECTIONS)
            original = ids.get(original_id) if original_id else None
            row = (
                n, f"https://{rng.choice(SITES)}/{section.lower()}/{doc_id}.html", rng.choice(SITES), title,
                lead or None, body, "{" + f'"{rng.choice(AUTHORS)}"' + "}", section, "{" + section + "}",
                "{}",
                published.isoformat(), "de", len(body.split()), hashlib.sha1(text.encode()).hexdigest(),
                "t" if rng.random() < 0.1 else "f", original, "near" if original else None,
                round(rng.uniform(0.8, 0.99), 3) if original else None, published.isoformat(),
                published.isoformat(), "bench",
            )  # fmt: skip
            buffer.write("\t".join(_copy_text(v) for v in row) + "\n")
            if n % 20_000 == 0:
                _flush(cur, buffer)
                print(f"  loaded {n:,} articles", flush=True)
        _flush(cur, buffer)
        cur.execute("SELECT setval('articles_article_id_seq', (SELECT max(article_id) FROM articles))")
        conn.commit()
        cur.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cur.execute(definition)
        conn.commit()
    return source


def _flush(cur: psycopg2.extensions.cursor, buffer: io.StringIO) -> None:
    buffer.seek(0)
    cur.copy_expert(f"COPY articles ({', '.join(COLUMNS)}) FROM STDIN", buffer)
    buffer.seek(0)
    buffer.truncate()


def timed(
    cur: psycopg2.extensions.cursor, sql: str, params: tuple[object, ...], runs: int
) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds over runs (after one warm-up), and the rows returned."""
    cur.execute(sql, params)
    rows = len(cur.fetchall())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        cur.execute(sql, params)
        cur.fetchall()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, rows


def plan_lines(cur: psycopg2.extensions.cursor, sql: str, params: tuple[object, ...]) -> list[str]:
    cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
    return [row[0] for row in cur.fetchall()]


# The candidate window and ranking of analytics.search (crawler/migrations/0003_analytics.sql, removed articles
# left out since 0015_analytics_edits.sql), to show its plan.
SEARCH_PLAN_SQL = """
WITH candidates AS (
    SELECT a.article_id FROM public.articles a
    WHERE a.search_vector @@ websearch_to_tsquery('german', %s) AND a.duplicate_of IS NULL
      AND a.removed_at IS NULL
    ORDER BY a.published_at DESC NULLS LAST LIMIT 1000
)
SELECT a.article_id, ts_rank(a.search_vector, websearch_to_tsquery('german', %s)) AS rank
FROM candidates c JOIN public.articles a ON a.article_id = c.article_id
ORDER BY rank DESC LIMIT 20"""
# Ranking every match, without the candidate window: what the window saves.
FULL_RANK_SQL = """
SELECT a.article_id, ts_rank(a.search_vector, q) AS rank
FROM public.articles a, websearch_to_tsquery('german', %s) q
WHERE a.search_vector @@ q AND a.duplicate_of IS NULL
ORDER BY rank DESC LIMIT 20"""
MONTH_SQL = "SELECT * FROM analytics.daily_counts WHERE day >= %s AND day < %s ORDER BY day, site, section"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--database", help="time an existing database (e.g. one kept) instead of loading one")
    args = parser.parse_args(argv)

    server = db.server_url()
    if args.database:
        conn = db.connect(db.with_database(server, args.database))
        conn.autocommit = True
        report(conn, args.runs)
        conn.close()
        return 0
    name = f"newsroom_bench_{uuid.uuid4().hex[:8]}"
    db.ensure_database(server, name)
    scratch = db.with_database(server, name)
    try:
        db.migrate(scratch)
        conn = db.connect(scratch)
        start = time.monotonic()
        print(f"loading {args.articles:,} articles into {name} ...", flush=True)
        source = load(conn, args.articles, args.seed)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE articles")
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('articles'))")
            size = cur.fetchone()[0]
        print(f"loaded in {time.monotonic() - start:.0f} s (text: {source}; table with indexes: {size})\n")
        report(conn, args.runs)
        conn.close()
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            db.drop_database(server, name)
    return 0


def report(conn: psycopg2.extensions.connection, runs: int) -> None:
    with conn.cursor() as cur:
        counts = {}
        for word in COMMON_CANDIDATES:
            cur.execute(
                "SELECT count(*) FROM articles WHERE search_vector @@ websearch_to_tsquery('german', %s)"
                " AND duplicate_of IS NULL",
                (word,),
            )
            counts[word] = cur.fetchone()[0]
        common = max(counts, key=lambda w: counts[w])
        cur.execute("SELECT count(*) FROM analytics.articles")
        stories = cur.fetchone()[0]
        print(f"stories: {stories:,}; matches per candidate word: {counts}")
        print(
            f"common word: {common!r} matches {counts[common]:,} stories ({counts[common] / stories:.0%})\n"
        )

        # Words across the range of frequencies (from the planner's statistics of search_vector).
        cur.execute(
            """SELECT e.elem, e.freq FROM pg_stats s,
                      unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, freq)
               WHERE s.schemaname = 'public' AND s.tablename = 'articles' AND s.attname = 'search_vector'
                 AND length(e.elem) > 3
                 AND websearch_to_tsquery('german', e.elem)::text = quote_literal(e.elem)"""
        )
        lexemes = cur.fetchall()
        banded = []
        for band in (0.5, 0.2, 0.05, 0.01):
            if lexemes:
                word, freq = min(lexemes, key=lambda lf: abs(lf[1] - band))
                banded.append((word, freq))
        print("words by frequency: " + ", ".join(f"{w!r} in {f:.1%}" for w, f in banded) + "\n")

        print(f"{'query':58} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6}")
        results: list[tuple[str, float, float, int]] = []
        search = "SELECT * FROM analytics.search(%s)"
        for label, sql, params in (
            (f"analytics.search({common!r})  [target p95 < 50]", search, (common,)),
            *((f"analytics.search({q!r})", search, (q,)) for q in OTHER_QUERIES),
            *((f"analytics.search({w!r})  [{f:.1%} of articles]", search, (w,)) for w, f in banded),
            (
                f"analytics.search({common!r}, since => 30 days)",
                "SELECT * FROM analytics.search(%s, since => %s)",
                (common, END - timedelta(days=30)),
            ),
            (f"rank all matches of {common!r}, no window (reference)", FULL_RANK_SQL, (common,)),
            ("daily_counts, March 2026  [target p95 < 200]", MONTH_SQL, ("2026-03-01", "2026-04-01")),
            ("daily_counts, whole year grouped by month", (
                "SELECT date_trunc('month', day) AS month, sum(articles) FROM analytics.daily_counts "
                "GROUP BY 1 ORDER BY 1"), ()),
        ):  # fmt: skip
            p50, p95, rows = timed(cur, sql, params, runs)
            results.append((label, p50, p95, rows))
            print(f"{label:58} {p50:8.1f} {p95:8.1f} {rows:6}", flush=True)

        print(f"\nplan of the search statement for {common!r} (inside analytics.search):")
        for line in plan_lines(cur, SEARCH_PLAN_SQL, (common, common)):
            print("  " + line)
        for word, freq in banded[1:]:
            print(f"\nplan of the search statement for {word!r} (in {freq:.1%} of articles):")
            for line in plan_lines(cur, SEARCH_PLAN_SQL, (word, word)):
                print("  " + line)
        print("\nplan of daily_counts for March 2026:")
        for line in plan_lines(cur, MONTH_SQL, ("2026-03-01", "2026-04-01")):
            print("  " + line)


if __name__ == "__main__":
    sys.exit(main())

"""Dedupe benchmark: throughput at 10k and 100k articles, incremental rate, precision and recall.

Usage: python benchmarks/dedupe_bench.py [--quick] [--repeat N]

Creates a scratch database on the server of DATABASE_URL (or the embedded default), loads the demo portal's
labelled corpus straight into `articles`, times `dedupe()` and drops the database again.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2.extensions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler import db
from crawler.dedupe import content_hash, dedupe
from newsroom_demo.content import LabelledDoc, labelled_corpus

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def load(conn: psycopg2.extensions.connection, docs: list[LabelledDoc], start: int) -> dict[int, str]:
    """COPY docs into articles (published in corpus order, a minute apart); returns article_id -> doc_id."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for i, d in enumerate(docs, start):
        when = (T0 + timedelta(minutes=i)).isoformat()
        writer.writerow(
            [
                f"https://example.de/{d.doc_id}",
                "example.de",
                d.title,
                d.body,
                content_hash(d.body),
                when,
                when,
                when,
                "bench",
                len(d.body.split()),
            ]
        )
    buf.seek(0)
    with conn, conn.cursor() as cur:
        cur.copy_expert(
            """COPY articles (url, site, title, body, content_hash, published_at, first_seen_at, last_seen_at,
                              extractor_version, word_count) FROM STDIN WITH (FORMAT csv)""",
            buf,
        )
        cur.execute("ANALYZE articles")
        cur.execute(
            "SELECT article_id, substr(url, 20) FROM articles WHERE url = ANY(%s)",
            ([f"https://example.de/{d.doc_id}" for d in docs],),
        )
        return dict(cur.fetchall())


def timed_dedupe(conn: psycopg2.extensions.connection, label: str, n: int) -> float:
    """Run dedupe once and print its figures."""
    started = time.perf_counter()
    stats = dedupe(conn)
    seconds = time.perf_counter() - started
    print(f"{label}: {n} articles in {seconds:.1f} s = {n / seconds:,.0f} articles/s  {stats}", flush=True)
    return seconds


def quality(conn: psycopg2.extensions.connection, docs: list[LabelledDoc], ids: dict[int, str]) -> None:
    """Pairwise precision and recall of copy -> original links."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT article_id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")
        predicted = {(ids[a], ids[b]) for a, b in cur.fetchall()}
    truth = {(d.doc_id, d.original_id) for d in docs if d.original_id}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    print(
        f"quality: {len(truth)} true copy links, {len(predicted)} predicted, "
        f"precision {precision:.4f}, recall {recall:.4f}"
    )


def fresh(conn: psycopg2.extensions.connection) -> None:
    """Empty the articles and everything dedupe derived from them (the bucket table has no foreign key)."""
    with conn, conn.cursor() as cur:
        cur.execute("TRUNCATE articles, article_lsh_buckets, article_lsh_departures CASCADE")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k/10k instead of 10k/100k")
    parser.add_argument("--repeat", type=int, default=5, help="full runs of each size; medians are compared")
    args = parser.parse_args()
    small, large = (1_000, 10_000) if args.quick else (10_000, 100_000)
    new = small
    started = time.perf_counter()
    docs = labelled_corpus(large + new, seed=1)
    print(f"generated {len(docs)} labelled docs in {time.perf_counter() - started:.1f} s", flush=True)

    with db.scratch_database("newsroom_bench") as url:
        db.migrate(url)
        conn = db.connect(url)
        # Shared machines are noisy: each size runs several times from an empty archive, and the ratio
        # compares the medians of the two sizes, measured in the same process.
        times: dict[int, list[float]] = {small: [], large: []}
        for _ in range(args.repeat):
            for size in (small, large):
                fresh(conn)
                ids = load(conn, docs[:size], 0)
                times[size].append(timed_dedupe(conn, f"full {size}", size))
        t_small, t_large = statistics.median(times[small]), statistics.median(times[large])
        print(
            f"ratio median time({large})/median time({small}) = {t_large:.1f} s / {t_small:.2f} s "
            f"= {t_large / t_small:.2f} (target <= 12); per run: "
            + ", ".join(f"{a / b:.2f}" for a, b in zip(times[large], times[small], strict=True)),
            flush=True,
        )
        ids |= load(conn, docs[large:], large)
        t_new = timed_dedupe(conn, f"incremental {new} new against {large}", new)
        print(f"incremental rate: {new / t_new:,.0f} articles/s (target >= 1000)")
        quality(conn, docs, ids)
        conn.close()


if __name__ == "__main__":
    main()

"""Duplicate detection: exact (content hash) and near (MinHash/LSH) links between articles, kept in Postgres.

Each article gets a MinHash signature and LSH band buckets (`article_minhash`, `article_lsh_bands`).
Candidates of new or changed articles are found by bucket lookups, verified on the MinHash estimate and
stored as undirected links (`article_dup_edges`). A cluster is a connected component of those links;
`articles.duplicate_of` points every member at the component's original (earliest `published_at`, then
`first_seen_at`, then `article_id`). Because links depend only on the two texts and clusters only on the
links, the result does not depend on the order in which articles were processed.
"""

from __future__ import annotations

import functools
import io
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import psycopg2.errors
import psycopg2.extras
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from crawler import minhash
from crawler.minhash import content_hash as content_hash  # the clean stage imports it from here
from crawler.runs import record_stage

# Serialises the linking step of concurrent dedupe processes (signatures are computed in parallel).
LINK_LOCK_KEY = 7_351_220_002
# A pass re-reads what a concurrent worker held or the clean stage changed; bounded against a body
# that keeps changing while we run.
MAX_PASSES = 5
RETRYABLE = (psycopg2.errors.DeadlockDetected, psycopg2.errors.SerializationFailure)

__all__ = ["content_hash", "dedupe"]


def dedupe(
    conn: Connection, run_id: str | None = None, rebuild: bool = False, batch_size: int = 1000
) -> dict[str, Any]:
    """Sign new/changed articles, link their duplicates and re-point clusters; returns the run's figures."""
    started = time.monotonic()
    if rebuild:
        _reset(conn)
    checked: list[int] = []
    # Signatures of the next batch are computed in a thread while this one is written and linked:
    # psycopg2 and numpy release the GIL, so Python and the Postgres backend work at the same time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        for _ in range(MAX_PASSES):
            wrote = False
            # One scan per pass finds every stale article; bodies are then read batch by batch by id.
            stale = _stale_ids(conn)
            chunks = [stale[i : i + batch_size] for i in range(0, len(stale), batch_size)]
            if not chunks:
                break
            batch = _fetch_rows(conn, chunks[0])
            pending = pool.submit(_compute, batch)
            for n in range(len(chunks)):
                upcoming = _fetch_rows(conn, chunks[n + 1]) if n + 1 < len(chunks) else []
                following = pool.submit(_compute, upcoming)
                ids = _retry(conn, functools.partial(_store_batch, conn, batch, pending.result()))
                checked.extend(ids)
                wrote = wrote or bool(ids)
                _link_pending(conn, batch_size)
                batch, pending = upcoming, following
            if not wrote:
                break
            # Rows held by another worker or changed meanwhile are caught by one more pass.
    _link_pending(conn, batch_size)
    stats = _figures(conn, checked)
    stats["seconds"] = round(time.monotonic() - started, 3)
    if run_id:
        with conn, conn.cursor() as cur:
            record_stage(cur, run_id, "dedupe", stats)
    return stats


def _retry(conn: Connection, step: Any, attempts: int = 5) -> Any:
    """Run one transaction, repeating it when Postgres broke a lock cycle between concurrent workers."""
    for attempt in range(attempts):
        try:
            return step()
        except RETRYABLE:
            conn.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None


def _reset(conn: Connection) -> None:
    """Forget all signatures, bands and links so every article is processed again."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LINK_LOCK_KEY,))
        cur.execute("TRUNCATE article_dup_edges, article_lsh_bands, article_minhash")
        cur.execute(
            """UPDATE articles SET duplicate_of = NULL, duplicate_method = NULL, duplicate_similarity = NULL
               WHERE duplicate_of IS NOT NULL OR duplicate_method IS NOT NULL
                  OR duplicate_similarity IS NOT NULL"""
        )


Row = tuple[int, str, str]  # article_id, content_hash, body
Computed = tuple[np.ndarray, np.ndarray]  # signatures, shingle counts


def _stale_ids(conn: Connection) -> list[int]:
    """Ids of the articles whose signature is missing or stale, in id order (no locks taken)."""
    # One hash anti-join over (id, content_hash) per pass: probing per batch made a run quadratic.
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT a.article_id FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.article_id
               WHERE m.article_id IS NULL OR m.content_hash <> a.content_hash
               ORDER BY a.article_id"""
        )
        return [r[0] for r in cur.fetchall()]


def _fetch_stale(conn: Connection, after: int, batch_size: int) -> list[Row]:
    """The next batch_size stale articles after `after` (no locks taken)."""
    return _fetch_rows(conn, [aid for aid in _stale_ids(conn) if aid > after][:batch_size])


def _fetch_rows(conn: Connection, ids: Sequence[int]) -> list[Row]:
    """id, content hash and body of the given articles (those still present), in id order."""
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT article_id, content_hash, body FROM articles WHERE article_id = ANY(%s::bigint[])
               ORDER BY article_id""",
            (_array(ids),),
        )
        return cur.fetchall()


def _compute(rows: list[Row]) -> Computed:
    """MinHash signatures and shingle counts of the rows' bodies."""
    return minhash.signatures([body for _, _, body in rows])


def _store_batch(conn: Connection, rows: list[Row], computed: Computed) -> list[int]:
    """Store signatures and bands of the rows still stale and unchanged; returns the ids stored."""
    sigs, counts = computed
    with conn, conn.cursor() as cur:
        # The row lock makes one worker the only writer of an article's signature; SKIP LOCKED leaves
        # rows another worker is storing to it, NO KEY UPDATE does not block the clean stage's inserts
        # of rows referencing the article (url_aliases).
        cur.execute(
            """SELECT a.article_id, a.content_hash, m.signature
               FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.article_id
               WHERE a.article_id = ANY(%s::bigint[])
                 AND (m.article_id IS NULL OR m.content_hash <> a.content_hash)
               FOR NO KEY UPDATE OF a SKIP LOCKED""",
            (_array(r[0] for r in rows),),
        )
        current = {aid: (chash, old) for aid, chash, old in cur.fetchall()}
        # A body that changed since it was read is left for the next pass, with its new text.
        keep = [i for i, (aid, chash, _) in enumerate(rows) if aid in current and current[aid][0] == chash]
        if not keep:
            return []
        ids = [rows[i][0] for i in keep]
        sigs, counts = sigs[keep], counts[keep]
        stale = [(aid, minhash.from_bytes(current[aid][1])) for aid in ids if current[aid][1] is not None]
        if stale:
            old = np.stack([sig for _, sig in stale])
            old_bands = _band_rows([aid for aid, _ in stale], minhash.band_keys(old), _nonempty(old))
            # Few rows: one hash-index probe each, never a scan of the archive-sized table.
            cur.execute("SET LOCAL enable_mergejoin = off; SET LOCAL enable_hashjoin = off")
            cur.execute(
                """DELETE FROM article_lsh_bands b
                   USING unnest(%s::smallint[], %s::bigint[], %s::bigint[]) AS d(band, bucket, article_id)
                   WHERE b.band = d.band AND b.bucket = d.bucket AND b.article_id = d.article_id""",
                _columns(old_bands, 3),
            )
        psycopg2.extras.execute_values(
            cur,
            """INSERT INTO article_minhash (article_id, content_hash, signature, shingle_count, linked)
               VALUES %s
               ON CONFLICT (article_id) DO UPDATE SET content_hash = EXCLUDED.content_hash,
                   signature = EXCLUDED.signature, shingle_count = EXCLUDED.shingle_count,
                   linked = false, computed_at = now()""",
            [
                (aid, rows[i][1], minhash.to_bytes(sig), int(n), False)
                for i, aid, sig, n in zip(keep, ids, sigs, counts, strict=True)
            ],
            page_size=1000,
        )
        use = counts > 0
        buf = io.BytesIO(
            _copy_binary_bands(np.asarray(ids, dtype=np.int64)[use], minhash.band_keys(sigs[use]))
        )
        cur.copy_expert(
            "COPY article_lsh_bands (band, bucket, article_id) FROM STDIN WITH (FORMAT binary)", buf
        )
    return ids


_BAND_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("band", ">i2"),
        ("l2", ">i4"),
        ("bucket", ">i8"),
        ("l3", ">i4"),
        ("aid", ">i8"),
    ]
)


def _copy_binary_bands(ids: np.ndarray, keys: np.ndarray) -> bytes:
    """COPY BINARY stream of (band, bucket, article_id) rows, built in numpy rather than row by row."""
    rows = np.zeros(keys.size, dtype=_BAND_ROW)
    rows["n"], rows["l1"], rows["l2"], rows["l3"] = 3, 2, 8, 8
    rows["band"] = np.tile(np.arange(keys.shape[1] if keys.ndim == 2 else 0, dtype=np.int16), len(ids))
    rows["bucket"] = keys.reshape(-1)
    rows["aid"] = np.repeat(ids, keys.shape[1] if keys.ndim == 2 else 0)
    return b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + rows.tobytes() + b"\xff\xff"


def _array(values: Iterable[int]) -> str:
    """A Postgres array literal: parsed by array_in far faster than psycopg2's ARRAY[...] of 10^5 items."""
    return "{" + ",".join(map(str, values)) + "}"


def _columns(rows: Sequence[tuple[int, ...]], width: int) -> tuple[str, ...]:
    """Column-wise array literals of rows, for unnest()."""
    if not rows:
        return ("{}",) * width
    return tuple(_array(col) for col in zip(*rows, strict=True))


def _nonempty(sigs: np.ndarray) -> np.ndarray:
    """Which signatures come from a text with at least one shingle."""
    return np.asarray((sigs != minhash.EMPTY).any(axis=1))


def _band_rows(ids: Sequence[int], keys: np.ndarray, use: np.ndarray) -> list[tuple[int, int, int]]:
    """(band, bucket, article_id) rows; empty texts get none (they must not all collide with each other)."""
    return [
        (band, bucket, aid)
        for aid, row, ok in zip(ids, keys.tolist(), use.tolist(), strict=True)
        if ok
        for band, bucket in enumerate(row)
    ]


def _link_pending(conn: Connection, batch_size: int) -> None:
    """Link every signed-but-unlinked article, one committed batch at a time, under the link lock."""
    while _retry(conn, functools.partial(_link_batch, conn, batch_size)):
        pass


def _link_batch(conn: Connection, batch_size: int) -> int:
    """Re-evaluate the links of up to batch_size unlinked articles and re-cluster what they touch."""
    with conn, conn.cursor() as cur:
        # One linker at a time: clustering reads and rewrites whole components, which two
        # concurrent linkers could otherwise split or root differently.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LINK_LOCK_KEY,))
        cur.execute(
            """SELECT article_id, content_hash, signature FROM article_minhash WHERE NOT linked
               ORDER BY article_id LIMIT %s""",
            (batch_size,),
        )
        pending = cur.fetchall()
        if not pending:
            return 0
        ids = [r[0] for r in pending]
        sigs = {aid: (chash, minhash.from_bytes(sig)) for aid, chash, sig in pending}
        own = np.stack([sigs[aid][1] for aid in ids])
        probes = _band_rows(ids, minhash.band_keys(own), _nonempty(own))
        # Probing the bucket index once per band is O(batch); the planner otherwise prefers a merge
        # join that walks the whole band index, i.e. the whole archive, for every batch.
        cur.execute("SET LOCAL enable_mergejoin = off; SET LOCAL enable_hashjoin = off")
        cur.execute(
            """SELECT q.article_id, b.article_id
               FROM unnest(%s::smallint[], %s::bigint[], %s::bigint[]) AS q(band, bucket, article_id)
               JOIN article_lsh_bands b ON b.band = q.band AND b.bucket = q.bucket
               WHERE b.article_id <> q.article_id""",
            _columns(probes, 3),
        )
        found = cur.fetchall()
        cur.execute("SET LOCAL enable_mergejoin TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT")
        edges = _verify(cur, found, sigs)
        cur.execute(
            "DELETE FROM article_dup_edges WHERE article_a = ANY(%s) OR article_b = ANY(%s)", (ids, ids)
        )
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO article_dup_edges (article_a, article_b, method, similarity) VALUES %s",
            edges,
            page_size=1000,
        )
        seeds = set(ids) | {x for e in edges for x in e[:2]}
        _recluster(cur, seeds)
        psycopg2.extras.execute_values(
            cur,
            """UPDATE article_minhash m SET linked = true FROM (VALUES %s) v(article_id, content_hash)
               WHERE m.article_id = v.article_id AND m.content_hash = v.content_hash""",
            [(aid, chash) for aid, chash, _ in pending],
            page_size=1000,
        )
    return len(ids)


def _verify(
    cur: Cursor, found: list[tuple[int, int]], sigs: dict[int, tuple[str, np.ndarray]]
) -> list[tuple[int, int, str, float]]:
    """The candidate pairs that are duplicates: same content hash ('exact') or similar enough ('near')."""
    if not found:
        return []
    raw = np.array(found, dtype=np.int64).reshape(-1, 2)
    pairs = np.unique(np.sort(raw, axis=1), axis=0)
    width = minhash.PRECHECK_PERM
    # Screen on signature prefixes first: most candidates are chance collisions, and fetching their
    # full signatures would move ~1 KB per candidate. Everything below works on whole arrays.
    own_ids = np.fromiter(sigs.keys(), dtype=np.int64, count=len(sigs))
    own = np.stack([sig[:width] for _, sig in sigs.values()]) if sigs else np.empty((0, width), np.uint32)
    others = np.setdiff1d(pairs.reshape(-1), own_ids)
    cur.execute(
        "SELECT article_id, substring(signature FROM 1 FOR %s) FROM article_minhash WHERE article_id = ANY(%s)",
        (width * 4, _array(others.tolist())),
    )
    fetched = cur.fetchall()
    ids = np.concatenate([own_ids, np.fromiter((r[0] for r in fetched), dtype=np.int64, count=len(fetched))])
    prefixes = np.concatenate(
        [own, np.frombuffer(b"".join(bytes(r[1]) for r in fetched), dtype="<u4").reshape(-1, width)]
    ).astype(np.uint32)
    order = np.argsort(ids, kind="stable")
    ids, prefixes = ids[order], prefixes[order]
    pos = np.searchsorted(ids, pairs)
    pos_c = np.minimum(pos, len(ids) - 1)
    # Band rows of a deleted article have no signature left: such pairs are dropped.
    known = (ids[pos_c] == pairs).all(axis=1) if len(ids) else np.zeros(len(pairs), dtype=bool)
    pairs, pos_c = pairs[known], pos_c[known]
    keep = minhash.similarities(prefixes[pos_c[:, 0]], prefixes[pos_c[:, 1]]) >= minhash.PRECHECK_THRESHOLD
    pairs = pairs[keep]
    if not len(pairs):
        return []
    pair_list = [(int(a), int(b)) for a, b in pairs.tolist()]
    sigs = sigs | _signatures(cur, {x for p in pair_list for x in p} - sigs.keys())
    pair_list = [(a, b) for a, b in pair_list if a in sigs and b in sigs]
    if not pair_list:
        return []
    full = minhash.similarities(
        np.stack([sigs[a][1] for a, _ in pair_list]), np.stack([sigs[b][1] for _, b in pair_list])
    )
    edges = []
    for (a, b), sim in zip(pair_list, full.tolist(), strict=True):
        if sigs[a][0] == sigs[b][0]:
            edges.append((a, b, "exact", 1.0))
        elif sim >= minhash.NEAR_THRESHOLD:
            edges.append((a, b, "near", sim))
    return edges


def _signatures(cur: Cursor, ids: Iterable[int]) -> dict[int, tuple[str, np.ndarray]]:
    """content_hash and signature of each article id."""
    cur.execute(
        "SELECT article_id, content_hash, signature FROM article_minhash WHERE article_id = ANY(%s)",
        (_array(ids),),
    )
    return {aid: (chash, minhash.from_bytes(sig)) for aid, chash, sig in cur.fetchall()}


def _recluster(cur: Cursor, seeds: set[int]) -> None:
    """Recompute the components containing seeds (and their former cluster mates) and re-point them."""
    # Former mates matter: a changed article may have held its old cluster together.
    cur.execute(
        """SELECT a.article_id FROM articles a
           WHERE a.article_id = ANY(%(roots)s) OR a.duplicate_of = ANY(%(roots)s)""",
        {
            "roots": _fetch_col(
                cur,
                "SELECT COALESCE(duplicate_of, article_id) FROM articles WHERE article_id = ANY(%s)",
                list(seeds),
            )
        },
    )
    members = seeds | {r[0] for r in cur.fetchall()}
    edges: set[tuple[int, int]] = set()
    frontier = set(members)
    # Follow links until closed, so a component is never cut at the edge of what was fetched.
    while frontier:
        cur.execute(
            """SELECT article_a, article_b FROM article_dup_edges
               WHERE article_a = ANY(%(ids)s) OR article_b = ANY(%(ids)s)""",
            {"ids": list(frontier)},
        )
        found = {(a, b) for a, b in cur.fetchall()}
        edges |= found
        frontier = {x for e in found for x in e} - members
        members |= frontier
    parent = {m: m for m in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    cur.execute(
        """SELECT article_id, published_at IS NULL, published_at, first_seen_at FROM articles
           WHERE article_id = ANY(%s)""",
        (list(members),),
    )
    order = {r[0]: (r[1], r[2], r[3], r[0]) for r in cur.fetchall()}
    components: dict[int, list[int]] = {}
    for m in members:
        if m in order:  # an article deleted meanwhile has no row to update
            components.setdefault(find(m), []).append(m)
    sigs = _signatures(cur, members)
    updates: list[tuple[int, int | None, str | None, float | None]] = []
    for comp in components.values():
        # The original: earliest published (undated last), then first seen, then lowest id.
        root = min(comp, key=lambda x: order[x])
        for m in comp:
            if m == root:
                updates.append((m, None, None, None))
                continue
            if m in sigs and root in sigs:
                (hm, sm), (hr, sr) = sigs[m], sigs[root]
                exact = hm == hr
                sim = 1.0 if exact else minhash.similarity(sm, sr)
                updates.append((m, root, "exact" if exact else "near", sim))
            else:
                updates.append((m, root, "near", None))
    psycopg2.extras.execute_values(
        cur,
        """UPDATE articles a SET duplicate_of = v.dup, duplicate_method = v.method,
               duplicate_similarity = v.sim
           FROM (VALUES %s) v(article_id, dup, method, sim)
           WHERE a.article_id = v.article_id
             AND (a.duplicate_of IS DISTINCT FROM v.dup OR a.duplicate_method IS DISTINCT FROM v.method
                  OR a.duplicate_similarity IS DISTINCT FROM v.sim)""",
        updates,
        template="(%s::bigint, %s::bigint, %s::text, %s::real)",
        page_size=1000,
    )


def _fetch_col(cur: Cursor, query: str, arg: Any) -> list[Any]:
    """First column of a one-parameter query."""
    cur.execute(query, (arg,))
    return [r[0] for r in cur.fetchall()]


def _figures(conn: Connection, checked: list[int]) -> dict[str, Any]:
    """How the articles checked by this call ended up: duplicates by method and the clusters they form."""
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT count(*) FILTER (WHERE duplicate_of IS NOT NULL),
                      count(*) FILTER (WHERE duplicate_method = 'exact'),
                      count(*) FILTER (WHERE duplicate_method = 'near'),
                      count(DISTINCT COALESCE(duplicate_of, article_id)) FILTER (
                          WHERE duplicate_of IS NOT NULL
                             OR EXISTS (SELECT 1 FROM articles d WHERE d.duplicate_of = articles.article_id))
               FROM articles WHERE article_id = ANY(%s)""",
            (checked,),
        )
        dups, exact, near, clusters = cur.fetchone() or (0, 0, 0, 0)
    return {"checked": len(checked), "duplicates": dups, "exact": exact, "near": near, "clusters": clusters}

"""Duplicate detection: exact (content hash) and near (MinHash/LSH) links between articles, kept in Postgres.

Each article gets a MinHash signature and LSH band buckets (`article_minhash`, `article_signatures`,
`article_lsh_buckets`). A batch of new or changed articles probes the buckets of the archive; candidates
(members at most BUCKET_WINDOW apart in a bucket) are verified on the MinHash estimate and stored as
undirected links (`article_dup_edges`), all in one transaction. A cluster is a connected component of those
links; `articles.duplicate_of` points every member at the component's original (earliest `published_at`,
then `first_seen_at`, then `article_id`).

A link depends on the two texts and on which articles lie between them in a shared bucket. When a bucket
changes anywhere but at its end (an article changes, is deleted, or is signed after a newer one), the
members around the change are linked again, so the result does not depend on the order in which articles
were processed: a rebuild gives the same links as the incremental runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import psycopg2.errors
import psycopg2.extras
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from crawler import minhash, pgcopy
from crawler.minhash import content_hash as content_hash  # dedupe's tests import it from here
from crawler.runs import record_stage

# Serialises the storing and linking of concurrent dedupe processes (signatures are computed in parallel):
# clustering reads and rewrites whole components, which two writers could otherwise split or root
# differently, and a batch must see every bucket stored before it.
LINK_LOCK_KEY = 7_351_220_002
# Another pass picks up bodies that changed while they were being signed; bounded against a body that
# keeps changing while we run.
MAX_PASSES = 5
RETRYABLE = (psycopg2.errors.DeadlockDetected, psycopg2.errors.SerializationFailure)
# A bucket shared by many articles holds boilerplate: stock phrases whose shingles happen to be the band's
# minima. Its members are candidates only for the BUCKET_WINDOW nearest of them on each side in article-id
# order, so probing it costs the same however crowded it gets. Copies mostly follow their original closely
# and share several buckets with it: on 100k labelled articles the window cuts candidate pairs from 7.4 to
# 0.77 million and loses no copy.
BUCKET_WINDOW = 4
# Beside a running clean (`newsroom run`), dedupe links articles as they arrive instead of after the
# clean, where it ran alone on one core; a pass waits for this many so that each probes in bulk.
FOLLOW_POLL_SECONDS = 0.5
FOLLOW_MIN_ARTICLES = 200

__all__ = ["content_hash", "dedupe"]

Row = tuple[int, str, str]  # article_id, content_hash, body
Computed = tuple[np.ndarray, np.ndarray]  # signatures, shingle counts
Signed = dict[int, tuple[str, np.ndarray]]  # article_id -> (content_hash, signature)
Edge = tuple[int, int, str, float]  # article_a < article_b, method, similarity


def dedupe(
    conn: Connection,
    run_id: str | None = None,
    rebuild: bool = False,
    batch_size: int = 2000,
    follow: threading.Event | None = None,
) -> dict[str, Any]:
    """Sign new/changed articles, link their duplicates and re-point clusters; returns the run's figures.

    With `follow`, articles are linked while a clean beside this call still stores them: those stored
    already, then whenever FOLLOW_MIN_ARTICLES new ones have arrived (checked every
    FOLLOW_POLL_SECONDS), until `follow` is set (the clean ended); then what is left (changed articles
    included) is linked as without it. Links do not depend on the order in which articles are
    processed, so the result is the same as one call after the clean.
    """
    started = time.monotonic()
    if rebuild:
        _reset(conn)
    checked: list[int] = []
    # Signatures deleted with their articles leave buckets behind, even on a night when nothing is stale.
    _retry(conn, lambda: _link_batch(conn, [], _compute([])))
    # Signatures of the next batch are computed in a thread while this one is stored and linked:
    # psycopg2 and numpy release the GIL, so Python and the Postgres backend work at the same time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        if follow is not None:
            # What is stored already first: in `run` this starts as the crawl ends, while clean drains.
            newest = _newest_id(conn)
            _passes(conn, pool, batch_size, checked)
            while not follow.wait(FOLLOW_POLL_SECONDS):
                # A count on the primary key, not the stale scan (a join of the whole archive) every poll.
                arrived, latest = _arrived_since(conn, newest)
                if arrived >= FOLLOW_MIN_ARTICLES:
                    newest = latest
                    _passes(conn, pool, batch_size, checked)
        _passes(conn, pool, batch_size, checked)
    stats = _figures(conn, list(dict.fromkeys(checked)))  # an article signed again counts once
    stats["seconds"] = round(time.monotonic() - started, 3)
    if run_id:
        with conn, conn.cursor() as cur:
            record_stage(cur, run_id, "dedupe", stats)
    return stats


def _newest_id(conn: Connection) -> int:
    """The highest article id stored so far (0 for none)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(article_id), 0) FROM articles")
        return int(cur.fetchone()[0])


def _arrived_since(conn: Connection, newest: int) -> tuple[int, int]:
    """How many articles were stored after id newest, and the highest id now."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*), coalesce(max(article_id), %s) FROM articles WHERE article_id > %s",
            (newest, newest),
        )
        count, latest = cur.fetchone()
        return int(count), int(latest)


def _passes(conn: Connection, pool: ThreadPoolExecutor, batch_size: int, checked: list[int]) -> None:
    """Link every stale article, again while bodies change meanwhile."""
    for _ in range(MAX_PASSES):
        # One scan per pass finds every stale article; bodies are then read batch by batch by id.
        stale = _stale_ids(conn)
        chunks = [stale[i : i + batch_size] for i in range(0, len(stale), batch_size)]
        changed_meanwhile = False
        batch = _fetch_rows(conn, chunks[0]) if chunks else []
        pending = pool.submit(_compute, batch)
        for n in range(len(chunks)):
            upcoming = _fetch_rows(conn, chunks[n + 1]) if n + 1 < len(chunks) else []
            following = pool.submit(_compute, upcoming)
            stored, changed = _retry(conn, lambda b=batch, p=pending: _link_batch(conn, b, p.result()))
            checked.extend(stored)
            changed_meanwhile = changed_meanwhile or changed
            batch, pending = upcoming, following
        if not changed_meanwhile:
            return


def _retry(conn: Connection, step: Any, attempts: int = 5) -> Any:
    """Run one transaction, repeating it when Postgres broke a lock cycle with the clean stage."""
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
    """Forget all signatures, buckets and links so every article is processed again."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LINK_LOCK_KEY,))
        cur.execute(
            """TRUNCATE article_dup_edges, article_lsh_buckets, article_lsh_departures, article_signatures,
                        article_minhash"""
        )
        cur.execute(
            """UPDATE articles SET duplicate_of = NULL, duplicate_method = NULL, duplicate_similarity = NULL
               WHERE duplicate_of IS NOT NULL OR duplicate_method IS NOT NULL
                  OR duplicate_similarity IS NOT NULL"""
        )


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


def _link_batch(conn: Connection, rows: list[Row], computed: Computed) -> tuple[list[int], bool]:
    """Store the rows' signatures and buckets, link their duplicates and re-cluster, in one transaction.

    Also removes the buckets of signatures deleted since the last batch. Returns the ids stored and whether
    some body changed since it was read (it needs another pass).
    """
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LINK_LOCK_KEY,))
        # Every statement here looks up a batch-sized set of rows. Index lookups keep that O(batch); the hash
        # and merge joins the planner picks once the archive is large read all of it, batch after batch.
        # JIT compiling these short nested loops costs more than it saves.
        cur.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off")
        # Under the lock the stored state is final: rows another worker signed meanwhile are skipped.
        cur.execute(
            """SELECT a.article_id, a.content_hash, m.content_hash
               FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.article_id
               WHERE a.article_id = ANY(%s::bigint[])""",
            (_array(r[0] for r in rows),),
        )
        current = {aid: (chash, signed) for aid, chash, signed in cur.fetchall()}
        changed = any(aid in current and current[aid][0] != chash for aid, chash, _ in rows)
        keep = [
            i
            for i, (aid, chash, _) in enumerate(rows)
            if aid in current and current[aid][0] == chash and current[aid][1] != chash
        ]
        ids = np.array([rows[i][0] for i in keep], dtype=np.int64)  # ascending, as rows are
        hashes = [rows[i][1] for i in keep]
        sigs, counts = computed[0][keep], computed[1][keep]
        _forget(cur, [aid for aid in ids.tolist() if current[aid][1] is not None])
        departed, deleted = _take_departures(cur)
        if not keep and not len(departed):
            return [], changed
        cur.execute("SELECT COALESCE(max(article_id), 0) FROM article_minhash")
        newest = cur.fetchone()[0]
        buckets = _bucket_rows(ids, sigs)
        # Entries that leave or join a bucket anywhere but at its end change which of the other members are
        # a window apart: those neighbours are linked again. New articles join at the end: nothing to do.
        joining_inside = buckets[buckets[:, 1] < newest]
        # A deleted article's cluster mates lost their links to it, and their duplicate_of: its whole window
        # is linked and re-clustered again.
        whole_window = np.concatenate([deleted, np.zeros(len(joining_inside), dtype=bool)])
        changes = np.concatenate([departed, joining_inside])
        neighbours = _neighbours(cur, changes, whole_window) - set(ids.tolist())
        _store(cur, ids, hashes, sigs, counts, buckets)
        relinked = _signatures(cur, neighbours)  # articles deleted meanwhile drop out
        _forget_links(cur, list(relinked))
        again = np.array(sorted(relinked), dtype=np.int64)
        again_sigs = np.array([relinked[a][1] for a in again.tolist()], dtype=np.uint32)
        again_buckets = _bucket_rows(again, again_sigs.reshape(len(again), minhash.NUM_PERM))
        # The batch probes after storing its buckets, so that its own members count in every window; older
        # members only come after a batch article that is not the newest, or after a re-linked neighbour.
        pairs = _probe(cur, buckets, buckets[:, 1] < newest, again_buckets)
        own = dict(zip(ids.tolist(), zip(hashes, sigs, strict=True), strict=True)) | relinked
        edges, known = _verify(cur, own, pairs)
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO article_dup_edges (article_a, article_b, method, similarity) VALUES %s",
            edges,
            page_size=1000,
        )
        _recluster(cur, set(own) | {x for e in edges for x in e[:2]}, known)
    return ids.tolist(), changed


def _forget(cur: Cursor, ids: Sequence[int]) -> None:
    """Delete the signatures and links of articles about to be signed again (their buckets depart)."""
    if not ids:
        return
    literal = _array(ids)
    cur.execute("DELETE FROM article_signatures WHERE article_id = ANY(%s::bigint[])", (literal,))
    cur.execute("DELETE FROM article_minhash WHERE article_id = ANY(%s::bigint[])", (literal,))
    _forget_links(cur, ids)


def _forget_links(cur: Cursor, ids: Sequence[int]) -> None:
    """Delete the links of the given articles; they are about to be found again."""
    if not ids:
        return
    # Two statements, so that each uses its index.
    literal = _array(ids)
    cur.execute("DELETE FROM article_dup_edges WHERE article_a = ANY(%s::bigint[])", (literal,))
    cur.execute("DELETE FROM article_dup_edges WHERE article_b = ANY(%s::bigint[])", (literal,))


def _take_departures(cur: Cursor) -> tuple[np.ndarray, np.ndarray]:
    """Remove the buckets of signatures deleted since the last batch.

    Returns those (bucket, article_id) rows and which of them belonged to an article that is deleted.
    """
    cur.execute("DELETE FROM article_lsh_departures RETURNING article_id, signature")
    departed = cur.fetchall()
    if not departed:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=bool)
    old = np.stack([minhash.from_bytes(sig) for _, sig in departed])
    rows = _bucket_rows(np.array([aid for aid, _ in departed], dtype=np.int64), old)
    # Found by bucket, recomputed from the old signature: the table has no article_id index.
    cur.execute(
        """DELETE FROM article_lsh_buckets b
           USING unnest(%s::integer[], %s::integer[]) AS d(bucket, article_id)
           WHERE b.bucket = d.bucket AND b.article_id = d.article_id""",
        (_array(rows[:, 0].tolist()), _array(rows[:, 1].tolist())),
    )
    cur.execute(
        "SELECT article_id FROM articles WHERE article_id = ANY(%s::bigint[])",
        (_array(aid for aid, _ in departed),),
    )
    return rows, ~np.isin(rows[:, 1], [r[0] for r in cur.fetchall()])


def _bucket_rows(ids: np.ndarray, sigs: np.ndarray) -> np.ndarray:
    """(bucket, article_id) rows of the given articles' signatures, sorted by bucket.

    Bucket order matters for speed: the B-tree pages holding neighbouring buckets are read and written
    together, instead of one random page per bucket.
    """
    if len(ids) and ids.max() > np.iinfo(np.int32).max:
        raise OverflowError("article ids above 2^31 do not fit article_lsh_buckets.article_id (integer)")
    # Empty texts get no buckets: they must not all collide with each other.
    use = _nonempty(sigs)
    ids, keys = ids[use], minhash.band_keys(sigs[use])
    rows = np.empty((keys.size, 2), dtype=np.int64)
    rows[:, 0] = keys.reshape(-1)
    rows[:, 1] = np.repeat(ids, keys.shape[1])
    return rows[np.argsort(rows[:, 0], kind="stable")]


def _windows(cur: Cursor, positions: np.ndarray, both_sides: np.ndarray) -> np.ndarray:
    """For each (bucket, article_id) position: the BUCKET_WINDOW stored members before it in that bucket, and
    those after it where both_sides is set. Rows (position index, member, side: -1 before, 1 after)."""
    if not len(positions):
        return np.empty((0, 3), dtype=np.int64)
    cur.execute(
        """CREATE TEMP TABLE IF NOT EXISTS dedupe_probe (
               bucket integer NOT NULL, article_id integer NOT NULL, position integer NOT NULL,
               both_sides integer NOT NULL) ON COMMIT DELETE ROWS"""
    )
    cur.execute("TRUNCATE dedupe_probe")  # a batch that re-links probes twice
    pgcopy.copy_in(
        cur,
        "dedupe_probe",
        np.column_stack([positions, np.arange(len(positions)), both_sides.astype(np.int64)]),
    )
    # One short index scan per position, in bucket order: a bucket that boilerplate made crowded costs no
    # more than any other.
    found = pgcopy.copy_out(
        cur,
        """SELECT q.position, b.article_id, -1
           FROM dedupe_probe q CROSS JOIN LATERAL (
               SELECT article_id FROM article_lsh_buckets b
               WHERE b.bucket = q.bucket AND b.article_id < q.article_id
               ORDER BY b.article_id DESC LIMIT %(window)s) b
           UNION ALL
           SELECT q.position, b.article_id, 1
           FROM dedupe_probe q CROSS JOIN LATERAL (
               SELECT article_id FROM article_lsh_buckets b
               WHERE b.bucket = q.bucket AND b.article_id > q.article_id
               ORDER BY b.article_id LIMIT %(window)s) b
           WHERE q.both_sides = 1""",
        [("position", ">i4"), ("member", ">i4"), ("side", ">i4")],
        {"window": BUCKET_WINDOW},
    )
    return np.column_stack([found["position"], found["member"], found["side"]]).astype(np.int64)


def _neighbours(cur: Cursor, positions: np.ndarray, whole_window: np.ndarray) -> set[int]:
    """Members within a window on both sides of positions that change: links across them may change.

    A position at either end of its bucket lies between no two members, and has none, unless whole_window.
    """
    found = _windows(cur, positions, np.ones(len(positions), dtype=bool))
    before = np.unique(found[found[:, 2] < 0, 0])
    after = np.unique(found[found[:, 2] > 0, 0])
    keep = np.isin(found[:, 0], np.intersect1d(before, after)) | whole_window[found[:, 0]]
    return set(found[keep, 1].tolist())


def _probe(cur: Cursor, buckets: np.ndarray, later_members: np.ndarray, again: np.ndarray) -> np.ndarray:
    """Candidate pairs: the batch's bucket rows against their window (the side after only where
    later_members), and the re-linked articles' rows against both sides of theirs."""
    positions = np.concatenate([buckets, again])
    both_sides = np.concatenate([later_members, np.ones(len(again), dtype=bool)])
    found = _windows(cur, positions, both_sides)
    return np.column_stack([positions[found[:, 0], 1], found[:, 1]])


def _store(
    cur: Cursor,
    ids: np.ndarray,
    hashes: Sequence[str],
    sigs: np.ndarray,
    counts: np.ndarray,
    buckets: np.ndarray,
) -> None:
    """Write the batch's signatures and buckets (binary COPY: the rows are new, old ones were forgotten)."""
    aids = [aid.to_bytes(8, "big", signed=True) for aid in ids.tolist()]
    prefixes = sigs[:, : minhash.PRECHECK_PERM]
    pgcopy.copy_rows(
        cur,
        "article_minhash (article_id, content_hash, signature_prefix, shingle_count)",
        zip(
            aids,
            (h.encode() for h in hashes),
            map(minhash.to_bytes, prefixes),
            (n.to_bytes(4, "big", signed=True) for n in counts.tolist()),
            strict=True,
        ),
    )
    pgcopy.copy_rows(
        cur, "article_signatures (article_id, signature)", zip(aids, map(minhash.to_bytes, sigs), strict=True)
    )
    # COPY, not INSERT ... SELECT from dedupe_probe: COPY's bulk insert path is a third faster here.
    pgcopy.copy_in(cur, "article_lsh_buckets", buckets)


def _verify(cur: Cursor, own: Signed, pairs: np.ndarray) -> tuple[list[Edge], Signed]:
    """The candidate pairs that are duplicates: same content hash ('exact') or similar enough ('near').

    own: content hash and signature of the articles in hand (the batch and the re-linked). Also returns
    every signature it had in hand (own and fetched), so re-clustering need not read them again.

    A pair must first pass the screen on the signature prefixes: most candidates are chance collisions,
    and fetching their full signatures would move ~1 KB each. The decision depends on the two signatures
    alone, wherever the pair was found.
    """
    width = minhash.PRECHECK_PERM
    # One int64 per undirected pair (ids fit 31 bits): a 1-D unique is far faster than unique(axis=0).
    keys = np.unique((pairs.min(axis=1) << 32) | pairs.max(axis=1))
    pairs = np.column_stack([keys >> 32, keys & 0xFFFFFFFF])
    own_ids = np.array(sorted(own), dtype=np.int64)
    own_prefixes = (
        np.stack([own[a][1][:width] for a in own_ids.tolist()]) if own else np.empty((0, width), np.uint32)
    )
    read_ids, read_prefixes = _prefixes(cur, np.setdiff1d(pairs.reshape(-1), own_ids))
    ids = np.concatenate([own_ids, read_ids])
    prefixes = np.concatenate([own_prefixes, read_prefixes])
    order = np.argsort(ids)
    ids, prefixes = ids[order], prefixes[order]
    at = np.minimum(np.searchsorted(ids, pairs), max(len(ids) - 1, 0))
    # Articles deleted since their buckets were read have no prefix: they drop out here.
    present = (ids[at] == pairs).all(axis=1) if len(ids) else np.zeros(len(pairs), dtype=bool)
    pairs, at = pairs[present], at[present]
    passed = minhash.similarities(prefixes[at[:, 0]], prefixes[at[:, 1]]) >= minhash.PRECHECK_THRESHOLD
    pairs = pairs[passed]
    known = own | _signatures(cur, set(pairs.reshape(-1).tolist()) - own.keys())
    edges = []
    for x, y in pairs.tolist():
        if x not in known or y not in known:  # deleted meanwhile
            continue
        (hash_x, sig_x), (hash_y, sig_y) = known[x], known[y]
        if hash_x == hash_y:
            edges.append((x, y, "exact", 1.0))
        elif (sim := minhash.similarity(sig_x, sig_y)) >= minhash.NEAR_THRESHOLD:
            edges.append((x, y, "near", sim))
    return edges, known


def _prefixes(cur: Cursor, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored signature prefixes of the given articles (those still signed)."""
    width = minhash.PRECHECK_PERM
    if not len(ids):
        return np.empty(0, dtype=np.int64), np.empty((0, width), dtype=np.uint32)
    rows = pgcopy.copy_out(
        cur,
        """SELECT m.article_id, m.signature_prefix
           FROM article_minhash m JOIN unnest(%s::bigint[]) AS o(article_id) ON o.article_id = m.article_id""",
        [("id", ">i8"), ("prefix", f"V{4 * width}")],
        (_array(ids.tolist()),),
    )
    prefixes = np.frombuffer(rows["prefix"].tobytes(), dtype="<u4").reshape(-1, width).astype(np.uint32)
    return rows["id"].astype(np.int64), prefixes


def _signatures(cur: Cursor, ids: Iterable[int]) -> Signed:
    """content_hash and signature of each article id."""
    cur.execute(
        """SELECT m.article_id, m.content_hash, s.signature
           FROM article_minhash m JOIN article_signatures s ON s.article_id = m.article_id
           WHERE m.article_id = ANY(%s::bigint[])""",
        (_array(ids),),
    )
    return {aid: (chash, minhash.from_bytes(sig)) for aid, chash, sig in cur.fetchall()}


def _recluster(cur: Cursor, seeds: set[int], known: Signed) -> None:
    """Recompute the components containing seeds (and their former cluster mates) and re-point them.

    known: content hash and signature of articles already in memory (the batch's own and those verified).
    """
    # Former mates matter: a changed article may have held its old cluster together.
    cur.execute(
        "SELECT COALESCE(duplicate_of, article_id) FROM articles WHERE article_id = ANY(%s::bigint[])",
        (_array(seeds),),
    )
    roots = {r[0] for r in cur.fetchall()}
    cur.execute("SELECT article_id FROM articles WHERE duplicate_of = ANY(%s::bigint[])", (_array(roots),))
    members = seeds | roots | {r[0] for r in cur.fetchall()}
    edges: set[tuple[int, int]] = set()
    frontier = set(members)
    # Follow links until closed, so a component is never cut at the edge of what was fetched.
    while frontier:
        literal = _array(frontier)
        cur.execute(
            """SELECT article_a, article_b FROM article_dup_edges WHERE article_a = ANY(%(ids)s::bigint[])
               UNION ALL
               SELECT article_a, article_b FROM article_dup_edges WHERE article_b = ANY(%(ids)s::bigint[])""",
            {"ids": literal},
        )
        found = set(cur.fetchall())
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
        """SELECT article_id, published_at IS NULL, published_at, first_seen_at,
                  duplicate_of, duplicate_method, duplicate_similarity
           FROM articles WHERE article_id = ANY(%s::bigint[])""",
        (_array(members),),
    )
    state = {r[0]: r for r in cur.fetchall()}
    components: dict[int, list[int]] = {}
    for m in members:
        if m in state:  # an article deleted meanwhile has no row to update
            components.setdefault(find(m), []).append(m)
    # Only members of real clusters need a similarity to their root; most new articles are alone.
    clustered = {m for comp in components.values() if len(comp) > 1 for m in comp}
    sigs = {m: known[m] for m in clustered & known.keys()} | _signatures(cur, clustered - known.keys())
    updates: list[tuple[int, int | None, str | None, float | None]] = []
    for comp in components.values():
        # The original: earliest published (undated last), then first seen, then lowest id.
        root = min(comp, key=lambda x: (*state[x][1:4], x))
        for m in comp:
            if m == root:
                wanted: tuple[int | None, str | None, float | None] = (None, None, None)
            elif m in sigs and root in sigs:
                (hm, sm), (hr, sr) = sigs[m], sigs[root]
                exact = hm == hr
                wanted = (root, "exact" if exact else "near", 1.0 if exact else minhash.similarity(sm, sr))
            else:
                wanted = (root, "near", None)
            # Compared as stored (real): a similarity is k/NUM_PERM, exact in single precision.
            stored = state[m][4:7]
            if stored[:2] != wanted[:2] or _as_real(stored[2]) != _as_real(wanted[2]):
                updates.append((m, *wanted))
    psycopg2.extras.execute_values(
        cur,
        """UPDATE articles a SET duplicate_of = v.dup, duplicate_method = v.method,
               duplicate_similarity = v.sim
           FROM (VALUES %s) v(article_id, dup, method, sim)
           WHERE a.article_id = v.article_id""",
        updates,
        template="(%s::bigint, %s::bigint, %s::text, %s::real)",
        page_size=1000,
    )


def _as_real(value: float | None) -> float | None:
    """The value as Postgres stores it in a real column."""
    return None if value is None else float(np.float32(value))


def _array(values: Iterable[int]) -> str:
    """A Postgres array literal: parsed by array_in far faster than psycopg2's ARRAY[...] of 10^5 items."""
    return "{" + ",".join(map(str, values)) + "}"


def _nonempty(sigs: np.ndarray) -> np.ndarray:
    """Which signatures come from a text with at least one shingle."""
    return np.asarray((sigs != minhash.EMPTY).any(axis=1))


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
               FROM articles WHERE article_id = ANY(%s::bigint[])""",
            (_array(checked),),
        )
        dups, exact, near, clusters = cur.fetchone() or (0, 0, 0, 0)
    return {"checked": len(checked), "duplicates": dups, "exact": exact, "near": near, "clusters": clusters}

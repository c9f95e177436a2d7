"""Word shingles and numpy MinHash/LSH: the pure part of duplicate detection (text normalisation: textnorm)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

# Re-exported: dedupe and its tests read them from here.
from crawler.textnorm import content_hash as content_hash
from crawler.textnorm import normalize_text as normalize_text
from crawler.textnorm import words as words

# 4-word shingles: on the labelled corpus agency copies keep a Jaccard >= 0.37 with their original, while
# unrelated stories built from the same sentence templates still share ~4 % (5 words: 0.30 vs 2.5 %,
# which needs more bands for the same recall).
SHINGLE_WORDS = 4
# 32 bands x 3 rows: a pair of Jaccard 0.37 collides in some band with ~81 % probability, 0.45 with ~95 %,
# 0.55 with > 99 %; on the labelled corpus 98.4 % of copies are found, against 97.8 % with 64 x 4, from half
# the bucket rows. 3 rows make chance collisions of template-level similarity (0.04) common, but dedupe
# bounds how many members of a bucket a probe returns, so they cost little.
BANDS = 32
ROWS = 3
# Enough minima for a Jaccard estimate to +-0.03 at the link threshold; the bands use the last
# BANDS * ROWS of them, the screen the first PRECHECK_PERM, so a band collision does not also make the
# screen pass.
NUM_PERM = 256
# Estimated Jaccard needed for a near-duplicate link: copies measured >= 0.37, distinct same-topic
# stories <= 0.17 on 4-word shingles.
NEAR_THRESHOLD = 0.25
# Candidates are first screened on the first PRECHECK_PERM minima only (stored apart: 1/4 of each
# signature, none of them in a band), so that chance candidates need not fetch their full signature. On 64
# values a pair of Jaccard 0.07 (a typical chance candidate) reaches 0.15 with probability 1.3 %, one of
# 0.30 misses it with 0.3 % and one at the link threshold with 2.5 % (32 values and 0.1: 18 % of chance
# candidates through, 0.5 % and 2.5 % missed). The decision stays a function of the two signatures alone.
PRECHECK_PERM = 64
PRECHECK_THRESHOLD = 0.15
EMPTY = np.uint32(0xFFFFFFFF)

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
# Fixed seeds: signatures are persisted, so the permutations must never change between runs.
_PERM_RNG = np.random.Generator(np.random.PCG64(20261124))
_PERM_A = (_PERM_RNG.integers(0, 2**31, size=NUM_PERM, dtype=np.uint64) * _U64(2) + _U64(1)).astype(np.uint32)
_PERM_B = _PERM_RNG.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
_BAND_MULT = _PERM_RNG.integers(1, 2**63, size=ROWS, dtype=np.uint64) * _U64(2) + _U64(1)
_BAND_SALT = _PERM_RNG.integers(0, 2**63, size=BANDS, dtype=np.uint64)
_SHINGLE_MULT = _U64(0x9E3779B97F4A7C15)

_token_cache: dict[str, int] = {}
_TOKEN_CACHE_MAX = 500_000


def _token_hashes(words: Sequence[str]) -> npt.NDArray[np.uint64]:
    """crc32 of each word (stable across processes, unlike hash()), memoised: news vocabulary repeats."""
    cache = _token_cache
    if len(cache) > _TOKEN_CACHE_MAX:
        cache.clear()
    get = cache.get
    values = [get(w) for w in words]
    if None in values:
        for i, v in enumerate(values):
            if v is None:
                word = words[i]
                values[i] = cache[word] = zlib.crc32(word.encode("utf-8"))
    return np.array(values, dtype=np.uint64)


def _mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads combined word hashes over all 64 bits."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> npt.NDArray[np.uint32]:
    """Sorted unique 32-bit hashes of the k-word shingles of the normalised text (short texts: one)."""
    tokens = words(text)
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    tok = _token_hashes(tokens)
    n = max(1, len(tok) - k + 1)
    acc = tok[:n].copy()
    with np.errstate(over="ignore"):
        for j in range(1, min(k, len(tok))):
            acc = acc * _SHINGLE_MULT + tok[j : j + n]
        return np.unique(_mix64(acc).astype(np.uint32))


def signatures(texts: Sequence[str], chunk: int = 16) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32]]:
    """MinHash signatures (len(texts) x NUM_PERM uint32) and shingle counts; empty texts: all EMPTY."""
    sigs = np.full((len(texts), NUM_PERM), EMPTY, dtype=np.uint32)
    counts = np.zeros(len(texts), dtype=np.int32)
    shingles = [shingle_hashes(t) for t in texts]
    for start in range(0, len(texts), chunk):
        idx = [i for i in range(start, min(start + chunk, len(texts))) if len(shingles[i])]
        if not idx:
            continue
        parts = [shingles[i] for i in idx]
        lengths = np.array([len(p) for p in parts])
        flat = np.concatenate(parts)
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        # One affine permutation of the 32-bit shingle hashes per row: uint32 halves memory traffic
        # against 64-bit hashing, and small chunks keep the (NUM_PERM x shingles) block in cache.
        with np.errstate(over="ignore"):
            hv = _PERM_A[:, None] * flat[None, :] + _PERM_B[:, None]
        sigs[idx] = np.minimum.reduceat(hv, offsets, axis=1).T
        counts[idx] = lengths
    return sigs, counts


def band_keys(sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
    """LSH bucket of each band: n x BANDS, 32 bits, signed so it fits a Postgres integer.

    32 bits keep the bucket index small; at 100k articles a probe meets an unrelated bucket by chance
    with probability 3.2M / 2^32 = 0.07 %, a candidate the signature check then drops.
    """
    rows = sigs[:, NUM_PERM - BANDS * ROWS :].astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    with np.errstate(over="ignore"):
        acc = _BAND_SALT[None, :].copy().repeat(len(sigs), axis=0)
        for r in range(ROWS):
            acc = _mix64(acc ^ (rows[:, :, r] * _BAND_MULT[r]))
    return acc.astype(np.uint32).view(np.int32)


def similarity(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal minima)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def similarities(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """Row-wise estimated Jaccard of two equally shaped stacks of (partial) signatures."""
    return np.asarray(np.count_nonzero(a == b, axis=1) / a.shape[1], dtype=np.float64)


def to_bytes(sig: npt.NDArray[np.uint32]) -> bytes:
    """Little-endian bytes of one signature, as stored in article_minhash.signature."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes | memoryview) -> npt.NDArray[np.uint32]:
    """A signature back from its stored bytes."""
    return np.frombuffer(bytes(data), dtype="<u4").astype(np.uint32)

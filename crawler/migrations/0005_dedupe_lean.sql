-- Leaner duplicate-detection state. Each dedupe batch now signs, stores and links its articles in one
-- transaction, so the `linked` flag goes (and with it a second write of every signature). The tables a
-- batch touches at random are narrowed so that they stay in memory as the archive grows:
--  * article_minhash keeps only the first PRECHECK_PERM minima, which screen LSH candidates; the full
--    signature moves to article_signatures, read only for the few pairs that pass the screen.
--  * the LSH table loses its band column (buckets are salted per band, so a bucket names its band), keeps
--    32-bit columns and gets a B-tree over (bucket, article_id): written and probed in bucket order,
--    neighbouring keys share index pages, and probes are answered from the index alone.

-- Signatures stored but never linked by an interrupted run of the old two-step scheme: forget them, their
-- buckets and the links of the text they replaced, so the next run signs and links those articles again.
DELETE FROM article_lsh_bands b USING article_minhash m
WHERE m.article_id = b.article_id AND NOT m.linked;
DELETE FROM article_dup_edges e USING article_minhash m
WHERE m.article_id IN (e.article_a, e.article_b) AND NOT m.linked;
DELETE FROM article_minhash WHERE NOT linked;

CREATE TABLE article_signatures (
    article_id  bigint PRIMARY KEY REFERENCES articles (article_id) ON DELETE CASCADE,
    signature   bytea NOT NULL              -- NUM_PERM little-endian uint32 minima
);
INSERT INTO article_signatures (article_id, signature) SELECT article_id, signature FROM article_minhash;

ALTER TABLE article_minhash RENAME TO article_minhash_0002;
CREATE TABLE article_minhash (
    article_id        bigint PRIMARY KEY REFERENCES articles (article_id) ON DELETE CASCADE,
    content_hash      text NOT NULL,
    signature_prefix  bytea NOT NULL,
    shingle_count     integer NOT NULL,
    computed_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO article_minhash (article_id, content_hash, signature_prefix, shingle_count, computed_at)
SELECT article_id, content_hash, substring(signature FROM 1 FOR 128), shingle_count, computed_at
FROM article_minhash_0002;
DROP TABLE article_minhash_0002;

-- No foreign key: its per-row check halved the insert rate of this archive-sized table. Buckets of a
-- deleted article are ignored as candidates (it has no signature) and go at the next rebuild.
-- 32-bit buckets and ids keep entries at 20 bytes, a third less than bigint pairs: more of the index stays
-- in memory (crawler/minhash.py says why 32-bit buckets are enough; ids beyond 2^31 are refused).
CREATE TABLE article_lsh_buckets (
    bucket      integer NOT NULL,
    article_id  integer NOT NULL
);
-- The low 32 bits of the old 64-bit buckets, as crawler/minhash.py now computes them.
INSERT INTO article_lsh_buckets (bucket, article_id)
SELECT bucket::bit(32)::integer AS b, article_id FROM article_lsh_bands ORDER BY b, article_id;
CREATE INDEX article_lsh_buckets_idx ON article_lsh_buckets (bucket, article_id);
DROP TABLE article_lsh_bands;

COMMENT ON TABLE article_minhash IS
    'Which text each article was signed from (content_hash; stale when articles.content_hash differs) and its signature''s first minima.';
COMMENT ON COLUMN article_minhash.signature_prefix IS 'The first PRECHECK_PERM minima of the signature, to screen LSH candidates.';
COMMENT ON TABLE article_signatures IS 'Full MinHash signature of each signed article: NUM_PERM little-endian uint32 minima.';
COMMENT ON TABLE article_lsh_buckets IS
    'LSH: one row per band and signed article; articles sharing a bucket are near-duplicate candidates.';

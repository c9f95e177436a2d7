-- Bounded LSH buckets. A bucket shared by many articles holds boilerplate (stock phrases whose shingles
-- happen to be the minima), not copies: probing such a bucket used to return all its members, a number
-- that grows with the archive. Now only the BUCKET_WINDOW nearest members on each side in article-id
-- order are candidates (crawler/dedupe.py). The bands also change: 32 bands of 3 minima, taken from the
-- end of the signature so that they never overlap the screened prefix, which grows to 64 minima
-- (crawler/minhash.py).

-- Signatures, buckets and links are derived data: the next dedupe run signs and links every article again
-- and re-points each cluster as it goes, exactly as `newsroom dedupe --rebuild` would. duplicate_of stays
-- as it is until then, so analysts do not see clusters vanish in between.
TRUNCATE article_dup_edges, article_lsh_buckets, article_signatures, article_minhash;

-- A signature that is deleted (its article changed or was deleted) leaves its buckets: whoever was a
-- window apart across them may now be candidates, or no longer. The next dedupe batch removes the buckets
-- (found from the old signature: the table has no article_id index) and re-links those neighbours.
CREATE TABLE article_lsh_departures (
    article_id  bigint NOT NULL,
    signature   bytea NOT NULL
);

CREATE FUNCTION article_signature_departs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_lsh_departures (article_id, signature) VALUES (OLD.article_id, OLD.signature);
    RETURN NULL;
END
$$;

CREATE TRIGGER article_signature_departs AFTER DELETE ON article_signatures
    FOR EACH ROW EXECUTE FUNCTION article_signature_departs();

COMMENT ON TABLE article_lsh_departures IS
    'Signatures deleted since the last dedupe batch: their buckets are still in article_lsh_buckets.';
COMMENT ON TABLE article_lsh_buckets IS
    'LSH: one row per band and signed article; articles a few members apart in a bucket are near-duplicate candidates.';

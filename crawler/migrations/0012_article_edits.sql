-- Edit records: one row per new version of an article, computed by the clean stage when it writes
-- the version (crawler/edits.py), so analysts query edits without diffing texts themselves.

CREATE TABLE article_edits (
    article_id        bigint NOT NULL REFERENCES articles (article_id) ON DELETE CASCADE,
    version           integer NOT NULL,
    previous_version  integer NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('correction', 'substantial_rewrite', 'headline_change',
                                                    'minor_edit', 'metadata_only')),
    fields_changed    text[] NOT NULL,
    title_before      text,
    title_after       text,
    words_added       integer NOT NULL,
    words_removed     integer NOT NULL,
    body_similarity   real NOT NULL,
    correction_note   text,
    detected_at       timestamptz NOT NULL,
    run_id            text,
    PRIMARY KEY (article_id, version),
    CHECK (previous_version < version)
);
CREATE INDEX article_edits_detected_idx ON article_edits (detected_at);

COMMENT ON TABLE article_edits IS
    'One row per new version of an article: what changed since the previous version and what kind of '
    'change it was. Written by the clean stage; a reclean (new extractor, same page) writes none. '
    'Analysts: analytics.article_edits.';
COMMENT ON COLUMN article_edits.article_id IS 'The article.';
COMMENT ON COLUMN article_edits.version IS 'The version this edit produced (articles.version or a row of article_versions).';
COMMENT ON COLUMN article_edits.previous_version IS 'The version it replaced (a row of article_versions).';
COMMENT ON COLUMN article_edits.kind IS
    'correction (the edit added a correction or update note), substantial_rewrite (30 % or more of the '
    'body''s words replaced), headline_change, minor_edit (other text changes) or metadata_only '
    '(authors, section, tags or dates only); the first that applies, in this order.';
COMMENT ON COLUMN article_edits.fields_changed IS
    'Fields that differ from the previous version: title, lead, body, authors, section, tags, published_at, modified_at.';
COMMENT ON COLUMN article_edits.title_before IS 'Headline of the previous version.';
COMMENT ON COLUMN article_edits.title_after IS 'Headline of this version.';
COMMENT ON COLUMN article_edits.words_added IS 'Words of the body that are new in this version.';
COMMENT ON COLUMN article_edits.words_removed IS 'Words of the previous body that this version dropped.';
COMMENT ON COLUMN article_edits.body_similarity IS
    'Similarity of the old and new body, 0..1: twice the words kept over the words of both (1 = same text).';
COMMENT ON COLUMN article_edits.correction_note IS 'The added paragraph carrying the correction or update note (kind correction).';
COMMENT ON COLUMN article_edits.detected_at IS 'When the crawler fetched the changed page.';
COMMENT ON COLUMN article_edits.run_id IS 'The run that found the change.';

-- When the article's page was found gone (404/410). Issue 11 (the crawl helper, migration 0007) owns
-- this column and its detection; IF NOT EXISTS keeps both migrations applicable in either order.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS removed_at timestamptz;
COMMENT ON COLUMN articles.removed_at IS
    'When the article''s page was found gone (HTTP 404 or 410); NULL while it is online.';

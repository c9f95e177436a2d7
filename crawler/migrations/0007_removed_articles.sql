-- Removed articles: a post that left the site's listings and answers 404 or 410 keeps its row and
-- text, with the time the crawl noticed it gone. fetch_state.listed_at remembers when a URL was last
-- named by a complete listing (sitemaps or the REST API), so that leaving the listings is noticed.

ALTER TABLE articles ADD COLUMN removed_at timestamptz;
COMMENT ON COLUMN articles.removed_at IS
    'When the crawl found the article gone: it left the site''s listings and answered 404 or 410. '
    'NULL while it is online; cleared when it is listed or served again. Its text is kept.';
CREATE INDEX articles_removed_idx ON articles (site, removed_at) WHERE removed_at IS NOT NULL;

ALTER TABLE fetch_state ADD COLUMN listed_at timestamptz;
COMMENT ON COLUMN fetch_state.listed_at IS
    'Last time a sitemap or the REST API listed this URL; NULL once a complete listing left it out.';

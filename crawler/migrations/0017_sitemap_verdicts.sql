-- Which of a site's sitemaps list articles, as the probes of their first entries found. A sitemap of
-- archive pages (WordPress's taxonomy and user sitemaps) is then left unprobed on a night whose
-- navigation is only sampled, unless it falls into that night's sample (crawler/crawl/spider.py).

CREATE TABLE sitemap_verdicts (
    site        text NOT NULL,
    sitemap     text NOT NULL,
    checked_at  timestamptz NOT NULL,
    articles    boolean NOT NULL,
    PRIMARY KEY (site, sitemap)
);
COMMENT ON TABLE sitemap_verdicts IS
    'Per site and sitemap: whether the last probe of its first entries found an article page.';
COMMENT ON COLUMN sitemap_verdicts.sitemap IS 'Site-relative path (and query) of the sitemap.';
COMMENT ON COLUMN sitemap_verdicts.checked_at IS 'When the crawl night that probed it started.';
COMMENT ON COLUMN sitemap_verdicts.articles IS
    'True when one of its probed entries was an article; false for a sitemap of archive pages.';

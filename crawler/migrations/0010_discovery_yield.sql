-- Discovery that follows yield: per night, site and channel (sitemap, feed, rest-api, section,
-- pagination, archive, link, ...), how many requests the crawl spent and how many article pages not
-- known before they brought. The next night reads the last night's figures to decide how far to walk
-- navigation (crawler/crawl/spider.py).

CREATE TABLE discovery_yield (
    run_id    text NOT NULL REFERENCES crawl_runs (run_id) ON DELETE CASCADE,
    site      text NOT NULL,
    channel   text NOT NULL,
    requests  integer NOT NULL,
    articles  integer NOT NULL,
    PRIMARY KEY (run_id, channel)
);
CREATE INDEX discovery_yield_site_idx ON discovery_yield (site, run_id);
COMMENT ON TABLE discovery_yield IS
    'Per crawl night and discovery channel: requests spent and new article pages found.';
COMMENT ON COLUMN discovery_yield.channel IS
    'How the URLs were discovered: robots, sitemap, news-sitemap, rest-api, feed, section, pagination, '
    'archive, link, removal-check.';
COMMENT ON COLUMN discovery_yield.articles IS
    'Article pages (by the crawl''s cheap guess) found through this channel that no earlier night knew.';

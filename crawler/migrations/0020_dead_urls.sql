-- Dead listed URLs: a sitemap, feed or REST API entry that answered 404 or 410, ended in a redirect
-- loop, or permanently redirects to a page the crawl has. Before, fetch_state kept nothing for them
-- and every night fetched them again; now later nights skip them while their lastmod has not moved,
-- and re-check them every revisit_every_days (crawler/crawl/spider.py, PortalSpider._dead_due).

ALTER TABLE fetch_state ADD COLUMN dead_reason text;
COMMENT ON COLUMN fetch_state.dead_reason IS
    'Why a listed URL gave no page of its own at fetched_at (http_404, http_410, redirect_loop, or '
    'http_301/http_308 to a page the crawl has); NULL once it answers 2xx.';

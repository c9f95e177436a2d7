-- The size of a paginated listing (a section and its /page/N/), measured on a night that read its first
-- and last pages: (pages before the last) x (posts on the first) + (posts on the last). A later night
-- whose first and last pages show no new post, but whose listing holds more, has a post dated into its
-- middle and walks its middle pages (crawler/crawl/spider.py, PortalSpider._listing_grew).

ALTER TABLE fetch_state ADD COLUMN listing_items integer;
COMMENT ON COLUMN fetch_state.listing_items IS
    'For the first page of a paginated listing: how many posts the listing held when last measured; '
    'NULL when a night fetched it without measuring it.';

-- What a site prints around every article (title prefixes/suffixes, repeated text blocks), learned
-- by the clean stage from the site's stored pages and used when extracting its pages.
CREATE TABLE site_templates (
    site        text PRIMARY KEY,
    template    jsonb NOT NULL,
    pages       integer NOT NULL,
    learned_at  timestamptz NOT NULL DEFAULT now(),
    run_id      text
);

COMMENT ON TABLE site_templates IS
    'Per site: the template learned from a sample of its stored pages (crawler/extract/template.py); '
    'relearned by every clean run of the site.';
COMMENT ON COLUMN site_templates.site IS 'Base URL of the site (raw_pages.site).';
COMMENT ON COLUMN site_templates.template IS
    '{"title_prefixes": [...], "title_suffixes": [...], "boilerplate": [...], "pages": n}: strings that '
    'at least half of the sampled pages (and at least 4) share.';
COMMENT ON COLUMN site_templates.pages IS 'How many stored pages it was learned from.';
COMMENT ON COLUMN site_templates.learned_at IS 'When it was learned.';
COMMENT ON COLUMN site_templates.run_id IS 'The clean run that learned it (NULL for reclean).';

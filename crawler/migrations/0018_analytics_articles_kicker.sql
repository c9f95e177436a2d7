-- analytics.articles shows the kicker, the SEO title and the credited agencies (0008's columns). Same
-- view as 0015 otherwise: the new columns go at the end, where CREATE OR REPLACE VIEW may add them.
CREATE OR REPLACE VIEW analytics.articles AS
SELECT a.article_id,
       a.url,
       a.site,
       a.section,
       a.section_path,
       a.title,
       a.lead,
       a.body,
       a.authors,
       a.tags,
       a.published_at,
       (coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'Europe/Berlin')::date AS day,
       a.modified_at,
       a.first_seen_at,
       a.last_seen_at,
       a.version,
       a.word_count,
       a.is_paywalled,
       a.language,
       coalesce(c.copies, 0) AS copies,
       a.search_vector,
       a.kicker,
       a.seo_title,
       a.agencies
FROM public.articles a
LEFT JOIN (SELECT duplicate_of, count(*) AS copies
           FROM public.articles
           WHERE duplicate_of IS NOT NULL
           GROUP BY duplicate_of) c ON c.duplicate_of = a.article_id
WHERE a.duplicate_of IS NULL
  AND a.removed_at IS NULL;

COMMENT ON COLUMN analytics.articles.kicker IS
    'Kicker (Dachzeile/Spitzmarke) printed above or inside the headline; NULL when none.';
COMMENT ON COLUMN analytics.articles.seo_title IS
    'Title from og:title, JSON-LD or <title> when it words the headline differently; NULL when the same.';
COMMENT ON COLUMN analytics.articles.agencies IS
    'News agencies the page credits (byline, dateline or credit line), e.g. {dpa,AFP}.';

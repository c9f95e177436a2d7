-- The headline's kicker (Dachzeile), the SEO title where it differs from the printed headline, and
-- every news agency the page credits: stored with the article and each of its versions, and shown
-- to analysts. The view keeps its columns and appends the new ones (CREATE OR REPLACE may only add
-- columns at the end), so its triggers, grants and comments stay.
ALTER TABLE articles
    ADD COLUMN kicker text,
    ADD COLUMN seo_title text,
    ADD COLUMN agencies text[] NOT NULL DEFAULT '{}';
ALTER TABLE article_versions
    ADD COLUMN kicker text,
    ADD COLUMN seo_title text,
    ADD COLUMN agencies text[] NOT NULL DEFAULT '{}';

COMMENT ON COLUMN articles.kicker IS 'Kicker (Dachzeile/Spitzmarke) printed above or inside the headline; NULL when none.';
COMMENT ON COLUMN articles.seo_title IS 'Title from og:title/JSON-LD/<title> when it words the headline differently; NULL when the same.';
COMMENT ON COLUMN articles.agencies IS 'News agencies the page credits (byline, dateline or credit line), e.g. {dpa,AFP}.';
COMMENT ON COLUMN article_versions.kicker IS 'Kicker of this version.';
COMMENT ON COLUMN article_versions.seo_title IS 'SEO title of this version.';
COMMENT ON COLUMN article_versions.agencies IS 'Agencies credited in this version.';

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
WHERE a.duplicate_of IS NULL;

COMMENT ON COLUMN analytics.articles.title IS 'Headline as printed on the page (without its kicker unless the page prints them as one).';
COMMENT ON COLUMN analytics.articles.kicker IS 'Kicker (Dachzeile/Spitzmarke): the short line above or before the headline; NULL when none.';
COMMENT ON COLUMN analytics.articles.seo_title IS
    'The title the page gives search engines and social media (og:title, JSON-LD headline, <title> without the '
    'site name) when it words the headline differently; NULL when it is the same.';
COMMENT ON COLUMN analytics.articles.agencies IS
    'Every news agency the page credits, byline or not (dpa, AFP, Reuters, epd, KNA, APA, SDA, ...): '
    'WHERE agencies && ARRAY[''dpa''] finds agency copy.';
COMMENT ON COLUMN analytics.articles.authors IS
    'Byline as printed: people (with academic titles), an agency the byline credits, or a desk when no person is named.';

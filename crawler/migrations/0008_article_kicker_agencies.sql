-- The headline's kicker (Dachzeile), the SEO title where it differs from the printed headline, and
-- every news agency the page credits: stored with the article and each of its versions. (Showing
-- them in analytics.articles needs a migration after 0015, which lists that view's columns.)
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

-- What analysts query: the `analytics` schema (views over the core tables), German full-text
-- search, the read-only role `news_analyst`, and comments on everything analysts see, so that
-- psql's \d+ is the data dictionary.

-- ---------------------------------------------------------------------------------------------
-- Full-text search over title (weight A), lead (B) and body (C) with the german configuration.
-- ---------------------------------------------------------------------------------------------
-- STORAGE MAIN keeps the (compressed) vector in the row rather than in the TOAST table: testing
-- and ranking candidates then costs a decompression instead of TOAST index look-ups; the body
-- goes out of line first when a row is too large.
ALTER TABLE articles
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('german'::regconfig, coalesce(lead, '')), 'B')
        || setweight(to_tsvector('german'::regconfig, coalesce(body, '')), 'C')
    ) STORED,
    ALTER COLUMN search_vector SET STORAGE MAIN;
CREATE INDEX articles_search_idx ON articles USING gin (search_vector);

-- The Berlin calendar day of an article (published, else first seen): backs analytics.daily_counts.
-- INCLUDE makes daily_counts an index-only scan.
CREATE INDEX articles_berlin_day_idx
    ON articles (((coalesce(published_at, first_seen_at) AT TIME ZONE 'Europe/Berlin')::date))
    INCLUDE (site, section, published_at, first_seen_at, duplicate_of, word_count, is_paywalled);
-- Newest first among stories: the candidate window of analytics.search for very common words.
CREATE INDEX articles_story_published_idx
    ON articles (published_at DESC NULLS LAST) WHERE duplicate_of IS NULL;

-- ---------------------------------------------------------------------------------------------
-- The read-only role. Roles are cluster-wide and many databases share one server (tests), so
-- create it only when missing, and tolerate a parallel migrator creating it first.
-- ---------------------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'news_analyst') THEN
        BEGIN
            CREATE ROLE news_analyst NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;
COMMENT ON ROLE news_analyst IS
    'Read-only access to the analytics schema of the newsroom database. Grant it to a login: '
    'CREATE ROLE alice LOGIN PASSWORD ''...'' IN ROLE news_analyst;';

CREATE SCHEMA analytics;
COMMENT ON SCHEMA analytics IS
    'What analysts query: one row per story, copies, daily counts, crawl health and search(). '
    'Read through the role news_analyst; the tables in public are the pipeline''s.';

-- ---------------------------------------------------------------------------------------------
-- Views. They run with their owner's rights (no security_invoker), which is what lets
-- news_analyst read through them without any right on the tables underneath.
-- ---------------------------------------------------------------------------------------------
CREATE VIEW analytics.articles AS
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
       a.search_vector
FROM public.articles a
LEFT JOIN (SELECT duplicate_of, count(*) AS copies
           FROM public.articles
           WHERE duplicate_of IS NOT NULL
           GROUP BY duplicate_of) c ON c.duplicate_of = a.article_id
WHERE a.duplicate_of IS NULL;

COMMENT ON VIEW analytics.articles IS
    'One row per story: the latest version of every article that is not a copy of another '
    '(exact or near duplicates are in analytics.article_copies).';
COMMENT ON COLUMN analytics.articles.article_id IS 'Stable id of the story (public.articles.article_id).';
COMMENT ON COLUMN analytics.articles.url IS 'Canonical URL of the article.';
COMMENT ON COLUMN analytics.articles.site IS 'The portal it was crawled from (host name).';
COMMENT ON COLUMN analytics.articles.section IS 'Section as the portal names it (e.g. Politik); NULL when unknown.';
COMMENT ON COLUMN analytics.articles.section_path IS 'Full section breadcrumb, outermost first.';
COMMENT ON COLUMN analytics.articles.title IS 'Headline.';
COMMENT ON COLUMN analytics.articles.lead IS 'Teaser / lead paragraph; NULL when the page has none.';
COMMENT ON COLUMN analytics.articles.body IS 'Article text without boilerplate, paragraphs separated by blank lines.';
COMMENT ON COLUMN analytics.articles.authors IS 'Author names as printed; empty when none are given.';
COMMENT ON COLUMN analytics.articles.tags IS 'Keywords / tags the portal attached.';
COMMENT ON COLUMN analytics.articles.published_at IS 'Publication time as the page states it; NULL when the page gives none.';
COMMENT ON COLUMN analytics.articles.day IS
    'Calendar day in Europe/Berlin of published_at (first_seen_at when the page gives no date).';
COMMENT ON COLUMN analytics.articles.modified_at IS 'Last modification time as the page states it.';
COMMENT ON COLUMN analytics.articles.first_seen_at IS 'When the crawler first stored this URL.';
COMMENT ON COLUMN analytics.articles.last_seen_at IS 'When the crawler last fetched this URL.';
COMMENT ON COLUMN analytics.articles.version IS '1 for the first text seen; +1 each time the text changed.';
COMMENT ON COLUMN analytics.articles.word_count IS 'Words in the body.';
COMMENT ON COLUMN analytics.articles.is_paywalled IS 'True when the page showed only a teaser behind a paywall.';
COMMENT ON COLUMN analytics.articles.language IS 'Detected language code (de for German).';
COMMENT ON COLUMN analytics.articles.copies IS 'How many other articles are copies of this story (see analytics.article_copies).';
COMMENT ON COLUMN analytics.articles.search_vector IS
    'German full-text vector (title weight A, lead B, body C): '
    'WHERE search_vector @@ websearch_to_tsquery(''german'', ''...''); analytics.search() is the easy way.';

CREATE VIEW analytics.article_copies AS
SELECT c.article_id AS copy_id,
       c.url AS copy_url,
       c.site AS copy_site,
       c.title AS copy_title,
       c.published_at AS copy_published_at,
       c.first_seen_at AS copy_first_seen_at,
       o.article_id AS original_id,
       o.url AS original_url,
       o.site AS original_site,
       o.title AS original_title,
       o.published_at AS original_published_at,
       c.duplicate_method AS method,
       coalesce(c.duplicate_similarity, CASE WHEN c.duplicate_method = 'exact' THEN 1.0::real END) AS similarity,
       c.published_at - o.published_at AS delay
FROM public.articles c
JOIN public.articles o ON o.article_id = c.duplicate_of
WHERE c.duplicate_of IS NOT NULL;

COMMENT ON VIEW analytics.article_copies IS
    'Every article recognised as a copy of another (same or other site), beside its original.';
COMMENT ON COLUMN analytics.article_copies.copy_id IS 'Article id of the copy.';
COMMENT ON COLUMN analytics.article_copies.copy_url IS 'URL of the copy.';
COMMENT ON COLUMN analytics.article_copies.copy_site IS 'Site the copy appeared on.';
COMMENT ON COLUMN analytics.article_copies.copy_title IS 'Headline of the copy.';
COMMENT ON COLUMN analytics.article_copies.copy_published_at IS 'Publication time of the copy.';
COMMENT ON COLUMN analytics.article_copies.copy_first_seen_at IS 'When the crawler first stored the copy.';
COMMENT ON COLUMN analytics.article_copies.original_id IS 'Article id of the original (a row of analytics.articles).';
COMMENT ON COLUMN analytics.article_copies.original_url IS 'URL of the original.';
COMMENT ON COLUMN analytics.article_copies.original_site IS 'Site of the original.';
COMMENT ON COLUMN analytics.article_copies.original_title IS 'Headline of the original.';
COMMENT ON COLUMN analytics.article_copies.original_published_at IS 'Publication time of the original.';
COMMENT ON COLUMN analytics.article_copies.method IS
    'How the copy was found: exact (same normalised text) or near (MinHash similarity).';
COMMENT ON COLUMN analytics.article_copies.similarity IS
    'Estimated Jaccard similarity of the texts, 0..1 (1 for exact copies).';
COMMENT ON COLUMN analytics.article_copies.delay IS 'copy_published_at - original_published_at (NULL when either is unknown).';

CREATE VIEW analytics.daily_counts AS
SELECT (coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'Europe/Berlin')::date AS day,
       a.site,
       a.section,
       count(*) FILTER (WHERE a.duplicate_of IS NULL) AS articles,
       count(*) FILTER (WHERE a.duplicate_of IS NOT NULL) AS copies,
       coalesce(sum(a.word_count) FILTER (WHERE a.duplicate_of IS NULL), 0) AS words,
       count(*) FILTER (WHERE a.duplicate_of IS NULL AND a.is_paywalled) AS paywalled,
       count(*) FILTER (WHERE a.duplicate_of IS NULL AND a.published_at IS NULL) AS undated
FROM public.articles a
GROUP BY 1, 2, 3;

COMMENT ON VIEW analytics.daily_counts IS
    'Articles per calendar day in Europe/Berlin, site and section. Filter on day '
    '(WHERE day >= date ''2026-03-01'' AND day < date ''2026-04-01''): it uses an index.';
COMMENT ON COLUMN analytics.daily_counts.day IS
    'Calendar day in Europe/Berlin of published_at (first_seen_at when the page gives no date).';
COMMENT ON COLUMN analytics.daily_counts.site IS 'The portal (host name).';
COMMENT ON COLUMN analytics.daily_counts.section IS 'Section; NULL when unknown.';
COMMENT ON COLUMN analytics.daily_counts.articles IS 'Stories (copies excluded), as in analytics.articles.';
COMMENT ON COLUMN analytics.daily_counts.copies IS 'Articles recognised as copies of another story.';
COMMENT ON COLUMN analytics.daily_counts.words IS 'Total words of the stories.';
COMMENT ON COLUMN analytics.daily_counts.paywalled IS 'Stories behind a paywall.';
COMMENT ON COLUMN analytics.daily_counts.undated IS 'Stories without a publication date (counted on their first-seen day).';

CREATE VIEW analytics.crawl_health AS
SELECT r.run_id,
       r.site,
       r.started_at,
       r.finished_at,
       r.status,
       (r.stats #>> '{crawl,discovered}')::numeric::bigint AS discovered,
       (r.stats #>> '{crawl,fetched}')::numeric::bigint AS fetched,
       (r.stats #>> '{crawl,not_modified}')::numeric::bigint AS not_modified,
       (r.stats #>> '{crawl,skipped_unchanged}')::numeric::bigint AS skipped_unchanged,
       (r.stats #>> '{crawl,stored}')::numeric::bigint AS stored,
       (r.stats #>> '{crawl,bytes}')::numeric::bigint AS bytes,
       (r.stats #>> '{clean,pages}')::numeric::bigint AS cleaned,
       (r.stats #>> '{clean,new}')::numeric::bigint AS new,
       (r.stats #>> '{clean,updated}')::numeric::bigint AS updated,
       (r.stats #>> '{clean,unchanged}')::numeric::bigint AS unchanged,
       (r.stats #>> '{dedupe,checked}')::numeric::bigint AS dedupe_checked,
       (r.stats #>> '{dedupe,duplicates}')::numeric::bigint AS duplicates,
       (r.stats #>> '{dedupe,exact}')::numeric::bigint AS exact_duplicates,
       (r.stats #>> '{dedupe,near}')::numeric::bigint AS near_duplicates,
       rej.rejected,
       rej.rejected_total,
       (r.stats #>> '{clean,field_fill,title}')::numeric AS fill_title,
       (r.stats #>> '{clean,field_fill,published_at}')::numeric AS fill_published_at,
       (r.stats #>> '{clean,field_fill,body}')::numeric AS fill_body,
       (r.stats #>> '{clean,field_fill,authors}')::numeric AS fill_authors,
       (r.stats #>> '{clean,field_fill,section}')::numeric AS fill_section,
       (r.stats #>> '{crawl,seconds}')::numeric AS crawl_seconds,
       (r.stats #>> '{clean,seconds}')::numeric AS clean_seconds,
       (r.stats #>> '{dedupe,seconds}')::numeric AS dedupe_seconds,
       coalesce((r.stats #>> '{crawl,seconds}')::numeric, 0)
           + coalesce((r.stats #>> '{clean,seconds}')::numeric, 0)
           + coalesce((r.stats #>> '{dedupe,seconds}')::numeric, 0) AS seconds
FROM public.crawl_runs r
CROSS JOIN LATERAL (
    SELECT coalesce(jsonb_object_agg(x.reason, x.pages ORDER BY x.reason), '{}'::jsonb) AS rejected,
           coalesce(sum(x.pages), 0)::bigint AS rejected_total
    FROM (SELECT e.key AS reason, sum(e.value::numeric)::bigint AS pages
          FROM (SELECT (jsonb_each_text(CASE WHEN jsonb_typeof(r.stats #> ARRAY[stage, 'rejected']) = 'object'
                                             THEN r.stats #> ARRAY[stage, 'rejected'] END)).*
                FROM unnest(ARRAY['crawl', 'clean']) AS stage) e
          GROUP BY e.key) x
) rej;

COMMENT ON VIEW analytics.crawl_health IS
    'One row per crawl run (site and night) with the figures each stage recorded in crawl_runs.stats; '
    'NULL where a stage has not run. Per-reason rejections are in analytics.crawl_rejections.';
COMMENT ON COLUMN analytics.crawl_health.run_id IS 'Run id, e.g. 20261124T020000Z-example.de (sortable by start).';
COMMENT ON COLUMN analytics.crawl_health.site IS 'Base URL of the crawled site.';
COMMENT ON COLUMN analytics.crawl_health.started_at IS 'When the run started.';
COMMENT ON COLUMN analytics.crawl_health.finished_at IS 'When the run finished; NULL while running.';
COMMENT ON COLUMN analytics.crawl_health.status IS 'running, success or failed.';
COMMENT ON COLUMN analytics.crawl_health.discovered IS 'Article URLs found in sitemaps and section pages.';
COMMENT ON COLUMN analytics.crawl_health.fetched IS 'Pages requested from the site.';
COMMENT ON COLUMN analytics.crawl_health.not_modified IS 'Fetches answered 304 Not Modified.';
COMMENT ON COLUMN analytics.crawl_health.skipped_unchanged IS 'URLs not fetched because the sitemap said they were unchanged.';
COMMENT ON COLUMN analytics.crawl_health.stored IS 'Pages stored in raw_pages.';
COMMENT ON COLUMN analytics.crawl_health.bytes IS 'Bytes downloaded.';
COMMENT ON COLUMN analytics.crawl_health.cleaned IS 'Raw pages the clean stage processed.';
COMMENT ON COLUMN analytics.crawl_health.new IS 'Articles stored for the first time.';
COMMENT ON COLUMN analytics.crawl_health.updated IS 'Articles whose text changed (a new version).';
COMMENT ON COLUMN analytics.crawl_health.unchanged IS 'Articles fetched again with the same text.';
COMMENT ON COLUMN analytics.crawl_health.dedupe_checked IS 'Articles the dedupe stage compared.';
COMMENT ON COLUMN analytics.crawl_health.duplicates IS 'Articles marked as copies in this run.';
COMMENT ON COLUMN analytics.crawl_health.exact_duplicates IS 'Of those, exact copies.';
COMMENT ON COLUMN analytics.crawl_health.near_duplicates IS 'Of those, near copies.';
COMMENT ON COLUMN analytics.crawl_health.rejected IS
    'Pages rejected by crawl and clean, by reason: {"reason": pages}.';
COMMENT ON COLUMN analytics.crawl_health.rejected_total IS 'Sum of rejected.';
COMMENT ON COLUMN analytics.crawl_health.fill_title IS 'Share (0..1) of the run''s articles with a title.';
COMMENT ON COLUMN analytics.crawl_health.fill_published_at IS 'Share (0..1) with a publication date.';
COMMENT ON COLUMN analytics.crawl_health.fill_body IS 'Share (0..1) with a body.';
COMMENT ON COLUMN analytics.crawl_health.fill_authors IS 'Share (0..1) with at least one author.';
COMMENT ON COLUMN analytics.crawl_health.fill_section IS 'Share (0..1) with a section.';
COMMENT ON COLUMN analytics.crawl_health.crawl_seconds IS 'Wall-clock seconds of the crawl stage.';
COMMENT ON COLUMN analytics.crawl_health.clean_seconds IS 'Wall-clock seconds of the clean stage.';
COMMENT ON COLUMN analytics.crawl_health.dedupe_seconds IS 'Wall-clock seconds of the dedupe stage.';
COMMENT ON COLUMN analytics.crawl_health.seconds IS 'Sum of the stages'' seconds.';

CREATE VIEW analytics.crawl_rejections AS
SELECT r.run_id,
       r.site,
       r.started_at,
       s.stage,
       e.key AS reason,
       e.value::numeric::bigint AS pages
FROM public.crawl_runs r
CROSS JOIN unnest(ARRAY['crawl', 'clean']) AS s(stage)
CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(r.stats #> ARRAY[s.stage, 'rejected']) = 'object'
                                        THEN r.stats #> ARRAY[s.stage, 'rejected'] END) e;

COMMENT ON VIEW analytics.crawl_rejections IS 'Rejected pages per run, stage and reason (long form of crawl_health.rejected).';
COMMENT ON COLUMN analytics.crawl_rejections.run_id IS 'Run id.';
COMMENT ON COLUMN analytics.crawl_rejections.site IS 'Base URL of the crawled site.';
COMMENT ON COLUMN analytics.crawl_rejections.started_at IS 'When the run started.';
COMMENT ON COLUMN analytics.crawl_rejections.stage IS 'crawl or clean.';
COMMENT ON COLUMN analytics.crawl_rejections.reason IS 'Why the pages were rejected (e.g. not_article, too_short).';
COMMENT ON COLUMN analytics.crawl_rejections.pages IS 'Pages rejected for that reason.';

-- The views are read-only. Without an INSTEAD OF trigger a write to a view that is not
-- automatically updatable fails in the rewriter ("cannot insert into view") before privileges are
-- checked; with it, news_analyst gets the privilege error and everyone else this one.
CREATE FUNCTION analytics.refuse_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION 'analytics.% is read-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The pipeline writes the tables in schema public; analytics only shows them.';
END
$fn$;
COMMENT ON FUNCTION analytics.refuse_write() IS 'Trigger: refuses INSERT, UPDATE and DELETE on the analytics views.';
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.articles
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.article_copies
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.daily_counts
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.crawl_health
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.crawl_rejections
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();

-- ---------------------------------------------------------------------------------------------
-- Search. SECURITY DEFINER (with a fixed search_path) so that news_analyst can call it without
-- rights on public.articles. Ranking every match of a very common word is what makes search
-- slow, so the ranking runs over a candidate window: every match when there are at most
-- `window_size` (1000) of them, else the 1000 newest matching stories. ts_headline, the
-- other expensive part, runs only for the `lim` rows returned.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION analytics.search(query text, since timestamptz DEFAULT NULL, lim integer DEFAULT 20)
RETURNS TABLE (rank real, title text, url text, published_at timestamptz, snippet text,
               article_id bigint, site text, section text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tsq tsquery := websearch_to_tsquery('german'::regconfig, query);
    window_size constant integer := 1000;
BEGIN
    IF numnode(tsq) = 0 THEN
        RETURN;  -- only stop words or nothing searchable
    END IF;
    -- EXECUTE plans with the actual query, so the planner sees how common its words are. Only
    -- ids travel through the candidate sort; vectors are read again for the window only, texts
    -- for the lim rows returned.
    RETURN QUERY EXECUTE $q$
        WITH candidates AS (
            SELECT a.article_id
            FROM public.articles a
            WHERE a.search_vector @@ $1
              AND a.duplicate_of IS NULL
              AND ($2::timestamptz IS NULL OR a.published_at >= $2)
            ORDER BY a.published_at DESC NULLS LAST
            LIMIT $4
        ), ranked AS (
            SELECT a.article_id, a.published_at, ts_rank(a.search_vector, $1) AS rank
            FROM candidates c
            JOIN public.articles a ON a.article_id = c.article_id
            ORDER BY rank DESC, a.published_at DESC NULLS LAST, a.article_id
            LIMIT $3
        )
        SELECT r.rank, a.title, a.url, a.published_at,
               ts_headline('german'::regconfig, coalesce(a.lead || ' ', '') || a.body, $1,
                           'MaxFragments=2, MinWords=8, MaxWords=20, FragmentDelimiter=" … "'),
               a.article_id, a.site, a.section
        FROM ranked r
        JOIN public.articles a ON a.article_id = r.article_id
        ORDER BY r.rank DESC, r.published_at DESC NULLS LAST, r.article_id
    $q$ USING tsq, since, greatest(lim, 0), greatest(window_size, lim);
END
$fn$;

COMMENT ON FUNCTION analytics.search(text, timestamptz, integer) IS
    'Full-text search over the stories (copies excluded), German stemming, the syntax people type '
    '(words, "exact phrase", or, -exclude): SELECT * FROM analytics.search(''Drohung'', since => now() - '
    'interval ''30 days'', lim => 20). Returns the best-ranked lim stories (title hits above lead above body) '
    'with a highlighted snippet. When a query matches more than 1000 stories, only the 1000 newest matches '
    'are ranked; narrow with since or more words.';

-- ---------------------------------------------------------------------------------------------
-- Privileges: news_analyst reads analytics and nothing else.
-- ---------------------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM news_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM news_analyst;
REVOKE ALL ON SCHEMA analytics FROM PUBLIC;
GRANT USAGE ON SCHEMA analytics TO news_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO news_analyst;
REVOKE ALL ON FUNCTION analytics.search(text, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics.search(text, timestamptz, integer) TO news_analyst;
-- Views and functions later migrations add to analytics are readable by the analyst too.
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO news_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT EXECUTE ON FUNCTIONS TO news_analyst;

-- ---------------------------------------------------------------------------------------------
-- The data dictionary of the core tables (the pipeline's; analysts read them through analytics).
-- ---------------------------------------------------------------------------------------------
COMMENT ON TABLE schema_migrations IS 'Applied migrations (sql/NNNN_*.sql), with a checksum guarding against edits.';
COMMENT ON COLUMN schema_migrations.version IS 'The NNNN of the migration file.';
COMMENT ON COLUMN schema_migrations.name IS 'File name without .sql.';
COMMENT ON COLUMN schema_migrations.checksum IS 'sha256 of the file as applied.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied.';

COMMENT ON TABLE crawl_runs IS 'The run ledger: one row per site and night; each stage records its figures in stats.';
COMMENT ON COLUMN crawl_runs.run_id IS 'Readable, sortable id: <UTC start>-<site>, e.g. 20261124T020000Z-example.de.';
COMMENT ON COLUMN crawl_runs.site IS 'Base URL of the crawled site.';
COMMENT ON COLUMN crawl_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN crawl_runs.finished_at IS 'When the run finished; NULL while running.';
COMMENT ON COLUMN crawl_runs.status IS 'running, success or failed.';
COMMENT ON COLUMN crawl_runs.stats IS
    'Per-stage figures: crawl {discovered, fetched, not_modified, skipped_unchanged, stored, rejected, bytes, '
    'seconds}, clean {pages, new, updated, unchanged, rejected, field_fill, seconds}, dedupe {checked, '
    'duplicates, exact, near, seconds}. Flattened in analytics.crawl_health.';
COMMENT ON COLUMN crawl_runs.airflow_run_id IS 'The Airflow DAG run that started it, if any.';

COMMENT ON TABLE raw_pages IS 'Every page as fetched (gzipped body and headers), kept so that articles can be re-extracted.';
COMMENT ON COLUMN raw_pages.page_id IS 'Id of the fetched page.';
COMMENT ON COLUMN raw_pages.run_id IS 'The run that fetched it.';
COMMENT ON COLUMN raw_pages.site IS 'Base URL of the site.';
COMMENT ON COLUMN raw_pages.url IS 'URL requested.';
COMMENT ON COLUMN raw_pages.final_url IS 'URL after redirects.';
COMMENT ON COLUMN raw_pages.status IS 'HTTP status of the response.';
COMMENT ON COLUMN raw_pages.headers IS 'Response headers.';
COMMENT ON COLUMN raw_pages.content_type IS 'Content-Type header.';
COMMENT ON COLUMN raw_pages.body_gzip IS 'Response body, gzip-compressed.';
COMMENT ON COLUMN raw_pages.body_bytes IS 'Size of the uncompressed body in bytes.';
COMMENT ON COLUMN raw_pages.body_sha256 IS 'sha256 of the uncompressed body.';
COMMENT ON COLUMN raw_pages.fetched_at IS 'When it was fetched.';
COMMENT ON COLUMN raw_pages.discovered_via IS 'Where the URL was found (sitemap, section page, link).';
COMMENT ON COLUMN raw_pages.sitemap_lastmod IS 'lastmod the sitemap gave for the URL.';
COMMENT ON COLUMN raw_pages.rejected_reason IS 'Why the page did not become an article (reason[: detail]); NULL when it did.';
COMMENT ON COLUMN raw_pages.cleaned_at IS 'When the clean stage processed it; NULL while pending.';
COMMENT ON COLUMN raw_pages.clean_outcome IS 'What cleaning made of it: new, updated, unchanged or rejected.';
COMMENT ON COLUMN raw_pages.extractor_version IS 'Extractor version that cleaned it.';
COMMENT ON COLUMN raw_pages.article_id IS 'The article it produced or updated.';

COMMENT ON TABLE fetch_state IS 'What the last fetch of each URL returned; drives conditional requests and sitemap skips.';
COMMENT ON COLUMN fetch_state.url IS 'URL fetched.';
COMMENT ON COLUMN fetch_state.site IS 'Base URL of the site.';
COMMENT ON COLUMN fetch_state.etag IS 'ETag of the last response (sent as If-None-Match).';
COMMENT ON COLUMN fetch_state.last_modified IS 'Last-Modified of the last response (sent as If-Modified-Since).';
COMMENT ON COLUMN fetch_state.sitemap_lastmod IS 'Sitemap lastmod at the last fetch.';
COMMENT ON COLUMN fetch_state.status IS 'HTTP status of the last fetch.';
COMMENT ON COLUMN fetch_state.body_sha256 IS 'sha256 of the last body.';
COMMENT ON COLUMN fetch_state.fetched_at IS 'When it was last fetched.';
COMMENT ON COLUMN fetch_state.run_id IS 'Run of the last fetch.';

COMMENT ON TABLE articles IS
    'One row per canonical URL with its latest text; earlier texts are in article_versions. '
    'Analysts: use analytics.articles (copies excluded) and analytics.article_copies.';
COMMENT ON COLUMN articles.article_id IS 'Stable article id.';
COMMENT ON COLUMN articles.url IS 'Canonical URL (other URLs of it are in url_aliases).';
COMMENT ON COLUMN articles.site IS 'The portal (host name).';
COMMENT ON COLUMN articles.title IS 'Headline.';
COMMENT ON COLUMN articles.lead IS 'Teaser / lead paragraph.';
COMMENT ON COLUMN articles.body IS 'Article text without boilerplate.';
COMMENT ON COLUMN articles.authors IS 'Author names as printed.';
COMMENT ON COLUMN articles.section IS 'Section as the portal names it; NULL when unknown.';
COMMENT ON COLUMN articles.section_path IS 'Full section breadcrumb, outermost first.';
COMMENT ON COLUMN articles.tags IS 'Keywords / tags the portal attached.';
COMMENT ON COLUMN articles.published_at IS 'Publication time as the page states it.';
COMMENT ON COLUMN articles.modified_at IS 'Last modification time as the page states it.';
COMMENT ON COLUMN articles.language IS 'Detected language code.';
COMMENT ON COLUMN articles.word_count IS 'Words in the body.';
COMMENT ON COLUMN articles.content_hash IS 'Hash of the normalised text: equal hashes are exact copies.';
COMMENT ON COLUMN articles.is_paywalled IS 'True when only a teaser was visible behind a paywall.';
COMMENT ON COLUMN articles.duplicate_of IS 'The original article of the cluster this one copies; NULL for originals.';
COMMENT ON COLUMN articles.duplicate_method IS 'exact or near: how the copy was found.';
COMMENT ON COLUMN articles.duplicate_similarity IS 'Estimated Jaccard similarity to the original, 0..1.';
COMMENT ON COLUMN articles.first_seen_at IS 'When the crawler first stored this URL.';
COMMENT ON COLUMN articles.last_seen_at IS 'When the crawler last fetched this URL.';
COMMENT ON COLUMN articles.version IS 'Text version: 1 at first, +1 each time the text changed.';
COMMENT ON COLUMN articles.extractor_version IS 'Extractor version that produced the current fields.';
COMMENT ON COLUMN articles.field_sources IS 'Per field, where the extractor took it from (json-ld, meta, html, ...).';
COMMENT ON COLUMN articles.raw_page_id IS 'The raw page the current fields were extracted from.';
COMMENT ON COLUMN articles.run_id IS 'The run that last changed the row.';
COMMENT ON COLUMN articles.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN articles.search_vector IS 'German full-text vector: title weight A, lead B, body C (generated).';

COMMENT ON TABLE article_versions IS 'Earlier texts of articles: the text a change replaced, valid from valid_from to valid_to.';
COMMENT ON COLUMN article_versions.article_id IS 'The article.';
COMMENT ON COLUMN article_versions.version IS 'Version number of this text.';
COMMENT ON COLUMN article_versions.title IS 'Headline of that version.';
COMMENT ON COLUMN article_versions.lead IS 'Lead of that version.';
COMMENT ON COLUMN article_versions.body IS 'Text of that version.';
COMMENT ON COLUMN article_versions.authors IS 'Authors of that version.';
COMMENT ON COLUMN article_versions.section IS 'Section of that version.';
COMMENT ON COLUMN article_versions.tags IS 'Tags of that version.';
COMMENT ON COLUMN article_versions.published_at IS 'Publication time of that version.';
COMMENT ON COLUMN article_versions.modified_at IS 'Modification time of that version.';
COMMENT ON COLUMN article_versions.word_count IS 'Words in that body.';
COMMENT ON COLUMN article_versions.content_hash IS 'Hash of that normalised text.';
COMMENT ON COLUMN article_versions.valid_from IS 'First seen with this text.';
COMMENT ON COLUMN article_versions.valid_to IS 'When a changed text replaced it.';
COMMENT ON COLUMN article_versions.run_id IS 'The run that stored this text.';

COMMENT ON TABLE url_aliases IS 'Every URL an article was fetched under (AMP copies, redirects, tracking links).';
COMMENT ON COLUMN url_aliases.url IS 'The alias URL.';
COMMENT ON COLUMN url_aliases.article_id IS 'The article it leads to.';
COMMENT ON COLUMN url_aliases.first_seen_at IS 'When the alias was first seen.';

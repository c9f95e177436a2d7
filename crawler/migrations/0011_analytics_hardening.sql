-- Hardening of what analysts reach (issue 13): crawl_health counts each rejected page once,
-- every analytics view is a security barrier, search() has a hard cap on lim, the analyst role a
-- statement_timeout; the run ledger shows why a run failed; an index backs per-article figures.

-- ---------------------------------------------------------------------------------------------
-- crawl_health: the clean stage's `rejected` already holds every rejected page of the run,
-- including those the crawl rejected, so adding the crawl's counted those twice. One source:
-- clean's figures once the clean ran, the crawl's before. Figures of new/updated/unchanged are
-- articles (computed from the tables by the clean stage), not pages.
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW analytics.crawl_health AS
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
           + coalesce((r.stats #>> '{dedupe,seconds}')::numeric, 0) AS seconds,
       r.stats ->> 'failure' AS failure
FROM public.crawl_runs r
CROSS JOIN LATERAL (
    SELECT coalesce(jsonb_object_agg(e.key, e.value::numeric::bigint ORDER BY e.key), '{}'::jsonb) AS rejected,
           coalesce(sum(e.value::numeric), 0)::bigint AS rejected_total
    FROM jsonb_each_text(CASE
             WHEN jsonb_typeof(r.stats #> '{clean,rejected}') = 'object' THEN r.stats #> '{clean,rejected}'
             WHEN jsonb_typeof(r.stats #> '{crawl,rejected}') = 'object' THEN r.stats #> '{crawl,rejected}'
         END) e
) rej;

COMMENT ON COLUMN analytics.crawl_health.run_id IS
    'Run id, e.g. 20261124T020000.123456Z-3f9a1c-example.de (sortable by start, unique per run).';
COMMENT ON COLUMN analytics.crawl_health.rejected IS
    'Pages of the run rejected by crawl or clean, by reason, each page once: {"reason": pages}.';
COMMENT ON COLUMN analytics.crawl_health.new IS 'Articles this run brought into the archive (first fetched by it).';
COMMENT ON COLUMN analytics.crawl_health.updated IS 'Articles whose text this run changed (a new version).';
COMMENT ON COLUMN analytics.crawl_health.unchanged IS 'Articles this run fetched again with the same text.';
COMMENT ON COLUMN analytics.crawl_health.failure IS
    'Why the run failed, in one line (NULL unless status is failed).';
COMMENT ON COLUMN crawl_runs.run_id IS
    'Readable, sortable, unique id: <UTC start with microseconds>-<random>-<site>, e.g. 20261124T020000.123456Z-3f9a1c-example.de.';

-- ---------------------------------------------------------------------------------------------
-- Security barriers: without one, the planner may push an analyst's cheap (possibly leaky)
-- function below the view's WHERE, and it then sees rows the view hides (the copies behind
-- analytics.articles). Every view of the schema, whoever added it.
-- ---------------------------------------------------------------------------------------------
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'analytics' AND c.relkind = 'v'
    LOOP
        EXECUTE format('ALTER VIEW analytics.%I SET (security_barrier = true)', v.relname);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- search(): lim is capped at the ranking window (1000), so a huge lim can no longer lift the
-- window and rank every match of a common word.
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION analytics.search(query text, since timestamptz DEFAULT NULL, lim integer DEFAULT 20)
RETURNS TABLE (rank real, title text, url text, published_at timestamptz, snippet text,
               article_id bigint, site text, section text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tsq tsquery := websearch_to_tsquery('german'::regconfig, query);
    window_size constant integer := 1000;
    capped integer := least(greatest(coalesce(lim, 20), 0), window_size);
BEGIN
    IF numnode(tsq) = 0 THEN
        RETURN;  -- only stop words or nothing searchable
    END IF;
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
    $q$ USING tsq, since, capped, window_size;
END
$fn$;

COMMENT ON FUNCTION analytics.search(text, timestamptz, integer) IS
    'Full-text search over the stories (copies excluded), German stemming, the syntax people type '
    '(words, "exact phrase", or, -exclude): SELECT * FROM analytics.search(''Drohung'', since => now() - '
    'interval ''30 days'', lim => 20). Returns the best-ranked lim stories (at most 1000; title hits above '
    'lead above body) with a highlighted snippet. When a query matches more than 1000 stories, only the '
    '1000 newest matches are ranked; narrow with since or more words.';

-- ---------------------------------------------------------------------------------------------
-- A statement_timeout for analysts. PostgreSQL applies a role's settings to sessions that log in
-- as that role, not to members of it: a login made for an analyst gets the same line (see the
-- role's comment), and the role's own value is what the recipe copies.
-- ---------------------------------------------------------------------------------------------
ALTER ROLE news_analyst SET statement_timeout = '60s';
COMMENT ON ROLE news_analyst IS
    'Read-only access to the analytics schema of the newsroom database. Grant it to a login, with the '
    'same statement_timeout: CREATE ROLE alice LOGIN PASSWORD ''...'' IN ROLE news_analyst; '
    'ALTER ROLE alice SET statement_timeout = ''60s'';';

-- Per-article figures of a run (which run first fetched an article) look pages up by article.
CREATE INDEX raw_pages_article_fetched_idx ON raw_pages (article_id, fetched_at) WHERE article_id IS NOT NULL;

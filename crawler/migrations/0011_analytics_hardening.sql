-- Hardening of what analysts reach (issue 13): crawl_health counts each rejected page once,
-- every analytics view is a security barrier, the analyst role has a statement_timeout; the run ledger shows why a run failed; an index backs per-article figures.

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

-- Views later migrations add to analytics become barriers as they are created: an event trigger
-- (creating one needs a superuser; without one, a later migration has to set the option itself).
CREATE FUNCTION public.analytics_views_are_barriers() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    obj record;
BEGIN
    FOR obj IN SELECT * FROM pg_event_trigger_ddl_commands()
               WHERE object_type = 'view' AND schema_name = 'analytics'
    LOOP
        EXECUTE format('ALTER VIEW %s SET (security_barrier = true)', obj.object_identity);
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION public.analytics_views_are_barriers() IS
    'Event trigger: every view created in schema analytics is made a security_barrier view.';
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        CREATE EVENT TRIGGER analytics_views_are_barriers ON ddl_command_end WHEN TAG IN ('CREATE VIEW')
            EXECUTE FUNCTION public.analytics_views_are_barriers();
    END IF;
END
$$;

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

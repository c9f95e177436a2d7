-- analytics.search() returns at most 1000 rows (issue 13): lim no longer lifts the ranking window, so
-- lim => 2147483647 cannot make it rank every match of a common word. Same function as 0015 otherwise.
CREATE OR REPLACE FUNCTION analytics.search(query text, since timestamptz DEFAULT NULL, lim integer DEFAULT 20,
                                 include_removed boolean DEFAULT false)
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
              AND ($5 OR a.removed_at IS NULL)
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
    $q$ USING tsq, since, capped, window_size, include_removed;
END
$fn$;

COMMENT ON FUNCTION analytics.search(text, timestamptz, integer, boolean) IS
    'Full-text search over the stories (copies excluded), German stemming, the syntax people type '
    '(words, "exact phrase", or, -exclude): SELECT * FROM analytics.search(''Drohung'', since => now() - '
    'interval ''30 days'', lim => 20). Returns the best-ranked lim stories (at most 1000; title hits above lead '
    'above body) '
    'with a highlighted snippet. Removed articles are left out unless include_removed => true. When a query '
    'matches more than 1000 stories, only the 1000 newest matches are ranked; narrow with since or more words.';

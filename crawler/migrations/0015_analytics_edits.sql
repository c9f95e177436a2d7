-- What changed overnight, for analysts: edits, headline changes, removed articles, edits per day,
-- a paragraph diff between two versions, and removed articles left out of articles and search.
-- Same conventions as 0003_analytics.sql: views run with the owner's rights, read_only triggers,
-- comments on every view and column, news_analyst may read and call, nothing else.

CREATE VIEW analytics.article_edits AS
SELECT e.article_id,
       a.title,
       a.url,
       a.site,
       a.section,
       e.detected_at,
       (e.detected_at AT TIME ZONE 'Europe/Berlin')::date AS day,
       e.kind,
       e.previous_version,
       e.version,
       e.fields_changed,
       e.words_added,
       e.words_removed,
       e.body_similarity,
       e.title_before,
       e.title_after,
       e.correction_note,
       a.published_at,
       e.detected_at - a.published_at AS after_publication,
       a.duplicate_of IS NOT NULL AS is_copy,
       a.removed_at
FROM public.article_edits e
JOIN public.articles a ON a.article_id = e.article_id;

COMMENT ON VIEW analytics.article_edits IS
    'One row per edit: a change of an article''s page between two nights (a new version), what kind of '
    'change, how many words, the headline before and after. A re-extraction with a newer extractor is not '
    'an edit. The texts: analytics.article_diff(article_id, previous_version, version).';
COMMENT ON COLUMN analytics.article_edits.article_id IS 'The article (a row of analytics.articles unless it is a copy or removed).';
COMMENT ON COLUMN analytics.article_edits.title IS 'The article''s current headline.';
COMMENT ON COLUMN analytics.article_edits.url IS 'Canonical URL of the article.';
COMMENT ON COLUMN analytics.article_edits.site IS 'The portal (host name).';
COMMENT ON COLUMN analytics.article_edits.section IS 'The article''s current section; NULL when unknown.';
COMMENT ON COLUMN analytics.article_edits.detected_at IS 'When the crawler fetched the changed page (the change happened before).';
COMMENT ON COLUMN analytics.article_edits.day IS 'Calendar day in Europe/Berlin of detected_at.';
COMMENT ON COLUMN analytics.article_edits.kind IS
    'correction (the edit added a note such as "Korrektur", "Update", "Aktualisiert", "In einer früheren '
    'Version"), substantial_rewrite (30 % or more of the body''s words replaced), headline_change, '
    'minor_edit (other text changes, e.g. a typo) or metadata_only (authors, section, tags or publication '
    'date only); the first that applies, in this order.';
COMMENT ON COLUMN analytics.article_edits.previous_version IS 'The version the edit replaced.';
COMMENT ON COLUMN analytics.article_edits.version IS 'The version the edit produced.';
COMMENT ON COLUMN analytics.article_edits.fields_changed IS
    'Fields that differ: title, lead, body, authors, section, tags, published_at, modified_at.';
COMMENT ON COLUMN analytics.article_edits.words_added IS 'Words of the new body that the old one did not have.';
COMMENT ON COLUMN analytics.article_edits.words_removed IS 'Words of the old body that the new one dropped.';
COMMENT ON COLUMN analytics.article_edits.body_similarity IS
    'Similarity of old and new body, 0..1: twice the words kept over the words of both (1 = same text).';
COMMENT ON COLUMN analytics.article_edits.title_before IS 'Headline before the edit.';
COMMENT ON COLUMN analytics.article_edits.title_after IS 'Headline after the edit.';
COMMENT ON COLUMN analytics.article_edits.correction_note IS 'The added paragraph with the correction or update note (kind correction).';
COMMENT ON COLUMN analytics.article_edits.published_at IS 'Publication time of the article as its page states it now.';
COMMENT ON COLUMN analytics.article_edits.after_publication IS 'detected_at - published_at: how long after publication the change was seen.';
COMMENT ON COLUMN analytics.article_edits.is_copy IS 'True when the article is a copy of another story (see analytics.article_copies).';
COMMENT ON COLUMN analytics.article_edits.removed_at IS 'When the article''s page was found gone; NULL while online.';

CREATE VIEW analytics.headline_changes AS
SELECT e.article_id,
       e.site,
       e.section,
       e.url,
       e.detected_at,
       e.day,
       e.title_before,
       e.title_after,
       e.kind,
       e.version,
       e.published_at,
       e.after_publication
FROM analytics.article_edits e
WHERE 'title' = ANY (e.fields_changed);

COMMENT ON VIEW analytics.headline_changes IS
    'Every changed headline: before and after, when, and what kind of edit it was part of.';
COMMENT ON COLUMN analytics.headline_changes.article_id IS 'The article.';
COMMENT ON COLUMN analytics.headline_changes.site IS 'The portal (host name).';
COMMENT ON COLUMN analytics.headline_changes.section IS 'The article''s current section.';
COMMENT ON COLUMN analytics.headline_changes.url IS 'Canonical URL of the article.';
COMMENT ON COLUMN analytics.headline_changes.detected_at IS 'When the crawler fetched the page with the new headline.';
COMMENT ON COLUMN analytics.headline_changes.day IS 'Calendar day in Europe/Berlin of detected_at.';
COMMENT ON COLUMN analytics.headline_changes.title_before IS 'Headline before.';
COMMENT ON COLUMN analytics.headline_changes.title_after IS 'Headline after.';
COMMENT ON COLUMN analytics.headline_changes.kind IS
    'Kind of the whole edit: headline_change, or correction / substantial_rewrite when the text changed too.';
COMMENT ON COLUMN analytics.headline_changes.version IS 'The version with the new headline.';
COMMENT ON COLUMN analytics.headline_changes.published_at IS 'Publication time of the article.';
COMMENT ON COLUMN analytics.headline_changes.after_publication IS 'How long after publication the new headline was seen.';

CREATE VIEW analytics.removed_articles AS
SELECT a.article_id,
       a.title,
       a.url,
       a.site,
       a.section,
       a.published_at,
       a.first_seen_at,
       a.last_seen_at,
       a.removed_at,
       a.removed_at - coalesce(a.published_at, a.first_seen_at) AS online_for,
       coalesce(live.copies, 0) AS live_copies,
       coalesce(live.sites, '{}') AS live_copy_sites,
       a.duplicate_of IS NOT NULL AS is_copy
FROM public.articles a
LEFT JOIN LATERAL (
    -- The other members of its cluster (original and copies) that are still online.
    SELECT count(*)::integer AS copies, array_agg(DISTINCT c.site ORDER BY c.site) AS sites
    FROM public.articles c
    WHERE c.article_id <> a.article_id
      AND c.removed_at IS NULL
      AND (c.article_id = coalesce(a.duplicate_of, a.article_id)
           OR c.duplicate_of = coalesce(a.duplicate_of, a.article_id))
) live ON true
WHERE a.removed_at IS NOT NULL;

COMMENT ON VIEW analytics.removed_articles IS
    'Articles whose page was found gone (HTTP 404/410): how long they were online and whether copies of '
    'the story live on elsewhere. They are left out of analytics.articles and of analytics.search by default.';
COMMENT ON COLUMN analytics.removed_articles.article_id IS 'The article.';
COMMENT ON COLUMN analytics.removed_articles.title IS 'Last headline seen.';
COMMENT ON COLUMN analytics.removed_articles.url IS 'Canonical URL (now answering 404/410).';
COMMENT ON COLUMN analytics.removed_articles.site IS 'The portal (host name).';
COMMENT ON COLUMN analytics.removed_articles.section IS 'Section; NULL when unknown.';
COMMENT ON COLUMN analytics.removed_articles.published_at IS 'Publication time as the page stated it.';
COMMENT ON COLUMN analytics.removed_articles.first_seen_at IS 'When the crawler first stored it.';
COMMENT ON COLUMN analytics.removed_articles.last_seen_at IS 'When the crawler last fetched it online.';
COMMENT ON COLUMN analytics.removed_articles.removed_at IS 'When the crawler found it gone (it went between last_seen_at and this).';
COMMENT ON COLUMN analytics.removed_articles.online_for IS
    'removed_at - published_at (first_seen_at when undated): how long it was online, at most.';
COMMENT ON COLUMN analytics.removed_articles.live_copies IS
    'How many other articles of the same story (its original or copies, any site) are still online.';
COMMENT ON COLUMN analytics.removed_articles.live_copy_sites IS 'Sites where the story lives on.';
COMMENT ON COLUMN analytics.removed_articles.is_copy IS 'True when the removed article was itself a copy of another story.';

CREATE VIEW analytics.daily_edits AS
SELECT (x.at AT TIME ZONE 'Europe/Berlin')::date AS day,
       x.site,
       x.section,
       count(*) FILTER (WHERE x.kind <> 'removal') AS edits,
       count(*) FILTER (WHERE x.kind = 'correction') AS corrections,
       count(*) FILTER (WHERE x.kind = 'substantial_rewrite') AS rewrites,
       count(*) FILTER (WHERE x.kind = 'headline_change') AS headline_changes,
       count(*) FILTER (WHERE x.kind = 'minor_edit') AS minor_edits,
       count(*) FILTER (WHERE x.kind = 'metadata_only') AS metadata_only,
       count(*) FILTER (WHERE x.kind = 'removal') AS removals
FROM (SELECT e.detected_at AS at, a.site, a.section, e.kind
      FROM public.article_edits e JOIN public.articles a ON a.article_id = e.article_id
      UNION ALL
      SELECT a.removed_at, a.site, a.section, 'removal'
      FROM public.articles a WHERE a.removed_at IS NOT NULL) x
GROUP BY 1, 2, 3;

COMMENT ON VIEW analytics.daily_edits IS
    'Edits and removals per calendar day in Europe/Berlin (of when they were found), site and section; '
    'the sibling of analytics.daily_counts.';
COMMENT ON COLUMN analytics.daily_edits.day IS 'Calendar day in Europe/Berlin the change was found.';
COMMENT ON COLUMN analytics.daily_edits.site IS 'The portal (host name).';
COMMENT ON COLUMN analytics.daily_edits.section IS 'Current section of the articles; NULL when unknown.';
COMMENT ON COLUMN analytics.daily_edits.edits IS 'Edits (new versions) of any kind.';
COMMENT ON COLUMN analytics.daily_edits.corrections IS 'Edits of kind correction.';
COMMENT ON COLUMN analytics.daily_edits.rewrites IS 'Edits of kind substantial_rewrite.';
COMMENT ON COLUMN analytics.daily_edits.headline_changes IS 'Edits of kind headline_change.';
COMMENT ON COLUMN analytics.daily_edits.minor_edits IS 'Edits of kind minor_edit.';
COMMENT ON COLUMN analytics.daily_edits.metadata_only IS 'Edits of kind metadata_only.';
COMMENT ON COLUMN analytics.daily_edits.removals IS 'Articles found gone that day.';

-- analytics.articles leaves out removed articles (same columns as before: only the filter changes).
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
       a.search_vector
FROM public.articles a
LEFT JOIN (SELECT duplicate_of, count(*) AS copies
           FROM public.articles
           WHERE duplicate_of IS NOT NULL
           GROUP BY duplicate_of) c ON c.duplicate_of = a.article_id
WHERE a.duplicate_of IS NULL
  AND a.removed_at IS NULL;

COMMENT ON VIEW analytics.articles IS
    'One row per story online: the latest version of every article that is not a copy of another '
    '(exact or near duplicates are in analytics.article_copies) and not removed (those are in '
    'analytics.removed_articles).';
COMMENT ON COLUMN analytics.daily_counts.articles IS
    'Stories (copies excluded) published that day, removed ones included (analytics.daily_edits counts removals).';

-- ---------------------------------------------------------------------------------------------
-- Search: the same as 0003 plus include_removed. The old signature goes so that calls stay unambiguous.
-- ---------------------------------------------------------------------------------------------
DROP FUNCTION analytics.search(text, timestamptz, integer);
CREATE FUNCTION analytics.search(query text, since timestamptz DEFAULT NULL, lim integer DEFAULT 20,
                                 include_removed boolean DEFAULT false)
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
    $q$ USING tsq, since, greatest(lim, 0), greatest(window_size, lim), include_removed;
END
$fn$;

COMMENT ON FUNCTION analytics.search(text, timestamptz, integer, boolean) IS
    'Full-text search over the stories (copies excluded), German stemming, the syntax people type '
    '(words, "exact phrase", or, -exclude): SELECT * FROM analytics.search(''Drohung'', since => now() - '
    'interval ''30 days'', lim => 20). Returns the best-ranked lim stories (title hits above lead above body) '
    'with a highlighted snippet. Removed articles are left out unless include_removed => true. When a query '
    'matches more than 1000 stories, only the 1000 newest matches are ranked; narrow with since or more words.';
REVOKE ALL ON FUNCTION analytics.search(text, timestamptz, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics.search(text, timestamptz, integer, boolean) TO news_analyst;

-- ---------------------------------------------------------------------------------------------
-- The paragraph diff between two versions of an article, readable in psql.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION analytics.article_diff(article_id bigint, from_version integer DEFAULT NULL,
                                       to_version integer DEFAULT NULL)
RETURNS TABLE (part text, "position" integer, change text, paragraph text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    id constant bigint := article_id;
    current_version integer;
BEGIN
    SELECT a.version INTO current_version FROM public.articles a WHERE a.article_id = id;
    IF current_version IS NULL THEN
        RAISE EXCEPTION 'no article %', id USING ERRCODE = 'no_data_found';
    END IF;
    to_version := coalesce(to_version, current_version);
    from_version := coalesce(from_version, to_version - 1);
    IF from_version NOT BETWEEN 1 AND current_version OR to_version NOT BETWEEN 1 AND current_version THEN
        RAISE EXCEPTION 'article % has versions 1 to %', id, current_version USING ERRCODE = 'no_data_found';
    END IF;
    -- A paragraph is removed when the old version has it more often than the new one, added in the
    -- opposite case (moved paragraphs are not changes); position is its number in its own version.
    RETURN QUERY
    WITH versions AS (
        SELECT v.version, v.title, v.lead, v.body FROM public.article_versions v
        WHERE v.article_id = id AND v.version IN (from_version, to_version)
        UNION ALL
        SELECT a.version, a.title, a.lead, a.body FROM public.articles a
        WHERE a.article_id = id AND a.version IN (from_version, to_version)
    ), paragraphs AS (
        SELECT v.version, 1 AS part_order, 'title' AS part, 1::bigint AS pos, v.title AS text
        FROM versions v WHERE coalesce(v.title, '') <> ''
        UNION ALL
        SELECT v.version, 2, 'lead', 1, v.lead FROM versions v WHERE coalesce(v.lead, '') <> ''
        UNION ALL
        SELECT v.version, 3, 'body', row_number() OVER (PARTITION BY v.version ORDER BY t.n), btrim(t.line)
        FROM versions v, regexp_split_to_table(v.body, E'\n') WITH ORDINALITY AS t(line, n)
        WHERE btrim(t.line) <> ''
    ), numbered AS (
        SELECT p.*, row_number() OVER (PARTITION BY p.version, p.part, p.text ORDER BY p.pos) AS occurrence
        FROM paragraphs p
    )
    SELECT d.part, d.pos::integer, d.change, d.text
    FROM (
        SELECT o.part_order, o.part, o.pos, '-' AS change, o.text
        FROM numbered o
        WHERE o.version = from_version
          AND NOT EXISTS (SELECT FROM numbered n WHERE n.version = to_version AND n.part = o.part
                                                  AND n.text = o.text AND n.occurrence = o.occurrence)
        UNION ALL
        SELECT n.part_order, n.part, n.pos, '+', n.text
        FROM numbered n
        WHERE n.version = to_version
          AND NOT EXISTS (SELECT FROM numbered o WHERE o.version = from_version AND o.part = n.part
                                                  AND o.text = n.text AND o.occurrence = n.occurrence)
    ) d
    WHERE from_version <> to_version
    ORDER BY d.part_order, d.pos, d.change DESC;
END
$fn$;

COMMENT ON FUNCTION analytics.article_diff(bigint, integer, integer) IS
    'The paragraphs that differ between two versions of an article: SELECT * FROM analytics.article_diff(42, 1, 2) '
    '(without versions: the latest edit). One row per removed (-) or added (+) title, lead or body paragraph, '
    'with its position in its own version; a changed paragraph shows as - and +. Versions are in '
    'analytics.article_edits (previous_version, version).';
REVOKE ALL ON FUNCTION analytics.article_diff(bigint, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics.article_diff(bigint, integer, integer) TO news_analyst;

-- ---------------------------------------------------------------------------------------------
-- Read-only and readable (default privileges cover SELECT; stated here as in 0004).
-- ---------------------------------------------------------------------------------------------
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.article_edits
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.headline_changes
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.removed_articles
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.daily_edits
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
GRANT SELECT ON analytics.article_edits, analytics.headline_changes, analytics.removed_articles,
    analytics.daily_edits TO news_analyst;

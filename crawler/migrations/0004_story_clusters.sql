-- One row per story that was copied: the original, its copies, how similar, where, and when seen.

CREATE VIEW analytics.story_clusters AS
SELECT o.article_id AS original_id,
       o.url AS original_url,
       o.site AS original_site,
       o.title AS original_title,
       o.published_at AS original_published_at,
       count(c.article_id)::integer AS copies,
       array_agg(c.article_id ORDER BY c.article_id) AS copy_ids,
       (SELECT array_agg(DISTINCT s ORDER BY s) FROM unnest(array_append(array_agg(c.site), o.site)) AS s) AS sites,
       min(coalesce(c.duplicate_similarity, CASE WHEN c.duplicate_method = 'exact' THEN 1.0::real END)) AS min_similarity,
       max(coalesce(c.duplicate_similarity, CASE WHEN c.duplicate_method = 'exact' THEN 1.0::real END)) AS max_similarity,
       count(*) FILTER (WHERE c.duplicate_method = 'exact')::integer AS exact_copies,
       least(o.first_seen_at, min(c.first_seen_at)) AS first_seen_at,
       greatest(o.last_seen_at, max(c.last_seen_at)) AS last_seen_at
FROM public.articles o
JOIN public.articles c ON c.duplicate_of = o.article_id
GROUP BY o.article_id;

COMMENT ON VIEW analytics.story_clusters IS
    'One row per story that has copies: its original, the copies, their similarity, the sites and when the cluster was seen.';
COMMENT ON COLUMN analytics.story_clusters.original_id IS 'Article id of the original (a row of analytics.articles).';
COMMENT ON COLUMN analytics.story_clusters.original_url IS 'URL of the original.';
COMMENT ON COLUMN analytics.story_clusters.original_site IS 'Site of the original.';
COMMENT ON COLUMN analytics.story_clusters.original_title IS 'Headline of the original.';
COMMENT ON COLUMN analytics.story_clusters.original_published_at IS 'Publication time of the original (the earliest in the cluster).';
COMMENT ON COLUMN analytics.story_clusters.copies IS 'How many copies of the story were found.';
COMMENT ON COLUMN analytics.story_clusters.copy_ids IS 'Article ids of the copies (rows of analytics.article_copies).';
COMMENT ON COLUMN analytics.story_clusters.sites IS 'Every site the story appeared on, the original''s included.';
COMMENT ON COLUMN analytics.story_clusters.min_similarity IS 'Lowest similarity of a copy to the original (0..1, 1 for identical text).';
COMMENT ON COLUMN analytics.story_clusters.max_similarity IS 'Highest similarity of a copy to the original (0..1).';
COMMENT ON COLUMN analytics.story_clusters.exact_copies IS 'How many copies have exactly the original''s normalised text.';
COMMENT ON COLUMN analytics.story_clusters.first_seen_at IS 'When the crawler first stored any article of the cluster.';
COMMENT ON COLUMN analytics.story_clusters.last_seen_at IS 'When the crawler last saw any article of the cluster.';

CREATE TRIGGER read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON analytics.story_clusters
    FOR EACH ROW EXECUTE FUNCTION analytics.refuse_write();
GRANT SELECT ON analytics.story_clusters TO news_analyst;

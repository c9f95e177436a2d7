-- Question: Which sections corrected the most articles in the last 30 days (and how much else was edited)?
SELECT section,
       count(DISTINCT article_id) FILTER (WHERE kind = 'correction') AS corrected_articles,
       count(*) FILTER (WHERE kind = 'correction') AS corrections,
       count(*) AS edits,
       count(*) FILTER (WHERE kind = 'substantial_rewrite') AS rewrites,
       count(*) FILTER (WHERE 'title' = ANY (fields_changed)) AS headline_changes,
       array_agg(DISTINCT site ORDER BY site) AS sites
FROM analytics.article_edits
WHERE detected_at >= now() - interval '30 days'
GROUP BY section
ORDER BY corrected_articles DESC, edits DESC, section NULLS LAST;

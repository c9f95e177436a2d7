-- Question: Who wrote the most stories in the last 30 days, on which sites and in which sections?
-- An article with several authors counts for each of them; copies are excluded.
SELECT author,
       count(*) AS articles,
       sum(word_count) AS words,
       array_agg(DISTINCT site ORDER BY site) AS sites,
       array_agg(DISTINCT section ORDER BY section) FILTER (WHERE section IS NOT NULL) AS sections
FROM analytics.articles
CROSS JOIN LATERAL unnest(authors) AS author
WHERE published_at >= now() - interval '30 days'
GROUP BY author
ORDER BY articles DESC, author
LIMIT 50;

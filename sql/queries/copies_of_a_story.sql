-- Question: Where else did the most-copied story appear, how similar and how much later?
-- For one particular story replace the subquery with its id: WHERE original_id = 12345.
SELECT original_title,
       original_site,
       copy_site,
       copy_url,
       method,
       round(similarity::numeric, 3) AS similarity,
       delay
FROM analytics.article_copies
WHERE original_id = (SELECT article_id FROM analytics.articles
                     WHERE copies > 0
                     ORDER BY copies DESC, article_id
                     LIMIT 1)
ORDER BY copy_published_at NULLS LAST, copy_url;

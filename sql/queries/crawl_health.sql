-- Question: How did the last crawl runs go? Pages found and fetched, new and changed articles,
-- copies, rejections by reason, how complete the extracted fields were, and how long it took.
SELECT run_id,
       status,
       discovered,
       fetched,
       new,
       updated,
       duplicates,
       rejected_total,
       rejected,
       fill_title,
       fill_published_at,
       fill_authors,
       fill_section,
       seconds
FROM analytics.crawl_health
ORDER BY started_at DESC
LIMIT 14;

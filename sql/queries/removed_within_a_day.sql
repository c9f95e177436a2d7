-- Question: Which articles were removed within 24 hours of publication, and does the story live on elsewhere?
-- (online_for runs to when the crawler found the page gone: an upper bound of how long it was online.)
SELECT site,
       title,
       url,
       published_at,
       removed_at,
       online_for,
       live_copies,
       live_copy_sites
FROM analytics.removed_articles
WHERE online_for <= interval '24 hours'
ORDER BY removed_at DESC, url;

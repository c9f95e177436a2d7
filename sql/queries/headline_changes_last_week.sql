-- Question: Which headlines were changed in the last 7 days, and how long after publication?
SELECT site,
       detected_at,
       title_before,
       title_after,
       kind,
       after_publication,
       url
FROM analytics.headline_changes
WHERE detected_at >= now() - interval '7 days'
ORDER BY detected_at DESC, site, url;

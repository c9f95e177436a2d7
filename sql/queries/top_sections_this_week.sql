-- Question: Which sections published the most stories this week (Monday to today, Berlin time)?
-- Reads analytics.daily_counts (copies excluded). For last week use
--   day >= date_trunc('week', now() AT TIME ZONE 'Europe/Berlin')::date - 7 AND day < ...::date.
SELECT coalesce(section, '(none)') AS section,
       sum(articles) AS articles,
       sum(copies) AS copies,
       count(DISTINCT site) AS sites
FROM analytics.daily_counts
WHERE day >= date_trunc('week', now() AT TIME ZONE 'Europe/Berlin')::date
GROUP BY 1
HAVING sum(articles) > 0
ORDER BY articles DESC, section
LIMIT 20;

-- Question: How many stories did each site publish per day this month (Berlin calendar days)?
-- For another month: WHERE day >= date '2026-03-01' AND day < date '2026-04-01'.
SELECT day,
       site,
       sum(articles) AS articles,
       sum(copies) AS copies,
       sum(words) AS words
FROM analytics.daily_counts
WHERE day >= date_trunc('month', now() AT TIME ZONE 'Europe/Berlin')::date
  AND day < (date_trunc('month', now() AT TIME ZONE 'Europe/Berlin') + interval '1 month')::date
GROUP BY day, site
ORDER BY day, site;

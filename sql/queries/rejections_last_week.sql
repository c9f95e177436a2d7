-- Question: Why were pages rejected in the runs of the last 7 days, per site and stage?
SELECT site,
       stage,
       reason,
       sum(pages) AS pages,
       count(DISTINCT run_id) AS runs
FROM analytics.crawl_rejections
WHERE started_at >= now() - interval '7 days'
GROUP BY site, stage, reason
ORDER BY pages DESC, site, stage, reason;

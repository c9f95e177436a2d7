-- Question: Which stories are about threats ("Drohung")? Best matches first, with a highlighted snippet.
-- German stemming: 'Drohung' also finds Drohungen. The syntax is what people type into a search box:
--   'Drohung Bürgermeister' (both), '"offener Brief"' (phrase), 'Streik or Warnstreik', 'Bahn -Streik'.
-- Optional arguments: since => now() - interval '30 days', lim => 50.
SELECT rank, title, url, published_at, snippet
FROM analytics.search('Drohung', lim => 20);

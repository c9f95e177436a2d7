-- The correction a page declares about itself (schema.org `correction`, a correction box, or a date
-- labelled "Korrigiert am …"), stored with the article and each version: an edit that adds or changes
-- it is a correction even when the note is outside the article text (crawler/edits.py).
ALTER TABLE articles ADD COLUMN correction text;
ALTER TABLE article_versions ADD COLUMN correction text;

COMMENT ON COLUMN articles.correction IS
    'The correction the page declares: schema.org correction, a correction box, or a date labelled '
    '"Korrigiert am …"; NULL when none ("Aktualisiert am …" is not one).';
COMMENT ON COLUMN article_versions.correction IS 'The correction this version declared.';

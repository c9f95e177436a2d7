-- Core tables: the run ledger, raw pages as fetched, and the cleaned articles with their versions.

CREATE TABLE crawl_runs (
    run_id          text PRIMARY KEY,
    site            text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed')),
    stats           jsonb NOT NULL DEFAULT '{}'::jsonb,
    airflow_run_id  text
);

CREATE TABLE raw_pages (
    page_id            bigserial PRIMARY KEY,
    run_id             text NOT NULL REFERENCES crawl_runs (run_id) ON DELETE CASCADE,
    site               text NOT NULL,
    url                text NOT NULL,
    final_url          text NOT NULL,
    status             integer NOT NULL,
    headers            jsonb NOT NULL DEFAULT '{}'::jsonb,
    content_type       text,
    body_gzip          bytea,
    body_bytes         integer NOT NULL DEFAULT 0,
    body_sha256        text,
    fetched_at         timestamptz NOT NULL,
    discovered_via     text,
    sitemap_lastmod    timestamptz,
    rejected_reason    text,
    cleaned_at         timestamptz,
    clean_outcome      text,
    extractor_version  text,
    article_id         bigint,
    UNIQUE (run_id, url)
);
CREATE INDEX raw_pages_uncleaned_idx ON raw_pages (page_id) WHERE cleaned_at IS NULL;
CREATE INDEX raw_pages_site_fetched_idx ON raw_pages (site, fetched_at);

-- What the last fetch of each URL returned: drives conditional requests and sitemap lastmod skips.
CREATE TABLE fetch_state (
    url              text PRIMARY KEY,
    site             text NOT NULL,
    etag             text,
    last_modified    text,
    sitemap_lastmod  timestamptz,
    status           integer,
    body_sha256      text,
    fetched_at       timestamptz NOT NULL,
    run_id           text
);
CREATE INDEX fetch_state_site_idx ON fetch_state (site);

CREATE TABLE articles (
    article_id            bigserial PRIMARY KEY,
    url                   text NOT NULL UNIQUE,
    site                  text NOT NULL,
    title                 text,
    lead                  text,
    body                  text NOT NULL,
    authors               text[] NOT NULL DEFAULT '{}',
    section               text,
    section_path          text[] NOT NULL DEFAULT '{}',
    tags                  text[] NOT NULL DEFAULT '{}',
    published_at          timestamptz,
    modified_at           timestamptz,
    language              text,
    word_count            integer NOT NULL DEFAULT 0,
    content_hash          text NOT NULL,
    is_paywalled          boolean NOT NULL DEFAULT false,
    duplicate_of          bigint REFERENCES articles (article_id) ON DELETE SET NULL,
    duplicate_method      text CHECK (duplicate_method IN ('exact', 'near')),
    duplicate_similarity  real,
    first_seen_at         timestamptz NOT NULL,
    last_seen_at          timestamptz NOT NULL,
    version               integer NOT NULL DEFAULT 1,
    extractor_version     text NOT NULL,
    field_sources         jsonb NOT NULL DEFAULT '{}'::jsonb,
    raw_page_id           bigint REFERENCES raw_pages (page_id) ON DELETE SET NULL,
    run_id                text,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (duplicate_of IS NULL OR duplicate_of <> article_id)
);
CREATE INDEX articles_site_published_idx ON articles (site, published_at);
CREATE INDEX articles_content_hash_idx ON articles (content_hash);
CREATE INDEX articles_duplicate_of_idx ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Earlier texts of an article: a changed page keeps its row, the text it replaced lands here.
CREATE TABLE article_versions (
    article_id     bigint NOT NULL REFERENCES articles (article_id) ON DELETE CASCADE,
    version        integer NOT NULL,
    title          text,
    lead           text,
    body           text NOT NULL,
    authors        text[] NOT NULL DEFAULT '{}',
    section        text,
    tags           text[] NOT NULL DEFAULT '{}',
    published_at   timestamptz,
    modified_at    timestamptz,
    word_count     integer NOT NULL DEFAULT 0,
    content_hash   text NOT NULL,
    valid_from     timestamptz NOT NULL,
    valid_to       timestamptz NOT NULL,
    run_id         text,
    PRIMARY KEY (article_id, version)
);

-- Every URL under which an article was fetched (AMP copies, old redirected URLs, tracking links).
CREATE TABLE url_aliases (
    url            text PRIMARY KEY,
    article_id     bigint NOT NULL REFERENCES articles (article_id) ON DELETE CASCADE,
    first_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX url_aliases_article_idx ON url_aliases (article_id);

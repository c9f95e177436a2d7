"""The clean stage: raw pages in, one `articles` row per canonical URL out, changes kept as versions."""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2.errors
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor
from psycopg2.extras import execute_values

from crawler import config, edits, extract, procs, site_templates, urls
from crawler.extract.template import SiteTemplate
from crawler.reasons import Reason, with_detail
from crawler.textnorm import content_hash

log = logging.getLogger(__name__)

BATCH_PER_WORKER = 32
# How often a clean that follows a running crawl looks for newly stored pages.
FOLLOW_POLL_SECONDS = 0.25
# Below this many pages a process pool costs more to start than it saves.
MIN_PAGES_FOR_POOL = 24
MAX_DEADLOCK_RETRIES = 5
FILL_FIELDS = ("title", "published_at", "body", "authors", "section")


@dataclass(frozen=True)
class RawPage:
    page_id: int
    run_id: str
    site: str
    url: str
    final_url: str
    fetched_at: datetime
    content_type: str | None
    body_gzip: bytes | None
    article_id: int | None = None


@dataclass(frozen=True)
class Extracted:
    page_id: int
    article: dict[str, Any] | None
    rejected_reason: str | None


def is_html_type(content_type: str | None) -> bool:
    """True for HTML media types, and for a missing Content-Type (the extractor then decides)."""
    if not content_type:
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in ("text/html", "application/xhtml+xml")


def extract_page(page: RawPage, template: dict[str, Any] | None = None) -> Extracted:
    """Decompress and extract one raw page with its site's template, if any (runs in a worker process)."""
    if not is_html_type(page.content_type):
        # Feeds and sitemaps are navigation: their items are articles only on their own pages.
        return Extracted(page.page_id, None, with_detail(Reason.NOT_HTML, page.content_type or ""))
    if not page.body_gzip:
        return Extracted(page.page_id, None, Reason.EMPTY)
    try:
        html = gzip.decompress(page.body_gzip)
    except (OSError, EOFError, zlib.error):
        return Extracted(page.page_id, None, Reason.CORRUPT_BODY)
    article = extract.extract_article(
        html,
        url=page.final_url,
        content_type=page.content_type,
        site_template=SiteTemplate.from_dict(template),
    )
    if article.rejected_reason:
        return Extracted(page.page_id, None, article.rejected_reason)
    return Extracted(page.page_id, article.to_dict(), None)


def is_primary_page(final_url: str, canonical: str) -> bool:
    """True when the page is the article's own URL, not an AMP copy or another alias of it."""
    parts = urlsplit(final_url)
    if urls.AMP_PATH_SUFFIX.search(parts.path) or (parts.hostname or "").startswith("amp."):
        return False
    return urls.normalize_url(final_url) == canonical


def _text_changed(row: dict[str, Any], article: dict[str, Any], new_hash: str) -> bool:
    return row["content_hash"] != new_hash or (row["title"] or "") != (article.get("title") or "")


# What the clean stage reads of an existing row: enough to tell a change and to describe it as an edit.
ROW_COLUMNS = (
    "article_id, title, lead, body, authors, section, tags, published_at, modified_at, correction, "
    "content_hash, version, last_seen_at, extractor_version, raw_page_id"
)


def _page_changed(row: dict[str, Any], fields: dict[str, Any]) -> bool:
    """True when the page's article differs from the stored one in text or metadata (a new version)."""
    return _text_changed(row, fields, fields["content_hash"]) or edits.is_new_version(row, fields)


def _baseline(cur: Cursor, row: dict[str, Any]) -> dict[str, Any] | None:
    """The stored article's own page as the current extractor reads it; None when that page is gone.

    An edit is a change of the page, not of the extractor: a row extracted by an older extractor is
    compared with the new page only after its page has been read again the same way.
    """
    if row["raw_page_id"] is None:
        return None
    cur.execute(f"SELECT {PAGE_COLUMNS} FROM raw_pages WHERE page_id = %s", (row["raw_page_id"],))
    found = cur.fetchone()
    if found is None:
        return None
    result = extract_page(_raw_page(list(found)))
    if result.article is None:
        return None
    return _fields(result.article)


def _fields(article: dict[str, Any]) -> dict[str, Any]:
    """The articles columns an extracted article sets."""
    body = article.get("body") or ""
    return {
        "title": article.get("title"),
        "kicker": article.get("kicker"),
        "seo_title": article.get("seo_title"),
        "lead": article.get("lead"),
        "body": body,
        "authors": article.get("authors") or [],
        "agencies": article.get("agencies") or [],
        "section": article.get("section"),
        "section_path": article.get("section_path") or [],
        "tags": article.get("tags") or [],
        "published_at": article.get("published_at"),
        "modified_at": article.get("modified_at"),
        "correction": article.get("correction"),
        "language": article.get("language"),
        "word_count": article.get("word_count") or len(body.split()),
        "content_hash": content_hash(body),
        "is_paywalled": bool(article.get("is_paywalled")),
        "extractor_version": extract.EXTRACTOR_VERSION,
        "field_sources": json.dumps(article.get("sources") or {}),
    }


def _record_edit(cur: Cursor, row: dict[str, Any], fields: dict[str, Any], page: RawPage) -> None:
    """Store the edit record of the version just written (row: the previous version's fields)."""
    edit = edits.compute_edit(row, fields)
    cur.execute(
        """INSERT INTO article_edits (article_id, version, previous_version, kind, fields_changed,
               title_before, title_after, words_added, words_removed, body_similarity, correction_note,
               detected_at, run_id)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (article_id, version) DO NOTHING""",
        (
            row["article_id"],
            row["version"] + 1,
            row["version"],
            edit.kind,
            edit.fields_changed,
            edit.title_before,
            edit.title_after,
            edit.words_added,
            edit.words_removed,
            edit.body_similarity,
            edit.correction_note,
            page.fetched_at,
            page.run_id,
        ),
    )


def _upsert_article(
    cur: Cursor,
    page: RawPage,
    article: dict[str, Any],
    reclean: bool,
    locked: dict[str, dict[str, Any] | None] | None = None,
) -> tuple[str, int]:
    """Write one extracted article; return (outcome, article_id).

    `locked` holds rows this transaction already locked by URL (None: no row), each good for one use:
    a second page of the same article must see what the first one wrote.
    """
    canonical = urls.canonical_url(page.final_url, article.get("canonical_url"))
    fields = _fields(article)
    row = (
        locked.pop(canonical)
        if locked is not None and canonical in locked
        else _locked_article(cur, canonical)
    )
    if row is None:
        moved = None if reclean else _moved_articles(cur, {canonical: (page, article)}).get(canonical)
        if moved is not None:
            return _upsert_article(cur, page, article, reclean, {canonical: moved})
        inserted = _insert_new(cur, [(page, canonical, fields)]).get(canonical)
        if inserted is not None:
            _record_aliases(cur, page, canonical, inserted, article.get("shortlink"))
            return "new", inserted
        row = _locked_article(cur, canonical)  # the other clean's row, now committed
        if row is None:  # inserted and deleted again meanwhile: start over
            return _upsert_article(cur, page, article, reclean)
    article_id = row["article_id"]
    _record_aliases(cur, page, canonical, article_id, article.get("shortlink"))
    changed = _page_changed(row, fields)
    # Only the article's own page may change its text: an AMP copy or an older fetch must not
    # flip the row back and forth between two renderings of the same story.
    authoritative = is_primary_page(page.final_url, canonical) and page.fetched_at >= row["last_seen_at"]
    if reclean:
        _update_fields(cur, article_id, fields, page, bump_version=False)
        return ("updated" if changed else "unchanged"), article_id
    if changed and authoritative and row["extractor_version"] != extract.EXTRACTOR_VERSION:
        baseline = _baseline(cur, row)
        if baseline is not None:
            # Stored by an older extractor: read its page again, so only a change of the page counts.
            _rewrite_in_place(cur, article_id, baseline)
            row.update(baseline)
            changed = _page_changed(row, fields)
            if not changed:
                _update_fields(cur, article_id, fields, page, bump_version=False)
                return "unchanged", article_id
    if changed and authoritative:
        cur.execute(
            """INSERT INTO article_versions (article_id, version, title, kicker, seo_title, lead, body, authors,
                   agencies, section, tags, published_at, modified_at, correction, word_count, content_hash,
                   valid_from, valid_to, run_id)
               SELECT article_id, version, title, kicker, seo_title, lead, body, authors, agencies, section,
                      tags, published_at, modified_at, correction, word_count, content_hash, updated_at, %s,
                      run_id
               FROM articles WHERE article_id = %s
               ON CONFLICT (article_id, version) DO NOTHING""",
            (page.fetched_at, article_id),
        )
        _update_fields(cur, article_id, fields, page, bump_version=True)
        _record_edit(cur, row, fields, page)
        return "updated", article_id
    cur.execute(
        "UPDATE articles SET last_seen_at = GREATEST(last_seen_at, %s) WHERE article_id = %s",
        (page.fetched_at, article_id),
    )
    return "unchanged", article_id


MOVED_MIN_SHARED_WORDS = 0.5  # of the shorter text's distinct words: the same story, maybe edited


def _moved_articles(
    cur: Cursor, unknown: dict[str, tuple[RawPage, dict[str, Any]]]
) -> dict[str, dict[str, Any]]:
    """Move stored articles to the new canonical URLs that name them by shortlink; return their locked rows.

    WordPress keeps a post's ID (`/?p=ID`, its shortlink) when its slug or category changes and
    redirects the old URL, so a new URL with a known shortlink is the same post, not a new story.
    Only an article not seen since this page's run started moves (two live pages that share a
    shortlink stay two rows), and only when the texts share most of their words.
    """
    by_shortlink = {
        urls.normalize_url(article["shortlink"]): url
        for url, (_, article) in unknown.items()
        if article.get("shortlink")
    }
    if not by_shortlink:
        return {}
    cur.execute(
        """SELECT u.url, a.article_id, a.url, a.site, a.body, a.last_seen_at
           FROM url_aliases u JOIN articles a ON a.article_id = u.article_id
           WHERE u.url = ANY(%s) ORDER BY a.article_id FOR UPDATE OF a""",
        (sorted(by_shortlink),),
    )
    moved: dict[str, dict[str, Any]] = {}
    taken: set[int] = set()
    for shortlink, article_id, old_url, site, body, last_seen_at in cur.fetchall():
        new_url = by_shortlink[shortlink]
        page, article = unknown[new_url]
        if article_id in taken or site != page.site or old_url == new_url:
            continue
        if last_seen_at >= _run_started(cur, page) or not _same_story(body, article.get("body") or ""):
            continue
        cur.execute(
            "UPDATE articles SET url = %s WHERE article_id = %s AND NOT EXISTS (SELECT 1 FROM articles WHERE url = %s)",
            (new_url, article_id, new_url),
        )
        if cur.rowcount != 1:
            continue  # another clean stored the new URL meanwhile: the one-by-one path takes it
        cur.execute("DELETE FROM url_aliases WHERE url = %s", (new_url,))
        _write_aliases(cur, [(old_url, article_id, page.fetched_at)])
        row = _locked_article(cur, new_url)
        if row is not None:
            taken.add(article_id)
            moved[new_url] = row
    return moved


def _run_started(cur: Cursor, page: RawPage) -> datetime:
    """When the page's run started (its fetch time when the run is not on record)."""
    cur.execute("SELECT started_at FROM crawl_runs WHERE run_id = %s", (page.run_id,))
    found = cur.fetchone()
    return found[0] if found is not None else page.fetched_at


def _same_story(old: str, new: str) -> bool:
    """True when the two texts share at least MOVED_MIN_SHARED_WORDS of the shorter one's distinct words."""
    a, b = set(old.casefold().split()), set(new.casefold().split())
    return bool(a and b) and len(a & b) >= MOVED_MIN_SHARED_WORDS * min(len(a), len(b))


def _locked_article(cur: Cursor, url: str) -> dict[str, Any] | None:
    """The article row of url, locked for this transaction, or None."""
    cur.execute(f"SELECT {ROW_COLUMNS} FROM articles WHERE url = %s FOR UPDATE", (url,))
    found = cur.fetchone()
    return None if found is None else dict(zip([d[0] for d in cur.description], found, strict=True))


def _locked_articles(cur: Cursor, urls_: list[str]) -> dict[str, dict[str, Any] | None]:
    """The article rows of urls_, locked for this transaction, in one query; None for a URL with none."""
    cur.execute(f"SELECT url, {ROW_COLUMNS} FROM articles WHERE url = ANY(%s) FOR UPDATE", (urls_,))
    names = [d[0] for d in cur.description][1:]
    found = {row[0]: dict(zip(names, row[1:], strict=True)) for row in cur.fetchall()}
    return {url: found.get(url) for url in urls_}


def _update_fields(
    cur: Cursor, article_id: int, fields: dict[str, Any], page: RawPage, bump_version: bool
) -> None:
    assignments = ", ".join(f"{name} = %s" for name in fields)
    cur.execute(
        f"""UPDATE articles SET {assignments},
                version = version + %s, raw_page_id = %s, run_id = %s, updated_at = %s,
                last_seen_at = GREATEST(last_seen_at, %s)
            WHERE article_id = %s""",
        (
            *fields.values(),
            int(bump_version),
            page.page_id,
            page.run_id,
            page.fetched_at,
            page.fetched_at,
            article_id,
        ),
    )


def _rewrite_in_place(cur: Cursor, article_id: int, fields: dict[str, Any]) -> None:
    """Replace the stored fields of the current version without making a new one (a re-extraction)."""
    assignments = ", ".join(f"{name} = %s" for name in fields)
    cur.execute(f"UPDATE articles SET {assignments} WHERE article_id = %s", (*fields.values(), article_id))


def _record_aliases(
    cur: Cursor, page: RawPage, canonical: str, article_id: int, shortlink: str | None = None
) -> None:
    _write_aliases(cur, _aliases(page, canonical, article_id, shortlink))


# An alias row: (url, article_id, first seen).
Alias = tuple[str, int, datetime]


def _aliases(page: RawPage, canonical: str, article_id: int, shortlink: str | None) -> list[Alias]:
    """The URLs other than canonical that name the article of page."""
    variants = {urls.normalize_url(page.url), urls.normalize_url(page.final_url), page.url, page.final_url}
    if shortlink:
        # The site's lasting name of the article (/?p=ID): how a later slug change is recognised.
        variants.add(urls.normalize_url(shortlink))
    variants.discard(canonical)
    return [(variant, article_id, page.fetched_at) for variant in sorted(variants)]


def _write_aliases(cur: Cursor, aliases: list[Alias]) -> None:
    """Record aliases in one statement (the last one of a URL wins, as one by one)."""
    rows = list({url: (url, article_id, seen) for url, article_id, seen in aliases}.values())
    if rows:
        execute_values(
            cur,
            """INSERT INTO url_aliases (url, article_id, first_seen_at) VALUES %s
               ON CONFLICT (url) DO UPDATE SET article_id = EXCLUDED.article_id""",
            rows,
            page_size=len(rows),
        )


# What cleaning made of a raw page: (page_id, outcome, rejected reason or None, article_id or None).
Mark = tuple[int, str, str | None, int | None]


def _mark_pages(cur: Cursor, marks: list[Mark]) -> None:
    """Record what cleaning made of each page, in one statement (a round trip per page was ~1/10 of clean)."""
    if not marks:
        return
    execute_values(
        cur,
        """UPDATE raw_pages AS r SET cleaned_at = now(), clean_outcome = v.outcome,
               rejected_reason = COALESCE(v.reason, r.rejected_reason), extractor_version = v.version,
               article_id = v.article_id
           FROM (VALUES %s) AS v(page_id, outcome, reason, article_id, version)
           WHERE r.page_id = v.page_id""",
        [(*mark, extract.EXTRACTOR_VERSION) for mark in marks],
        template="(%s::bigint, %s::text, %s::text, %s::bigint, %s::text)",
        page_size=len(marks),
    )


def link_redirects(cur: Cursor) -> int:
    """Record old URLs that redirect to a stored article as its aliases; return how many were linked."""
    cur.execute(
        "SELECT page_id, url, final_url FROM raw_pages WHERE clean_outcome = 'redirect' AND article_id IS NULL"
    )
    linked = 0
    for page_id, url, final_url in cur.fetchall():
        target = urls.normalize_url(final_url)
        cur.execute(
            """SELECT article_id FROM articles WHERE url = %s
               UNION ALL SELECT article_id FROM url_aliases WHERE url = %s LIMIT 1""",
            (target, target),
        )
        found = cur.fetchone()
        if found is None:
            continue  # the target was not an article (or not fetched): nothing to alias
        cur.execute(
            "INSERT INTO url_aliases (url, article_id) VALUES (%s, %s) ON CONFLICT (url) DO NOTHING",
            (urls.normalize_url(url), found[0]),
        )
        cur.execute("UPDATE raw_pages SET article_id = %s WHERE page_id = %s", (found[0], page_id))
        linked += 1
    return linked


# A page that answers one of these is gone on purpose; other errors (500, timeouts) may pass.
GONE_STATUSES = (404, 410)


def mark_removed(cur: Cursor, run_ids: list[str]) -> int:
    """Mark articles whose page answered 404/410 in these runs as removed; return how many were marked.

    An article seen again later (a 200 after the removal) is online again and loses the mark.
    """
    cur.execute(
        """UPDATE articles a SET removed_at = gone.fetched_at
           FROM (SELECT coalesce(a2.article_id, u.article_id) AS article_id, min(p.fetched_at) AS fetched_at
                 FROM raw_pages p
                 LEFT JOIN articles a2 ON a2.url = p.url
                 LEFT JOIN url_aliases u ON u.url = p.url
                 WHERE p.run_id = ANY(%s) AND p.status = ANY(%s)
                 GROUP BY 1) gone
           WHERE a.article_id = gone.article_id AND a.removed_at IS NULL AND gone.fetched_at > a.last_seen_at""",
        (run_ids, list(GONE_STATUSES)),
    )
    marked = cur.rowcount
    cur.execute(
        "UPDATE articles SET removed_at = NULL WHERE removed_at IS NOT NULL AND last_seen_at > removed_at"
    )
    return marked


PAGE_COLUMNS = "page_id, run_id, site, url, final_url, fetched_at, content_type, body_gzip, article_id"


def _raw_page(row: list[Any]) -> RawPage:
    """A RawPage from a row in PAGE_COLUMNS order (psycopg2 hands bytea over as a memoryview)."""
    page_id, run_id, site, url, final_url, fetched_at, content_type, body, article_id = row
    return RawPage(
        page_id,
        run_id,
        site,
        url,
        final_url,
        fetched_at,
        content_type,
        bytes(body) if body is not None else None,
        article_id,
    )


@dataclass
class Batch:
    pages: list[RawPage] = field(default_factory=list)  # to extract
    crawl_rejected: list[int] = field(default_factory=list)  # page ids the crawl already rejected
    redirects: int = 0
    runs: set[str] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.pages) + len(self.crawl_rejected) + self.redirects


def _claim_batch(
    cur: Cursor, run_id: str | None, limit: int, page_range: tuple[int, int] | None = None
) -> Batch:
    """Lock the next uncleaned pages (of run_id, within page_range) and sort them by what has to happen."""
    condition = "cleaned_at IS NULL" + (" AND run_id = %s" if run_id else "")
    params: tuple[Any, ...] = (run_id,) if run_id else ()
    if page_range is not None:
        condition += " AND page_id BETWEEN %s AND %s"
        params += tuple(page_range)
    params += (limit,)
    # SKIP LOCKED lets several clean processes share the backlog without cleaning a page twice.
    cur.execute(
        f"""SELECT {PAGE_COLUMNS}, rejected_reason, status FROM raw_pages WHERE {condition}
            ORDER BY fetched_at, page_id LIMIT %s FOR UPDATE SKIP LOCKED""",
        params,
    )
    batch = Batch()
    redirects: list[Mark] = []
    for row in cur.fetchall():
        *page_fields, crawl_reason, status = row
        batch.runs.add(row[1])
        if not crawl_reason and 300 <= status < 400:
            # The crawl did not follow it because the target is fetched anyway; link_redirects aliases it.
            redirects.append((row[0], "redirect", None, None))
            batch.redirects += 1
        elif crawl_reason or not 200 <= status < 300:
            batch.crawl_rejected.append(row[0])
        else:
            batch.pages.append(_raw_page(page_fields))
    _mark_pages(cur, redirects)
    return batch


@contextmanager
def _executor(workers: int) -> Iterator[Executor | None]:
    if workers <= 1:
        yield None
        return
    # forkserver: workers start from a clean process, never from a copy holding open DB sockets;
    # preloading the extractor there means each worker does not pay trafilatura's import again.
    context = get_context("forkserver")
    # orphan_guard first: a killed clean takes its forkserver, and with it every worker, down too.
    procs.mark_parent()
    os.environ[procs.FORKSERVER_ENV] = str(os.getpid())
    context.set_forkserver_preload(["crawler.orphan_guard", "crawler.forkserver_ready"])
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=procs.die_with_parent
    ) as pool:
        yield pool


def _start_extraction(
    pool: Executor | None, pages: list[RawPage], templates: dict[str, dict[str, Any]] | None = None
) -> Callable[[], list[Extracted]]:
    """Start extracting pages (in the pool when there are enough of them); the callable waits for the results."""
    per_page = [(templates or {}).get(page.site) for page in pages]
    if pool is None or len(pages) < MIN_PAGES_FOR_POOL:
        return lambda: [extract_page(page, t) for page, t in zip(pages, per_page, strict=True)]
    # Executor.map submits every page now, so the workers extract while this process writes another batch.
    running = pool.map(extract_page, pages, per_page, chunksize=4)
    return lambda: list(running)


@lru_cache(maxsize=4)
def _configured_languages(path: Path, mtime_ns: int) -> dict[str, frozenset[str]]:
    """The `languages` of each configured site that limits them (read once per version of the file)."""
    return {site.site: frozenset(site.languages) for site in config.load_sites(path) if site.languages}


def site_languages() -> dict[str, frozenset[str]]:
    """Sites whose articles are kept only in some languages (sites.toml `languages`), by site key."""
    path = config.sites_file()
    try:
        return _configured_languages(path, path.stat().st_mtime_ns)
    except OSError:
        return {}


def _in_site_language(result: Extracted, site: str, languages: dict[str, frozenset[str]]) -> Extracted:
    """The result, or a rejection when its article is in a language the site's `languages` leave out."""
    allowed = languages.get(site)
    language = (result.article or {}).get("language")
    if not allowed or not language or language in allowed:
        return result  # a text whose language is unknown is kept: too short to tell is no translation
    return Extracted(result.page_id, None, with_detail(Reason.OUTSIDE_LANGUAGES, language))


def _write_results(cur: Cursor, pages: list[RawPage], results: list[Extracted], reclean: bool) -> list[str]:
    by_id = {page.page_id: page for page in pages}
    if not reclean and (languages := site_languages()):
        results = [_in_site_language(r, by_id[r.page_id].site, languages) for r in results]
    outcomes = []
    marks: list[Mark] = []
    canonical = {
        r.page_id: urls.canonical_url(by_id[r.page_id].final_url, r.article.get("canonical_url"))
        for r in results
        if r.article is not None
    }
    # One query locks the batch's existing rows (a query per page was the clean's most frequent round trip).
    locked = _locked_articles(cur, sorted(set(canonical.values())))
    # Primary pages first, so an AMP copy in the same batch never creates the row its original would.
    ordered = sorted(
        results,
        key=lambda r: (
            by_id[r.page_id].fetched_at,
            r.article is not None and not is_primary_page(by_id[r.page_id].final_url, canonical[r.page_id]),
        ),
    )
    if not reclean:
        # A new URL whose shortlink names a stored article is that article under a new slug or category.
        unknown: dict[str, tuple[RawPage, dict[str, Any]]] = {}
        for result in ordered:
            url = canonical.get(result.page_id)
            if url is not None and result.article and locked.get(url) is None and url not in unknown:
                unknown[url] = (by_id[result.page_id], result.article)
        locked.update(_moved_articles(cur, unknown))
    # The first page of each article without a row makes the row: all of them in one INSERT.
    firsts: dict[str, Extracted] = {}
    if not reclean:
        for result in ordered:
            url = canonical.get(result.page_id)
            if url is not None and locked.get(url) is None and url not in firsts:
                firsts[url] = result
    inserted = _insert_new(
        cur, [(by_id[r.page_id], url, _fields(r.article or {})) for url, r in firsts.items()]
    )
    for url in firsts:
        locked.pop(url, None)  # a later page of the same article must see the row just made
    new_aliases: list[Alias] = []
    for result in ordered:
        page = by_id[result.page_id]
        if result.article is None:
            marks.append((page.page_id, "rejected", result.rejected_reason, None))
            outcomes.append("rejected")
            continue
        url = canonical[result.page_id]
        if firsts.get(url) is result and url in inserted:
            outcome, article_id = "new", inserted[url]
            new_aliases += _aliases(page, url, article_id, (result.article or {}).get("shortlink"))
        else:
            # Another clean made the row meanwhile, or the row existed: the one-by-one path locks it.
            outcome, article_id = _upsert_article(cur, page, result.article, reclean, locked)
        marks.append((page.page_id, outcome, None, article_id))
        outcomes.append(outcome)
    _write_aliases(cur, new_aliases)
    _mark_pages(cur, marks)
    return outcomes


def _insert_new(cur: Cursor, new: list[tuple[RawPage, str, dict[str, Any]]]) -> dict[str, int]:
    """Insert articles (page, canonical URL, `_fields`) in one statement; return article_id by URL.

    Atomic under concurrency: when the clean of an overlapping run inserts the same URL first, this
    waits for its commit and leaves the URL out of the result instead of dying on the unique key.
    """
    if not new:
        return {}
    names = ", ".join(new[0][2])
    found = execute_values(
        cur,
        f"""INSERT INTO articles (url, site, {names}, first_seen_at, last_seen_at, raw_page_id, run_id)
            VALUES %s ON CONFLICT (url) DO NOTHING RETURNING url, article_id""",
        [
            (url, page.site, *fields.values(), page.fetched_at, page.fetched_at, page.page_id, page.run_id)
            for page, url, fields in new
        ],
        page_size=len(new),
        fetch=True,
    )
    return {url: article_id for url, article_id in found}


@dataclass
class _InFlight:
    """A claimed batch: its open transaction (on conn) and its extraction, running in the pool."""

    conn: Connection
    batch: Batch
    results: Callable[[], list[Extracted]]  # waits for the extraction


def _claim(
    conn: Connection,
    pool: Executor | None,
    run_id: str | None,
    limit: int,
    page_range: tuple[int, int] | None,
    templates: dict[str, dict[str, Any]],
) -> _InFlight:
    """Claim the next batch in a transaction left open on conn and start extracting it."""
    cur = conn.cursor()
    batch = _claim_batch(cur, run_id, limit, page_range)
    _mark_pages(cur, [(page_id, "rejected", None, None) for page_id in batch.crawl_rejected])
    return _InFlight(conn, batch, _start_extraction(pool, batch.pages, templates))


def _finish(flight: _InFlight) -> list[str]:
    """Write the batch's results and commit its transaction; roll it back on any error."""
    try:
        with flight.conn.cursor() as cur:
            outcomes = _write_results(cur, flight.batch.pages, flight.results(), reclean=False)
        flight.conn.commit()
    except BaseException:
        flight.conn.rollback()
        raise
    return outcomes


def default_workers() -> int:
    """Every core of the machine."""
    return os.cpu_count() or 1


def clean_pages(
    conn: Connection,
    run_id: str | None = None,
    workers: int | None = None,
    on_batch: Callable[[int, int, int], None] | None = None,
    follow: threading.Event | None = None,
    page_range: tuple[int, int] | None = None,
    spare: Connection | None = None,
) -> dict[str, Any]:
    """Clean every raw page not cleaned yet (of run_id, within page_range, or all), a transaction per batch.

    With `follow`, pages are cleaned while a crawl still stores them: an empty backlog is polled
    again until `follow` is set (the crawl ended), then what is left is drained. With a `spare`
    connection, the next batch is claimed and extracted while this one's results are written.
    """
    workers = workers or default_workers()
    limit = BATCH_PER_WORKER * workers
    totals: dict[str, Any] = {"pages": 0, "new": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    touched_runs: set[str] = set()
    # Learn the site, not the page: each site's template from its stored pages, learned again while a
    # crawl beside this clean stores more of them (a site's first night).
    templates = site_templates.RunTemplates(run_id, growing=follow is not None)
    free = [conn] if spare is None or workers <= 1 else [conn, spare]
    in_flight: list[_InFlight] = []
    with _executor(workers) as pool:
        deadlocks = 0
        try:
            while True:
                # Read before claiming: a crawl that ended before this claim has committed all its rows.
                crawl_over = follow is None or follow.is_set()
                free_conn = free.pop()
                claimed = _claim(free_conn, pool, run_id, limit, page_range, templates.refresh(free_conn))
                if claimed.batch.size:
                    in_flight.append(claimed)
                else:
                    claimed.conn.commit()
                    free.append(claimed.conn)
                # Write the oldest batch once the pool has another one to work on, or nothing is left.
                if in_flight and (not free or not claimed.batch.size):
                    flight = in_flight.pop(0)
                    free.append(flight.conn)
                    try:
                        outcomes = _finish(flight)
                    except psycopg2.errors.DeadlockDetected:
                        # An overlapping clean locked the same articles in another order; Postgres rolled
                        # this batch back whole, so a later claim takes it again. Bounded: a real fault
                        # still surfaces.
                        deadlocks += 1
                        if deadlocks > MAX_DEADLOCK_RETRIES:
                            raise
                        log.info("clean: batch rolled back by a deadlock with another clean, retrying")
                        continue
                    deadlocks = 0
                    batch = flight.batch
                    touched_runs |= batch.runs
                    totals["pages"] += batch.size
                    totals["rejected"] += len(batch.crawl_rejected)
                    for outcome in outcomes:
                        totals[outcome] += 1
                    if on_batch:
                        on_batch(totals["pages"], totals["rejected"], totals["pages"] - totals["rejected"])
                if claimed.batch.size or in_flight:
                    continue
                if crawl_over:
                    break
                if follow is not None:
                    follow.wait(FOLLOW_POLL_SECONDS)  # the crawl has stored nothing new yet
        finally:
            for flight in in_flight:  # an error left batches claimed: release them for a later clean
                flight.conn.rollback()
    with conn, conn.cursor() as cur:
        totals["redirects_linked"] = link_redirects(cur)
        totals["removed"] = mark_removed(cur, sorted(touched_runs))
    totals["runs"] = sorted(touched_runs)
    return totals


def reclean_pages(
    conn: Connection,
    only_outdated: bool = True,
    workers: int | None = None,
    on_batch: Callable[[int, int, int], None] | None = None,
    article_range: tuple[int, int] | None = None,
) -> dict[str, int]:
    """Re-extract each article's latest raw page (within article_range) with the current extractor."""
    workers = workers or default_workers()
    totals = {"pages": 0, "updated": 0, "unchanged": 0, "rejected": 0, "missing_raw_page": 0}
    condition = "a.extractor_version <> %s" if only_outdated else "TRUE"
    last_id = 0
    if article_range is not None:
        # The batches walk article ids upwards from last_id; the chunk's bounds are literals (ints).
        condition += f" AND a.article_id <= {int(article_range[1])}"
        last_id = int(article_range[0]) - 1
    templates = site_templates.learn_sites(conn, site_templates.article_sites(conn))
    with _executor(workers) as pool:
        while True:
            with conn, conn.cursor() as cur:
                cur.execute(
                    f"""SELECT a.article_id, {", ".join("p." + c for c in PAGE_COLUMNS.split(", ")[:-1])}
                        FROM articles a LEFT JOIN raw_pages p ON p.page_id = a.raw_page_id
                        WHERE {condition} AND a.article_id > %s ORDER BY a.article_id LIMIT %s
                        FOR UPDATE OF a""",
                    ((extract.EXTRACTOR_VERSION,) if only_outdated else ())
                    + (last_id, BATCH_PER_WORKER * workers),
                )
                rows = cur.fetchall()
                if not rows:
                    break
                last_id = rows[-1][0]
                pages = []
                for article_id, *page_fields in rows:
                    if page_fields[0] is None:
                        totals["missing_raw_page"] += 1
                        continue
                    pages.append(_raw_page([*page_fields, article_id]))
                results = _start_extraction(pool, pages, templates)()
                for page, result in zip(pages, results, strict=True):
                    if result.article is None:
                        # The archive keeps the article; the reason is recorded on its page for review.
                        cur.execute(
                            "UPDATE raw_pages SET rejected_reason = %s, extractor_version = %s WHERE page_id = %s",
                            (result.rejected_reason, extract.EXTRACTOR_VERSION, page.page_id),
                        )
                        totals["rejected"] += 1
                        continue
                    outcome, _ = _upsert_article(cur, page, result.article, reclean=True)
                    cur.execute(
                        "UPDATE raw_pages SET extractor_version = %s WHERE page_id = %s",
                        (extract.EXTRACTOR_VERSION, page.page_id),
                    )
                    totals[outcome] += 1
            totals["pages"] += len(rows)
            if on_batch:
                on_batch(totals["pages"], totals["rejected"], totals["updated"] + totals["unchanged"])
    return totals


def id_chunks(cur: Cursor, table: str, chunks: int, only_outdated: bool = False) -> list[tuple[int, int]]:
    """Split the ids still to (re)clean into at most `chunks` contiguous ranges of about equal row count.

    `raw_pages`: pages not cleaned yet (a clean backfill); `articles`: articles to re-extract (all, or
    only those of older extractor versions). The ranges are what mapped tasks on any worker take.
    """
    if table == "raw_pages":
        query = "SELECT page_id FROM raw_pages WHERE cleaned_at IS NULL"
        params: tuple[Any, ...] = ()
    elif table == "articles":
        query = "SELECT article_id FROM articles" + (
            " WHERE extractor_version <> %s" if only_outdated else ""
        )
        params = (extract.EXTRACTOR_VERSION,) if only_outdated else ()
    else:
        raise ValueError(f"no chunks of {table!r}")
    chunks = max(1, chunks)
    # ntile splits the ordered ids into equal-sized groups; each group's min and max bound one chunk.
    cur.execute(
        f"""SELECT min(id), max(id) FROM (SELECT id, ntile(%s) OVER (ORDER BY id) AS chunk
                                           FROM ({query}) ids(id)) numbered
            GROUP BY chunk ORDER BY chunk""",
        (chunks, *params),
    )
    return [(int(lo), int(hi)) for lo, hi in cur.fetchall()]


def run_clean_figures(cur: Cursor, run_id: str) -> dict[str, Any]:
    """The clean figures of one run, derived from what its pages became (so a re-run reports the same)."""
    cur.execute("SELECT count(*) FROM raw_pages WHERE run_id = %s AND cleaned_at IS NOT NULL", (run_id,))
    pages = int(cur.fetchone()[0])
    # Articles, not pages, and from the tables rather than from counters: an article is new in the run
    # whose page was the first stored for it, so a retried crawl (whose first attempt's pages are gone)
    # or an overlapping run cannot count it as unchanged, or twice.
    cur.execute(
        """WITH touched AS (
               SELECT DISTINCT article_id FROM raw_pages
               WHERE run_id = %(run)s AND clean_outcome IN ('new', 'updated', 'unchanged')),
           firsts AS (
               SELECT t.article_id,
                      (SELECT q.run_id FROM raw_pages q WHERE q.article_id = t.article_id
                       ORDER BY q.fetched_at, q.page_id LIMIT 1) AS first_run
               FROM touched t)
           SELECT count(*) FILTER (WHERE f.first_run = %(run)s),
                  count(*) FILTER (WHERE f.first_run <> %(run)s AND (a.run_id = %(run)s AND a.version > 1
                      OR EXISTS (SELECT 1 FROM raw_pages p WHERE p.run_id = %(run)s
                                 AND p.article_id = f.article_id AND p.clean_outcome = 'updated')))
           FROM firsts f JOIN articles a ON a.article_id = f.article_id""",
        {"run": run_id},
    )
    new, updated = cur.fetchone()
    cur.execute(
        """SELECT split_part(rejected_reason, ':', 1), count(*) FROM raw_pages
           WHERE run_id = %s AND rejected_reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC""",
        (run_id,),
    )
    rejected = dict(cur.fetchall())
    cur.execute(
        """SELECT count(*),
                  count(*) FILTER (WHERE coalesce(a.title, '') <> ''),
                  count(*) FILTER (WHERE a.published_at IS NOT NULL),
                  count(*) FILTER (WHERE a.body <> ''),
                  count(*) FILTER (WHERE cardinality(a.authors) > 0),
                  count(*) FILTER (WHERE a.section IS NOT NULL)
           FROM articles a
           WHERE a.article_id IN (SELECT article_id FROM raw_pages
                                  WHERE run_id = %s AND clean_outcome IN ('new', 'updated', 'unchanged'))""",
        (run_id,),
    )
    total, *filled = cur.fetchone()
    return {
        "pages": pages,
        "new": new,
        "updated": updated,
        "unchanged": total - new - updated,
        "rejected": rejected,
        "articles": total,
        "field_fill": {
            name: round(n / total, 3) if total else 0.0 for name, n in zip(FILL_FIELDS, filled, strict=True)
        },
    }


def timed(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Call fn and add its wall-clock seconds to the figures it returns."""
    start = time.monotonic()
    figures = fn()
    figures["seconds"] = round(time.monotonic() - start, 2)
    return figures

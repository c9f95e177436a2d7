"""Per-site templates for the clean stage: learned from the site's stored pages, kept in site_templates."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from crawler.extract.template import MIN_PAGES, SAMPLE_PAGES, learn

# What the clean stage reads of a site's stored pages: its own successful HTML pages.
_STORED_HTML = """site = %s AND status BETWEEN 200 AND 299 AND rejected_reason IS NULL
             AND body_gzip IS NOT NULL
             AND (content_type IS NULL OR content_type ILIKE 'text/html%%' OR content_type ILIKE '%%xhtml%%')"""


def _sample(cur: Cursor, site: str) -> Iterator[str]:
    """The site's newest stored HTML pages that the crawl kept (one per URL)."""
    cur.execute(
        f"""SELECT DISTINCT ON (final_url) body_gzip FROM raw_pages WHERE {_STORED_HTML}
            ORDER BY final_url, fetched_at DESC""",
        (site,),
    )
    # Newest URLs are not needed: any SAMPLE_PAGES distinct pages show the same template.
    for (body,) in cur.fetchmany(SAMPLE_PAGES):
        try:
            yield gzip.decompress(bytes(body)).decode("utf-8", "replace")
        except (OSError, EOFError, zlib.error):
            continue


def learn_sites(conn: Connection, sites: list[str], run_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Learn and store the template of each site; return them by site (as dicts, cheap to pickle)."""
    templates: dict[str, dict[str, Any]] = {}
    for site in sites:
        with conn, conn.cursor() as cur:
            template = learn(_sample(cur, site))
            data = template.to_dict()
            cur.execute(
                """INSERT INTO site_templates (site, template, pages, learned_at, run_id)
                   VALUES (%s, %s, %s, now(), %s)
                   ON CONFLICT (site) DO UPDATE SET template = EXCLUDED.template, pages = EXCLUDED.pages,
                       learned_at = EXCLUDED.learned_at, run_id = EXCLUDED.run_id""",
                (site, json.dumps(data), template.pages, run_id),
            )
        templates[site] = data
    return templates


def pending_sites(conn: Connection, run_id: str | None) -> list[str]:
    """Sites with pages the clean stage has not cleaned yet (of run_id, or all)."""
    with conn, conn.cursor() as cur:
        condition = "cleaned_at IS NULL" + (" AND run_id = %s" if run_id else "")
        cur.execute(f"SELECT DISTINCT site FROM raw_pages WHERE {condition}", (run_id,) if run_id else ())
        return sorted(row[0] for row in cur.fetchall())


def article_sites(conn: Connection) -> list[str]:
    """Sites with stored articles (what reclean re-extracts)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT DISTINCT site FROM articles")
        return sorted(row[0] for row in cur.fetchall())


def stored_pages(conn: Connection, site: str) -> int:
    """How many distinct pages a template of the site can be learned from, counted up to SAMPLE_PAGES."""
    with conn, conn.cursor() as cur:
        cur.execute(
            f"""SELECT count(*) FROM (SELECT DISTINCT final_url FROM raw_pages WHERE {_STORED_HTML}
                LIMIT %s) AS sample""",
            (site, SAMPLE_PAGES),
        )
        return int(cur.fetchone()[0])


class RunTemplates:
    """Each site's template for one clean run, learned again while a crawl beside the clean stores pages.

    `newsroom run` starts cleaning as soon as the crawl stores its first pages, so on a site's first
    night a template learned at the start would come from no page or a handful. A site whose template
    came from fewer than SAMPLE_PAGES pages is learned again whenever its stored pages have doubled
    (at most five times a night), so most of the night's pages are read with a full template.
    """

    def __init__(self, run_id: str | None, growing: bool = False) -> None:
        self.run_id = run_id
        # Only while a crawl beside the clean stores pages do the sites and their samples change; a
        # clean of a stored backlog (a DAG task, a chunk) learns once instead of asking on every batch.
        self.growing = growing
        self.by_site: dict[str, dict[str, Any]] = {}
        self.asked = False

    def refresh(self, conn: Connection) -> dict[str, dict[str, Any]]:
        """The templates to extract the next batch with (conn must have no transaction open)."""
        if self.asked and not self.growing:
            return self.by_site
        self.asked = True
        sites = set(pending_sites(conn, self.run_id)) | set(self.by_site)
        due = []
        for site in sorted(sites):
            learned = self.by_site.get(site)
            pages = int(learned.get("pages") or 0) if learned is not None else None
            if pages is None or (
                # stored_pages counts up to SAMPLE_PAGES: from half a sample on, a full one is due.
                pages < SAMPLE_PAGES
                and stored_pages(conn, site) >= min(SAMPLE_PAGES, max(MIN_PAGES, 2 * pages))
            ):
                due.append(site)
        if due:
            self.by_site.update(learn_sites(conn, due, self.run_id))
        return self.by_site

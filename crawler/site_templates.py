"""Per-site templates for the clean stage: learned from the site's stored pages, kept in site_templates."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from crawler.extract.template import SAMPLE_PAGES, learn


def _sample(cur: Cursor, site: str) -> Iterator[str]:
    """The site's newest stored HTML pages that the crawl kept (one per URL)."""
    cur.execute(
        """SELECT DISTINCT ON (final_url) body_gzip FROM raw_pages
           WHERE site = %s AND status BETWEEN 200 AND 299 AND rejected_reason IS NULL
             AND body_gzip IS NOT NULL
             AND (content_type IS NULL OR content_type ILIKE 'text/html%%' OR content_type ILIKE '%%xhtml%%')
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

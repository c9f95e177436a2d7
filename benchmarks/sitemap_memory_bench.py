"""Peak memory of `newsroom crawl --max-pages N` against a site whose sitemaps list millions of URLs.

    python benchmarks/sitemap_memory_bench.py [--sitemaps 10] [--urls-per-sitemap 200000] [--max-pages 100]

Serves, on loopback, a robots.txt naming a sitemap index of S child sitemaps with U URLs each (with
lastmod) and tiny article pages, then runs the crawl stage as a subprocess into a scratch database
and prints the peak RSS and PSS of the whole process tree (the CLI process and the Scrapy process),
the wall time and what the crawl recorded. Asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from treemem import run_measured

from crawler import db, runs

CHILD = re.compile(r"^/sitemap-(\d+)\.xml$")
ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/artikel-(\d+)/$")


def child_sitemap(index: int, count: int) -> bytes:
    """One urlset of count article URLs with lastmod, as the protocol lays it out."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    base = index * count
    for n in range(base, base + count):
        day = 1 + n % 28
        parts.append(
            f"<url><loc>http://127.0.0.1:{{port}}/2025/{1 + n % 12:02d}/{day:02d}/artikel-{n}/</loc>"
            f"<lastmod>2025-{1 + n % 12:02d}-{day:02d}T08:00:00+00:00</lastmod></url>\n"
        )
    parts.append("</urlset>\n")
    return "".join(parts).encode()


class Handler(BaseHTTPRequestHandler):
    """robots.txt, the sitemap index, its children and tiny article pages."""

    server: Any
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Answer one request."""
        port = self.server.server_address[1]
        sitemaps, per_sitemap = self.server.sitemaps, self.server.per_sitemap
        ctype = "application/xml"
        child = CHILD.match(self.path)
        if self.path == "/robots.txt":
            body, ctype = (
                f"User-agent: *\nSitemap: http://127.0.0.1:{port}/sitemap_index.xml\n".encode(),
                "text/plain",
            )
        elif self.path == "/sitemap_index.xml":
            entries = "".join(
                f"<sitemap><loc>http://127.0.0.1:{port}/sitemap-{i}.xml</loc></sitemap>"
                for i in range(sitemaps)
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
            ).encode()
        elif child and int(child.group(1)) < sitemaps:
            body = child_sitemap(int(child.group(1)), per_sitemap).replace(b"{port}", str(port).encode())
        elif ARTICLE.match(self.path):
            n = ARTICLE.match(self.path).group(4)  # type: ignore[union-attr]
            body = (
                '<!doctype html><html lang="de"><head><meta property="og:type" content="article">'
                f"<title>Artikel {n}</title></head><body><article><h1>Artikel {n}</h1>"
                + "<p>Ein Satz über die Stadt und ihre Menschen.</p>" * 20
                + "</article></body></html>"
            ).encode()
            ctype = "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(ConnectionResetError, BrokenPipeError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sitemaps", type=int, default=10)
    parser.add_argument("--urls-per-sitemap", type=int, default=200_000)
    parser.add_argument("--max-pages", type=int, default=100)
    args = parser.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.sitemaps, httpd.per_sitemap = args.sitemaps, args.urls_per_sitemap  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    site = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with db.scratch_database("newsroom_bench") as url:
            db.migrate(url)
            run_id = runs.new_run_id(site)
            command = [sys.executable, "-m", "crawler.cli", "crawl", "--site", site, "--run-id", run_id]
            measured = run_measured([*command, "--max-pages", str(args.max_pages)], env={"DATABASE_URL": url})
            with db.transaction(url) as cur:
                cur.execute("SELECT stats -> 'crawl' FROM crawl_runs WHERE run_id = %s", (run_id,))
                row = cur.fetchone()
            figures = (row[0] if row else None) or {}
    finally:
        httpd.shutdown()
        httpd.server_close()
    listed = args.sitemaps * args.urls_per_sitemap
    print(
        f"site: {args.sitemaps} sitemaps x {args.urls_per_sitemap:,} URLs = {listed:,} listed, --max-pages {args.max_pages}"
    )
    print(
        f"crawl exit {measured.code}, {measured.seconds:.1f} s wall, up to {measured.peak_processes} processes"
    )
    print(f"peak RSS of the process tree: {measured.peak_rss_mb:.0f} MB (PSS {measured.peak_pss_mb:.0f} MB)")
    print(
        f"crawl figures: requested {figures.get('requested')}, stored {figures.get('stored')}, "
        f"discovered {figures.get('discovered')}, sitemap entries read {figures.get('listed')}, "
        f"max_pages_reached {figures.get('max_pages_reached')}"
    )


if __name__ == "__main__":
    main()

"""The `newsroom` command: every stage of the pipeline, the demo portal and the database helpers."""

from __future__ import annotations

import argparse
import errno
import gzip
import json
import logging
import os
import shutil
import sys
import traceback
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions

from crawler import db, procs


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler import stages

    _print_json(stages.crawl(args.site, run_id=args.run_id, progress=True, max_pages=args.max_pages))
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    from crawler import stages

    _print_json(stages.clean(run_id=args.run_id, workers=args.workers, progress=True))
    return 0


def cmd_reclean(args: argparse.Namespace) -> int:
    from crawler import stages

    _print_json(stages.reclean(only_outdated=not args.all, workers=args.workers, progress=True))
    return 0


def cmd_dedupe(args: argparse.Namespace) -> int:
    from crawler import stages

    _print_json(stages.dedupe(run_id=args.run_id, rebuild=args.rebuild))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from crawler import stages
    from crawler.quality import QualityCheckFailed
    from crawler.report import format_report

    try:
        result = stages.run(
            args.site, progress=True, workers=args.workers, max_pages=args.max_pages, run_id=args.run_id
        )
    except QualityCheckFailed as failed:
        print(
            f"newsroom: the night failed its quality checks (run closed as failed)\n{failed}", file=sys.stderr
        )
        return 1
    print(format_report(result))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from crawler import stages

    _print_json(stages.publish())
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import extract_article

    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    if data[:2] == b"\x1f\x8b":  # stored pages are often gzipped, as in the test fixtures
        data = gzip.decompress(data)
    article = extract_article(data, url=args.url)
    _print_json(article.to_dict())
    return 0 if article.rejected_reason is None else 2


def cmd_db_migrate(args: argparse.Namespace) -> int:
    applied = db.migrate()
    print("applied: " + (", ".join(applied) if applied else "nothing, the schema is up to date"))
    return 0


def cmd_db_url(args: argparse.Namespace) -> int:
    print(db.as_url(db.database_url(), show_password=args.show_password))
    return 0


def psql_binary() -> str | None:
    """The psql that ships with the embedded server, else the one on PATH."""
    try:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    return shutil.which("psql")


def cmd_db_psql(args: argparse.Namespace) -> int:
    binary = psql_binary()
    if not binary:
        print("no psql found; connect any client to: " + db.as_url(db.database_url()), file=sys.stderr)
        return 1
    url = db.database_url()
    try:
        db.migrate(url)
    except psycopg2.Error as exc:
        # An analyst's login may read analytics but not migrate: psql is what it asked for, not a schema.
        logging.getLogger(__name__).debug("not migrating before psql: %s", exc)
    env = dict(os.environ)
    password = psycopg2.extensions.parse_dsn(url).get("password")
    if password:
        env["PGPASSWORD"] = password  # not in argv, where `ps` shows it to every user of the machine
    os.execve(binary, [binary, db.as_url(url, password_mask=None), *args.extra], env)
    return 0  # not reached: execv replaces this process


def cmd_portal(args: argparse.Namespace) -> int:
    from newsroom_demo.server import serve

    serve(
        args.port,
        articles=args.articles,
        seed=args.seed,
        day=args.day,
        host=args.host,
        planted_edits=args.planted_edits,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler import stages
    from crawler.report import format_report
    from newsroom_demo.server import running_portal

    url = db.database_url()
    with ExitStack() as stack:
        try:
            # The same port every time keeps the portal's URLs, so a second demo is an incremental night.
            portal = stack.enter_context(
                running_portal(articles=args.articles, seed=args.seed, port=args.port, planted_edits=True)
            )
        except OSError:
            portal = stack.enter_context(
                running_portal(articles=args.articles, seed=args.seed, planted_edits=True)
            )
        print(f"demo portal: {portal.base_url} ({args.articles} articles)")
        print(f"database:    {db.as_url(url)}\n")
        for night in range(1, args.nights + 1):
            portal.set_day(night)
            print(f"night {night}:")
            result = stages.run(portal.base_url, db_url=url, progress=True, workers=args.workers)
            print(format_report(result) + "\n")
    print("Open the data with psql:")
    print("  .venv/bin/newsroom db psql")
    print('  -- or: psql "$(.venv/bin/newsroom db url --show-password)"')
    print("then for example:")
    print("  SELECT section, count(*) FROM articles WHERE duplicate_of IS NULL GROUP BY 1 ORDER BY 2 DESC;")
    print("  SELECT title, url, published_at FROM analytics.search('Drohungen');")
    print("  SELECT kind, title_before, title_after, words_added FROM analytics.article_edits;")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `newsroom`."""
    from crawler import __version__

    parser = argparse.ArgumentParser(prog="newsroom", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"newsroom {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="fetch a site into raw_pages")
    p.add_argument("--site", required=True, help="base URL of the portal")
    p.add_argument("--run-id", help="re-use a run id (a retry replaces its own rows)")
    p.add_argument("--max-pages", type=int)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("clean", help="extract articles from raw pages not cleaned yet")
    p.add_argument("--run-id", help="only pages of this run")
    p.add_argument("--workers", type=int, help="extraction processes (default: every core)")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("reclean", help="re-extract stored raw pages with the current extractor")
    p.add_argument("--all", action="store_true", help="every article, not only those of older extractors")
    p.add_argument("--workers", type=int)
    p.set_defaults(func=cmd_reclean)

    p = sub.add_parser("dedupe", help="mark duplicate articles")
    p.add_argument("--run-id", help="record the figures under this run")
    p.add_argument("--rebuild", action="store_true", help="recompute every signature and link from scratch")
    p.set_defaults(func=cmd_dedupe)

    p = sub.add_parser("run", help="crawl, clean and dedupe a site, then print a report")
    p.add_argument("--site", required=True)
    p.add_argument("--run-id", help="re-use a run id (a retry replaces its own rows)")
    p.add_argument("--workers", type=int)
    p.add_argument("--max-pages", type=int)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("publish", help="refresh what analysts query (the analytics schema)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("extract", help="one saved page in, the extracted article as JSON out")
    p.add_argument("file", help="an HTML file (gzip is fine), or - for stdin")
    p.add_argument("--url", help="the URL the page came from")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("db", help="database helpers")
    db_sub = p.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_db_migrate)
    p_url = db_sub.add_parser("url", help="print the database URL in use (password masked)")
    p_url.add_argument("--show-password", action="store_true", help="print the password too")
    p_url.set_defaults(func=cmd_db_url)
    p_psql = db_sub.add_parser("psql", help="open psql on the database in use (other arguments go to psql)")
    p_psql.set_defaults(func=cmd_db_psql, passes_extra_args=True)

    p = sub.add_parser("portal", help="serve the demo news portal on loopback")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--articles", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--day", type=int, default=1, help="day 2 and later: some articles changed, as on a later night"
    )
    p.add_argument(
        "--planted-edits",
        action="store_true",
        help="from day 2: one article corrected, retitled, rewritten, typo-fixed, re-dated and removed each",
    )
    p.set_defaults(func=cmd_portal)

    p = sub.add_parser("demo", help="serve the demo portal and run the whole pipeline into the database")
    p.add_argument("--articles", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--nights", type=int, default=2, help="nights to run; the portal changes between them")
    p.add_argument("--workers", type=int)
    p.add_argument("--port", type=int, default=8765, help="portal port (a free one if taken)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `newsroom` command."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passes_extra_args", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    procs.raise_on_termination()
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        print("newsroom: interrupted", file=sys.stderr)
        return 130
    except procs.Terminated as exc:
        print(f"newsroom: {exc}", file=sys.stderr)
        return 128 + exc.signum
    except (db.NoDatabaseServer, db.MigrationError) as exc:
        if args.verbose:
            raise
        # An installation problem, not a bug: one line says what to do.
        print(f"newsroom: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # every user mistake and unreachable dependency: one line, not a traceback
        if args.verbose:
            traceback.print_exc()
        print(f"newsroom: {error_line(exc)}", file=sys.stderr)
        return 1
    return result


def error_line(exc: BaseException) -> str:
    """One line that says what went wrong, without the password of any URL in it."""
    from crawler.runs import first_line

    if isinstance(exc, psycopg2.Error):
        what = "database"
    elif isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        what = "port busy"
    elif isinstance(exc, OSError):
        what = exc.strerror or "OS error"
        return f"{what}: {exc.filename}" if exc.filename else first_line(exc)
    else:
        what = type(exc).__name__
    return db.mask_password(f"{what}: {first_line(getattr(exc, 'reason', None) or exc)}")


if __name__ == "__main__":
    sys.exit(main())

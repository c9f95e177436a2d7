"""Faults and misuse (issue 13): overlapping runs, kills, hostile responses; real processes and Postgres."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions
import pytest
from support import REPO, before_each_answer, newsroom

from crawler import db, quality, runs, stages
from crawler.urls import normalize_url
from newsroom_demo.server import PortalServer, running_portal

# Bounds of the polling loops below (iterations x sleep), generous for a loaded machine: they end a
# test that would otherwise hang, they are not a claim about speed.
POLL_SECONDS = 0.1
MAX_POLLS = 1800


def start_newsroom(*args: str) -> subprocess.Popen[str]:
    """`newsroom ARGS` as a real process of its own, output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def expected_articles(server: PortalServer) -> set[str]:
    return {normalize_url(server.base_url + story.url) for story in server.portal.stories()}


def only_run_id(conn: psycopg2.extensions.connection) -> str:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT run_id FROM crawl_runs")
        (run_id,) = cur.fetchone()
    return str(run_id)


def copy_run(conn: psycopg2.extensions.connection, source: str, target: str) -> None:
    """A second run of the same site that fetched the same pages a second later, not cleaned yet."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO crawl_runs (run_id, site) SELECT %s, site FROM crawl_runs WHERE run_id = %s",
            (target, source),
        )
        cur.execute(
            """INSERT INTO raw_pages (run_id, site, url, final_url, status, headers, content_type, body_gzip,
                   body_bytes, body_sha256, fetched_at, discovered_via, sitemap_lastmod, rejected_reason)
               SELECT %s, site, url, final_url, status, headers, content_type, body_gzip, body_bytes,
                      body_sha256, fetched_at + interval '1 second', discovered_via, sitemap_lastmod,
                      CASE WHEN status = 0 OR status >= 400 THEN rejected_reason END
               FROM raw_pages WHERE run_id = %s""",
            (target, source),
        )


@contextmanager
def articles_locked(url: str) -> Iterator[psycopg2.extensions.connection]:
    """Hold an EXCLUSIVE lock on articles: every clean stops at its first article write until released."""
    blocker = db.connect(url)
    try:
        with blocker.cursor() as cur:
            cur.execute("LOCK TABLE articles IN EXCLUSIVE MODE")
        yield blocker
    finally:
        blocker.rollback()
        blocker.close()


def waiting_on_articles(conn: psycopg2.extensions.connection) -> int:
    """How many sessions wait for a lock on the articles table."""
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               WHERE c.relname = 'articles' AND NOT l.granted"""
        )
        return int(cur.fetchone()[0])


def test_1_overlapping_cleans_of_one_site_both_finish_with_every_article_once(db_url: str, conn) -> None:
    with running_portal(articles=30, seed=5, day=1) as server:
        expected = expected_articles(server)
        newsroom("crawl", "--site", server.base_url)
    first = only_run_id(conn)
    copy_run(conn, first, "overlapping-run")
    with articles_locked(db_url):
        cleans = [
            start_newsroom("clean", "--run-id", run_id, "--workers", "1")
            for run_id in (first, "overlapping-run")
        ]
        # Provably overlapping: both cleans wait at their first article write, in the same instant.
        for _ in range(MAX_POLLS):
            if waiting_on_articles(conn) == 2 or any(p.poll() is not None for p in cleans):
                break
            time.sleep(POLL_SECONDS)
        assert waiting_on_articles(conn) == 2, [p.poll() for p in cleans]
    outputs = [p.communicate() for p in cleans]
    assert [p.returncode for p in cleans] == [0, 0], [err[-2000:] for _, err in outputs]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert {row[0] for row in cur.fetchall()} == expected
        cur.execute(
            """SELECT count(*) FILTER (WHERE cleaned_at IS NULL),
                      count(*) FILTER (WHERE clean_outcome = 'new'),
                      count(DISTINCT article_id) FILTER (WHERE clean_outcome = 'new')
               FROM raw_pages"""
        )
        # Nothing left uncleaned, and each article was created by exactly one page of one run.
        assert cur.fetchone() == (0, len(expected), len(expected))


def test_4_two_runs_of_a_site_in_the_same_second_are_two_runs(db_url: str, conn) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 24, 2, 0, 0, tzinfo=UTC)
    ids = {runs.new_run_id("https://example.de/", now) for _ in range(2)}
    assert len(ids) == 2
    with conn, conn.cursor() as cur:
        for run_id in ids:
            runs.start_run(cur, run_id, "example.de")
        cur.execute("SELECT count(*) FROM crawl_runs WHERE site = 'example.de'")
        assert cur.fetchone()[0] == 2
    assert all(
        run_id.startswith("20261124T020000.000000Z-") and run_id.endswith("-example.de") for run_id in ids
    )


def test_5_a_gzip_bomb_is_recorded_as_too_large(db_url: str, conn) -> None:
    import gzip

    from crawler.crawl.process import run_crawl

    bomb = gzip.compress(b"<html><body>" + b" " * 30_000_000 + b"</body></html>", compresslevel=9)
    with running_portal(articles=5, seed=8, day=1) as server:
        target = server.portal.stories()[0].url
        original = server.portal.respond

        def respond(
            path_with_query: str, request_headers: dict[str, str]
        ) -> tuple[int, dict[str, str], bytes]:
            if path_with_query.split("?", 1)[0] == target:  # 30 MB of spaces in 30 kB of gzip
                return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb
            return original(path_with_query, request_headers)

        server.portal.respond = respond  # type: ignore[method-assign]
        run_crawl(server.base_url, "bomb", db_url)
        bomb_url = normalize_url(server.base_url + target)
    assert len(bomb) < 100_000
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT rejected_reason, body_gzip IS NULL FROM raw_pages WHERE run_id = 'bomb' AND url = %s",
            (bomb_url,),
        )
        assert cur.fetchall() == [("too_large", True)]


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of pid from /proc, or None when it is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":
        return None  # exited, waiting to be reaped: it runs nothing any more
    return int(fields[1]), fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every live descendant of root: pid -> start time (the pair survives pid reuse)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
                starts[int(entry)] = stat[1]
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = starts[child]
            todo.append(child)
    return found


def survivors(processes: dict[int, str]) -> dict[int, str]:
    """Those of processes still alive after up to 5 s (polled, bounded)."""
    alive = dict(processes)
    for _ in range(50):
        alive = {pid: start for pid, start in alive.items() if (_stat(pid) or (0, ""))[1] == start}
        if not alive:
            break
        time.sleep(0.1)
    return alive


def stored_pages(conn: psycopg2.extensions.connection, cleaned: bool = False) -> int:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM raw_pages" + (" WHERE cleaned_at IS NOT NULL" if cleaned else ""))
        return int(cur.fetchone()[0])


@contextmanager
def slow_portal(articles: int, seed: int, delay: float) -> Iterator[PortalServer]:
    """The demo portal answering each request after delay seconds, so a stage is surely mid-way."""
    with (
        running_portal(articles=articles, seed=seed, day=1) as server,
        before_each_answer(server, lambda _: time.sleep(delay)),
    ):
        yield server


def kill_mid_stage(
    process: subprocess.Popen[str], signum: int, ready: Callable[[dict[int, str]], bool]
) -> dict[int, str]:
    """Wait (bounded) until ready(descendants) holds, send signum to the parent; return the descendants."""
    seen: dict[int, str] = {}
    for _ in range(MAX_POLLS):
        assert process.poll() is None, process.communicate()[1][-2000:]
        seen.update(descendants(process.pid))
        if ready(seen):
            break
        time.sleep(POLL_SECONDS)
    else:
        raise AssertionError(f"the stage never got mid-way: {seen}")
    seen.update(descendants(process.pid))
    os.kill(process.pid, signum)
    # wait(), not communicate(): an orphan would hold the output pipes open and hang the test.
    process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
    return seen


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_2_a_killed_crawl_leaves_no_process_and_a_rerun_the_right_rows(
    db_url: str, conn, signum: int
) -> None:
    with slow_portal(articles=20, seed=9, delay=0.05) as server:
        expected = expected_articles(server)
        crawl = start_newsroom("crawl", "--site", server.base_url)
        children = kill_mid_stage(crawl, signum, lambda seen: bool(seen) and stored_pages(conn) > 3)
        assert children  # the Scrapy process
        assert survivors(children) == {}
        before = stored_pages(conn)
        time.sleep(1)  # a crawl still running would go on storing pages
        assert stored_pages(conn) == before
        with conn, conn.cursor() as cur:
            cur.execute("SELECT run_id, status FROM crawl_runs")
            ((run_id, status),) = cur.fetchall()
        if signum == signal.SIGTERM:
            assert crawl.returncode == 128 + signal.SIGTERM
            assert status == "failed"  # closed on the way out
        newsroom("crawl", "--site", server.base_url, "--run-id", run_id)  # the retry
        newsroom("clean", "--run-id", run_id)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert {row[0] for row in cur.fetchall()} == expected


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_2_a_killed_clean_takes_its_forkserver_workers_and_tracker_along(
    db_url: str, conn, signum: int
) -> None:
    with running_portal(articles=120, seed=10, day=1) as server:
        expected = expected_articles(server)
        newsroom("crawl", "--site", server.base_url)
    total = stored_pages(conn)
    clean = start_newsroom("clean", "--workers", "2")
    # Mid-stage: the forkserver, two workers and the resource tracker run, a first batch is stored.
    children = kill_mid_stage(
        clean, signum, lambda seen: len(seen) >= 4 and stored_pages(conn, cleaned=True) > 0
    )
    assert survivors(children) == {}
    assert stored_pages(conn, cleaned=True) < total  # it was killed mid-way
    newsroom("clean", "--workers", "2")
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert {row[0] for row in cur.fetchall()} == expected
        cur.execute("SELECT count(*) FROM raw_pages WHERE cleaned_at IS NULL")
        assert cur.fetchone()[0] == 0


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_2_a_killed_run_leaves_no_process_and_the_next_run_closes_it(db_url: str, conn, signum: int) -> None:
    with slow_portal(articles=40, seed=11, delay=0.05) as server:
        run = start_newsroom("run", "--site", server.base_url)
        children = kill_mid_stage(run, signum, lambda seen: bool(seen) and stored_pages(conn) > 3)
        assert survivors(children) == {}
        expected = expected_articles(server)
        # The next night, in this process. Its quality checks are not what this test is about: an
        # unchanged demo night stores little beside the portal's broken pages (rejection rate > 50 %).
        stages.run(server.base_url, db_url=db_url, thresholds=quality.Thresholds(max_rejection_rate=1.0))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert {row[0] for row in cur.fetchall()} == expected
        cur.execute("SELECT status, stats ->> 'failure' FROM crawl_runs ORDER BY started_at")
        (first, reason), (second, _) = cur.fetchall()
    # SIGTERM: closed by the dying run itself; SIGKILL: by the next run of the site.
    assert (first, second) == ("failed", "success")
    assert reason.startswith("stopped by SIGTERM" if signum == signal.SIGTERM else "abandoned: process")


def report_figure(report: str, label: str) -> int:
    """The number on the report line starting with label."""
    (line,) = [line for line in report.splitlines() if line.strip().startswith(label)]
    return int(line.split()[len(label.split())])


def rejected_by_code(conn: psycopg2.extensions.connection, run_id: str) -> dict[str, int]:
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT split_part(rejected_reason, ':', 1), count(*) FROM raw_pages
               WHERE run_id = %s AND rejected_reason IS NOT NULL GROUP BY 1""",
            (run_id,),
        )
        return dict(cur.fetchall())


def health(conn: psycopg2.extensions.connection, run_id: str) -> dict[str, object]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM analytics.crawl_health WHERE run_id = %s", (run_id,))
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def test_7_a_retried_run_counts_every_article_new_once(db_url: str, conn) -> None:
    with running_portal(articles=25, seed=12, day=1) as server:
        newsroom("run", "--site", server.base_url, "--run-id", "retried")
        # The retry of the whole run: its crawl replaces the first attempt's pages with its own.
        report = newsroom("run", "--site", server.base_url, "--run-id", "retried").stdout
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        articles = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM raw_pages WHERE run_id = 'retried' AND rejected_reason IS NOT NULL")
        rejected = cur.fetchone()[0]
    figures = health(conn, "retried")
    # Every article came in with this run: all new, none unchanged, whatever the retry did.
    assert (figures["new"], figures["updated"], figures["unchanged"]) == (articles, 0, 0)
    assert report_figure(report, "articles new") == articles
    assert report_figure(report, "articles unchanged") == 0
    assert report_figure(report, "pages rejected") == figures["rejected_total"] == rejected


def test_8_crawl_health_counts_each_rejected_page_once(db_url: str, conn) -> None:
    with running_portal(articles=25, seed=13, day=1) as server:
        newsroom("run", "--site", server.base_url)
    run_id = only_run_id(conn)
    expected = rejected_by_code(conn, run_id)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM raw_pages WHERE run_id = %s AND clean_outcome = 'rejected'", (run_id,)
        )
        crawl_and_clean_rejects = cur.fetchone()[0]
        cur.execute("SELECT stats -> 'crawl' -> 'rejected' FROM crawl_runs")
        crawl_rejected = cur.fetchone()[0]
    assert crawl_rejected  # the portal's broken pages: the crawl itself rejected some
    figures = health(conn, run_id)
    assert figures["rejected"] == expected
    assert figures["rejected_total"] == sum(expected.values()) == crawl_and_clean_rejects


@contextmanager
def analyst_login(pg_server: str) -> Iterator[str]:
    """A login made for an analyst as the news_analyst role's comment says; its name."""
    import uuid

    name = f"analyst_{uuid.uuid4().hex[:8]}"
    admin = db.connect(pg_server)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE ROLE {name} LOGIN IN ROLE news_analyst")
            cur.execute(f"ALTER ROLE {name} SET statement_timeout = '60s'")
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP ROLE IF EXISTS {name}")
        admin.close()


def as_user(url: str, user: str) -> str:
    dsn = psycopg2.extensions.parse_dsn(url)
    dsn["user"] = user
    dsn.pop("password", None)
    return psycopg2.extensions.make_dsn(**dsn)


def test_9_views_are_barriers_search_is_capped_and_analysts_get_a_timeout_and_psql(
    db_url: str, conn, pg_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_analytics import insert_article, search

    with conn.cursor() as cur:
        original = insert_article(cur, title="Original")
        insert_article(cur, title="Kopie", url="https://www.example.de/geheime-kopie/", duplicate_of=original)
        cur.execute(
            """INSERT INTO articles (url, site, title, body, content_hash, first_seen_at, last_seen_at,
                                     extractor_version)
               SELECT 'https://www.example.de/wahl-' || i || '/', 'www.example.de', 'Wahl ' || i,
                      'Die Wahl im Kreis ' || i, md5(i::text), now(), now(), 'test'
               FROM generate_series(1, 1100) AS i"""
        )
        cur.execute(
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'analytics' AND c.relkind = 'v'
                 AND NOT coalesce('security_barrier=true' = ANY (c.reloptions), false)"""
        )
        assert cur.fetchall() == []  # every view, including those later migrations add
        conn.commit()
        cur.execute("SET ROLE news_analyst")
        # A cheap function the planner would run before the view's own filter, were it no barrier.
        cur.execute(
            """CREATE FUNCTION pg_temp.peek(u text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS
               $$ BEGIN RAISE NOTICE 'saw %', u; RETURN true; END $$"""
        )
        conn.notices.clear()
        cur.execute("SELECT title FROM analytics.articles WHERE pg_temp.peek(url)")
        assert "Kopie" not in {row[0] for row in cur.fetchall()}
        assert not any("geheime-kopie" in notice for notice in conn.notices)
        assert len(search(cur, "Wahl", lim=2147483647)) == 1000  # the ranking cap holds
        cur.execute("RESET ROLE")
        cur.execute("SELECT rolconfig FROM pg_roles WHERE rolname = 'news_analyst'")
        assert "statement_timeout=60s" in cur.fetchone()[0]
    conn.rollback()

    with analyst_login(pg_server) as analyst:
        monkeypatch.setenv("DATABASE_URL", as_user(db_url, analyst))
        done = newsroom(
            "db",
            "psql",
            "-At",
            "-c",
            "SHOW statement_timeout",
            "-c",
            "SELECT count(*) FROM analytics.articles",
        )
        assert done.stdout.split() == ["1min", "1101"]
        # A read-only login running a stage: one line, no traceback, non-zero.
        refused = newsroom("clean", check=False)
        assert refused.returncode == 1
        assert refused.stderr.strip().count("\n") == 0 and "permission denied" in refused.stderr, (
            refused.stderr
        )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def forbidding_site() -> Iterator[str]:
    """A site on loopback answering 403 to everything; its base URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Forbidden(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>Forbidden</body></html>"
            self.send_response(403)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Forbidden)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The error a failed command printed, checked to be one line without a traceback."""
    lines = [line for line in done.stderr.splitlines() if line.startswith("newsroom: ")]
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(lines) == 1, done.stderr[-3000:]
    return lines[0]


def test_10_nights_that_fetch_nothing_usable_fail_with_a_reason(db_url: str, conn) -> None:
    with forbidding_site() as forbidden:
        sites = {"not-a-url": "not a site URL", f"http://127.0.0.1:{free_port()}": "nothing usable fetched",
                 forbidden: "nothing usable fetched: "}  # fmt: skip
        for site, reason in sites.items():
            assert reason in one_line_error(newsroom("run", "--site", site, check=False))
    with conn, conn.cursor() as cur:
        cur.execute("SELECT status, stats ->> 'failure' FROM crawl_runs ORDER BY started_at")
        ledger = cur.fetchall()
    assert [status for status, _ in ledger] == ["failed"] * 3
    assert ledger[0][1].startswith("not a site URL")
    assert "fetch_error" in ledger[1][1] and "http_403" in ledger[2][1]
    # A site that does not answer at all: its robots.txt is unreachable, so nothing else was tried.
    assert "robots_unreachable: robots.txt could not be fetched (fetch_error" in ledger[1][1]


def test_10_user_mistakes_and_unreachable_dependencies_are_one_line(
    db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "No such file" in one_line_error(newsroom("extract", str(tmp_path / "missing.html"), check=False))
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        assert "port busy" in one_line_error(newsroom("portal", "--port", port, check=False))
    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody:s3cret@127.0.0.1:{free_port()}/none")
    line = one_line_error(newsroom("db", "migrate", check=False))
    assert line.startswith("newsroom: database: ") and "s3cret" not in line
    verbose = newsroom("--verbose", "db", "migrate", check=False)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr  # details when asked for


def test_10_passwords_stay_masked_and_two_portals_on_one_host_are_two_sites(
    db_url: str, conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = psycopg2.extensions.parse_dsn(db_url)
    host, port = dsn.get("host", ""), dsn.get("port")
    if host.startswith("/"):  # the embedded server's socket directory is a query parameter in a URL
        where = f"/{dsn['dbname']}?host={host}" + (f"&port={port}" if port else "")
    else:
        where = f"{host}:{port}/{dsn['dbname']}" if port else f"{host}/{dsn['dbname']}"
    with_password = f"postgresql://{dsn['user']}:s3cret@{where}"
    monkeypatch.setenv("DATABASE_URL", with_password)  # trust authentication ignores it
    assert newsroom("db", "url").stdout.strip() == with_password.replace("s3cret", "****")
    assert newsroom("db", "url", "--show-password").stdout.strip() == with_password
    # The demo's portal and this one: two portals on 127.0.0.1, told apart by their ports.
    with running_portal(articles=6, seed=14, day=1) as two:
        demo = newsroom("demo", "--articles", "6", "--nights", "1", "--port", "0")
        newsroom("run", "--site", two.base_url)
        expected = expected_articles(two)
    assert "s3cret" not in demo.stdout + demo.stderr
    assert "postgresql://" in demo.stdout  # the URL is shown, masked
    with conn, conn.cursor() as cur:
        cur.execute("SELECT site, count(*) FROM crawl_runs GROUP BY site ORDER BY site")
        sites = dict(cur.fetchall())
        cur.execute("SELECT url FROM articles WHERE site = %s", (two.base_url.split("://", 1)[1],))
        second = {row[0] for row in cur.fetchall()}
    assert len(sites) == 2 and all(":" in site for site in sites)
    assert second == expected


def test_6_a_database_that_goes_away_fails_the_run_in_one_line_and_closes_it_when_back(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pgserver

    # A throwaway cluster of our own (unix socket only): restarting the shared server is not ours to do.
    server = pgserver.get_server(tmp_path / "pg", cleanup_mode=None)
    try:
        maintenance = str(server.get_uri())
        db.ensure_database(maintenance, "newsroom_fault")
        url = db.with_database(maintenance, "newsroom_fault")
        db.migrate(url)
        monkeypatch.setenv("DATABASE_URL", url)
        conn = db.connect(url)
        with slow_portal(articles=30, seed=15, delay=0.05) as portal:
            run = start_newsroom("run", "--site", portal.base_url)
            crawl = crawl_process_once(run, lambda: stored_pages(conn) > 3)
            conn.close()
            stop_cluster(server)
            # The crawl dies with the database; then the run waits to close itself: bring it back late.
            assert survivors({crawl: _stat(crawl)[1]} if _stat(crawl) else {}) == {}
            pgserver.pg_ctl(
                ["-w", "-o", '-h ""', "-o", f"-k {server.pgdata}", "-l", str(server.log), "start"],
                pgdata=server.pgdata,
                user=server.system_user,
                timeout=60,
            )
            _, stderr = run.communicate()
        done = subprocess.CompletedProcess(run.args, run.returncode, "", stderr)
        line = one_line_error(done)
        assert "connection already closed" not in stderr
        conn = db.connect(url)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT status, stats ->> 'failure' FROM crawl_runs")
            ((status, reason),) = cur.fetchall()
        conn.close()
        assert status == "failed" and reason and reason in line
    finally:
        with contextlib.suppress(Exception):
            stop_cluster(server)


def test_6_a_clean_up_on_a_broken_connection_reports_the_failure_that_broke_it() -> None:
    # A handler that touches the connection the failure broke raises "connection already closed": the
    # one line (and the ledger's reason, the same function) names the real failure instead.
    from crawler.cli import error_line

    lost = psycopg2.OperationalError("server closed the connection unexpectedly\n\tThis probably means …")
    try:
        try:
            raise lost
        except psycopg2.OperationalError:
            raise psycopg2.InterfaceError("connection already closed")  # noqa: B904 - as psycopg2 does
    except psycopg2.InterfaceError as masked:
        assert error_line(masked) == "database: server closed the connection unexpectedly"
        assert stages.failure_reason(masked) == "server closed the connection unexpectedly"
    alone = psycopg2.InterfaceError("connection already closed")
    assert error_line(alone) == "database: the connection to the database was lost"


def stop_cluster(server: object) -> None:
    import pgserver

    try:
        pgserver.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)  # type: ignore[attr-defined]
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"pg_ctl stop: {exc.stdout} {exc.stderr}") from exc


def _command(pid: int) -> str:
    """The command line of pid ('' when it is gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def crawl_process_once(process: subprocess.Popen[str], ready: Callable[[], bool]) -> int:
    """Wait (bounded) until ready() holds while process runs; return the pid of its crawl process.

    Found by its command line, not by pid order: the run has other children too (multiprocessing's
    resource tracker, clean's forkserver), and once pids wrap around one of them can have the lower pid.
    """
    for _ in range(MAX_POLLS):
        assert process.poll() is None
        crawls = [pid for pid in descendants(process.pid) if "crawler.crawl.process" in _command(pid)]
        if crawls and ready():
            (crawl,) = crawls
            return crawl
        time.sleep(POLL_SECONDS)
    raise AssertionError("the stage never got mid-way")


def test_2_a_killed_airflow_task_takes_its_stage_process_along(db_url: str, conn) -> None:
    with slow_portal(articles=20, seed=16, delay=0.05) as server:
        # What a DAG task does: the stage in a process of its own. The task process is then killed.
        task_code = (
            "from crawler.airflow_support import run_stage_in_subprocess; "
            f"run_stage_in_subprocess('crawl', site_url={server.base_url!r}, run_id='task-run', db_url={db_url!r})"
        )
        task = subprocess.Popen(
            [sys.executable, "-c", task_code],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Mid-stage: the stage process and its Scrapy process run, pages are being stored.
        children = kill_mid_stage(
            task, signal.SIGKILL, lambda seen: len(seen) >= 2 and stored_pages(conn) > 3
        )
        assert survivors(children) == {}


def test_10_a_robots_txt_answering_5xx_closes_the_site_for_the_night(
    db_url: str, conn, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RFC 9309 2.3.1.4: an unreachable robots.txt means complete disallow (a 4xx means allow all). The
    # night fetches nothing else and fails with the reason; a site configured not to obey robots.txt
    # is crawled all the same.
    from test_crawl import sites_file

    with running_portal(articles=5, seed=21, day=1) as server:
        original = server.portal.respond

        def respond(
            path_with_query: str, request_headers: dict[str, str]
        ) -> tuple[int, dict[str, str], bytes]:
            if path_with_query == "/robots.txt":
                return 503, {"Content-Type": "text/plain"}, b"busy"
            return original(path_with_query, request_headers)

        server.portal.respond = respond  # type: ignore[method-assign]
        requested: list[str] = []
        with before_each_answer(server, requested.append):
            line = one_line_error(newsroom("run", "--site", server.base_url, check=False))
        assert "robots_unreachable: robots.txt answered 503: the site is treated as disallowing" in line
        assert requested == ["/robots.txt"] * 3  # the first answer and RetryMiddleware's two retries
        with conn, conn.cursor() as cur:
            cur.execute("SELECT status, stats -> 'crawl' ->> 'robots_unreachable' FROM crawl_runs")
            ((status, unreachable),) = cur.fetchall()
            cur.execute("SELECT count(*) FROM discovery_yield")  # a closed night teaches nothing
            assert cur.fetchone() == (0,)
        assert status == "failed" and unreachable.startswith("robots_unreachable: robots.txt answered 503")

        monkeypatch.setenv(
            "NEWSROOM_SITES_FILE", sites_file(tmp_path / "sites.toml", server.base_url, obey_robots=False)
        )
        newsroom("run", "--site", server.base_url)
        stories = expected_articles(server)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM articles")
        assert {url for (url,) in cur.fetchall()} >= stories

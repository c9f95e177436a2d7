"""First and second night on the demo portal: newsroom `run` against trafilatura and a bare Scrapy spider.

    sudo python benchmarks/first_night_bench.py [--articles 1000]
    sudo python benchmarks/first_night_bench.py --wordpress twentytwentyone-de_DE

With --wordpress, the site is the integration tests' real WordPress (Debian's packages, day 1 of its
plan; needs what `make test-integration` needs) on its loopback address, port 80, served by `php -S`,
whose log counts the requests; its stories are the published posts WordPress itself lists.

Prints figures and ratios from one run and asserts nothing. The portal is served in its own process on
127.0.0.1:80 (root needed: trafilatura refuses URLs with a port), counting the requests it answers.
One tool at a time, each in its own process tree, sampled for peak RSS and PSS:

1. newsroom `run` (crawl, clean, dedupe, quality, publish) into a scratch database: night 1, then an
   unchanged night 2;
2. trafilatura: `sitemaps.sitemap_search` for discovery, downloads in a thread pool (16) and `extract`
   in a process pool (one per core), with SSRF protection off and no politeness sleep (loopback only);
   night 2 like its `-b` mode: the sitemaps again, then only URLs not seen on night 1;
3. the crawl stage alone (`newsroom crawl`, fresh database) against a bare Scrapy spider fetching the
   URL list newsroom's night 1 requested, with the same settings (benchmarks/bare_spider.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from treemem import TreeRun, run_measured

from crawler import db
from crawler.urls import normalize_url

HERE = Path(__file__).resolve().parent
BASE = "http://127.0.0.1"
COUNTER_PATH = "/__requests__"


@dataclass
class Site:
    """The site every tool crawls: its base URL, the stories on it, and a count of requests answered."""

    base: str
    stories: set[str]
    requests_so_far: Callable[[], int]
    name: str


# -- the portal process ---------------------------------------------------------------------------------


def serve(articles: int, seed: int, seconds: float) -> None:
    """Serve the portal on 127.0.0.1:80, answering COUNTER_PATH with the number of requests so far."""
    from newsroom_demo.server import running_portal

    with running_portal(articles=articles, seed=seed, day=1, port=80) as server:
        original = server.portal.respond
        count = [0]

        def respond(path: str, headers: Any) -> Any:
            if path == COUNTER_PATH:
                return 200, {"Content-Type": "text/plain"}, str(count[0]).encode()
            count[0] += 1
            return original(path, headers)

        server.portal.respond = respond  # type: ignore[method-assign]
        print("serving", flush=True)
        time.sleep(seconds)


def portal_requests() -> int:
    """How many requests the portal has answered."""
    with urllib.request.urlopen(BASE + COUNTER_PATH, timeout=10) as answer:
        return int(answer.read())


@contextmanager
def demo_portal(articles: int, seed: int, me: list[str]) -> Iterator[Site]:
    """The demo portal in its own process on 127.0.0.1:80."""
    from newsroom_demo.site import Portal

    stories = {normalize_url(BASE + s.url) for s in Portal(articles=articles, seed=seed).stories()}
    portal = subprocess.Popen(
        [*me, "--serve", "--articles", str(articles), "--seed", str(seed)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert portal.stdout is not None
        if portal.stdout.readline().strip() != "serving":
            raise SystemExit("the portal did not start (port 80 needs root and must be free)")
        yield Site(
            BASE, stories, portal_requests, f"demo portal: {articles} articles ({len(stories)} stories)"
        )
    finally:
        portal.terminate()
        portal.wait(timeout=30)


@contextmanager
def real_wordpress(flavour_name: str) -> Iterator[Site]:
    """The integration tests' WordPress, day 1, on its loopback address and port 80 (`php -S`)."""
    sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
    from wordpress import FLAVOURS, WordPress, ensure_mariadb, ensure_packages, is_readable_post
    from wp_content import Plan

    flavour = next((f for f in FLAVOURS if f.name == flavour_name), None)
    if flavour is None:
        raise SystemExit(f"no flavour {flavour_name!r}; one of {', '.join(f.name for f in FLAVOURS)}")
    ensure_packages()
    ensure_mariadb()
    wp = WordPress(flavour, port=80)
    try:
        wp.install()
        wp.apply(Plan().day1())
        wp.start()
        stories = {normalize_url(t["url"]) for t in wp.truth() if is_readable_post(t)}

        def answered() -> int:
            # php -S serves one request per connection and logs each connection it accepts (not the
            # requests a router script answers); speculative connections that sent nothing are logged too.
            lines = wp.log_file.read_text(errors="replace").splitlines()
            accepted = sum(1 for line in lines if line.endswith(" Accepted"))
            return accepted - sum(1 for line in lines if "Closed without sending a request" in line)

        yield Site(wp.base_url, stories, answered, f"real WordPress {flavour.name}: {len(stories)} posts")
    finally:
        wp.remove()


# -- trafilatura ----------------------------------------------------------------------------------------


def trafilatura_night(base: str, config_file: str, known_file: str | None, out_file: str) -> None:
    """Discover by sitemaps, download in threads, extract in processes; write what was found as JSON."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from trafilatura import fetch_url
    from trafilatura.settings import use_config
    from trafilatura.sitemaps import sitemap_search

    config = use_config(config_file)
    started = time.perf_counter()
    urls = sitemap_search(base + "/", sleep_time=0, config=config)
    known = set(json.loads(Path(known_file).read_text())) if known_file else set()
    todo = [u for u in urls if u not in known]  # like `trafilatura -b`: never fetch a seen URL again
    extracted: list[str] = []
    with (
        ThreadPoolExecutor(16) as downloads,
        ProcessPoolExecutor(os.cpu_count() or 1) as extractors,
    ):
        pages = downloads.map(lambda u: (u, fetch_url(u, config=config)), todo)
        jobs = [(u, extractors.submit(_extract, html, u, config_file)) for u, html in pages if html]
        extracted = [u for u, job in jobs if job.result()]
    Path(out_file).write_text(
        json.dumps({"listed": urls, "extracted": extracted, "seconds": time.perf_counter() - started})
    )


def _extract(html: str, url: str, config_file: str) -> bool:
    from trafilatura import extract
    from trafilatura.settings import use_config

    return bool(extract(html, url=url, with_metadata=True, config=use_config(config_file)))


# -- the benchmark --------------------------------------------------------------------------------------


def measured(site: Site, command: list[str], env: dict[str, str] | None = None) -> tuple[TreeRun, int]:
    """Run command measured; also return how many requests the site answered meanwhile."""
    before = site.requests_so_far()
    result = run_measured(command, env=env)
    if result.code != 0:
        print(f"  ! {' '.join(command[:4])} exited {result.code}", flush=True)
    return result, site.requests_so_far() - before


def database_cpu(url: str) -> Callable[[], float] | None:
    """CPU seconds the database server has used so far (its postmaster and every backend), if readable."""
    import psutil

    try:
        data_dir = query(url, "SHOW data_directory")[0][0]
        server = psutil.Process(int(Path(data_dir, "postmaster.pid").read_text().split()[0]))
    except (OSError, ValueError, IndexError, psutil.Error):
        return None

    def used() -> float:
        times = server.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for backend in server.children():
            try:
                own = backend.cpu_times()
            except psutil.Error:
                continue
            total += own.user + own.system
        return total

    return used


def query(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with db.transaction(url) as cur:
        cur.execute(sql, args)
        return list(cur.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trafilatura", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--wordpress", metavar="FLAVOUR", help="the real WordPress of the integration tests")
    args = parser.parse_args()
    if args.serve:
        serve(args.articles, args.seed, seconds=3600)
        return
    if args.trafilatura:
        base, config_file, known_file, out_file = args.trafilatura
        trafilatura_night(base, config_file, known_file if known_file != "-" else None, out_file)
        return
    me = [sys.executable, str(Path(__file__).resolve())]
    target = real_wordpress(args.wordpress) if args.wordpress else demo_portal(args.articles, args.seed, me)
    with target as site, tempfile.TemporaryDirectory() as tmp:
        report(site, me, Path(tmp))


def report(site: Site, me: list[str], tmp: Path) -> None:
    newsroom = [sys.executable, "-m", "crawler.cli"]
    stories = site.stories
    print(f"{site.name}, {os.cpu_count()} cores", flush=True)
    with db.scratch_database("newsroom_bench") as url:
        db.migrate(url)
        env = {"DATABASE_URL": url}
        server_cpu = database_cpu(url)
        server_before = server_cpu() if server_cpu else 0.0
        n1, n1_requests = measured(site, [*newsroom, "run", "--site", site.base], env)
        server_night1 = server_cpu() - server_before if server_cpu else None
        n2, n2_requests = measured(site, [*newsroom, "run", "--site", site.base], env)
        found = {u for (u,) in query(url, "SELECT url FROM articles")}
        crawl1, clean1 = query(
            url, "SELECT stats->'crawl', stats->'clean' FROM crawl_runs ORDER BY started_at LIMIT 1"
        )[0]
        first_run = query(url, "SELECT run_id FROM crawl_runs ORDER BY started_at LIMIT 1")[0][0]
        listed = query(
            url,
            """SELECT url FROM raw_pages WHERE run_id = %s
               UNION SELECT final_url FROM raw_pages WHERE run_id = %s AND status = 200""",
            first_run,
            first_run,
        )
    url_list = tmp / "urls.txt"
    url_list.write_text("\n".join(u for (u,) in listed) + "\n")

    config_file = tmp / "trafilatura.cfg"
    config_file.write_text("[DEFAULT]\nSLEEP_TIME = 0\nSSRF_PROTECTION = off\nDOWNLOAD_TIMEOUT = 30\n")
    t1_out, t2_out = tmp / "t1.json", tmp / "t2.json"
    t1, t1_requests = measured(site, [*me, "--trafilatura", site.base, str(config_file), "-", str(t1_out)])
    night1 = json.loads(t1_out.read_text())
    known = tmp / "known.json"
    known.write_text(json.dumps(night1["listed"]))
    t2, t2_requests = measured(
        site, [*me, "--trafilatura", site.base, str(config_file), str(known), str(t2_out)]
    )
    traf_found = {normalize_url(u) for u in night1["extracted"]}

    with db.scratch_database("newsroom_bench") as url:
        db.migrate(url)
        crawl_alone, crawl_requests = measured(
            site, [*newsroom, "crawl", "--site", site.base], {"DATABASE_URL": url}
        )
    bare_out = tmp / "bare.json"
    bare_cmd = [sys.executable, str(HERE / "bare_spider.py"), "--site", site.base, "--urls", str(url_list)]
    before = site.requests_so_far()
    bare_started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with bare_out.open("w") as sink:
        subprocess.run(bare_cmd, stdout=sink, stderr=subprocess.DEVNULL, check=False)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    bare_seconds = time.perf_counter() - bare_started
    bare_cpu = cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    bare_requests = site.requests_so_far() - before
    bare_stats = json.loads(bare_out.read_text() or "{}")

    ours = len(found & stories)
    theirs = len(traf_found & stories)
    print("\nnight 1 (first crawl of the portal)")
    print(
        f"{'':34}{'wall s':>8}{'requests':>10}{'stories':>9}{'recall':>8}{'s/story':>9}{'req/story':>10}"
        f"{'peak RSS MB':>12}{'PSS MB':>8}{'CPU s':>7}"
    )
    for name, run, requests, got in (
        ("newsroom run", n1, n1_requests, ours),
        ("trafilatura sitemaps + pools", t1, t1_requests, theirs),
    ):
        print(
            f"{name:34}{run.seconds:8.1f}{requests:10d}{got:9d}{got / len(stories):8.3f}"
            f"{run.seconds / max(got, 1):9.4f}{requests / max(got, 1):10.2f}{run.peak_rss_mb:12.0f}{run.peak_pss_mb:8.0f}{run.cpu_seconds:7.1f}"
        )
    print(
        f"ratio wall per story newsroom / trafilatura: {(n1.seconds / max(ours, 1)) / (t1.seconds / max(theirs, 1)):.2f}"
        " (target <= 1.0)"
    )
    if server_night1 is not None:
        # Inserting articles also builds their German full-text vectors there: work the tree's CPU omits.
        print(f"database server CPU during newsroom's night 1: {server_night1:.1f} s (not in its CPU s)")
    print(
        f"newsroom stages: crawl {crawl1.get('seconds')} s, clean {clean1.get('seconds')} s "
        f"(clean overlaps the crawl), {clean1.get('new')} articles new"
    )
    print("\ncrawl stage against a bare Scrapy spider (same URL list, same settings)")
    print(
        f"newsroom crawl (process wall) {crawl_alone.seconds:.1f} s, {crawl_requests} requests, "
        f"peak RSS {crawl_alone.peak_rss_mb:.0f} MB"
    )
    print(
        f"bare Scrapy    (process wall) {bare_seconds:.1f} s, {bare_requests} requests "
        f"(Scrapy's own elapsed {bare_stats.get('elapsed_time_seconds', 0):.1f} s)"
    )
    print(f"ratio crawl / bare: {crawl_alone.seconds / bare_seconds:.2f} (target <= 1.15)")
    print(
        f"CPU s (user + system): newsroom crawl {crawl_alone.cpu_seconds:.1f}, bare Scrapy {bare_cpu:.1f}, "
        f"ratio {crawl_alone.cpu_seconds / max(bare_cpu, 0.01):.2f}"
    )
    print("\nnight 2 (portal unchanged)")
    print(f"newsroom run: {n2.seconds:.1f} s, {n2_requests} requests, peak RSS {n2.peak_rss_mb:.0f} MB")
    print(f"trafilatura -b-like: {t2.seconds:.1f} s, {t2_requests} requests")
    print(f"ratio requests newsroom / trafilatura -b: {n2_requests / max(t2_requests, 1):.2f} (target <= 2)")


if __name__ == "__main__":
    main()

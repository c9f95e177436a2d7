"""news_nightly on a real CeleryExecutor deployment: two workers, three sites, one crawl per host, a lost worker.

The deployment (tests/integration/celery_deploy.py): Airflow 3.3 with a Postgres metadata database, the
machine's Redis as broker, an API server, scheduler, DAG processor, triggerer and two Celery workers as
separate process groups with their own hostnames and log-server ports. Each demo portal is a site of its own
(127.0.0.x: sites are told apart by host). The portals record which process fetched each page (the client
socket's owner), so two crawls of one host overlapping would show. Every wait is bounded; every process is
stopped by process group.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import psutil
import pytest
from celery_deploy import REPO, Deployment, celery_deployment
from support import WebhookReceiver, listening_addresses, off_loopback

from crawler import db
from crawler.urls import normalize_url, site_key
from newsroom_demo.server import PortalServer, running_portal

NIGHT_TIMEOUT = 1500
SITES_FILE = "sites.toml"


@dataclass
class Fetches:
    """Every page request a portal served: (host, pid of the fetching process, monotonic time)."""

    rows: list[tuple[str, int | None, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, host: str, pid: int | None) -> None:
        with self.lock:
            self.rows.append((host, pid, time.monotonic()))

    def of(self, host: str) -> list[tuple[int | None, float]]:
        with self.lock:
            return [(pid, t) for h, pid, t in self.rows if h == host]

    def crawls(self, host: str) -> list[tuple[float, float, int | None]]:
        """Per fetching process of host: (first request, last request, pid), in order of first request."""
        spans: dict[int | None, list[float]] = {}
        for pid, t in self.of(host):
            spans.setdefault(pid, []).append(t)
        return sorted((min(ts), max(ts), pid) for pid, ts in spans.items())


def _client_pid(client: tuple[str, int], server_port: int) -> int | None:
    """The process owning the client end of a loopback connection to the portal."""
    for conn in psutil.net_connections(kind="tcp"):
        if (
            conn.laddr
            and conn.raddr
            and conn.laddr.port == client[1]
            and conn.raddr.port == server_port
            and conn.laddr.ip == client[0]
        ):
            return conn.pid
    return None


def record_fetches(server: PortalServer, fetches: Fetches) -> None:
    """Make the portal note, for each request, which process sent it (looked up once per connection)."""
    httpd = server._httpd  # the test's view into the stdlib server: it needs the connection's peer
    base = httpd.RequestHandlerClass
    host, port = httpd.server_address[:2]

    class Recording(base):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            super().setup()
            self.fetcher_pid = _client_pid(self.client_address, port)

        def _answer(self, with_body: bool) -> None:
            fetches.add(str(host), self.fetcher_pid)
            super()._answer(with_body)

    httpd.RequestHandlerClass = Recording


@dataclass
class Site:
    server: PortalServer
    host: str

    @property
    def url(self) -> str:
        return self.server.base_url

    def expected_articles(self) -> set[str]:
        return {normalize_url(self.url + story.url) for story in self.server.portal.stories()}


@pytest.fixture(scope="module")
def news_db() -> Iterator[str]:
    with db.scratch_database("newsroom_celery") as url:
        db.migrate(url)
        yield url


@pytest.fixture(scope="module")
def alerts() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, news_db: str, alerts: WebhookReceiver
) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("celery")
    # Site settings a test may change before it triggers a night (each crawl reads the file when it starts).
    (home / SITES_FILE).write_text("[defaults]\n", encoding="utf-8")
    env = {
        # any night overruns 10 s: the deadline alert must reach the webhook
        "AIRFLOW__NEWSROOM__NIGHT_DEADLINE_SECONDS": "10",
        "AIRFLOW_CONN_NEWS_ALERTS": alerts.connection_json(),
        "NEWSROOM_SITES_FILE": str(home / SITES_FILE),
    }
    with celery_deployment(home, news_db, workers=2, extra_env=env) as deployed:
        yield deployed


def ensure_workers(deployment: Deployment, count: int) -> None:
    alive = [c for c in deployment.components.values() if c.name.startswith("worker") and c.alive()]
    for i in range(count - len(alive)):
        deployment.start_worker(f"worker-extra{len(deployment.components)}-{i}")


def stretch_crawl(deployment: Deployment, site: Site, delay: float) -> None:
    """Give one site of the next night a politeness delay (each crawl reads the sites file as it starts).

    A portal on loopback is crawled without delay, 150 articles in about a second: faster than a test
    polling every 2 s can catch the crawl mid-way.
    """
    (deployment.home / SITES_FILE).write_text(
        f'[defaults]\n\n[[site]]\nbase_url = "{site.url}"\ndownload_delay = {delay}\n', encoding="utf-8"
    )


def start_sites(stack: ExitStack, fetches: Fetches, hosts_articles: list[tuple[str, int, int]]) -> list[Site]:
    sites = []
    for host, articles, seed in hosts_articles:
        server = stack.enter_context(running_portal(articles=articles, seed=seed, host=host))
        record_fetches(server, fetches)
        sites.append(Site(server, host))
    return sites


def articles_by_site(url: str) -> dict[str, set[str]]:
    conn = db.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT site, url FROM articles")
            rows = cur.fetchall()
    finally:
        conn.close()
    found: dict[str, set[str]] = {}
    for site, article_url in rows:
        found.setdefault(site, set()).add(article_url)
    return found


def night_ledger(url: str, airflow_run_id: str) -> dict[str, str]:
    with db.transaction(url) as cur:
        cur.execute("SELECT site, status FROM crawl_runs WHERE airflow_run_id = %s", (airflow_run_id,))
        return dict(cur.fetchall())


def assert_no_overlapping_crawls(fetches: Fetches, host: str) -> list[tuple[float, float, int | None]]:
    crawls = fetches.crawls(host)
    assert all(pid is not None for _, _, pid in crawls), crawls  # every request traced to its process
    for (_, last, pid), (first, _, other) in itertools.pairwise(crawls):
        assert last < first, (
            f"two crawls of {host} overlapped: pid {pid} until {last}, pid {other} from {first}"
        )
    return crawls


def test_a_night_of_three_sites_spreads_over_both_workers_one_crawl_per_host(
    deployment: Deployment, news_db: str, alerts: WebhookReceiver
) -> None:
    ensure_workers(deployment, 2)
    fetches = Fetches()
    with ExitStack() as stack:
        sites = start_sites(
            stack, fetches, [("127.0.0.11", 150, 1), ("127.0.0.12", 60, 2), ("127.0.0.13", 60, 3)]
        )
        stretch_crawl(deployment, sites[0], 0.05)  # about eight seconds, not one
        run_id = deployment.trigger("news_nightly", {"sites": [s.url for s in sites]})

        # While the night crawls 127.0.0.11, someone starts a second crawl of the same host by hand (another
        # process, as from another machine): it must wait until the night's crawl of that host is done.
        deployment.wait(
            "the night's crawl of 127.0.0.11 to begin", lambda: fetches.of("127.0.0.11"), NIGHT_TIMEOUT
        )
        manual_started = time.monotonic()
        manual = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--site", sites[0].url, "--run-id", "by-hand"],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": news_db},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        stack.callback(lambda: manual.poll() is None and os.killpg(manual.pid, signal.SIGKILL))
        state = deployment.wait_for_run("news_nightly", run_id, NIGHT_TIMEOUT)
        _, manual_err = manual.communicate(timeout=NIGHT_TIMEOUT)
        assert manual.returncode == 0, manual_err[-3000:]

    tis = deployment.task_instances("news_nightly", run_id)
    states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in tis}
    assert state == "success", states
    assert set(states.values()) == {"success"} and len(states) == 1 + 5 * 3 + 1
    # the night's tasks ran on both workers (hostnames as recorded by Airflow)
    assert {ti["hostname"] for ti in tis} == {"worker1", "worker2"}, {
        ti["task_id"]: ti["hostname"] for ti in tis
    }
    # mapped instances are named by their site in the UI
    assert {ti["rendered_map_index"] for ti in tis if ti["task_id"] == "site_pipeline.crawl"} == {
        site_key(s.url) for s in sites
    }

    # rows exact: every story of every portal, nothing else; one successful ledger row per site
    found = articles_by_site(news_db)
    for site in sites:
        assert found.get(site_key(site.url)) == site.expected_articles(), site.host
    assert set(found) == {site_key(s.url) for s in sites}
    assert night_ledger(news_db, run_id) == {site_key(s.url): "success" for s in sites}

    # one crawl per host at a time: the hand-made crawl of 127.0.0.11 began while the night's crawl ran,
    # yet its first request came after the night's last one
    crawls = assert_no_overlapping_crawls(fetches, "127.0.0.11")
    assert len(crawls) == 2 and crawls[0][0] < manual_started < crawls[0][1], crawls
    for site in sites[1:]:
        assert len(assert_no_overlapping_crawls(fetches, site.host)) == 1

    # the night overran its (test) deadline of 10 s: the deadline alert reached the webhook via the triggerer
    alert = deployment.wait(
        "the deadline alert",
        lambda: [
            a for a in alerts.received if a.get("event") == "deadline_missed" and a.get("run_id") == run_id
        ],
        120,
    )
    assert alert[0]["dag_id"] == "news_nightly" and "OVERRUN" in str(alert[0]["text"])

    # Every listener of the deployment is on loopback, the workers' log servers included.
    listeners = {
        c.name: listening_addresses(c.process.pid) for c in deployment.components.values() if c.alive()
    }
    assert all(listeners[name] for name in ("api-server", "worker1", "worker2")), listeners
    assert off_loopback(set().union(*listeners.values())) == set(), listeners


def test_a_worker_killed_mid_crawl_is_replaced_by_the_other_and_the_night_ends_exact(
    deployment: Deployment, news_db: str
) -> None:
    ensure_workers(deployment, 2)
    fetches = Fetches()
    with ExitStack() as stack:
        sites = start_sites(
            stack, fetches, [("127.0.0.21", 250, 4), ("127.0.0.22", 40, 5), ("127.0.0.23", 40, 6)]
        )
        big = sites[0]
        stretch_crawl(deployment, big, 0.1)  # about half a minute
        run_id = deployment.trigger("news_nightly", {"sites": [s.url for s in sites]})

        def crawling_big() -> dict[str, Any] | None:
            if len(fetches.of(big.host)) < 30:  # mid-crawl: well started, far from done
                return None
            for ti in deployment.task_instances("news_nightly", run_id):
                # Mapped in the order of the run's sites. The map index's name (the site) is rendered
                # only when the task ends (while it runs, rendered_map_index is "0"): the index tells.
                if (
                    ti["task_id"] == "site_pipeline.crawl"
                    and ti["map_index"] == 0
                    and ti["state"] == "running"
                    and ti["hostname"]
                ):
                    return ti
            return None

        running = deployment.wait(f"the crawl of {big.host} to be under way", crawling_big, NIGHT_TIMEOUT)
        victim = deployment.components[running["hostname"]]
        victim.expected_dead = True
        victim.lose_machine()  # the machine is gone: worker, task process and crawl at once
        killed_at = time.monotonic()
        state = deployment.wait_for_run("news_nightly", run_id, NIGHT_TIMEOUT)

    tries = deployment.tries("news_nightly", run_id, "site_pipeline.crawl", running["map_index"])
    assert [(t["try_number"], t["hostname"], t["state"]) for t in tries][-1][2] == "success", tries
    assert tries[0]["hostname"] == victim.name and tries[0]["state"] != "success"
    survivor = {"worker1", "worker2"} - {victim.name}
    assert tries[-1]["hostname"] in survivor and tries[-1]["try_number"] >= 2
    assert state == "success", deployment.task_instances("news_nightly", run_id)

    found = articles_by_site(news_db)
    for site in sites:
        assert found.get(site_key(site.url)) == site.expected_articles(), site.host
    assert night_ledger(news_db, run_id) == {site_key(s.url): "success" for s in sites}
    # the killed crawl and its retry never fetched at the same time
    crawls = assert_no_overlapping_crawls(fetches, big.host)
    assert len(crawls) >= 2 and crawls[0][1] <= killed_at + 1, crawls

"""The Airflow DAGs: integrity (DagBag), thin DAG files, the helpers they call, and `dag.test()` end to end.

Airflow reads its configuration once, on first import, so this module points AIRFLOW_HOME at a throwaway
directory before anything imports airflow (nothing is written to ~/airflow). `dag.test()` runs in a
subprocess of its own: a real Airflow metadata DB and task runner, and no Airflow logging set-up leaking
into the other tests of this process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import psycopg2
import psycopg2.extensions
import pytest
from support import WebhookReceiver, airflow_conn_json

REPO = Path(__file__).resolve().parent.parent
DAGS = REPO / "dags"
AIRFLOW_TEST_HOME = Path(tempfile.mkdtemp(prefix="newsroom-airflow-home-"))
AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(AIRFLOW_TEST_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
}
if "airflow" not in sys.modules:
    os.environ.update(AIRFLOW_ENV)


# --- DAG integrity ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dags_import_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"news_nightly", "news_maintenance"}


@pytest.mark.parametrize("dag_id", ["news_nightly", "news_maintenance"])
def test_every_dag_and_task_has_owner_tags_retries_and_timeouts(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert "newsroom" in dag.tags and len(dag.tags) >= 2
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert str(dag.timezone) == "Europe/Berlin"
    assert dag.doc_md and dag.doc_md.strip().startswith(f"# {dag_id}")
    assert dag.dagrun_timeout == timedelta(hours=12)  # a stuck run never blocks the next night
    for task in dag.tasks:
        assert task.owner == "newsroom", task.task_id
        assert task.execution_timeout is not None and task.execution_timeout <= timedelta(hours=6), (
            task.task_id
        )
        assert task.on_failure_callback, task.task_id
        if task.retries:
            assert task.retry_exponential_backoff, task.task_id  # Airflow 3.3: the multiplier (True → 2.0)
            assert timedelta(minutes=1) <= task.retry_delay <= task.max_retry_delay <= timedelta(hours=1), (
                task.task_id
            )


def test_news_nightly_schedule_and_wiring(dagbag: Any) -> None:
    dag = dagbag.dags["news_nightly"]
    assert dag.timetable.expression == "0 2 * * *"
    assert dag.start_date.tzinfo is not None
    assert [t.task_id for t in dag.topological_sort()] == [
        "resolve_sites",
        "site_pipeline.crawl",
        "site_pipeline.clean",
        "site_pipeline.dedupe",
        "site_pipeline.quality_checks",
        "site_pipeline.publish",
        "summary",
    ]
    # the summary shows failed sites too, without deciding the night's state
    assert dag.get_task("summary").is_teardown
    # mapped instances are named by their site in the UI
    for task in dag.task_group_dict["site_pipeline"]:
        assert task.map_index_template == "{{ site }}", task.task_id
    # an overrunning night alerts (Airflow deadline alert), through the connection news_alerts
    (deadline,) = dag.deadline
    assert deadline.interval == timedelta(hours=6)
    assert deadline.callback.path == "crawler.notify.deadline_missed"
    crawl = dag.get_task("site_pipeline.crawl")
    assert crawl.retries >= 1 and crawl.execution_timeout == timedelta(hours=6)
    assert dag.get_task("site_pipeline.quality_checks").retries == 0  # a bad night stays bad on retry
    publish = dag.get_task("site_pipeline.publish")
    # the Postgres provider accepts only host:port/database/schema/table
    assert [outlet.uri for outlet in publish.outlets] == ["postgres://newsroom:5432/newsroom/public/articles"]
    assert publish.max_active_tis_per_dagrun == 1
    # the site group is mapped over the output of resolve_sites
    assert dag.task_group_dict["site_pipeline"].__class__.__name__ == "MappedTaskGroup"
    assert {"sites", "max_missing_share", "max_rejection_rate", "min_volume_ratio"} <= set(dag.params)


def test_news_maintenance_schedule_and_wiring(dagbag: Any) -> None:
    dag = dagbag.dags["news_maintenance"]
    assert dag.timetable.expression == "0 4 * * 0"
    assert [t.task_id for t in dag.topological_sort()] == [
        "plan_clean",
        "clean_backlog",
        "plan_reclean",
        "reclean",
        "total",
        "publish",
        "prune_raw_pages",
        "vacuum_analyze",
    ]
    # the clean backlog and the re-extraction are mapped over id ranges, so any worker takes a chunk
    assert dag.get_task("clean_backlog").__class__.__name__.endswith("MappedOperator")
    assert dag.get_task("reclean").__class__.__name__.endswith("MappedOperator")
    assert {"retention_days", "chunks"} <= set(dag.params)


@pytest.mark.parametrize("name", ["news_nightly", "news_maintenance"])
def test_dag_files_do_no_database_or_network_work_at_import(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow.sdk  # noqa: F401  (Airflow's own import-time set-up is not the DAG file's doing)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{name}.py opened a connection at import time")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(psycopg2, "connect", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    for heavy in ("scrapy", "trafilatura", "crawler.stages", "crawler.clean", "crawler.analytics"):
        monkeypatch.delitem(sys.modules, heavy, raising=False)
    spec = importlib.util.spec_from_file_location(f"_import_check_{name}", DAGS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # how long this takes is the benchmarks' business, not a test's
    for heavy in ("scrapy", "trafilatura", "crawler.stages", "crawler.clean"):
        assert heavy not in sys.modules, f"{name}.py imports {heavy} at module level"


def test_retries_and_the_deadline_come_from_the_deployments_config() -> None:
    """[newsroom] retries / retry_delay_seconds / night_deadline_seconds (env) change the parsed DAGs."""
    script = textwrap.dedent(
        """
        import json, sys
        from airflow.dag_processing.dagbag import DagBag
        bag = DagBag(dag_folder=sys.argv[1])
        assert not bag.import_errors, bag.import_errors
        crawl = bag.dags["news_nightly"].get_task("site_pipeline.crawl")
        reclean = bag.dags["news_maintenance"].get_task("reclean")
        print("RESULT " + json.dumps([crawl.retries, crawl.retry_delay.total_seconds(),
              crawl.max_retry_delay.total_seconds(), reclean.retries, reclean.retry_delay.total_seconds(),
              bag.dags["news_nightly"].deadline[0].interval.total_seconds()]))
        """
    )
    env = {
        **os.environ,
        **AIRFLOW_ENV,
        "PYTHONPATH": str(REPO),
        "AIRFLOW__NEWSROOM__RETRIES": "5",
        "AIRFLOW__NEWSROOM__RETRY_DELAY_SECONDS": "7",
        "AIRFLOW__NEWSROOM__MAX_RETRY_DELAY_SECONDS": "60",
        "AIRFLOW__NEWSROOM__NIGHT_DEADLINE_SECONDS": "900",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(DAGS)], env=env, capture_output=True, text=True, timeout=300
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    assert json.loads(lines[-1].removeprefix("RESULT ")) == [5, 7.0, 60.0, 5, 7.0, 900.0]


# --- helpers the DAGs call --------------------------------------------------------------------------


def test_crawl_run_id_is_deterministic_and_safe() -> None:
    from crawler.airflow_support import crawl_run_id, site_runs

    run_id = crawl_run_id("scheduled__2026-11-24T01:00:00+00:00", "example.de")
    assert run_id == "scheduled__2026-11-24T01:00:00_00:00:example.de"
    assert crawl_run_id("scheduled__2026-11-24T01:00:00+00:00", "example.de") == run_id
    assert crawl_run_id("manual run/with spaces", "x.de") == "manual_run_with_spaces:x.de"
    long = crawl_run_id("r" * 300, "example.de")
    assert len(long) == 200 and long != crawl_run_id("r" * 301, "example.de")
    assert site_runs(["https://www.example.de/"], "run1") == [
        {"url": "https://www.example.de/", "site": "example.de", "run_id": "run1:example.de"}
    ]


def test_sites_come_from_conf_then_variable_then_config() -> None:
    from crawler.airflow_support import choose_sites

    configured = ["https://www.nachrichtenportal-deutschland.de"]
    assert choose_sites(["http://127.0.0.1:8000"], '["https://b.de"]', configured) == (
        ["http://127.0.0.1:8000"],
        "run conf",
    )
    assert choose_sites([], '["https://b.de", "https://www.b.de/x"]', configured) == (
        ["https://b.de"],
        "Variable news_sites",  # one crawl per site
    )
    assert choose_sites(None, None, configured) == (configured, "crawler/sites.toml")
    with pytest.raises(ValueError, match="JSON list"):
        choose_sites(None, "https://b.de", configured)
    with pytest.raises(ValueError, match="not a site URL"):
        choose_sites(["ftp://b.de"], None, configured)


class _Ti:
    dag_id = "news_nightly"
    task_id = "site_pipeline.crawl"
    map_index = 0
    run_id = "manual__1"
    try_number = 3


class _Task:
    op_args: ClassVar[list[Any]] = []
    op_kwargs: ClassVar[dict[str, Any]] = {
        "site_run": {"url": "http://127.0.0.1:9/", "site": "127.0.0.1:9", "run_id": "manual__1:127.0.0.1:9"}
    }


def test_failure_summary_names_dag_task_site_run_and_exception() -> None:
    from crawler.airflow_support import failure_summary

    summary = failure_summary({"ti": _Ti(), "task": _Task(), "exception": RuntimeError("portal down")})
    assert summary == (
        "newsroom task FAILED: dag news_nightly, task site_pipeline.crawl[0], site 127.0.0.1:9"
        " (http://127.0.0.1:9/), crawl run manual__1:127.0.0.1:9, Airflow run manual__1, try 3."
        " Error: RuntimeError: portal down"
    )
    assert "\n" not in summary
    assert "site (all sites)" in failure_summary({"ti": _Ti(), "task": object(), "exception": None})


def test_failure_callback_marks_the_crawl_run_failed(db_url: str, conn: Any) -> None:
    from crawler import runs
    from crawler.airflow_support import on_task_failure

    with conn, conn.cursor() as cur:
        runs.start_run(cur, "manual__1:127.0.0.1:9", "127.0.0.1:9", "manual__1")
    on_task_failure({"ti": _Ti(), "task": _Task(), "exception": RuntimeError("portal down")})
    with conn, conn.cursor() as cur:
        cur.execute("SELECT status, finished_at IS NOT NULL FROM crawl_runs")
        assert cur.fetchall() == [("failed", True)]


def test_news_db_url_prefers_the_airflow_connection(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.airflow_support import news_db_url

    monkeypatch.delenv("AIRFLOW_CONN_NEWS_DB", raising=False)
    assert news_db_url() == db_url  # no connection: DATABASE_URL
    monkeypatch.setenv("AIRFLOW_CONN_NEWS_DB", airflow_conn_json(db_url))
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/wrong")
    url = news_db_url()
    assert url.startswith("postgresql://")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:  # the test database, reached via the connection
        cur.execute("SELECT current_database()")
        assert cur.fetchone()[0] == psycopg2.extensions.parse_dsn(db_url)["dbname"]
    conn.close()


def test_prune_keeps_each_articles_latest_page_and_vacuum_runs(db_url: str, conn: Any) -> None:
    from crawler.airflow_support import prune_raw_pages, vacuum_analyze

    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO crawl_runs (run_id, site) VALUES ('r', 'x.de')")
        pages = {}
        for name, age in [("old-a", 200), ("new-a", 150), ("old-b", 300), ("listing", 400), ("fresh", 1)]:
            cur.execute(
                """INSERT INTO raw_pages (run_id, site, url, final_url, status, fetched_at)
                   VALUES ('r', 'x.de', %s, %s, 200, now() - make_interval(days => %s)) RETURNING page_id""",
                (name, name, age),
            )
            pages[name] = cur.fetchone()[0]
        for url, raw in [("a", "old-a"), ("b", "old-b")]:
            cur.execute(
                """INSERT INTO articles (url, site, body, content_hash, first_seen_at, last_seen_at,
                                         extractor_version, raw_page_id)
                   VALUES (%s, 'x.de', 'text', 'h', now(), now(), 'v', %s) RETURNING article_id""",
                (url, pages[raw]),
            )
            article_id = cur.fetchone()[0]
            cur.execute("UPDATE raw_pages SET article_id = %s WHERE url LIKE %s", (article_id, f"%-{url}"))
    assert prune_raw_pages(conn, 90, batch=1) == {"deleted": 1, "remaining": 4, "older_than_days": 90}
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url FROM raw_pages ORDER BY url")
        # old-a: article a was extracted from it; new-a: a's latest page; old-b: b's only page; fresh: young
        assert [r[0] for r in cur.fetchall()] == ["fresh", "new-a", "old-a", "old-b"]
    assert prune_raw_pages(conn, 90)["deleted"] == 0
    with pytest.raises(ValueError):
        prune_raw_pages(conn, 0)
    assert vacuum_analyze(db_url, ["raw_pages"]) == ["raw_pages"]
    assert vacuum_analyze(db_url) == ["(database)"]


# --- dag.test() end to end --------------------------------------------------------------------------

DAG_TEST_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import datetime, timezone

    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    args = json.loads(sys.argv[1])
    dag = DagBag(dag_folder=args["dags"]).dags[args["dag_id"]]
    for task in dag.tasks:  # a failure should fail the test now, not wait out minutes of retry backoff
        task.retries = 0
    # dag.test() of Airflow 3.3.2 cannot finish a run of a DAG with a deadline alert (it looks the alerts up
    # by the SDK objects instead of their ids); the Celery deployment test runs the deadline for real.
    dag.deadline = None
    when = datetime.fromisoformat(args["when"]).astimezone(timezone.utc)
    dr = dag.test(logical_date=when, run_after=when, run_conf=args["conf"])
    with create_session() as session:
        tis = [
            {"task_id": ti.task_id, "map_index": ti.map_index, "state": str(ti.state),
             "name": ti.rendered_map_index}
            for ti in dr.get_task_instances(session=session)
        ]
        rows = session.scalars(
            select(XComModel).where(XComModel.run_id == dr.run_id, XComModel.key == "return_value")
        ).all()
        xcoms = {f"{x.task_id}[{x.map_index}]": XComModel.deserialize_value(x) for x in rows}
    print("DAGTEST-RESULT " + json.dumps(
        {"run_id": dr.run_id, "state": str(dr.state), "tis": tis, "xcoms": xcoms}, default=str
    ))
    """
)


@pytest.fixture(scope="module")
def airflow_home() -> Iterator[dict[str, str]]:
    """A migrated Airflow metadata DB (SQLite) in this module's throwaway AIRFLOW_HOME."""
    env = {**os.environ, **AIRFLOW_ENV, "PYTHONPATH": str(REPO)}
    env.pop("AIRFLOW_CONN_NEWS_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    yield env


def dag_test(
    env: dict[str, str],
    conf: dict[str, Any],
    when: str = "2026-01-05T02:00:00+01:00",
    dag_id: str = "news_nightly",
    **extra_env: str,
) -> dict[str, Any]:
    """Run `dag.test()` of a DAG (news_nightly by default) in its own process; return run id, states, XComs."""
    args = {"dags": str(DAGS), "dag_id": dag_id, "when": when, "conf": conf}
    try:
        done = subprocess.run(
            [sys.executable, "-c", DAG_TEST_SCRIPT, json.dumps(args)],
            env={**env, "DATABASE_URL": os.environ["DATABASE_URL"], **extra_env},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired as timeout:
        output = (timeout.stdout or b"")[-5000:], (timeout.stderr or b"")[-5000:]
        pytest.fail(f"dag.test() did not finish in {timeout.timeout} s: {output}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("DAGTEST-RESULT ")]
    assert done.returncode == 0 and lines, (done.stdout[-5000:], done.stderr[-5000:])
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("DAGTEST-RESULT "))
    result["log"] = done.stdout + done.stderr
    return result


def article_set(conn: Any) -> set[tuple[str, int, str, str | None]]:
    """Every article as (url, version, content_hash, url of the article it duplicates)."""
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT a.url, a.version, a.content_hash, o.url
               FROM articles a LEFT JOIN articles o ON o.article_id = a.duplicate_of"""
        )
        return set(cur.fetchall())


def article_ids(conn: Any) -> dict[str, int]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, article_id FROM articles")
        return dict(cur.fetchall())


def row_counts(conn: Any) -> dict[str, int]:
    counts = {}
    with conn, conn.cursor() as cur:
        for table in ("articles", "raw_pages", "crawl_runs", "article_versions", "url_aliases"):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
    return counts


def test_dag_test_lands_articles_and_a_rerun_changes_no_rows(
    db_url: str, conn: Any, airflow_home: dict[str, str]
) -> None:
    """A rerun of the same night leaves the same articles: same URLs, versions, texts and duplicate links.

    Compared as a set of (url, version, content_hash, duplicate_of) and the article ids, not as row
    counts, which a delete and re-insert (or a version bumped on unchanged text) would keep.
    Mutation: `return True` as the body of crawler.clean._text_changed (every rerun a new version).
    """
    from crawler.airflow_support import crawl_run_id
    from crawler.urls import normalize_url, site_key
    from newsroom_demo.server import running_portal

    with running_portal(articles=12, seed=1) as server:
        conf = {"sites": [server.base_url]}
        expected = {normalize_url(server.base_url + story.url) for story in server.portal.stories()}
        copies = {
            (normalize_url(server.base_url + c), normalize_url(server.base_url + o))
            for c, o in server.portal.copy_pairs().items()
        }
        first = dag_test(airflow_home, conf)
        assert first["state"] == "success", first["log"][-5000:]
        assert {ti["state"] for ti in first["tis"]} == {"success"}, first["tis"]
        assert len(first["tis"]) == 7  # resolve_sites + one mapped instance of each group task + summary
        # the UI names each mapped instance by its site, not "Map Index 0"
        names = {ti["task_id"]: ti["name"] for ti in first["tis"] if ti["map_index"] >= 0}
        assert names == {
            f"site_pipeline.{t}": site_key(server.base_url)
            for t in ("crawl", "clean", "dedupe", "quality_checks", "publish")
        }
        counts, articles, ids = row_counts(conn), article_set(conn), article_ids(conn)
        second = dag_test(airflow_home, conf)
        assert second["state"] == "success", second["log"][-5000:]
        assert article_set(conn) == articles
        assert article_ids(conn) == ids
        assert row_counts(conn) == counts

    assert {url for url, *_ in articles} == expected
    assert {version for _, version, *_ in articles} == {1}
    assert copies and {(url, original) for url, _, _, original in articles if original} == copies
    assert second["run_id"] == first["run_id"]
    run_id = crawl_run_id(first["run_id"], site_key(server.base_url))
    assert counts["crawl_runs"] == 1
    with conn, conn.cursor() as cur:
        cur.execute("SELECT run_id, status, airflow_run_id, stats FROM crawl_runs")
        ((ledger_run, status, airflow_run_id, stats),) = cur.fetchall()
    assert (ledger_run, status, airflow_run_id) == (run_id, "success", first["run_id"])
    # what the UI's XCom view shows is what the ledger holds
    xcoms = second["xcoms"]
    assert xcoms["resolve_sites[-1]"] == [
        {"url": server.base_url, "site": site_key(server.base_url), "run_id": run_id}
    ]
    for stage in ("crawl", "clean", "dedupe", "quality"):
        assert (
            xcoms[f"site_pipeline.{stage if stage != 'quality' else 'quality_checks'}[0]"][stage]
            == stats[stage]
        )
    assert xcoms["site_pipeline.publish[0]"]["stats"] == stats
    assert xcoms["site_pipeline.publish[0]"]["status"] == "success"
    # the task logs show the crawl's figures
    assert "crawl: fetched=" in second["log"] and "clean: pages=" in second["log"]


def test_news_maintenance_recleans_publishes_prunes_and_vacuums(
    db_url: str, conn: Any, airflow_home: dict[str, str]
) -> None:
    """A real news_maintenance run after a night whose raw pages are 200 days old.

    Re-extracting every article with the same extractor changes none; pruning at 90 days deletes every
    raw page no article points at and keeps each page an article was extracted from.
    Mutation: `AND page_id NOT IN (SELECT page_id FROM keep)` deleted from prune_raw_pages in
    crawler/airflow_support.py (the pages articles were extracted from go too).
    """
    from newsroom_demo.server import running_portal

    with running_portal(articles=8, seed=2) as server:
        night = dag_test(airflow_home, {"sites": [server.base_url]}, when="2026-01-07T02:00:00+01:00")
    assert night["state"] == "success", night["log"][-5000:]
    articles, ids = article_set(conn), article_ids(conn)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE raw_pages SET fetched_at = fetched_at - interval '200 days'")
        cur.execute("SELECT page_id, article_id IS NOT NULL FROM raw_pages")
        pages = dict(cur.fetchall())
        cur.execute("SELECT raw_page_id FROM articles")
        extracted_from = {row[0] for row in cur.fetchall()}
    assert extracted_from <= {page for page, linked in pages.items() if linked}
    unlinked = {page for page, linked in pages.items() if not linked}
    assert unlinked  # sitemaps, sections, rejected pages: what retention is for

    result = dag_test(
        airflow_home,
        {"retention_days": 90, "reclean_all": True},
        when="2026-01-11T04:00:00+01:00",
        dag_id="news_maintenance",
    )
    assert result["state"] == "success", result["log"][-5000:]
    states: dict[str, set[str]] = {}
    for ti in result["tis"]:
        states.setdefault(ti["task_id"], set()).add(ti["state"])
    assert states == {
        **{task: {"success"} for task in ("plan_clean", "plan_reclean", "reclean", "total")},
        "clean_backlog": {"skipped"},  # the night cleaned every page: an empty backlog maps to nothing
        **{task: {"success"} for task in ("publish", "prune_raw_pages", "vacuum_analyze")},
    }
    xcoms = result["xcoms"]
    assert xcoms["plan_clean[-1]"] == []
    # every article re-extracted once, in the default 4 chunks (mapped instances, any worker)
    chunks = xcoms["plan_reclean[-1]"]
    assert len(chunks) == 4 and sum(1 for ti in result["tis"] if ti["task_id"] == "reclean") == 4
    reclean = xcoms["total[-1]"]
    assert reclean["pages"] == len(ids) and reclean["updated"] == 0, reclean
    assert article_set(conn) == articles and article_ids(conn) == ids
    with conn, conn.cursor() as cur:
        cur.execute("SELECT page_id FROM raw_pages")
        remaining = {row[0] for row in cur.fetchall()}
    assert extracted_from <= remaining
    assert not remaining & unlinked
    prune = xcoms["prune_raw_pages[-1]"]
    assert prune == {
        "deleted": len(pages) - len(remaining),
        "remaining": len(remaining),
        "older_than_days": 90,
    }
    assert xcoms["vacuum_analyze[-1]"] == ["(database)"]


def test_a_night_failing_its_quality_checks_closes_the_run_as_failed(
    db_url: str, conn: Any, airflow_home: dict[str, str]
) -> None:
    from newsroom_demo.server import running_portal

    with (
        running_portal(articles=8, seed=1) as server,  # the portal's /kaputt/ pages are rejected
        WebhookReceiver() as webhook,
    ):
        # sites from the Variable news_sites this time (no "sites" in the conf)
        result = dag_test(
            airflow_home,
            {"max_rejection_rate": 0.0},
            when="2026-01-06T02:00:00+01:00",
            AIRFLOW_VAR_NEWS_SITES=json.dumps([server.base_url]),
            AIRFLOW_CONN_NEWS_ALERTS=webhook.connection_json(),
        )
    states = {ti["task_id"]: ti["state"] for ti in result["tis"]}
    assert result["state"] == "failed"
    assert states["site_pipeline.dedupe"] == "success"
    assert states["site_pipeline.quality_checks"] == "failed"
    assert states["site_pipeline.publish"] == "upstream_failed"
    # the summary still runs and shows the failed site
    assert states["summary"] == "success"
    (row,) = result["xcoms"]["summary[-1]"]["sites"]
    assert row["status"] == "failed" and row["pages"] > 0 and row["rejected"] > 0
    # the failure notifier posted one alert to the webhook of the connection news_alerts
    (alert,) = webhook.received
    assert alert["path"] == "/hooks/newsroom" and alert["event"] == "task_failed"
    assert alert["task_id"] == "site_pipeline.quality_checks" and alert["dag_id"] == "news_nightly"
    assert "rejection_rate" in str(alert["text"])
    with conn, conn.cursor() as cur:
        cur.execute("SELECT status, stats -> 'quality' -> 'failed' FROM crawl_runs")
        assert cur.fetchall() == [("failed", ["rejection_rate"])]
    log = result["log"]
    assert "from Variable news_sites" in log
    assert "1 of 7 quality checks failed for crawl run" in log and "rejection_rate:" in log
    assert (
        "newsroom task FAILED: dag news_nightly, task site_pipeline.quality_checks[0], site 127.0.0.1" in log
    )

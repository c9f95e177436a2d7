"""A real Airflow: `scripts/airflow.sh` (what `make airflow` runs) runs `news_nightly` on the demo portal.

Starts Airflow standalone (API server, scheduler, DAG processor, triggerer) with a throwaway AIRFLOW_HOME and a
scratch Postgres metadata database on
free ports, triggers news_nightly through the REST API with conf {"sites": [portal]}, waits for the run to
finish and checks every task instance succeeded and the articles landed in the test database (reached via
the Airflow connection `news_db`). The wait is bounded (a correctness bound, not a speed assertion).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import Api, airflow_conn_json, free_port, listening_addresses, off_loopback, poll

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240
RUN_TIMEOUT = 600


def wait_for(what: str, check: Any, timeout: float, process: subprocess.Popen[bytes], log: Path) -> Any:
    def alive() -> None:
        if process.poll() is not None:
            pytest.fail(f"Airflow exited ({process.returncode}) while waiting for {what}:\n{tail(log)}")

    result, last_error = poll(check, timeout, alive)
    if not result:
        pytest.fail(
            f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error}):\n{tail(log)}"
        )
    return result


def tail(log: Path, chars: int = 6000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Airflow and everything it started: SIGTERM to its process group (each component shuts down)."""
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; make sure no component of its group outlived it
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


@pytest.fixture
def airflow_metadata_db() -> Iterator[str]:
    """A scratch Postgres database for Airflow's metadata (what a deployment uses, never SQLite)."""
    from crawler import db

    with db.scratch_database("airflow_meta") as url:
        # SQLAlchemy's URL spells a socket directory (the embedded server's) as ?host=, like libpq's.
        yield db.as_url(url, show_password=True).replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture
def airflow(
    tmp_path: Path, db_url: str, airflow_metadata_db: str
) -> Iterator[tuple[Api, subprocess.Popen[bytes], Path]]:
    port = free_port()
    log = tmp_path / "airflow.log"
    env = {
        **os.environ,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_metadata_db,
        "AIRFLOW_HOME": str(tmp_path / "airflow-home"),
        "AIRFLOW_PORT": str(port),
        "AIRFLOW_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW_TRIGGER_LOG_PORT": str(free_port()),
        "AIRFLOW_CONN_NEWS_DB": airflow_conn_json(db_url),
        # The DAGs must reach the test database through the connection, not DATABASE_URL.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/not_this_one",
        # Only the run this test triggers: no scheduled night (it would crawl the real portals).
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        # a retry (a slow start on a busy machine) comes after seconds, not the production 5 minutes
        "AIRFLOW__NEWSROOM__RETRY_DELAY_SECONDS": "5",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(REPO / "scripts" / "airflow.sh")],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        api = Api(f"http://127.0.0.1:{port}")
        wait_for("the API server", lambda: api.get("/api/v2/monitor/health"), START_TIMEOUT, process, log)
        wait_for(
            "news_nightly to be parsed",
            lambda: api.get("/api/v2/dags/news_nightly")["dag_id"],
            START_TIMEOUT,
            process,
            log,
        )
        yield api, process, log
    finally:
        stop(process)


@pytest.mark.slow
def test_scheduler_runs_news_nightly_on_the_demo_portal(airflow: Any, conn: Any) -> None:
    from crawler.urls import normalize_url
    from newsroom_demo.server import running_portal

    api, process, log = airflow
    started = time.monotonic()
    with running_portal(articles=12, seed=1) as server:
        stories = {normalize_url(server.base_url + story.url) for story in server.portal.stories()}
        api.patch("/api/v2/dags/news_nightly", {"is_paused": False})
        run = api.post(
            "/api/v2/dags/news_nightly/dagRuns", {"logical_date": None, "conf": {"sites": [server.base_url]}}
        )
        run_id = run["dag_run_id"]
        path = f"/api/v2/dags/news_nightly/dagRuns/{urllib.request.quote(run_id, safe='')}"

        def finished() -> str | None:
            state = api.get(path)["state"]
            return state if state in ("success", "failed") else None

        state = wait_for("the triggered run to finish", finished, RUN_TIMEOUT, process, log)
        listeners = listening_addresses(process.pid)
    elapsed = time.monotonic() - started
    tis = api.get(f"{path}/taskInstances")["task_instances"]
    states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in tis}
    assert state == "success", f"{states}\n{tail(log)}"
    # Every component listens on loopback only: the API server, and no log server on all interfaces.
    assert any(address.endswith(f":{api.base.rsplit(':', 1)[1]}") for address in listeners), listeners
    assert off_loopback(listeners) == set(), listeners
    assert states == {
        ("resolve_sites", -1): "success",
        **{
            (f"site_pipeline.{t}", 0): "success"
            for t in ("crawl", "clean", "dedupe", "quality_checks", "publish")
        },
        ("summary", -1): "success",
    }
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT status, airflow_run_id, stats ? 'crawl' AND stats ? 'clean' AND stats ? 'dedupe'
               FROM crawl_runs"""
        )
        assert cur.fetchall() == [("success", run_id, True)]
        cur.execute("SELECT url FROM articles")
        assert {row[0] for row in cur.fetchall()} == stories
    print(f"news_nightly via the scheduler: {state} in {elapsed:.1f} s")

"""A real Airflow: `scripts/airflow.sh` (what `make airflow` runs) runs `news_nightly` on the demo portal.

Starts Airflow standalone (API server, scheduler, DAG processor, triggerer) with a throwaway AIRFLOW_HOME on
free ports, triggers news_nightly through the REST API with conf {"sites": [portal]}, waits for the run to
finish and checks every task instance succeeded and the articles landed in the test database (reached via
the Airflow connection `news_db`). The wait is bounded (a correctness bound, not a speed assertion).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import airflow_conn_json

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240
RUN_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Api:
    """The Airflow 3 REST API with a JWT from /auth/token."""

    def __init__(self, base: str, user: str = "admin", password: str = "admin") -> None:
        self.base = base
        self.user = user
        self.password = password
        self.token: str | None = None

    def _request(self, method: str, path: str, body: Any = None, auth: bool = True) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.login()}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def login(self) -> str:
        if self.token is None:
            reply = self._request(
                "POST", "/auth/token", {"username": self.user, "password": self.password}, auth=False
            )
            self.token = reply["access_token"]
        return self.token

    def get(self, path: str) -> Any:
        return self._request("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self._request("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self._request("PATCH", path, body)


def wait_for(what: str, check: Any, timeout: float, process: subprocess.Popen[bytes], log: Path) -> Any:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Airflow exited ({process.returncode}) while waiting for {what}:\n{tail(log)}")
        try:
            result = check()
            if result:
                return result
        except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
            last_error = exc
        time.sleep(2)
    pytest.fail(
        f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error}):\n{tail(log)}"
    )


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
def airflow(tmp_path: Path, db_url: str) -> Iterator[tuple[Api, subprocess.Popen[bytes], Path]]:
    port = free_port()
    log = tmp_path / "airflow.log"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow-home"),
        "AIRFLOW_PORT": str(port),
        "AIRFLOW_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW_TRIGGER_LOG_PORT": str(free_port()),
        "AIRFLOW_CONN_NEWS_DB": airflow_conn_json(db_url),
        # The DAGs must reach the test database through the connection, not DATABASE_URL.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/not_this_one",
        # Only the run this test triggers: no scheduled night (it would crawl the real portals).
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
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
    elapsed = time.monotonic() - started
    tis = api.get(f"{path}/taskInstances")["task_instances"]
    states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in tis}
    assert state == "success", f"{states}\n{tail(log)}"
    assert states == {
        ("resolve_sites", -1): "success",
        **{
            (f"site_pipeline.{t}", 0): "success"
            for t in ("crawl", "clean", "dedupe", "quality_checks", "publish")
        },
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

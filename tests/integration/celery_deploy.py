"""A real CeleryExecutor deployment on this machine, one process (group) per component, as on several hosts.

Postgres metadata (a scratch database), the machine's Redis as broker (a queue of its own, so nothing else
on the broker is touched), one API server, scheduler, DAG processor and triggerer, and N Celery workers with
distinct Celery hostnames, log-server ports and (through `[core] hostname_callable`) the hostnames Airflow
records on each task instance. Used by tests/integration/test_celery.py and benchmarks/celery_bench.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from support import Api, airflow_conn_json, free_port, poll

from crawler import db

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BROKER_URL = os.environ.get("NEWSROOM_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
START_TIMEOUT = 300


class DeploymentError(RuntimeError):
    """A component exited, or something it should do did not happen within its bound."""


@dataclass
class Component:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    expected_dead: bool = False  # killed on purpose (a lost machine): not a failure of the deployment

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else "(no log)"

    def alive(self) -> bool:
        return self.process.poll() is None

    def lose_machine(self) -> None:
        """SIGKILL the component and everything it started, whatever their process group or session.

        Airflow's task processes do not stay in the worker's process group, so a kill of that group leaves
        them (and the crawl they run) alive; a machine that is gone takes all of them along.
        """
        try:
            root = psutil.Process(self.process.pid)
            doomed = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            doomed = []
        for process in doomed:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def kill(self, sig: int = signal.SIGTERM, grace: float = 30) -> None:
        """Signal the component's whole process group (it and every task process it started)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


@dataclass
class Deployment:
    home: Path
    env: dict[str, str]
    api: Api
    queue: str
    components: dict[str, Component] = field(default_factory=dict)

    def start(
        self, name: str, *args: str, extra_env: dict[str, str] | None = None, shell: str | None = None
    ) -> Component:
        """`airflow <args>` (or a shell command line) in its own process group."""
        log = self.home / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["sh", "-c", shell] if shell else [sys.executable, "-m", "airflow", *args],
                cwd=self.home,
                env={**self.env, **(extra_env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopping it stops its task processes too
            )
        component = Component(name, process, log)
        self.components[name] = component
        return component

    def start_worker(self, name: str, concurrency: int = 1) -> Component:
        """A Celery worker as on a machine of its own: its hostname, its log server (on 127.0.0.1, as
        `python -m crawler.airflow_logs` serves it: Airflow's own listens on every interface)."""
        worker_args = [
            *("celery", "worker", "--skip-serve-logs", "--celery-hostname", f"{name}@newsroom-test"),
            *(
                "--queues",
                self.queue,
                "--concurrency",
                str(concurrency),
                "--without-mingle",
                "--without-gossip",
            ),
        ]
        python = shlex.quote(sys.executable)
        # One process group: killing the "machine" kills its log server too.
        worker = self.start(
            name,
            shell=f"{python} -m crawler.airflow_logs & exec {python} -m airflow {shlex.join(worker_args)}",
            extra_env={
                "NEWSROOM_TEST_HOSTNAME": name,
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            },
        )
        self.wait(f"{name} to be ready", lambda: "ready." in worker.log.read_text(errors="replace"))
        return worker

    def check_alive(self) -> None:
        for component in self.components.values():
            if not component.alive() and not component.expected_dead:
                raise DeploymentError(
                    f"{component.name} exited ({component.process.returncode}):\n{component.tail()}"
                )

    def wait(self, what: str, check: Callable[[], Any], timeout: float = START_TIMEOUT) -> Any:
        """Poll check() every 2 s until it returns something truthy; bounded, and fails when a component dies."""
        result, last = poll(check, timeout, self.check_alive)
        if result:
            return result
        logs = "\n".join(f"--- {c.name}\n{c.tail(2500)}" for c in self.components.values())
        raise DeploymentError(
            f"timed out after {timeout:.0f} s waiting for {what} (last error: {last})\n{logs}"
        )

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        self.api.patch(f"/api/v2/dags/{dag_id}", {"is_paused": False})
        run = self.api.post(f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
        return str(run["dag_run_id"])

    def run_path(self, dag_id: str, run_id: str) -> str:
        return f"/api/v2/dags/{dag_id}/dagRuns/{urllib.request.quote(run_id, safe='')}"

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        path = self.run_path(dag_id, run_id)

        def finished() -> str | None:
            state = self.api.get(path)["state"]
            return state if state in ("success", "failed") else None

        return str(self.wait(f"run {run_id} to finish", finished, timeout))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = self.run_path(dag_id, run_id) + "/taskInstances?limit=1000"
        return list(self.api.get(path)["task_instances"])

    def tries(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> list[dict[str, Any]]:
        path = self.run_path(dag_id, run_id) + f"/taskInstances/{task_id}/{map_index}/tries"
        return list(self.api.get(path)["task_instances"])

    def stop(self) -> None:
        # workers first (warm shutdown of their tasks), the control plane last
        for component in sorted(self.components.values(), key=lambda c: not c.name.startswith("worker")):
            component.kill()


def _sqlalchemy_url(url: str) -> str:
    """SQLAlchemy's URL of a database; a socket directory (the embedded server's) becomes ?host=, as in libpq."""
    return db.as_url(url, show_password=True).replace("postgresql://", "postgresql+psycopg2://", 1)


@contextlib.contextmanager
def celery_deployment(
    home: Path, news_db_url: str, workers: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[Deployment]:
    """Start the whole deployment with `workers` Celery workers; stop every process on exit."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    queue = f"newsroom_test_{uuid.uuid4().hex[:10]}"
    with db.scratch_database("airflow_meta") as meta_url:
        metadata = _sqlalchemy_url(meta_url)
        passwords = home / "passwords.json"
        passwords.write_text(json.dumps({"admin": "admin"}))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
            "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)]),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": "16",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
            "AIRFLOW__CELERY__BROKER_URL": BROKER_URL,
            # psycopg2 named explicitly: a bare db+postgresql:// picks psycopg 3 and the workers crash
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            # one secret shared by every component: the API server signs, the workers' tokens are checked
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            # the execution API URL must name the API server's port
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "celery_host.hostname",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs the test triggers
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            # a lost worker's task is noticed after 30 s (default 5 min), retried 5 s later
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
            "AIRFLOW__NEWSROOM__RETRY_DELAY_SECONDS": "5",
            "AIRFLOW__NEWSROOM__MAX_RETRY_DELAY_SECONDS": "10",
            "AIRFLOW_CONN_NEWS_DB": airflow_conn_json(news_db_url),
            # the DAGs must reach newsroom's database through the connection news_db, nothing else
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/not_this_one",
            **(extra_env or {}),
        }
        done = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise DeploymentError(f"airflow db migrate failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        deployment = Deployment(home, env, Api(f"http://127.0.0.1:{port}"), queue)
        try:
            deployment.start("api-server", "api-server")
            deployment.start("scheduler", "scheduler", "--skip-serve-logs")
            deployment.start("dag-processor", "dag-processor")
            deployment.start("triggerer", "triggerer", "--skip-serve-logs")
            deployment.wait("the API server", lambda: deployment.api.get("/api/v2/monitor/health"))
            deployment.wait(
                "the DAGs to be parsed", lambda: deployment.api.get("/api/v2/dags/news_nightly")["dag_id"]
            )
            for i in range(1, workers + 1):
                deployment.start_worker(f"worker{i}")
            yield deployment
        finally:
            deployment.stop()

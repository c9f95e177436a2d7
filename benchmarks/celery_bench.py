"""The same 3-site night on a real CeleryExecutor deployment with 1 and with 2 workers: seconds and ratio.

Uses the deployment of tests/integration (Postgres metadata, the machine's Redis, API server, scheduler, DAG
processor, triggerer, Celery workers as separate processes, concurrency 1 each, so a worker stands for a
machine slot). Each run gets a fresh newsroom database and fresh portals, so both nights do the same work.
Timed from the trigger to the run's end. Prints figures; asserts nothing.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/celery_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "integration")]

from celery_deploy import celery_deployment  # noqa: E402

from crawler import db  # noqa: E402
from newsroom_demo.server import running_portal  # noqa: E402

ARTICLES = 100
NIGHT_TIMEOUT = 3000


def night_seconds(workers: int, hosts: list[str]) -> float:
    """Start a deployment with `workers` workers, run one 3-site night, return its seconds."""
    with (
        db.scratch_database("newsroom_celery_bench") as news_db,
        tempfile.TemporaryDirectory(prefix="celery-bench-") as home,
        ExitStack() as stack,
    ):
        db.migrate(news_db)
        urls = [
            stack.enter_context(running_portal(articles=ARTICLES, seed=i + 1, host=host)).base_url
            for i, host in enumerate(hosts)
        ]
        with celery_deployment(Path(home), news_db, workers=workers) as deployment:
            started = time.monotonic()
            run_id = deployment.trigger("news_nightly", {"sites": urls})
            state = deployment.wait_for_run("news_nightly", run_id, NIGHT_TIMEOUT)
            seconds = time.monotonic() - started
            hostnames = sorted({ti["hostname"] for ti in deployment.task_instances("news_nightly", run_id)})
    print(f"{workers} worker(s): night {state} in {seconds:.1f} s, tasks ran on {', '.join(hostnames)}")
    return seconds


def main() -> None:
    print(f"3 sites x {ARTICLES} articles (demo portals on 127.0.0.31-36), Celery concurrency 1 per worker")
    one = night_seconds(1, ["127.0.0.31", "127.0.0.32", "127.0.0.33"])
    two = night_seconds(2, ["127.0.0.34", "127.0.0.35", "127.0.0.36"])
    print(f"ratio 1 worker / 2 workers: {one / two:.2f}x")


if __name__ == "__main__":
    main()

"""Airflow's task log server on one interface (Airflow's own `serve_logs` listens on all of them).

    python -m crawler.airflow_logs [--host H] [--port P]

Run it beside a Celery worker started with `--skip-serve-logs`: the API server reads a running task's
log from the worker's log server. The host is `AIRFLOW_LOG_SERVER_HOST` (default 127.0.0.1: a worker on
the API server's machine); a worker on another machine sets the address the API server reaches it on.
The port is Airflow's `[logging] worker_log_server_port`, as for Airflow's own log server.
"""

from __future__ import annotations

import argparse
import os

DEFAULT_HOST = "127.0.0.1"


def main(argv: list[str] | None = None) -> int:
    """Serve AIRFLOW_HOME's task logs with Airflow's app (token checked as Airflow does) on one interface."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.airflow_logs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default=os.environ.get("AIRFLOW_LOG_SERVER_HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, help="default: [logging] worker_log_server_port")
    args = parser.parse_args(argv)
    # Imported here: Airflow is an optional extra of the package, and slow to import.
    import uvicorn
    from airflow.configuration import conf

    port = args.port or conf.getint("logging", "worker_log_server_port")
    uvicorn.run(
        "airflow.utils.serve_logs.log_server:get_app",
        factory=True,
        host=args.host,
        port=port,
        log_config=None,  # keep Airflow's logging set-up, as its own log server does
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Helpers shared by tests: running the `newsroom` command as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2.extensions

REPO = Path(__file__).resolve().parent.parent


def newsroom(*args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run `newsroom ARGS` in its own process with the test's environment (DATABASE_URL included)."""
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def airflow_conn_json(url: str) -> str:
    """A database URL as an Airflow connection in JSON form (which also carries socket-directory hosts)."""
    dsn = psycopg2.extensions.parse_dsn(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": dsn.get("host", "localhost"),
            "port": int(dsn.get("port", 5432)),
            "login": dsn.get("user"),
            "password": dsn.get("password"),
            "schema": dsn.get("dbname"),
        }
    )

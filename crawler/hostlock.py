"""One crawl per host at a time, across every process and machine that shares the newsroom database."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

log = logging.getLogger(__name__)

# The lock's key space: advisory locks are database-wide, and migrations use another fixed key.
_NAMESPACE = "newsroom-crawl-host:"


def lock_key(host: str) -> int:
    """A stable signed 64-bit advisory-lock key for host (the same on every machine)."""
    digest = hashlib.sha256((_NAMESPACE + host).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def crawl_lock(db_url: str, host: str) -> Iterator[float]:
    """Hold the host's crawl lock while the block runs; yields the seconds spent waiting for it.

    A session-level advisory lock on a connection of its own: politeness (delays, concurrency per
    host) is enforced inside one crawl, so two crawls of one host on two Celery workers would double
    the load on the publisher. The lock dies with the connection, so a killed crawl (kill -9, lost
    machine) frees it without any cleanup.
    """
    conn = psycopg2.connect(db_url, application_name=f"newsroom crawl {host}"[:63])
    conn.autocommit = True
    key = lock_key(host)
    started = time.monotonic()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", (key,))
            row = cur.fetchone()
            if not (row and row[0]):
                log.info("another crawl of %s is running; waiting for it to finish", host)
                cur.execute("SELECT pg_advisory_lock(%s)", (key,))
        waited = round(time.monotonic() - started, 2)
        try:
            yield waited
        finally:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (key,))
    finally:
        conn.close()

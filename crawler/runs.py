"""The run ledger: one `crawl_runs` row per site and night, with each stage's figures in `stats`."""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from datetime import UTC, datetime
from typing import Any

import psycopg2
from psycopg2.extensions import cursor as Cursor

from crawler.urls import site_key

log = logging.getLogger(__name__)
# Closing a failed run: 0.5 + 1 + 2 + 4 + 8 + 8 s of waiting for a database that went away.
CLOSE_ATTEMPTS = 7


def new_run_id(site_url: str, now: datetime | None = None) -> str:
    """A readable, sortable, unique run id such as `20261124T020000.123456Z-3f9a1c-example.de`."""
    # Microseconds and a random part: two runs of a site started in the same second (or even the
    # same microsecond, on two machines) are two runs with two ledger rows, never one shared row.
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{secrets.token_hex(3)}-{site_key(site_url)}"


def start_run(cur: Cursor, run_id: str, site: str, airflow_run_id: str | None = None) -> None:
    """Open (or re-open, on a retry) the ledger row of run_id."""
    cur.execute(
        """INSERT INTO crawl_runs (run_id, site, airflow_run_id) VALUES (%s, %s, %s)
           ON CONFLICT (run_id) DO UPDATE
           SET status = 'running', finished_at = NULL,
               airflow_run_id = COALESCE(EXCLUDED.airflow_run_id, crawl_runs.airflow_run_id)""",
        (run_id, site, airflow_run_id),
    )


def record_stage(cur: Cursor, run_id: str, stage: str, stats: dict[str, Any]) -> None:
    """Store one stage's figures under stats[stage], replacing an earlier attempt's."""
    cur.execute(
        "UPDATE crawl_runs SET stats = stats || jsonb_build_object(%s::text, %s::jsonb) WHERE run_id = %s",
        (stage, json.dumps(stats), run_id),
    )


def finish_run(cur: Cursor, run_id: str, status: str, reason: str | None = None) -> None:
    """Close the ledger row with 'success' or 'failed' (a failure's reason goes to stats.failure)."""
    cur.execute(
        """UPDATE crawl_runs SET status = %s, finished_at = now(),
               stats = CASE WHEN %s::text IS NOT NULL THEN stats || jsonb_build_object('failure', %s::text)
                            WHEN %s = 'success' THEN stats - 'failure'
                            ELSE stats END  -- a second close without a reason keeps the first one's
           WHERE run_id = %s""",
        (status, reason, reason, status, run_id),
    )


def close_failed(url: str, run_id: str, reason: str, attempts: int = CLOSE_ATTEMPTS) -> bool:
    """Close run_id as failed with reason, retrying with backoff while the database is away."""
    from crawler import db

    delay = 0.5
    for attempt in range(attempts):
        try:
            with db.transaction(url) as cur:
                finish_run(cur, run_id, "failed", reason)
            return True
        except psycopg2.Error as exc:
            if attempt + 1 == attempts:
                # The next run of the site closes it (fail_abandoned); say so instead of a traceback.
                log.warning(
                    "run %s stays open in the ledger, the database is unreachable: %s",
                    run_id,
                    first_line(exc),
                )
                return False
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
    return False


def record_owner(cur: Cursor, run_id: str) -> None:
    """Note which process drives run_id, so a later run can tell when it died without closing it."""
    owner = {"host": socket.gethostname(), "pid": os.getpid(), "boot": _process_start(os.getpid())}
    cur.execute(
        "UPDATE crawl_runs SET stats = stats || jsonb_build_object('owner', %s::jsonb) WHERE run_id = %s",
        (json.dumps(owner), run_id),
    )


def _process_start(pid: int) -> str | None:
    """The start time of pid in clock ticks since boot (tells a live process from a reused pid)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def fail_abandoned(cur: Cursor, site: str) -> list[str]:
    """Close as failed the runs of site left `running` by a process of this host that is gone."""
    cur.execute(
        """SELECT run_id, stats -> 'owner' FROM crawl_runs
           WHERE site = %s AND status = 'running' AND stats ? 'owner' FOR UPDATE SKIP LOCKED""",
        (site,),
    )
    closed = []
    for run_id, owner in cur.fetchall():
        if owner.get("host") != socket.gethostname():
            continue  # another machine's process: nothing here can tell whether it lives
        pid = int(owner.get("pid", 0))
        if pid and _process_start(pid) == owner.get("boot") and owner.get("boot") is not None:
            continue  # still running (an overlapping run)
        finish_run(cur, run_id, "failed", f"abandoned: process {pid} ended without closing the run")
        closed.append(run_id)
    return closed


def failed_backlog(cur: Cursor, site: str) -> list[str]:
    """Failed runs of site with pages never cleaned: the next run cleans them (its crawl skips them as seen)."""
    cur.execute(
        """SELECT r.run_id FROM crawl_runs r
           WHERE r.site = %s AND r.status = 'failed'
             AND EXISTS (SELECT 1 FROM raw_pages p WHERE p.run_id = r.run_id AND p.cleaned_at IS NULL)
           ORDER BY r.started_at""",
        (site,),
    )
    return [row[0] for row in cur.fetchall()]


def first_line(error: BaseException | str) -> str:
    """The first line of an error message (libpq's come with hints on further lines)."""
    if isinstance(error, psycopg2.InterfaceError):
        # "connection already closed": a clean-up touched a connection the real failure had broken.
        cause = error.__cause__ or error.__context__
        if isinstance(cause, psycopg2.Error) and not isinstance(cause, psycopg2.InterfaceError):
            return first_line(cause)
        return "the connection to the database was lost"
    text = str(error).strip()
    if text:
        return text.splitlines()[0].strip()
    return type(error).__name__ if isinstance(error, BaseException) else "unknown error"


def run_stats(cur: Cursor, run_id: str) -> dict[str, Any]:
    """The stats recorded so far for run_id ({} when unknown)."""
    cur.execute("SELECT stats FROM crawl_runs WHERE run_id = %s", (run_id,))
    row = cur.fetchone()
    return dict(row[0]) if row else {}

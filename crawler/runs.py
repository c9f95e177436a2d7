"""The run ledger: one `crawl_runs` row per site and night, with each stage's figures in `stats`."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from psycopg2.extensions import cursor as Cursor

from crawler.urls import site_key


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


def finish_run(cur: Cursor, run_id: str, status: str) -> None:
    """Close the ledger row with 'success' or 'failed'."""
    cur.execute("UPDATE crawl_runs SET status = %s, finished_at = now() WHERE run_id = %s", (status, run_id))


def run_stats(cur: Cursor, run_id: str) -> dict[str, Any]:
    """The stats recorded so far for run_id ({} when unknown)."""
    cur.execute("SELECT stats FROM crawl_runs WHERE run_id = %s", (run_id,))
    row = cur.fetchone()
    return dict(row[0]) if row else {}

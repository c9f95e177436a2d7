"""Alerts to operators: a failed task or an overrunning night, sent where the connection `news_alerts` says.

The connection decides the channel, so each deployment configures it without touching the DAGs:
`http`/`https` (a webhook: JSON `{"text": …, …}` POSTed to its URL) or `smtp` (a mail through the SMTP
provider, recipients in the extra `{"to": "a@b.de"}`). No connection: the alert is only logged.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

ALERTS_CONN_ID = "news_alerts"
WEBHOOK_TIMEOUT = 10


def webhook_url(conn: Any) -> str:
    """The URL of an http connection: a host with scheme as is, else scheme://host:port, plus `endpoint`."""
    host = (conn.host or "").rstrip("/")
    if "://" not in host:
        scheme = conn.schema or ("https" if conn.conn_type == "https" else "http")
        host = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    endpoint = str(conn.extra_dejson.get("endpoint", "")).lstrip("/")
    return f"{host}/{endpoint}" if endpoint else host


def _post_json(url: str, payload: Mapping[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, default=str).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
        response.read()


def _send_mail(conn: Any, subject: str, text: str) -> None:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    recipients = conn.extra_dejson.get("to")
    if not recipients:
        raise ValueError(f"connection {ALERTS_CONN_ID!r} (smtp) needs the recipients in its extra: to")
    with SmtpHook(smtp_conn_id=conn.conn_id) as hook:
        hook.send_email_smtp(to=recipients, subject=subject, html_content=f"<pre>{text}</pre>")


def send_alert(subject: str, text: str, details: Mapping[str, Any] | None = None) -> str:
    """Send one alert through `news_alerts`; return the channel used ("webhook", "smtp" or "log")."""
    log.error("%s: %s", subject, text)
    try:
        from airflow.exceptions import AirflowNotFoundException
        from airflow.sdk import BaseHook
    except ImportError:  # outside Airflow: the log line above is the alert
        return "log"
    try:
        conn = BaseHook.get_connection(ALERTS_CONN_ID)
    except AirflowNotFoundException:
        return "log"
    if conn.conn_type in ("http", "https"):
        _post_json(webhook_url(conn), {"subject": subject, "text": text, **(details or {})})
        return "webhook"
    if conn.conn_type in ("smtp", "email"):
        _send_mail(conn, subject, text)
        return "smtp"
    raise ValueError(f"connection {ALERTS_CONN_ID!r} has type {conn.conn_type!r}; use http, https or smtp")


def _notifier_base() -> type:
    try:
        from airflow.sdk import BaseNotifier
    except ImportError:  # the CLI and plain tests import this module without Airflow
        return object
    return BaseNotifier


class FailureNotifier(_notifier_base()):  # type: ignore[misc]
    """Airflow notifier (on_failure_callback): one alert per failed task, naming the night and the site."""

    def notify(self, context: Mapping[str, Any]) -> None:
        """Send the failure summary; a broken alert channel is logged, never raised over the task's error."""
        from crawler.airflow_support import failure_summary

        summary = failure_summary(context)
        dag_run = context.get("dag_run")
        ti = context.get("ti") or context.get("task_instance")
        try:
            send_alert(
                "newsroom: a task failed",
                summary,
                {
                    "event": "task_failed",
                    "dag_id": getattr(ti, "dag_id", None),
                    "task_id": getattr(ti, "task_id", None),
                    "map_index": getattr(ti, "map_index", None),
                    "run_id": getattr(dag_run, "run_id", None) or getattr(ti, "run_id", None),
                },
            )
        except Exception:
            log.exception("could not send the failure alert through %r", ALERTS_CONN_ID)


async def deadline_missed(context: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
    """Deadline alert callback (runs in the triggerer): the night is still running past its deadline."""
    import asyncio

    dag_run = (context or {}).get("dag_run") or {}
    # The scheduler passes the run as the REST API shows it (a dict with dag_run_id), not a DagRun object.
    if isinstance(dag_run, Mapping):
        run_id = dag_run.get("dag_run_id") or dag_run.get("run_id")
    else:
        run_id = getattr(dag_run, "run_id", None)
    dag_id = kwargs.get("dag_id") or (dag_run.get("dag_id") if isinstance(dag_run, Mapping) else None)
    text = (
        f"newsroom night OVERRUN: dag {dag_id}, run {run_id} is still running"
        f" {kwargs.get('deadline', 'past its deadline')} after it was queued"
    )
    await asyncio.to_thread(
        send_alert,
        "newsroom: the night overran its deadline",
        text,
        {"event": "deadline_missed", "dag_id": dag_id, "run_id": run_id},
    )

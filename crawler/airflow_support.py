"""Helpers the Airflow DAGs call: which database, which sites, run ids, figures in logs, failure callbacks.

Nothing here imports Airflow at module level, so the CLI and the tests can use these helpers without it;
the few Airflow calls (connection lookup) import inside the function.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from crawler.urls import site_key

log = logging.getLogger(__name__)

NEWS_DB_CONN_ID = "news_db"
SITES_VARIABLE = "news_sites"
RETENTION_VARIABLE = "news_raw_retention_days"
# Characters allowed in a crawl run id; everything else (`+` of a UTC offset, spaces, slashes) becomes `_`.
_RUN_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:@-]+")
MAX_RUN_ID_LENGTH = 200


# The asset both DAGs update. The Postgres provider validates `postgres://` URIs: host:port/database/schema/
# table. The host is a logical name (the connection `news_db` says which server); what matters is that every
# DAG spells the same URI.
ARTICLES_ASSET_URI = "postgres://newsroom:5432/newsroom/public/articles"
# Names a mapped instance of the site pipeline by its site in the UI (instead of "Map Index 3"): each task of
# the group puts its site into the context first (Airflow renders the template with the task's context).
SITE_MAP_INDEX_TEMPLATE = "{{ site }}"


# --- per-deployment settings ------------------------------------------------------------------------


def deployment_setting(key: str, fallback: float) -> float:
    """A number from Airflow's config section [newsroom] (env AIRFLOW__NEWSROOM__<KEY>), else fallback.

    Read when the DAG file is parsed: Airflow config is local to each component (no database or API call),
    so retries and deadlines change per deployment without touching the DAGs.
    """
    try:
        from airflow.sdk import conf
    except ImportError:
        return fallback
    return float(conf.get("newsroom", key, fallback=str(fallback)))


def retry_policy(retries: int, retry_delay_seconds: float, max_retry_delay_seconds: float) -> dict[str, Any]:
    """default_args for retries: [newsroom] retries, retry_delay_seconds, max_retry_delay_seconds."""
    from datetime import timedelta

    delay = deployment_setting("retry_delay_seconds", retry_delay_seconds)
    longest = deployment_setting("max_retry_delay_seconds", max_retry_delay_seconds)
    return {
        "retries": int(deployment_setting("retries", retries)),
        "retry_delay": timedelta(seconds=delay),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(seconds=max(delay, longest)),
    }


# --- database ---------------------------------------------------------------------------------------


def _psycopg2_url(uri: str) -> str:
    """Airflow renders a `postgres` connection as `postgres://…`; spell it the way libpq documents."""
    for prefix in ("postgres://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if uri.startswith(prefix):
            return "postgresql://" + uri[len(prefix) :]
    return uri


def news_db_url() -> str:
    """The database of the pipeline: Airflow connection `news_db`, else DATABASE_URL, else embedded.

    The connection comes from `AIRFLOW_CONN_NEWS_DB` or the UI (Admin → Connections). Only a missing
    connection falls back; a connection that exists but cannot be read is an error, not a silent switch
    to another database.
    """
    try:
        from airflow.exceptions import AirflowNotFoundException
        from airflow.sdk import BaseHook
    except ImportError:  # running outside Airflow (CLI, plain tests)
        AirflowNotFoundException = None  # type: ignore[assignment,misc]
    if AirflowNotFoundException is not None:
        try:
            uri = BaseHook.get_connection(NEWS_DB_CONN_ID).get_uri()
        except AirflowNotFoundException:
            log.debug("no Airflow connection %r; falling back to DATABASE_URL", NEWS_DB_CONN_ID)
        else:
            return _psycopg2_url(uri)
    from crawler import db

    return db.database_url()


def database_label(url: str) -> str:
    """host:port/dbname of url, for logs (never the password)."""
    import psycopg2.extensions

    try:
        dsn = psycopg2.extensions.parse_dsn(url)
    except psycopg2.ProgrammingError:
        return "(unparsable database URL)"
    host = dsn.get("host", "localhost")
    port = dsn.get("port", "5432")
    return f"{host}:{port}/{dsn.get('dbname', '?')}"


# --- sites and run ids ------------------------------------------------------------------------------


def crawl_run_id(airflow_run_id: str, site: str) -> str:
    """The crawl run id of one site in one Airflow run: the same on every retry and re-run of that run.

    `manual__2026-11-24T02:00:00+00:00` + `example.de` → `manual__2026-11-24T02:00:00_00:00:example.de`.
    """
    raw = f"{airflow_run_id}:{site}"
    safe = _RUN_ID_UNSAFE.sub("_", raw).strip("_")
    if len(safe) > MAX_RUN_ID_LENGTH:
        import hashlib

        digest = hashlib.sha256(raw.encode()).hexdigest()[:12]
        safe = f"{safe[: MAX_RUN_ID_LENGTH - 13]}~{digest}"
    return safe


def _url_list(value: Any, source: str) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source} is not a JSON list of URLs: {value!r}") from exc
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{source} must be a list of site URLs, got {value!r}")
    return [item.strip() for item in value]


def choose_sites(
    conf_sites: Any = None, variable_sites: Any = None, configured: Iterable[str] = ()
) -> tuple[list[str], str]:
    """The site URLs of a run and where they came from: run conf, else the Variable, else sites.toml."""
    if conf_sites:
        urls, source = _url_list(conf_sites, "run conf 'sites'"), "run conf"
    elif variable_sites:
        urls, source = _url_list(variable_sites, f"Variable {SITES_VARIABLE!r}"), f"Variable {SITES_VARIABLE}"
    else:
        urls, source = list(configured), "crawler/sites.toml"
    for url in urls:
        if not url.startswith(("http://", "https://")) or not site_key(url):
            raise ValueError(f"not a site URL (from {source}): {url!r}")
    unique: dict[str, str] = {}
    for url in urls:
        unique.setdefault(site_key(url), url)  # one crawl per site, even when listed twice
    return list(unique.values()), source


def site_runs(urls: Iterable[str], airflow_run_id: str) -> list[dict[str, str]]:
    """One mapping per site, passed to the mapped task group: url, site key and crawl run id."""
    return [
        {"url": url, "site": site_key(url), "run_id": crawl_run_id(airflow_run_id, site_key(url))}
        for url in urls
    ]


# --- stages in a process of their own ---------------------------------------------------------------

_RESULT_MARK = "NEWSROOM-STAGE-RESULT "
_STAGE_RUNNER = f"""
import json, logging, sys
from crawler import procs
procs.die_with_parent()  # a task process killed outright (SIGKILL) takes its stage along
procs.raise_on_termination()  # SIGTERM from the task: the stage closes its run and stops its children
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
from crawler import stages
result = getattr(stages, sys.argv[1])(**json.loads(sys.argv[2]))
print({_RESULT_MARK!r} + json.dumps(result, default=str), flush=True)
"""


class StageFailed(RuntimeError):
    """A stage run in its own process exited with an error; carries the tail of its output."""


def run_stage_in_subprocess(stage: str, timeout: float | None = None, **kwargs: Any) -> dict[str, Any]:
    """Call `crawler.stages.<stage>(**kwargs)` in a fresh Python process and return its figures.

    Why: an Airflow task process is forked from the worker, its `__main__` is the `airflow` command and its
    environment forbids Airflow DB access; the clean stage's forkserver pool re-imports `__main__` and dies
    there. A fresh interpreter (like the crawl's Scrapy subprocess) has none of that. Its output lines go to
    this process's log as they come, so the task log shows the stage's own messages.
    """
    import os
    import subprocess
    import sys
    from collections import deque

    env = os.environ.copy()
    if kwargs.get("db_url"):  # through the environment: a password in argv would show in `ps`
        env["DATABASE_URL"] = kwargs.pop("db_url")
    command = [sys.executable, "-c", _STAGE_RUNNER, stage, json.dumps(kwargs)]
    result: dict[str, Any] | None = None
    tail: deque[str] = deque(maxlen=40)
    from crawler import procs

    # A process group of its own: a timed-out or killed task (Airflow's SIGTERM, on_kill) ends the
    # stage and everything it started (the crawl's Scrapy process, clean's forkserver and workers).
    process = procs.start_group(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    with procs.group_stopped_on_exit(process):
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            if line.startswith(_RESULT_MARK):
                result = json.loads(line[len(_RESULT_MARK) :])
                continue
            tail.append(line)
            log.info("[%s] %s", stage, line)
        process.wait(timeout=timeout)
        process.stdout.close()
    if process.returncode != 0 or result is None:
        raise StageFailed(f"stage {stage} exited with {process.returncode}:\n" + "\n".join(tail))
    return result


# --- figures in logs --------------------------------------------------------------------------------


def _total(value: Any) -> Any:
    return sum(value.values()) if isinstance(value, dict) else value


def figures_line(stage: str, figures: Mapping[str, Any]) -> str:
    """One readable log line of a stage's figures (nested reasons summed, details in the XCom)."""
    keys = {
        "crawl": ("fetched", "stored", "not_modified", "skipped_unchanged", "rejected", "seconds"),
        "clean": ("pages", "new", "updated", "unchanged", "rejected", "articles", "seconds"),
        "dedupe": ("checked", "duplicates", "exact", "near", "run_duplicates", "seconds"),
    }.get(stage)
    shown = keys or tuple(k for k, v in figures.items() if not isinstance(v, dict | list))
    parts = [f"{key}={_total(figures[key])}" for key in shown if key in figures]
    reasons = figures.get("rejected")
    if isinstance(reasons, dict) and reasons:
        parts.append("rejected by reason: " + ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())))
    return f"{stage}: " + ", ".join(parts)


# --- failure callback -------------------------------------------------------------------------------


def _site_run_of(task: Any) -> dict[str, Any]:
    """The site mapping a (mapped) task worked on, found among its resolved arguments."""
    candidates: list[Any] = []
    for attr in ("op_kwargs", "op_args"):
        value = getattr(task, attr, None)
        if isinstance(value, dict):
            candidates.extend(value.values())
        elif isinstance(value, list | tuple):
            candidates.extend(value)
    for value in candidates:
        if isinstance(value, dict) and "run_id" in value:
            return value
    return {}


def failure_summary(context: Mapping[str, Any]) -> str:
    """One paragraph saying what failed where: dag, task, map index, site, runs, try, exception."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    task = context.get("task")
    site_run = _site_run_of(task) if task is not None else {}
    exception = context.get("exception")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    airflow_run = getattr(dag_run, "run_id", None) or getattr(ti, "run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    where = f"{task_id}[{map_index}]" if isinstance(map_index, int) and map_index >= 0 else task_id
    error = f"{type(exception).__name__}: {exception}" if exception is not None else "no exception recorded"
    return (
        f"newsroom task FAILED: dag {dag_id}, task {where}, site {site_run.get('site', '(all sites)')}"
        f" ({site_run.get('url', '-')}), crawl run {site_run.get('run_id', '-')}, Airflow run {airflow_run},"
        f" try {try_number}. Error: {error}"
    )


def on_task_failure(context: Mapping[str, Any]) -> None:
    """on_failure_callback: log the summary and close the site's crawl run as failed in the ledger."""
    log.error(failure_summary(context))
    task = context.get("task")
    run_id = _site_run_of(task).get("run_id") if task is not None else None
    if not run_id:
        return
    try:
        from crawler import db, runs

        with db.transaction(news_db_url()) as cur:
            runs.finish_run(cur, run_id, "failed")
    except Exception:  # the callback must not hide the task's own error behind a second one
        log.exception("could not mark crawl run %s as failed", run_id)


# --- maintenance ------------------------------------------------------------------------------------


def prune_raw_pages(conn: Any, older_than_days: int, batch: int = 5000) -> dict[str, int]:
    """Delete raw pages fetched more than older_than_days ago, keeping every article's latest page.

    Kept: the page each article was last extracted from (`articles.raw_page_id`, what a re-clean reads)
    and, per article, the most recently fetched page. Deletes in batches, one transaction each.
    """
    if older_than_days < 1:
        raise ValueError(f"retention must be at least one day, got {older_than_days}")
    deleted = 0
    while True:
        with conn, conn.cursor() as cur:
            cur.execute(
                """WITH keep AS (
                       SELECT raw_page_id AS page_id FROM articles WHERE raw_page_id IS NOT NULL
                       UNION
                       (SELECT DISTINCT ON (article_id) page_id FROM raw_pages
                        WHERE article_id IS NOT NULL ORDER BY article_id, fetched_at DESC, page_id DESC)),
                   doomed AS (
                       SELECT page_id FROM raw_pages
                       WHERE fetched_at < now() - make_interval(days => %s)
                         AND page_id NOT IN (SELECT page_id FROM keep)
                       ORDER BY page_id LIMIT %s)
                   DELETE FROM raw_pages WHERE page_id IN (SELECT page_id FROM doomed)""",
                (older_than_days, batch),
            )
            count = cur.rowcount
        deleted += count
        if count < batch:
            break
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM raw_pages")
        remaining = int(cur.fetchone()[0])
    return {"deleted": deleted, "remaining": remaining, "older_than_days": older_than_days}


def vacuum_analyze(url: str, tables: Iterable[str] = ()) -> list[str]:
    """VACUUM (ANALYZE) the given tables, or the whole database; VACUUM needs autocommit."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(url)
    conn.autocommit = True
    done = []
    try:
        with conn.cursor() as cur:
            names = list(tables)
            if not names:
                cur.execute("VACUUM (ANALYZE)")
                done.append("(database)")
            for name in names:
                cur.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(name)))
                done.append(name)
    finally:
        conn.close()
    return done


# --- the night at a glance --------------------------------------------------------------------------


def _count(value: Any) -> int:
    """A figure that may be a number or a {reason: count} mapping, as one number."""
    if isinstance(value, dict):
        return sum(int(v) for v in value.values())
    return int(value or 0)


def night_summary(cur: Any, airflow_run_id: str) -> list[dict[str, Any]]:
    """One row per site of an Airflow run, from the ledger: status, pages, new, updated, duplicates, rejects."""
    cur.execute(
        "SELECT site, status, stats FROM crawl_runs WHERE airflow_run_id = %s ORDER BY site",
        (airflow_run_id,),
    )
    rows = []
    for site, status, stats in cur.fetchall():
        stats = stats or {}
        crawl, clean, dedupe = (stats.get(k) or {} for k in ("crawl", "clean", "dedupe"))
        rows.append(
            {
                "site": site,
                "status": status,
                "pages": _count(clean.get("pages", crawl.get("stored"))),
                "new": _count(clean.get("new")),
                "updated": _count(clean.get("updated")),
                "duplicates": _count(dedupe.get("run_duplicates")),
                "rejected": _count(clean.get("rejected")),
            }
        )
    return rows


def summary_markdown(rows: list[dict[str, Any]]) -> str:
    """The night's figures as a Markdown table (what the summary task logs and returns)."""
    columns = ("site", "status", "pages", "new", "updated", "duplicates", "rejected")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    if rows:
        totals = {c: sum(row[c] for row in rows) for c in columns[2:]}
        ok = sum(row["status"] == "success" for row in rows)
        lines.append(
            f"| **{len(rows)} sites** | {ok} ok | " + " | ".join(str(totals[c]) for c in columns[2:]) + " |"
        )
    return "\n".join(lines)

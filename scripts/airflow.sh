#!/usr/bin/env bash
# Run a local Airflow 3 (API server + UI, scheduler, DAG processor, triggerer: what `airflow standalone` starts)
# on this repository's dags/. What `make airflow` runs. Stop it with Ctrl-C.
#
# Every listener is on AIRFLOW_BIND_HOST (127.0.0.1 by default). The scheduler and the triggerer start no log
# server: on one machine the API server reads task logs from the files in AIRFLOW_HOME/logs, and Airflow's log
# servers cannot be bound to one interface (they listen on all of them). Celery workers on other machines do
# need theirs: see the README's "Celery on several machines".
#
# Environment (all optional):
#   AIRFLOW_HOME              Airflow's state: config, logs, metadata DB    (default: <repo>/.airflow)
#   AIRFLOW_PORT              port of the UI / REST API / execution API      (default: 8080)
#   AIRFLOW_BIND_HOST         interface the API server listens on            (default: 127.0.0.1)
#   AIRFLOW_ADMIN_USER        login of the local admin                       (default: admin)
#   AIRFLOW_ADMIN_PASSWORD    its password                                   (default: admin)
#   AIRFLOW_LOG_SERVER_PORT   task log server port of Celery workers         (default: 8793)
#   AIRFLOW_TRIGGER_LOG_PORT  triggerer log server port (when one is started) (default: 8794)
#   AIRFLOW__DATABASE__SQL_ALCHEMY_CONN  Airflow's metadata DB               (default: SQLite in AIRFLOW_HOME;
#                             postgresql+psycopg2://… for anything beyond trying it out)
#   AIRFLOW__API_AUTH__JWT_SECRET  signs the tokens tasks use on the execution API (default: generated once
#                             into AIRFLOW_HOME, so restarts keep it)
#   AIRFLOW_CONN_NEWS_DB / DATABASE_URL  the newsroom database the DAGs write (default: embedded Postgres)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$repo/.venv}"
if [[ ! -x "$venv/bin/airflow" ]]; then
    echo "airflow is not installed in $venv; run 'make install' first" >&2
    exit 1
fi

export PATH="$venv/bin:$PATH"
export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$repo/.airflow}"
mkdir -p "$AIRFLOW_HOME"
AIRFLOW_HOME="$(cd "$AIRFLOW_HOME" && pwd)"

port="${AIRFLOW_PORT:-8080}"
bind_host="${AIRFLOW_BIND_HOST:-127.0.0.1}"
user="${AIRFLOW_ADMIN_USER:-admin}"
password="${AIRFLOW_ADMIN_PASSWORD:-admin}"

export AIRFLOW__CORE__DAGS_FOLDER="$repo/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
# SQLite metadata: keep the number of concurrently running tasks small (one writer at a time).
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
# One secret for every component that signs or checks execution-API tokens; generated once, kept in
# AIRFLOW_HOME (not in the repository).
if [[ -z "${AIRFLOW__API_AUTH__JWT_SECRET:-}" ]]; then
    secret_file="$AIRFLOW_HOME/jwt_secret"
    [[ -s "$secret_file" ]] || (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(48))' >"$secret_file")
    AIRFLOW__API_AUTH__JWT_SECRET="$(cat "$secret_file")"
    export AIRFLOW__API_AUTH__JWT_SECRET
fi
export AIRFLOW__API__HOST="$bind_host"
export AIRFLOW__API__PORT="$port"
export AIRFLOW__API__BASE_URL="http://localhost:$port"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://localhost:$port/execution/"
# The default 5 s is too short on a busy machine: a slow first answer of the API server fails the task's start.
export AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT="${AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT:-60}"
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="${AIRFLOW_LOG_SERVER_PORT:-8793}"
export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT="${AIRFLOW_TRIGGER_LOG_PORT:-8794}"

# Simple auth manager with one known local admin. The passwords file is Airflow 3.1's way to fix a password
# (otherwise it generates one); it lives in AIRFLOW_HOME, outside the repository's tracked files.
export AIRFLOW__CORE__AUTH_MANAGER="airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$user:admin"
passwords_file="$AIRFLOW_HOME/simple_auth_manager_passwords.json"
(umask 077 && printf '{"%s": "%s"}\n' "$user" "$password" >"$passwords_file")
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$passwords_file"

if [[ -n "${AIRFLOW_CONN_NEWS_DB:-}" ]]; then
    newsroom_db="Airflow connection news_db (AIRFLOW_CONN_NEWS_DB)"
elif [[ -n "${DATABASE_URL:-}" ]]; then
    newsroom_db="DATABASE_URL"
else
    newsroom_db="embedded PostgreSQL (no news_db connection, no DATABASE_URL)"
fi

cat <<EOF
newsroom Airflow
  UI / REST API   http://localhost:$port   (login: $user / $password)
  AIRFLOW_HOME    $AIRFLOW_HOME
  DAGs            $AIRFLOW__CORE__DAGS_FOLDER   (new DAGs start paused: unpause news_nightly in the UI)
  newsroom data   $newsroom_db
  crawl the demo portal: trigger news_nightly with conf {"sites": ["http://127.0.0.1:PORT"]}
EOF

airflow db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || {
    cat "$AIRFLOW_HOME/db-migrate.log" >&2
    exit 1
}
# What `airflow standalone` runs, minus the log servers; one component ending stops the others.
pids=()
stop_all() {
    trap - INT TERM EXIT
    ((${#pids[@]})) && kill -TERM "${pids[@]}" 2>/dev/null
    wait
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
airflow api-server & pids+=($!)
airflow scheduler --skip-serve-logs & pids+=($!)
airflow dag-processor & pids+=($!)
airflow triggerer --skip-serve-logs & pids+=($!)
status=0
wait -n || status=$?
echo "an Airflow component exited (status $status); stopping the others" >&2
exit "$status"

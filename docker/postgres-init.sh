#!/usr/bin/env bash
# First start of the postgres service only: a role and a database for newsroom's data, beside Airflow's
# metadata database (POSTGRES_DB). Separate databases: Airflow's migrations and newsroom's never meet.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v user="$NEWSROOM_DB_USER" -v password="$NEWSROOM_DB_PASSWORD" -v db="$NEWSROOM_DB_NAME" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL

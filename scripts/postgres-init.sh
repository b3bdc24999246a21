#!/usr/bin/env bash
# The workers' own PostgreSQL role, for the shared checkpoint store: it may read and add objects,
# and nothing else (no UPDATE, DELETE or CREATE), so a worker host that runs agents' commands holds
# no credential that could rewrite a run's record or reach a shell on the database. The postgres
# image runs this once on a fresh volume (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d); elsewhere run it once with psql's usual PG* variables set:
#   POSTGRES_USER=admin POSTGRES_DB=marathon_store MARATHON_PG_WORKER_PASSWORD=... scripts/postgres-init.sh
# The tables are the ones PostgresCheckpointStore creates (PostgresInitTest holds the two together).
set -euo pipefail
: "${POSTGRES_USER:?the administrator role}" "${POSTGRES_DB:?the store's database}"
: "${MARATHON_PG_WORKER_PASSWORD:?the workers' password (they log in as marathon_worker)}"
export MARATHON_PG_WORKER_PASSWORD   # read by psql from the environment: never on its command line
psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\getenv pw MARATHON_PG_WORKER_PASSWORD
CREATE TABLE IF NOT EXISTS marathon_objects (ref CHAR(64) PRIMARY KEY, content BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS marathon_names (name VARCHAR(200) PRIMARY KEY, ref CHAR(64) NOT NULL);
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'marathon_worker') THEN CREATE ROLE marathon_worker LOGIN; END IF;
END $$;
ALTER ROLE marathon_worker PASSWORD :'pw';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO marathon_worker;
GRANT SELECT, INSERT ON marathon_objects, marathon_names TO marathon_worker;
SQL
echo "[marathon] role marathon_worker may read and add checkpoint objects and names in $POSTGRES_DB, nothing else" >&2

#!/bin/bash
# First start of the primary (docker-entrypoint-initdb.d): a role that may stream the WAL
# to the read replica (db-replica in docker-compose.yml), and the pg_hba line letting it in.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"

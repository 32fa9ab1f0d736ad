#!/bin/bash
# The read replica (db-replica in docker-compose.yml): on its first start, a copy of the
# primary taken by pg_basebackup -R (which also writes how to follow it); then a hot
# standby replaying the primary's WAL by streaming replication.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h db -U replicator \
      -D "$PGDATA" -R -X stream -c fast; do
    echo "Primaire pas encore prêt, nouvel essai dans 2 s" >&2
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on

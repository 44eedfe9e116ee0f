#!/bin/sh
# Run once by the postgres image when its data directory is new: the role Regatta runs as. The
# owner (POSTGRES_USER) runs the migrations and grants this role what it needs at every start
# (the audit log: SELECT and INSERT only). See docs/DATABASE.md.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$REGATTA_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE regatta_app LOGIN PASSWORD :'pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
SQL

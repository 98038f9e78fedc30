#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, starting them when they do not, and make
# sure the portal's database role exists. Works on a machine where they already run (trust
# auth) and on a plain Debian one (stopped, peer auth on the socket, scram over TCP).
set -euo pipefail

DB_USER=${DB_USER:-connaissance}
DB_PASSWORD=${DB_PASSWORD:-connaissance}
DB_NAME=${DB_NAME:-connaissance}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || { $SUDO apt-get update -qq >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

# --- PostgreSQL ---------------------------------------------------------------------------
if ! command -v pg_isready >/dev/null || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if ! pg_answers 2>/dev/null; then
    echo "Installing PostgreSQL…"; apt_install postgresql
  fi
fi
if ! pg_answers; then
  echo "Starting PostgreSQL…"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
fi
pg_answers || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }

as_postgres() {
  (cd / && env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
     runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@")
}
if ! PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -U "$DB_USER" -d postgres -qtAc "select 1" >/dev/null 2>&1 \
   || ! PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -U "$DB_USER" -d postgres -qtAc \
        "select rolcreatedb from pg_roles where rolname = current_user" 2>/dev/null | grep -q t; then
  echo "Creating the PostgreSQL role $DB_USER…"
  as_postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD' CREATEDB;
      ELSE
        ALTER ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD' CREATEDB;
      END IF; END \$\$;"
fi
if ! PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -U "$DB_USER" -d "$DB_NAME" -qtAc "select 1" >/dev/null 2>&1; then
  as_postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" || true
fi

# --- Redis --------------------------------------------------------------------------------
if ! redis_answers; then
  command -v redis-server >/dev/null || { echo "Installing Redis…"; apt_install redis-server redis-tools; }
  echo "Starting Redis…"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/connaissance-redis.log
  for _ in $(seq 1 20); do redis_answers && break; sleep 0.5; done
fi
redis_answers || { echo "Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
echo "PostgreSQL and Redis answer on 127.0.0.1."

#!/usr/bin/env bash
# `make demo`: the portal with its background work, on an embedded SQLite database and
# kombu's filesystem broker (or Redis when REDIS_URL is set). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-1}
export CONNAISSANCE_VAR_DIR=${CONNAISSANCE_VAR_DIR:-$PWD/var/demo}
export DATABASE_URL=${DATABASE_URL:-sqlite:///$CONNAISSANCE_VAR_DIR/demo.sqlite3}
# E-mails (account verification links...) are printed in this terminal.
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}
export BEAT_STALE_AFTER_SECONDS=${BEAT_STALE_AFTER_SECONDS:-180}
PORT=${PORT:-8000}
PY=.venv/bin/python
mkdir -p "$CONNAISSANCE_VAR_DIR/broker/processed" "$CONNAISSANCE_VAR_DIR/broker/control" "$CONNAISSANCE_VAR_DIR/private-media"

echo "→ Base de données, traductions, fichiers statiques…"
$PY manage.py migrate --noinput -v 0
$PY manage.py createcachetable
$PY manage.py compilemessages -v 0 --ignore=.venv
$PY manage.py collectstatic --noinput -v 0
echo "→ Données de démonstration…"
$PY manage.py seed_demo_call
$PY manage.py create_demo_accounts
$PY manage.py seed_demo_collective
$PY manage.py seed_demo_laureate

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "→ Arrêt du portail et des tâches de fond…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

echo "→ Tâches de fond : worker Celery avec beat intégré…"
.venv/bin/celery -A connaissance worker -B --pool=solo --loglevel=INFO \
  --schedule="$CONNAISSANCE_VAR_DIR/celerybeat-schedule" &
pids+=($!)

cat <<TXT

  Portail : http://127.0.0.1:$PORT/        Santé : http://127.0.0.1:$PORT/sante/
  Administration : http://127.0.0.1:$PORT/admin/  (code TOTP : make totp EMAIL=agent@demo.connaissance.fr)
  Ctrl-C arrête tout.

TXT
$PY manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)
wait -n "${pids[@]}"

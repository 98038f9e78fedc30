#!/usr/bin/env bash
# The whole suite against PostgreSQL, Redis, a real Celery worker and headless Chromium.
set -uo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://connaissance:connaissance@127.0.0.1:5432/connaissance}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
export CELERY_BROKER_URL=$REDIS_URL
export SECRET_KEY=test-secret-key-not-for-production
export DEBUG=0
export SECURE_SSL_REDIRECT=0
# The browser tests talk plain HTTP to a live server: secure-only cookies would never come back.
export SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export ALLOWED_HOSTS=testserver,127.0.0.1,localhost
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export CONNAISSANCE_VAR_DIR=${CONNAISSANCE_VAR_DIR:-$PWD/var/test}
export STATIC_ROOT=$PWD/var/test/static
export DJANGO_ALLOW_ASYNC_UNSAFE=true
mkdir -p "$CONNAISSANCE_VAR_DIR"
.venv/bin/python manage.py compilemessages -v 0 --ignore=.venv || exit 1
.venv/bin/python manage.py collectstatic --noinput -v 0 || exit 1
# The production (manifest) storage must collect cleanly; the tests then use plain static URLs,
# which pytest-django's live server can serve from the finders.
PLAIN_STATICFILES=1 .venv/bin/python -m pytest "$@"
status=$?
if [ $status -eq 5 ]; then
  echo "pytest collected no test: failing." >&2
  exit 1
fi
exit $status

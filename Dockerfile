# syntax=docker/dockerfile:1
# The portal's one image: web (gunicorn), Celery worker and beat, and the one-shot migrate job
# all run it with a different command (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=connaissance.settings \
    CONNAISSANCE_VAR_DIR=/app/var \
    PRIVATE_MEDIA_ROOT=/data/private-media \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint needs Pango (and a font: DejaVu); compilemessages needs gettext's msgfmt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Translations and static files are part of the image. Settings refuse to start without a
# SECRET_KEY when DEBUG is off: a throw-away one is given to these two build commands only
# (it is not kept in the image's environment). No database is touched.
RUN SECRET_KEY=build-only-dummy-key-not-used-at-runtime \
    python manage.py compilemessages -v 0 --ignore=.venv \
 && SECRET_KEY=build-only-dummy-key-not-used-at-runtime \
    python manage.py collectstatic --noinput -v 0

# A non-root user. The folders that named volumes are mounted on are created here, owned by
# that user, so a fresh volume inherits the ownership.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home app \
 && mkdir -p /app/var "$PRIVATE_MEDIA_ROOT" \
 && chown -R app:app /app/var /data
USER app

EXPOSE 8000
CMD ["gunicorn", "connaissance.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", "--timeout", "60"]

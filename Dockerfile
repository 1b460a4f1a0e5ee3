# syntax=docker/dockerfile:1
# Governance portal: one image for the web (gunicorn), the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH

# WeasyPrint (PDF reports) needs Pango and HarfBuzz's subsetter, and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv

WORKDIR /app

# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev

COPY . .

# Static files into /app/staticfiles (STATIC_ROOT), served by whitenoise, and the translation
# catalogues compiled. The production
# settings refuse to load without a long secret and a host: give them build-only values that
# are not kept in the image's environment.
RUN DJANGO_SETTINGS_MODULE=governance.settings.production \
    DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && python manage.py compile_translations \
    && rm -f /tmp/build.sqlite3

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/media /app/var \
    && chown -R app:app /app/media /app/var

ENV DJANGO_SETTINGS_MODULE=governance.settings.production \
    MEDIA_ROOT=/app/media

USER app
EXPOSE 8000

# gunicorn.conf.py (in /app) sets the app, the bind address and threaded workers.
CMD ["gunicorn"]

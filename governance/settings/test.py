"""Test settings: real PostgreSQL and Redis on 127.0.0.1 (see bin/ensure-services)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/governance")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env_bool

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The worker test runs its worker with the file backend (EMAIL_FILE_PATH) to read its mail.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "governance.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Attachments on the filesystem, apart from the demo's (tests/documents: S3 too).
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "test-attachments"},
    },
}

# Tests send tasks to a queue of their own so a stray worker on the machine cannot take them.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1")
# TEST_QUEUE lets two checkouts run their suites side by side (with their own databases).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_QUEUE", "portal-test")
# Only the tests that use the worker (the `worker` fixture) wake it; other tests' commits must
# not start work that races their database flush.
OUTBOX_KICK_ON_COMMIT = env_bool("OUTBOX_KICK_ON_COMMIT", False)

# Serve static files from the apps and static/ directly, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests change the data between two looks at the dashboard: no shared, cached figures (the
# caching test turns it on).
DASHBOARD_CACHE_SECONDS = 0

# The sweeps post hundreds of changes a minute as one person; the limit's own test lowers it.
WRITES_PER_MINUTE = 1_000_000
LANGUAGE_CODE = "en"  # the tests read English unless they ask for Swedish (tests/i18n)

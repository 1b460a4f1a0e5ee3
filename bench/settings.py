"""Benchmark settings: production-like (DEBUG off, PostgreSQL, Redis cache) on loopback, with
the trivial baseline view added (bench/urls.py). Its own database, so the data set stays."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/governance_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")

from governance.settings.base import *  # noqa: F403
from governance.settings.base import REDIS_URL

DEBUG = False
SECRET_KEY = "bench-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
CACHES = {"default": {"BACKEND": "governance.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/11")
OUTBOX_KICK_ON_COMMIT = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The whole data set shares one password; a fast hasher keeps logging in 600 users cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Production settings: everything secret or site-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOG_LEVEL, REDIS_URL, STORAGES, env_bool, portal_logging

DEBUG = False
if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a long random value.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the portal's host.")

# A database that does not answer fails a request (and /readyz/) in seconds, not minutes.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")
    )

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "governance.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}}
else:
    # Without Redis each process caches on its own: a session signed out in one process would
    # live on in another's memory, so sessions are read from the database alone.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    SESSION_CACHE_ALIAS = "sessions"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "attachments": STORAGES["attachments"],
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The TLS proxy in front appends the client's address to X-Forwarded-For; the sign-in lockout
# counts per address, so it must see the client's, not the proxy's. Only a request from the
# proxy's address (DJANGO_TRUSTED_PROXIES) is believed: one that reached gunicorn directly
# counts by its own connection, whatever header it sends.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# The container's healthcheck asks over plain HTTP from inside; the proxy sends no header there.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# One JSON object per line for the log collector; LOG_FORMAT=text for a person reading along.
LOGGING = portal_logging(os.environ.get("LOG_FORMAT", "json"), LOG_LEVEL)

# Errors (requests, tasks, ERROR log lines) go to Sentry when SENTRY_DSN is set, without the
# people's data: no cookies, addresses or user names, and no frames' local variables (they hold
# session keys, form input, minutes' text).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Redis commands name their keys, and a session's cache key is its session key.
        disabled_integrations=[RedisIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

"""The demo and development settings: SQLite and a filesystem broker, so no server is needed."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env_bool

# The portal's own error pages, as people will see them; DJANGO_DEBUG=1 shows Django's
# technical pages (every URL, the settings) to a developer.
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-demo-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# E-mails (invitations, calendar files, minutes PDFs) are written to var/mail/, one file a batch.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))

# The demo's web server and worker share one SQLite file: write-ahead logging lets them read
# while the other writes, and IMMEDIATE transactions queue writers instead of failing them.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Without REDIS_URL the demo runs Celery over kombu's filesystem transport.
_broker_folder = BASE_DIR / "var" / "broker"
if not os.environ.get("CELERY_BROKER_URL") and not os.environ.get("REDIS_URL"):
    # The folders below are the transport; "localhost" only keeps kombu from warning, on every
    # connection, that no host was given.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder),
        "data_folder_out": str(_broker_folder),
        "processed_folder": str(BASE_DIR / "var" / "broker-processed"),
        # kombu's default is ./control, which would litter the repository.
        "control_folder": str(BASE_DIR / "var" / "broker-control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }

# Import progress is written by the worker and read by the web process: a cache both share.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(BASE_DIR / "var" / "cache"),
    }
}

# Serve static files from the apps and static/ directly, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's worker sends some sixty e-mails as it starts: a line for each finished task would
# bury what a person reads in the log. Failures still show (as errors).
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405

# The code page tells the demo users' current code (their authenticator has the public demo
# key, governance.passwords): the demo keeps two-factor sign-in without an app at hand.
DEMO_SECOND_FACTOR_HINT = True

"""Gunicorn settings for the web container (read from the working directory) and bench.load.

Threaded workers: a connection that is open but idle (keep-alive, a browser's preconnect, a
slow client) waits in the worker's poll loop instead of holding the whole worker, as it would
with sync workers. Each thread keeps its own database connection (CONN_MAX_AGE), so
workers x threads must stay below PostgreSQL's max_connections (100 by default).
"""

import os

wsgi_app = "governance.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# Behind a proxy the request headers may be large (cookies); the default limits stay.

# gunicorn's own lines (starting, booting workers, timeouts) in the format of the portal's:
# one JSON object per line unless LOG_FORMAT=text (governance.settings.base.portal_logging).
# No access log: the TLS proxy in front keeps one.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
                "timestamp": "time",
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": "INFO"},
        # No level here: --log-level (gunicorn's loglevel setting) keeps deciding.
        "loggers": {
            "gunicorn.error": {"handlers": [], "propagate": True},
            "gunicorn.access": {"handlers": [], "propagate": True},
        },
    }

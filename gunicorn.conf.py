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

"""The Celery app: beat triggers the periodic work, each app's tasks.py holds the tasks."""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def log_as_the_web_processes_do(**kwargs):
    """Celery leaves logging alone when this signal has a receiver: the worker and beat log
    through the settings' LOGGING (format, LOG_LEVEL), like the web processes."""
    from django.conf import settings

    dictConfig(settings.LOGGING)

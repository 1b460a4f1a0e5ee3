from celery import shared_task

from . import services


@shared_task(acks_late=True)
def remind_risk_owners():
    """Queue the review reminders due today to the risks' owners.

    Idempotent: each reminder's outbox key names the risk's review date, so a rerun (or the
    next day's run before the date moves) queues nothing new.
    """
    return {"reminders": services.queue_review_reminders()}

from celery import shared_task

from . import digest


@shared_task(acks_late=True)
def send_weekly_digests():
    """Queue each person's weekly digest (beat, Monday morning).

    Idempotent: a person whose digest of this week is queued already gets nothing more.
    """
    return {"digests": digest.send_weekly_digests()}

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def reconcile_meetings():
    """Plan the coming weeks' meetings, queue their calendar e-mails and the reminders due.

    Idempotent: beat triggers it, the database decides what is missing.
    """
    created, cancelled = services.reconcile_meetings()
    reminders = services.queue_meeting_reminders()
    return {"created": created, "cancelled": cancelled, "reminders": reminders}

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


@shared_task(acks_late=True)
def notify_meeting_changes():
    """Queue the calendar e-mails the reconcile left for later, a batch per transaction.

    Idempotent like the reconcile: each meeting remembers the change it last told about.
    """
    meetings = batch = services.notify_meeting_changes()
    while batch == services.NOTIFY_BATCH:
        batch = services.notify_meeting_changes()
        meetings += batch
    return {"meetings": meetings}


@shared_task(acks_late=True)
def remind_action_owners():
    """Queue the reminders due today to action owners (before the due date, when overdue).

    Idempotent: each reminder's outbox key names its step, so a rerun queues nothing new.
    """
    return {"reminders": services.queue_action_reminders()}

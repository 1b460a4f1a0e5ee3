from celery import shared_task

from . import outbox


@shared_task(acks_late=True)
def relay_outbox() -> int:
    """Hand the due outbox rows to the worker (beat runs it every minute; requests kick it)."""
    return outbox.relay_due_messages()


@shared_task(acks_late=True)
def perform_outbox_message(message_id: int) -> bool:
    """Carry out one outbox row; a repeat of a finished row does nothing."""
    return outbox.perform(message_id)

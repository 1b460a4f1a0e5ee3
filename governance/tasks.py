from celery import shared_task

from . import exports, outbox, services


@shared_task(acks_late=True)
def relay_outbox() -> int:
    """Hand the due outbox rows to the worker (beat runs it every minute; requests kick it)."""
    return outbox.relay_due_messages()


@shared_task(acks_late=True)
def perform_outbox_message(message_id: int) -> bool:
    """Carry out one outbox row; a repeat of a finished row does nothing."""
    return outbox.perform(message_id)


@shared_task(acks_late=True)
def purge_old_records() -> dict[str, int]:
    """Access-log, outbox and history rows past their keeping time (beat runs it daily)."""
    return services.purge_old_records()


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    """Exported files past their keeping time (beat runs it hourly)."""
    return exports.purge_expired_exports()

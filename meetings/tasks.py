from celery import shared_task

from . import services


@shared_task(acks_late=True)
def reconcile_meetings():
    """Create the coming weeks' meetings from the forums' rules (idempotent; beat triggers it)."""
    created, cancelled = services.reconcile_meetings()
    return {"created": created, "cancelled": cancelled}

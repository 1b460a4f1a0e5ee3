from celery import shared_task

from . import notice, services


@shared_task(acks_late=True)
def purge_expired_invitations():
    """Remove long-expired, never-accepted invitations (idempotent)."""
    return services.purge_expired_invitations()


@shared_task(acks_late=True)
def end_access_after_last_contract():
    """Contacts of a supplier whose last contract ended over the grace period ago lose access."""
    return services.end_access_after_last_contract()


@shared_task(acks_late=True)
def send_notice_alerts():
    """Queue today's notice-deadline alerts (idempotent: one outbox key per alert)."""
    return notice.send_notice_alerts()

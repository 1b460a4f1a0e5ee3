from celery import shared_task

from . import services


@shared_task(acks_late=True)
def purge_expired_invitations():
    """Remove long-expired, never-accepted invitations (idempotent)."""
    return services.purge_expired_invitations()

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def flag_overdue_issues():
    """Flag issues past their due date at their level and tell the level above. Idempotent:
    once per arrival at a level."""
    return {"flagged": services.flag_overdue_issues()}

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def flag_overdue_issues():
    """Flag operational issues past their due date for escalation. Idempotent: each once."""
    return {"flagged": services.flag_overdue_issues()}

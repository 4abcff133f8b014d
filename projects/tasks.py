from celery import shared_task
from django.db import transaction

from projects.notifications import milestone_deadlines


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notify_milestone_deadlines() -> int:
    """Daily: milestones due in 7 days or overdue notify the responsible team (idempotent)."""

    with transaction.atomic():
        return milestone_deadlines()

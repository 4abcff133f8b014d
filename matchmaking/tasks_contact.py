"""Periodic tasks of the contact pages (the lead registers them in CELERY_BEAT_SCHEDULE):

- `process_contact_request_deadlines`: open requests unanswered for 7 days are reminded once,
  those unanswered for 30 days expire. Daily is enough; hourly does no harm.
- `remind_expiring_opportunities`: the owners of published opportunities whose valid-until
  date is at most 7 days ahead (or already passed) are reminded once to renew or close them.
  A new valid-until date re-arms the reminder (opportunity_update). Daily.

Both are idempotent: each row is claimed by a conditional update, so that a second run (or a
retried one) finds nothing left to do.
"""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from matchmaking.models import ContactRequest, Opportunity
from matchmaking.services.contact_requests import contact_request_expire, contact_request_remind
from matchmaking.services.opportunities import opportunity_mark_expiry_reminded

EXPIRY_REMINDER_DAYS = 7


@shared_task(acks_late=True)
def process_contact_request_deadlines() -> dict[str, int]:
    now = timezone.now()
    open_requests = ContactRequest.objects.filter(status=ContactRequest.Status.OPEN)
    expire_ids = list(
        open_requests.filter(
            created_at__lte=now - dt.timedelta(days=ContactRequest.EXPIRE_AFTER_DAYS)
        ).values_list("pk", flat=True)
    )
    expired = sum(contact_request_expire(contact_request_id=pk, now=now) for pk in expire_ids)
    remind_ids = list(
        open_requests.filter(
            reminded_at__isnull=True,
            created_at__lte=now - dt.timedelta(days=ContactRequest.REMIND_AFTER_DAYS),
        ).values_list("pk", flat=True)
    )
    reminded = sum(contact_request_remind(contact_request_id=pk, now=now) for pk in remind_ids)
    return {"reminded": reminded, "expired": expired}


@shared_task(acks_late=True)
def remind_expiring_opportunities() -> int:
    horizon = timezone.localdate() + dt.timedelta(days=EXPIRY_REMINDER_DAYS)
    ids = list(
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            valid_until__lte=horizon,
            expiry_reminded_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    return sum(opportunity_mark_expiry_reminded(opportunity_id=pk) for pk in ids)

"""The periodic tasks of tasks_contact.py: deadlines of contact requests and the reminder for
expiring opportunities. Both are idempotent."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import ContactRequest, Opportunity
from matchmaking.services import notifications
from matchmaking.tasks_contact import (
    process_contact_request_deadlines,
    remind_expiring_opportunities,
)
from spinportal.models import AuditRecord
from tests.matchmaking.factories import ContactRequestFactory, OpportunityFactory
from tests.matchmaking.factories_pages import days_from_today


def sent_days_ago(days, **kwargs):
    contact_request = ContactRequestFactory(**kwargs)
    ContactRequest.objects.filter(pk=contact_request.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )
    return contact_request


@pytest.mark.django_db
def test_deadlines_remind_after_7_and_expire_after_30_days(
    django_capture_on_commit_callbacks, monkeypatch
):
    # given requests of different ages and states
    fresh = sent_days_ago(6)
    week_old = sent_days_ago(8)
    month_old = sent_days_ago(31)
    answered = sent_days_ago(40, status="accepted")
    reminders, expiries = [], []
    monkeypatch.setattr(notifications, "contact_request_reminder", reminders.append)
    monkeypatch.setattr(notifications, "contact_request_expired", expiries.append)
    # when the task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = process_contact_request_deadlines()
    with django_capture_on_commit_callbacks(execute=True):
        second = process_contact_request_deadlines()
    # then the week-old request is reminded once, the month-old one expires once
    assert first == {"reminded": 1, "expired": 1}
    assert second == {"reminded": 0, "expired": 0}
    assert reminders == [week_old.pk]
    assert expiries == [month_old.pk]
    states = dict(ContactRequest.objects.values_list("pk", "status"))
    assert states == {
        fresh.pk: "open",
        week_old.pk: "open",
        month_old.pk: "expired",
        answered.pk: "accepted",
    }
    week_old.refresh_from_db()
    fresh.refresh_from_db()
    assert week_old.reminded_at is not None
    assert fresh.reminded_at is None
    assert list(AuditRecord.objects.values_list("action", flat=True)) == ["contact_request.expired"]


@pytest.mark.django_db
def test_expiring_opportunities_are_reminded_once(django_capture_on_commit_callbacks, monkeypatch):
    # given published opportunities expiring in 3 days, already expired, far off, and a draft
    soon = OpportunityFactory(valid_until=days_from_today(3))
    expired = OpportunityFactory(valid_until=days_from_today(-2))
    OpportunityFactory(valid_until=days_from_today(30))
    OpportunityFactory(valid_until=days_from_today(3), status="draft")
    reminded = []
    monkeypatch.setattr(notifications, "opportunity_expiring", reminded.append)
    # when the task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_expiring_opportunities() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_expiring_opportunities() == 0
    # then the two owners are reminded once each
    assert sorted(reminded) == sorted([soon.pk, expired.pk])
    assert Opportunity.objects.filter(expiry_reminded_at__isnull=False).count() == 2

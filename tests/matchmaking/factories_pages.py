"""Helpers for the matchmaking pages' and API tests (the shared factories live in
tests/matchmaking/factories.py)."""

import datetime as dt

from django.utils import timezone

from tests.factories import MembershipFactory
from tests.matchmaking.factories import OpportunityFactory

ACTORS = ["anonymous", "other_partner", "member", "owner", "staff"]


def owner_of(organisation, **kwargs):
    """A plain member (not admin) of `organisation`, who will own its opportunity."""
    return MembershipFactory(organisation=organisation, role="member", **kwargs).user


def opportunity_of(owner, organisation, **kwargs):
    return OpportunityFactory(organisation=organisation, created_by=owner, **kwargs)


def days_from_today(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def login_as(client, users: dict, actor: str):
    client.logout()
    if users[actor] is not None:
        client.force_login(users[actor])
    return client

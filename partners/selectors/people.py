"""Reads on people and memberships, already shaped for the pages and the API.

A person is listed when they are active and belong to at least one active organisation. Their
competences are the competences of those organisations.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from partners import permissions
from partners.models import Competence, Invitation, JoinRequest, Membership, Organisation

MAX_QUERY_LENGTH = 200


def competence_ids_with_descendants(competence: Competence) -> set[int]:
    """The concept and every narrower concept below it (one query; the taxonomy is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Competence.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [competence.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def _active_memberships() -> QuerySet:
    return Membership.objects.filter(organisation__status=Organisation.Status.ACTIVE)


def _text_match(term: str) -> Q:
    competences = Competence.objects.filter(
        Q(name_de__icontains=term) | Q(name_en__icontains=term) | Q(synonyms__icontains=term)
    )
    via_competence = Exists(
        _active_memberships().filter(
            user_id=OuterRef("pk"), organisation__competences__in=competences
        )
    )
    return (
        Q(full_name__icontains=term)
        | Q(title__icontains=term)
        | Q(position__icontains=term)
        | Q(expertise__icontains=term)
        | via_competence
    )


def person_list(
    *,
    visible_to,
    search: str = "",
    organisation: Organisation | None = None,
    competence: Competence | None = None,
) -> QuerySet:
    """People visible to `visible_to`, filtered; memberships and competences prefetched.

    `search` matches every word against name, title, position, expertise and the competences
    (names and synonyms) of the person's organisations. `competence` includes narrower concepts.
    """
    if not permissions.can_view_people(visible_to):
        return User.objects.none()
    memberships = _active_memberships()
    people = User.objects.filter(Exists(memberships.filter(user_id=OuterRef("pk"))), is_active=True)
    if organisation is not None:
        people = people.filter(
            Exists(memberships.filter(user_id=OuterRef("pk"), organisation=organisation))
        )
    if competence is not None:
        people = people.filter(
            Exists(
                memberships.filter(
                    user_id=OuterRef("pk"),
                    organisation__competences__in=competence_ids_with_descendants(competence),
                )
            )
        )
    for term in " ".join((search or "").split())[:MAX_QUERY_LENGTH].split():
        people = people.filter(_text_match(term))
    return people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=memberships.select_related("organisation")
            .prefetch_related("organisation__competences")
            .order_by("organisation__name"),
        )
    ).order_by("full_name", "email")


def person_get(*, visible_to, pk: int) -> User:
    """The person, or 404 when they do not exist or are not visible."""
    return get_object_or_404(person_list(visible_to=visible_to), pk=pk)


def person_decorate(person: User, *, viewer) -> User:
    """Adds what the viewer may see: contact data they chose to share, organisations, and
    competences (deduplicated, in taxonomy order). Needs `person_list`'s prefetch."""
    person.visible_email = (
        person.email if permissions.can_view_contact(viewer, person, "email") else ""
    )
    person.visible_phone = (
        person.phone if permissions.can_view_contact(viewer, person, "phone") else ""
    )
    person.active_memberships = list(person.memberships.all())
    competences: dict[int, Competence] = {}
    for membership in person.active_memberships:
        for competence in membership.organisation.competences.all():
            competences.setdefault(competence.pk, competence)
    person.competence_list = sorted(
        competences.values(), key=lambda c: (c.position, c.name_de, c.pk)
    )
    return person


def person_export_rows(people) -> list[list[str]]:
    """CSV rows for the cluster office: contact data only where the person shares it."""
    rows = []
    for person in people:
        person = person_decorate(person, viewer=None)
        rows.append(
            [
                str(person.pk),
                person.full_name,
                person.title,
                person.position,
                person.email if person.show_email else "",
                person.phone if person.show_phone else "",
                "; ".join(
                    f"{m.organisation.name} ({m.get_role_display()})"
                    for m in person.active_memberships
                ),
                "; ".join(c.name for c in person.competence_list),
                person.expertise,
            ]
        )
    return rows


# --- Memberships of an organisation -------------------------------------------------------


def organisation_get(*, visible_to, slug: str) -> Organisation:
    """The organisation if `visible_to` may see it, else 404."""
    queryset = Organisation.objects.filter(permissions.visible_organisations_q(visible_to))
    return get_object_or_404(queryset, slug=slug)


def member_list(*, organisation: Organisation) -> QuerySet:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )


def organisation_admin_users(*, organisation_id: int) -> QuerySet:
    """The active administrators of an organisation: who is told about its business."""
    return User.objects.filter(
        memberships__organisation_id=organisation_id,
        memberships__role=Membership.Role.ADMIN,
        is_active=True,
    ).order_by("pk")


def invitation_list_open(*, organisation: Organisation) -> QuerySet:
    return (
        Invitation.objects.filter(organisation=organisation, status=Invitation.Status.OPEN)
        .select_related("organisation", "invited_by")
        .order_by("email")
    )


def join_request_list_open(*, organisation: Organisation) -> QuerySet:
    return (
        JoinRequest.objects.filter(organisation=organisation, status=JoinRequest.Status.OPEN)
        .select_related("organisation", "user")
        .order_by("created_at")
    )


def membership_get(*, organisation: Organisation, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"), organisation=organisation, pk=pk
    )


def invitation_get(*, organisation: Organisation, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("organisation"), organisation=organisation, pk=pk
    )


def join_request_get(*, organisation: Organisation, pk: int) -> JoinRequest:
    return get_object_or_404(
        JoinRequest.objects.select_related("organisation", "user"),
        organisation=organisation,
        pk=pk,
    )


# --- The user's own memberships -----------------------------------------------------------


def membership_list_for_user(*, user) -> QuerySet:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def join_request_list_for_user(*, user) -> QuerySet:
    return (
        JoinRequest.objects.filter(user=user, status=JoinRequest.Status.OPEN)
        .select_related("organisation", "user")
        .order_by("-created_at")
    )


def invitation_list_for_user(*, user) -> QuerySet:
    """The invitations the user may answer: open, not expired, and sent to one of their
    verified addresses (the address rule of `invitation_accept`; the expiry of
    `invitation_expires_at`, as a filter)."""
    if not permissions.is_partner(user):
        return Invitation.objects.none()
    verified = EmailAddress.objects.filter(
        user_id=user.pk, verified=True, email__iexact=OuterRef("email")
    )
    valid_since = timezone.now() - dt.timedelta(days=Invitation.VALID_DAYS)
    return (
        Invitation.objects.filter(Exists(verified))
        .filter(status=Invitation.Status.OPEN, sent_at__gt=valid_since)
        .select_related("organisation", "invited_by")
        .order_by("-sent_at", "-pk")
    )


def own_membership_get(*, user, slug: str) -> Membership:
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=user, organisation__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def open_join_request_get(*, user, organisation: Organisation) -> JoinRequest | None:
    return JoinRequest.objects.filter(
        user=user, organisation=organisation, status=JoinRequest.Status.OPEN
    ).first()

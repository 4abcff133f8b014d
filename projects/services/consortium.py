"""Writes on a project's consortium: participations, the coordinator, requests to join.

Consortium changes lock the project row first (`select_for_update`), so two leads adding
coordinators or budget shares at the same moment are serialised and the second one sees the
first one's row; the database constraints stay as the last line and an IntegrityError that
slips through still becomes a ValidationError naming the field.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from partners.models import Organisation
from partners.permissions import admin_organisation_ids
from projects.models import Participation, ParticipationRequest, Project
from projects.notifications import participation_answered, participation_requested
from projects.permissions import (
    can_decide_participation_request,
    can_manage_consortium,
    can_view_project,
)
from spinportal.audit import audit

HUNDRED = Decimal(100)


def _json(value):
    """Audit data is JSON: dates and decimals as text."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, Organisation):
        return value.slug
    return value


# --- Consortium -------------------------------------------------------------------------------


def lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _validate_participation(participation: Participation, project: Project) -> None:
    """Field rules of one participation within its consortium (the project row is locked)."""
    errors: dict[str, list[str]] = {}
    try:
        participation.full_clean(
            exclude=["project", "organisation"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    organisation = participation.organisation
    if not participation.pk:
        if organisation.status != Organisation.Status.ACTIVE:
            errors["organisation"] = [_("Only active organisations can join a consortium.")]
        elif Participation.objects.filter(project=project, organisation=organisation).exists():
            errors["organisation"] = [
                _("%(name)s is already in the consortium.") % {"name": organisation.name}
            ]
    if (
        participation.joined_on
        and participation.left_on
        and participation.left_on < participation.joined_on
        and "left_on" not in errors
    ):
        errors["left_on"] = [_("A partner cannot leave before joining.")]
    is_current = participation.left_on is None
    if participation.role == Participation.Role.COORDINATOR and "role" not in errors:
        other = (
            Participation.objects.filter(project=project, role=Participation.Role.COORDINATOR)
            .exclude(pk=participation.pk)
            .select_related("organisation")
            .first()
        )
        if other is not None:
            errors["role"] = [
                _(
                    "%(name)s is the coordinator already; a project has exactly one. Hand the "
                    "role over with “Make coordinator”."
                )
                % {"name": other.organisation.name}
            ]
    if project.stage == Project.Stage.RUNNING and participation.pk:
        was_coordinator = Participation.objects.filter(
            pk=participation.pk, role=Participation.Role.COORDINATOR, left_on__isnull=True
        ).exists()
        if was_coordinator and participation.role != Participation.Role.COORDINATOR:
            errors.setdefault("role", []).append(
                _("A funded and running project needs a coordinator; hand the role over first.")
            )
        elif was_coordinator and not is_current:
            errors["left_on"] = [
                _("The coordinator of a running project cannot leave; hand the role over first.")
            ]
    if participation.budget_share is not None and "budget_share" not in errors and is_current:
        others = Participation.objects.filter(project=project, left_on__isnull=True).exclude(
            pk=participation.pk
        ).aggregate(total=Sum("budget_share"))["total"] or Decimal(0)
        if others + participation.budget_share > HUNDRED:
            errors["budget_share"] = [
                _(
                    "The budget shares would add up to %(total)s %%; the other partners hold "
                    "%(others)s %% already."
                )
                % {
                    "total": number_format(others + participation.budget_share, 2),
                    "others": number_format(others, 2),
                }
            ]
    if errors:
        raise ValidationError(errors)


def _save_participation(participation: Participation) -> None:
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError as error:
        raise ValidationError(
            {"organisation": [_("The consortium changed meanwhile; please try again.")]}
        ) from error


def _participation_audit(actor, action: str, participation: Participation, **data) -> None:
    audit(
        actor=actor,
        action=action,
        target=participation,
        project=participation.project.acronym,
        organisation=participation.organisation.slug,
        **{key: _json(value) for key, value in data.items()},
    )


def _require_consortium_manager(actor, project: Project) -> None:
    if not can_manage_consortium(actor, project):
        raise PermissionDenied(_("Only the project's leads manage its consortium."))


@transaction.atomic
def participation_add(
    *,
    actor,
    project: Project,
    organisation: Organisation,
    role: str = Participation.Role.PARTNER,
    budget_share: Decimal | None = None,
    joined_on: dt.date | None = None,
    left_on: dt.date | None = None,
) -> Participation:
    """Adds an organisation to the consortium (the project's leads and staff)."""
    _require_consortium_manager(actor, project)
    project = lock_project(project)
    participation = Participation(
        project=project,
        organisation=organisation,
        role=role,
        budget_share=budget_share,
        joined_on=joined_on,
        left_on=left_on,
    )
    _validate_participation(participation, project)
    _save_participation(participation)
    _participation_audit(
        actor, "participation.added", participation, role=role, budget_share=budget_share
    )
    return participation


@transaction.atomic
def participation_update(
    *,
    actor,
    participation: Participation,
    role: str,
    budget_share: Decimal | None,
    joined_on: dt.date | None,
    left_on: dt.date | None,
) -> Participation:
    """Changes a partner's role, budget share or dates (setting `left_on`: the partner left)."""
    _require_consortium_manager(actor, participation.project)
    project = lock_project(participation.project)
    participation = Participation.objects.select_related("organisation").get(pk=participation.pk)
    participation.project = project
    before = {
        "role": participation.role,
        "budget_share": participation.budget_share,
        "joined_on": participation.joined_on,
        "left_on": participation.left_on,
    }
    after = {"role": role, "budget_share": budget_share, "joined_on": joined_on, "left_on": left_on}
    for field, value in after.items():
        setattr(participation, field, value)
    _validate_participation(participation, project)
    changed = sorted(field for field in after if before[field] != after[field])
    if not changed:
        return participation
    _save_participation(participation)
    _participation_audit(
        actor,
        "participation.role_changed" if "role" in changed else "participation.updated",
        participation,
        fields=changed,
        previous={field: _json(before[field]) for field in changed},
        **{field: after[field] for field in changed},
    )
    return participation


@transaction.atomic
def participation_make_coordinator(*, actor, participation: Participation) -> Participation:
    """Hands the coordinator role to this partner; the previous coordinator becomes a partner."""
    _require_consortium_manager(actor, participation.project)
    project = lock_project(participation.project)
    participation = Participation.objects.select_related("organisation").get(pk=participation.pk)
    participation.project = project
    if participation.left_on is not None:
        raise ValidationError({"role": [_("A partner who has left cannot coordinate.")]})
    if participation.role == Participation.Role.COORDINATOR:
        return participation
    for previous in Participation.objects.filter(
        project=project, role=Participation.Role.COORDINATOR
    ).select_related("organisation"):
        previous.project = project
        previous.role = Participation.Role.PARTNER
        previous.save(update_fields=["role"])
        _participation_audit(
            actor,
            "participation.role_changed",
            previous,
            previous_role="coordinator",
            role="partner",
        )
    old_role = participation.role
    participation.role = Participation.Role.COORDINATOR
    _save_participation(participation)
    _participation_audit(
        actor,
        "participation.role_changed",
        participation,
        previous_role=old_role,
        role="coordinator",
    )
    return participation


@transaction.atomic
def participation_remove(*, actor, participation: Participation) -> None:
    """Deletes a participation entered by mistake (a partner who left gets `left_on` instead)."""
    _require_consortium_manager(actor, participation.project)
    project = lock_project(participation.project)
    participation = Participation.objects.select_related("organisation").get(pk=participation.pk)
    participation.project = project
    if (
        project.stage == Project.Stage.RUNNING
        and participation.role == Participation.Role.COORDINATOR
        and participation.left_on is None
    ):
        raise ValidationError(
            {
                "role": [
                    _("A funded and running project needs a coordinator; hand the role over first.")
                ]
            }
        )
    _participation_audit(actor, "participation.removed", participation, role=participation.role)
    participation.delete()


# --- Requests to join -------------------------------------------------------------------------


@transaction.atomic
def participation_request_create(
    *,
    actor,
    project: Project,
    organisation: Organisation,
    role: str = Participation.Role.PARTNER,
    message: str = "",
) -> ParticipationRequest:
    """An organisation's admin asks for the organisation to join a visible project."""
    if not can_view_project(actor, project) or organisation.pk not in admin_organisation_ids(actor):
        raise PermissionDenied(_("Only the organisation's administrators may ask to join."))
    if role not in Participation.Role.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError({"organisation": [_("The organisation is not active.")]})
    if Participation.objects.filter(
        project=project, organisation=organisation, left_on__isnull=True
    ).exists():
        raise ValidationError({"organisation": [_("It is in the consortium already.")]})
    duplicate = ValidationError(
        {"organisation": [_("This organisation has asked to join already.")]}
    )
    if ParticipationRequest.objects.filter(
        project=project, organisation=organisation, status=ParticipationRequest.Status.OPEN
    ).exists():
        raise duplicate
    try:
        with transaction.atomic():
            participation_request = ParticipationRequest.objects.create(
                project=project,
                organisation=organisation,
                role=role,
                message=(message or "").strip()[:2000],
                requested_by=actor,
            )
    except IntegrityError as error:
        raise duplicate from error
    audit(
        actor=actor,
        action="participation_request.created",
        target=participation_request,
        project=project.acronym,
        organisation=organisation.slug,
        role=role,
    )

    participation_requested(participation_request)
    return participation_request


def _open_request(actor, participation_request: ParticipationRequest) -> ParticipationRequest:
    if not can_decide_participation_request(actor, participation_request.project):
        raise PermissionDenied(_("Only the project's leads decide on requests to join."))
    project = participation_request.project
    participation_request = (
        ParticipationRequest.objects.select_for_update()
        .select_related("organisation")
        .get(pk=participation_request.pk)
    )
    participation_request.project = project
    if participation_request.status != ParticipationRequest.Status.OPEN:
        raise ValidationError({"status": [_("This request has been decided already.")]})
    return participation_request


@transaction.atomic
def participation_request_accept(
    *,
    actor,
    participation_request: ParticipationRequest,
    role: str | None = None,
    budget_share: Decimal | None = None,
) -> Participation:
    """The lead accepts: the organisation joins with the requested (or the given) role."""
    participation_request = _open_request(actor, participation_request)
    participation = participation_add(
        actor=actor,
        project=participation_request.project,
        organisation=participation_request.organisation,
        role=role or participation_request.role,
        budget_share=budget_share,
        joined_on=timezone.localdate(),
    )
    participation_request.status = ParticipationRequest.Status.ACCEPTED
    participation_request.decided_by = actor
    participation_request.decided_at = timezone.now()
    participation_request.save(update_fields=["status", "decided_by", "decided_at"])
    audit(actor=actor, action="participation_request.accepted", target=participation_request)

    participation_answered(participation_request)
    return participation


@transaction.atomic
def participation_request_decline(
    *, actor, participation_request: ParticipationRequest
) -> ParticipationRequest:
    participation_request = _open_request(actor, participation_request)
    participation_request.status = ParticipationRequest.Status.DECLINED
    participation_request.decided_by = actor
    participation_request.decided_at = timezone.now()
    participation_request.save(update_fields=["status", "decided_by", "decided_at"])
    audit(actor=actor, action="participation_request.declined", target=participation_request)

    participation_answered(participation_request)
    return participation_request

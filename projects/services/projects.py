"""Writes on projects, their consortium and team. Each checks the right to act, validates the
whole change (naming the field) before writing, runs in one transaction and leaves an audit row.

Consortium changes lock the project row first (`select_for_update`), so two leads adding
coordinators or budget shares at the same moment are serialised and the second one sees the
first one's row; the database constraints stay as the last line and an IntegrityError that
slips through still becomes a ValidationError naming the field.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partners.images import ProcessedLogo
from partners.models import Competence, Membership, Organisation
from partners.permissions import admin_organisation_ids, is_staff
from projects.models import Participation, ParticipationRequest, Project, TeamMember
from projects.permissions import (
    can_create_project,
    can_decide_participation_request,
    can_edit_project,
    can_manage_consortium,
    can_manage_team,
    can_view_project,
    forget_project_roles,
)
from spinportal.audit import audit

# Fields the project's leads (and staff) may change.
PROJECT_FIELDS = (
    "acronym",
    "title_de",
    "title_en",
    "summary_de",
    "summary_en",
    "description",
    "stage",
    "start_date",
    "end_date",
    "funding_programme",
    "funding_reference",
    "total_budget",
    "funding_amount",
    "website",
    "visibility",
)
# Slugs that would shadow the pages under /projects/.
RESERVED_SLUGS = frozenset({"new", "mine", "create", "edit", "export"})
HUNDRED = Decimal(100)


def _unique_slug(acronym: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(acronym)[:50].strip("-") or "project"
    taken = set(
        Project.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    ) | set(RESERVED_SLUGS)
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _json(value):
    """Audit data is JSON: dates and decimals as text."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, Organisation):
        return value.slug
    return value


def _has_coordinator(project: Project, *, excluding: Participation | None = None) -> bool:
    coordinators = Participation.objects.filter(
        project=project, role=Participation.Role.COORDINATOR, left_on__isnull=True
    )
    if excluding is not None and excluding.pk:
        coordinators = coordinators.exclude(pk=excluding.pk)
    return coordinators.exists()


def _validate_project(project: Project) -> None:
    """The model's field rules plus the ones that need a message naming the field."""
    errors: dict[str, list[str]] = {}
    project.acronym = (project.acronym or "").strip()
    try:
        project.full_clean(exclude=["slug", "logo"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        "acronym" not in errors
        and Project.objects.filter(acronym__iexact=project.acronym).exclude(pk=project.pk).exists()
    ):
        errors["acronym"] = [_("A project with this acronym exists already.")]
    if (
        project.start_date
        and project.end_date
        and "end_date" not in errors
        and project.end_date < project.start_date
    ):
        errors["end_date"] = [_("The end must not be before the start.")]
    if (
        project.total_budget is not None
        and project.funding_amount is not None
        and not errors.keys() & {"total_budget", "funding_amount"}
        and project.funding_amount > project.total_budget
    ):
        errors["funding_amount"] = [_("The funding amount must not exceed the total budget.")]
    if errors:
        raise ValidationError(errors)


def _save_project(project: Project, logo: ProcessedLogo | None, **save_kwargs) -> None:
    """Saves the row (and the logo file); a failed save leaves no file and names the field."""
    written = None
    if logo is not None:
        project.logo.save(logo.thumbnail.name, logo.thumbnail, save=False)
        written = project.logo.name
    try:
        with transaction.atomic():
            project.save(**save_kwargs)
    except IntegrityError as error:
        if written:
            project.logo.storage.delete(written)
        # A concurrent request took the acronym between our check and the insert.
        raise ValidationError(
            {"acronym": [_("A project with this acronym exists already.")]}
        ) from error


@transaction.atomic
def project_create(
    *,
    actor,
    acronym: str,
    title_de: str,
    competences: Iterable[Competence] = (),
    logo: ProcessedLogo | None = None,
    coordinator: Organisation | None = None,
    **fields,
) -> Project:
    """Creates a project; `actor` becomes its project lead.

    `coordinator`, if given, must be one of the actor's organisations (any active one for
    staff) and joins the consortium as coordinator. A project in the stage "funded and
    running" needs one.
    """
    if not can_create_project(actor):
        raise PermissionDenied(_("Only members of a partner organisation may create projects."))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    project = Project(acronym=acronym, title_de=title_de, **fields)
    errors: dict[str, list[str]] = {}
    try:
        _validate_project(project)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if coordinator is not None and not _may_act_for(actor, coordinator):
        errors["coordinator"] = [_("Choose one of your active organisations.")]
    if project.stage == Project.Stage.RUNNING and coordinator is None:
        errors.setdefault("coordinator", []).append(
            _("A funded and running project needs a coordinator.")
        )
    if errors:
        raise ValidationError(errors)
    project.slug = _unique_slug(project.acronym)
    _save_project(project, logo)
    project.competences.set(competences)
    TeamMember.objects.create(project=project, user=actor, role=TeamMember.Role.LEAD)
    forget_project_roles(actor)
    audit(actor=actor, action="project.created", target=project, stage=project.stage)
    audit(actor=actor, action="team_member.added", target=project, user=actor.pk, role="lead")
    if coordinator is not None:
        participation = Participation.objects.create(
            project=project,
            organisation=coordinator,
            role=Participation.Role.COORDINATOR,
            joined_on=project.start_date,
        )
        audit(
            actor=actor,
            action="participation.added",
            target=participation,
            project=project.acronym,
            organisation=coordinator.slug,
            role=participation.role,
        )
    return project


def _may_act_for(actor, organisation: Organisation) -> bool:
    return organisation.status == Organisation.Status.ACTIVE and (
        is_staff(actor) or organisation.pk in admin_organisation_ids(actor)
    )


@transaction.atomic
def project_update(
    *,
    actor,
    project: Project,
    competences: Iterable[Competence] | None = None,
    logo: ProcessedLogo | None = None,
    remove_logo: bool = False,
    **changes,
) -> Project:
    """Changes a project. Only its leads and staff may; the change is audited.

    `changes` holds fields of PROJECT_FIELDS; None for competences means "unchanged". The
    slug follows the acronym, so links to the old address stop working after a rename.
    """
    if not can_edit_project(actor, project):
        raise PermissionDenied(_("Only the project's leads may change it."))
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    changed = sorted(field for field, value in changes.items() if getattr(project, field) != value)
    previous_stage = project.stage
    for field, value in changes.items():
        setattr(project, field, value)
    _validate_project(project)
    if (
        project.stage == Project.Stage.RUNNING
        and "stage" in changed
        and not _has_coordinator(project)
    ):
        raise ValidationError(
            {
                "stage": [
                    _(
                        "A funded and running project needs a coordinator. Add one to the "
                        "consortium first."
                    )
                ]
            }
        )
    if "acronym" in changed:
        project.slug = _unique_slug(project.acronym, exclude_pk=project.pk)
    if competences is not None:
        competences = list(competences)
        if {c.pk for c in competences} != set(project.competences.values_list("pk", flat=True)):
            changed.append("competences")
    old_logo = project.logo.name
    if logo is not None or (remove_logo and project.logo):
        changed.append("logo")
        if logo is None:
            project.logo = ""
    _save_project(project, logo)
    if competences is not None:
        project.competences.set(competences)
    if "logo" in changed and old_logo:
        storage = project.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    if changed:
        audit(actor=actor, action="project.updated", target=project, fields=changed)
    if "stage" in changed:
        audit(
            actor=actor,
            action="project.stage_changed",
            target=project,
            previous=previous_stage,
            stage=project.stage,
        )
    return project


# --- Consortium -------------------------------------------------------------------------------


def _lock(project: Project) -> Project:
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
    project = _lock(project)
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
    project = _lock(participation.project)
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
    project = _lock(participation.project)
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
    project = _lock(participation.project)
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


# --- Team -------------------------------------------------------------------------------------


def _require_team_manager(actor, project: Project) -> None:
    if not can_manage_team(actor, project):
        raise PermissionDenied(_("Only the project's leads manage its team."))


def _lead_count(project: Project, *, excluding: TeamMember | None = None) -> int:
    leads = TeamMember.objects.filter(project=project, role=TeamMember.Role.LEAD)
    if excluding is not None:
        leads = leads.exclude(pk=excluding.pk)
    return leads.count()


@transaction.atomic
def team_member_add(*, actor, project: Project, user, role: str) -> TeamMember:
    """Adds a person of a current partner organisation to the team with a project role."""
    _require_team_manager(actor, project)
    project = _lock(project)
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": [_("Choose a valid project role.")]})
    in_consortium = Membership.objects.filter(
        user=user,
        user__is_active=True,
        organisation__participations__project=project,
        organisation__participations__left_on__isnull=True,
    ).exists()
    if not in_consortium:
        raise ValidationError(
            {"user": [_("Only people of the consortium's organisations can join the team.")]}
        )
    if TeamMember.objects.filter(project=project, user=user).exists():
        raise ValidationError({"user": [_("This person is in the team already.")]})
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(project=project, user=user, role=role)
    except IntegrityError as error:
        raise ValidationError({"user": [_("This person is in the team already.")]}) from error
    forget_project_roles(user)
    audit(actor=actor, action="team_member.added", target=project, user=user.pk, role=role)
    return member


@transaction.atomic
def team_member_change_role(*, actor, member: TeamMember, role: str) -> TeamMember:
    _require_team_manager(actor, member.project)
    project = _lock(member.project)
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": [_("Choose a valid project role.")]})
    member = TeamMember.objects.select_related("user").get(pk=member.pk)
    previous = member.role
    if previous == role:
        return member
    if previous == TeamMember.Role.LEAD and _lead_count(project, excluding=member) == 0:
        raise ValidationError({"role": [_("A project keeps at least one project lead.")]})
    member.role = role
    member.save(update_fields=["role"])
    forget_project_roles(member.user)
    if member.user_id == actor.pk:
        forget_project_roles(actor)
    audit(
        actor=actor,
        action="team_member.role_changed",
        target=project,
        user=member.user_id,
        previous=previous,
        role=role,
    )
    return member


@transaction.atomic
def team_member_remove(*, actor, member: TeamMember) -> None:
    _require_team_manager(actor, member.project)
    project = _lock(member.project)
    member = TeamMember.objects.select_related("user").get(pk=member.pk)
    if member.role == TeamMember.Role.LEAD and _lead_count(project, excluding=member) == 0:
        raise ValidationError({"role": [_("A project keeps at least one project lead.")]})
    audit(
        actor=actor,
        action="team_member.removed",
        target=project,
        user=member.user_id,
        role=member.role,
    )
    member.delete()
    forget_project_roles(member.user)
    if member.user_id == actor.pk:
        forget_project_roles(actor)


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
    from projects.notifications import participation_requested

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
    from projects.notifications import participation_answered

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
    from projects.notifications import participation_answered

    participation_answered(participation_request)
    return participation_request

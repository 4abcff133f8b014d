"""Writes on projects themselves: creation and changes. Each checks the right to act,
validates the whole change (naming the field) before writing, runs in one transaction and
leaves an audit row. The consortium is in consortium.py, the team in team.py."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partners.images import ProcessedLogo
from partners.models import Competence, Organisation
from partners.permissions import admin_organisation_ids, is_staff
from projects.models import Participation, Project, TeamMember
from projects.permissions import (
    can_create_project,
    can_edit_project,
    forget_project_roles,
)
from spinportal.audit import audit
from spinportal.updates import assign

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
    previous_stage = project.stage
    changed = assign(project, changes)
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

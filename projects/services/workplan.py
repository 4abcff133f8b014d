"""Writes on the work plan: work packages and milestones. Team members and staff only; audited.

Every rule a form or the API must respect lives here, each error names its field: months within
the project's duration and in order, due dates within the project period, leads and
responsibilities from the consortium, work packages of the same project.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from projects.models import Milestone, Project, WorkPackage
from projects.permissions import can_contribute
from projects.selectors.workplan import consortium_has_organisation
from projects.timeline import project_months
from spinportal.audit import audit
from spinportal.updates import model_update

WORK_PACKAGE_FIELDS = ("number", "title", "lead_organisation", "start_month", "end_month")
MILESTONE_FIELDS = (
    "kind",
    "title",
    "due_date",
    "work_package",
    "responsible_organisation",
    "status",
)


def _require_contributor(actor, project: Project) -> None:
    if not can_contribute(actor, project):
        raise PermissionDenied(_("Only the project team may change the work plan."))


def _check_fields(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _model_errors(instance, exclude: list[str]) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        return dict(exc.message_dict)
    return {}


def _validate_work_package(package: WorkPackage) -> None:
    project = package.project
    errors = _model_errors(package, exclude=["project"])
    if "number" not in errors and package.number is not None:
        taken = WorkPackage.objects.filter(project=project, number=package.number).exclude(
            pk=package.pk
        )
        if taken.exists():
            errors["number"] = [
                _("This project already has a work package %(number)d.")
                % {"number": package.number}
            ]
    start, end = package.start_month, package.end_month
    if "start_month" not in errors and "end_month" not in errors and start and end:
        if end < start:
            errors["end_month"] = [_("The end month must not be before the start month.")]
        if project.start_date and project.end_date:
            months = project_months(project.start_date, project.end_date)
            for field, value in (("start_month", start), ("end_month", end)):
                if value > months and field not in errors:
                    errors[field] = [
                        _(
                            "The project lasts %(months)d months; month %(month)d is outside "
                            "its duration."
                        )
                        % {"months": months, "month": value}
                    ]
    lead = package.lead_organisation
    if lead is not None and not consortium_has_organisation(project=project, organisation=lead):
        errors["lead_organisation"] = [_("The lead organisation must be in the consortium.")]
    if errors:
        raise ValidationError(errors)


def _validate_milestone(milestone: Milestone) -> None:
    project = milestone.project
    errors = _model_errors(milestone, exclude=["project"])
    due = milestone.due_date
    if "due_date" not in errors and isinstance(due, dt.date):
        start, end = project.start_date, project.end_date
        if (start and due < start) or (end and due > end):
            errors["due_date"] = [
                _("The due date must lie within the project period (%(start)s to %(end)s).")
                % {
                    "start": date_format(start, "SHORT_DATE_FORMAT") if start else "…",
                    "end": date_format(end, "SHORT_DATE_FORMAT") if end else "…",
                }
            ]
    package = milestone.work_package
    if package is not None and package.project_id != project.pk:
        errors["work_package"] = [_("The work package belongs to another project.")]
    responsible = milestone.responsible_organisation
    if responsible is not None and not consortium_has_organisation(
        project=project, organisation=responsible
    ):
        errors["responsible_organisation"] = [
            _("The responsible organisation must be in the consortium.")
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def work_package_create(*, actor, project: Project, **fields) -> WorkPackage:
    """Adds a work package (number, title, lead_organisation, start_month, end_month)."""
    _require_contributor(actor, project)
    _check_fields(fields, WORK_PACKAGE_FIELDS)
    package = WorkPackage(project=project, **fields)
    _validate_work_package(package)
    package.save()
    audit(actor=actor, action="work_package.created", target=package, project=project.pk)
    return package


@transaction.atomic
def work_package_update(*, actor, work_package: WorkPackage, **changes) -> WorkPackage:
    """Changes the given fields of a work package."""
    _require_contributor(actor, work_package.project)
    _check_fields(changes, WORK_PACKAGE_FIELDS)
    package = WorkPackage.objects.select_for_update().get(pk=work_package.pk)
    model_update(
        actor=actor,
        instance=package,
        data=changes,
        action="work_package.updated",
        validate=_validate_work_package,
    )
    return package


@transaction.atomic
def work_package_delete(*, actor, work_package: WorkPackage) -> None:
    """Deletes a work package; its milestones stay, without a work package."""
    _require_contributor(actor, work_package.project)
    audit(
        actor=actor,
        action="work_package.deleted",
        target=work_package,
        project=work_package.project_id,
    )
    work_package.delete()


@transaction.atomic
def milestone_create(*, actor, project: Project, **fields) -> Milestone:
    """Adds a milestone or deliverable (kind, title, due_date, work_package,
    responsible_organisation, status)."""
    _require_contributor(actor, project)
    _check_fields(fields, MILESTONE_FIELDS)
    milestone = Milestone(project=project, **fields)
    _validate_milestone(milestone)
    milestone.save()
    audit(actor=actor, action="milestone.created", target=milestone, project=project.pk)
    return milestone


@transaction.atomic
def milestone_update(*, actor, milestone: Milestone, **changes) -> Milestone:
    """Changes the given fields of a milestone (e.g. marks it done)."""
    _require_contributor(actor, milestone.project)
    _check_fields(changes, MILESTONE_FIELDS)
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    model_update(
        actor=actor,
        instance=row,
        data=changes,
        action="milestone.updated",
        validate=_validate_milestone,
    )
    return row


@transaction.atomic
def milestone_delete(*, actor, milestone: Milestone) -> None:
    _require_contributor(actor, milestone.project)
    audit(actor=actor, action="milestone.deleted", target=milestone, project=milestone.project_id)
    milestone.delete()

"""Pages of projects: list, my projects, detail, create, edit, consortium, team, requests.

Each view parses, authorises through projects/permissions.py, calls one selector or service and
renders. A project the user may not see answers 404; a visible one they may not change, 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions
from projects.forms.projects import (
    ParticipationEditForm,
    ParticipationForm,
    ParticipationRequestForm,
    ProjectCreateForm,
    ProjectEditForm,
    ProjectListForm,
    TeamMemberForm,
    TeamRoleForm,
)
from projects.models import TeamMember
from projects.selectors import projects as selectors
from projects.selectors.workplan import project_workplan_context
from projects.services import consortium as consortium_services
from projects.services import projects as services
from projects.services import team as team_services

PAGE_SIZE = 20


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def project_list(request):
    """Search, filters, sorting, pagination. htmx requests get the results only."""
    filters = selectors.ProjectFilters.from_params(request.GET)
    search = request.GET.get("q", "")
    projects = selectors.project_list(
        visible_to=request.user, search=search, filters=filters, sort=request.GET.get("sort", "")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": ProjectListForm(
            request.GET, choices=selectors.project_filter_choices(visible_to=request.user)
        ),
        "page": page,
        "is_filtered": bool(search.strip()) or not filters.is_empty,
        "can_create": permissions.can_create_project(request.user),
    }
    template = (
        "projects/_list_body.html"
        if request.htmx and not request.htmx.boosted
        else "projects/list.html"
    )
    return render(request, template, context)


@login_required
def project_mine(request):
    return render(
        request,
        "projects/mine.html",
        {
            "projects": selectors.my_project_list(user=request.user),
            "can_create": permissions.can_create_project(request.user),
        },
    )


def project_detail(request, slug):
    project = selectors.project_get(visible_to=request.user, lookup=slug)
    user = request.user
    can_manage = permissions.can_manage_consortium(user, project)
    context = {
        "project": project,
        "participations": selectors.participation_list(project=project, visible_to=user),
        "team": selectors.team_member_list(project=project, visible_to=user),
        "can_view_team": permissions.can_view_project_team(user, project),
        "can_view_finances": permissions.can_view_project_finances(user, project),
        "is_consortium_member": permissions.is_consortium_member(user, project),
        "can_edit": permissions.can_edit_project(user, project),
        "can_manage_consortium": can_manage,
        "can_manage_team": permissions.can_manage_team(user, project),
        "can_ask_to_join": permissions.can_ask_to_join_project(user, project),
        "open_request_count": project.open_request_count if can_manage else 0,
    }
    context.update(project_workplan_context(project=project, user=user))
    return render(request, "projects/detail.html", context)


@login_required
def project_create(request):
    if not permissions.can_create_project(request.user):
        raise PermissionDenied
    form = ProjectCreateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("“%(acronym)s” has been created; you are its project lead.")
                % {"acronym": project.acronym},
            )
            return redirect("projects:detail", slug=project.slug)
    return render(
        request,
        "projects/form.html",
        {"form": form, "title": _("New project")},
        status=400 if request.method == "POST" else 200,
    )


def _project_for(request, slug, predicate):
    """The project: 404 if the user may not see it, 403 if `predicate` refuses."""
    project = selectors.project_get(visible_to=request.user, lookup=slug)
    if not predicate(request.user, project):
        raise PermissionDenied
    return project


@login_required
def project_edit(request, slug):
    project = _project_for(request, slug, permissions.can_edit_project)
    form = ProjectEditForm(request.POST or None, request.FILES or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(
                actor=request.user, project=project, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The project has been saved."))
            return redirect("projects:detail", slug=project.slug)
    return render(
        request,
        "projects/form.html",
        {
            "form": form,
            "project": project,
            "title": _("Edit %(acronym)s") % {"acronym": project.acronym},
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Consortium -------------------------------------------------------------------------------


def _consortium_page(request, project, *, add_form=None, status=200):
    context = {
        "project": project,
        "participations": selectors.participation_list(project=project, visible_to=request.user),
        "add_form": add_form or ParticipationForm(),
        "requests": selectors.participation_request_list_open(project=project),
    }
    return render(request, "projects/consortium.html", context, status=status)


@login_required
def consortium(request, slug):
    """The consortium management page; POST adds a partner."""
    project = _project_for(request, slug, permissions.can_manage_consortium)
    if request.method != "POST":
        return _consortium_page(request, project)
    form = ParticipationForm(request.POST)
    if form.is_valid():
        try:
            participation = consortium_services.participation_add(
                actor=request.user,
                project=project,
                **form.service_arguments(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(name)s has joined the consortium.")
                % {"name": participation.organisation.name},
            )
            return redirect("projects:consortium", slug=project.slug)
    return _consortium_page(request, project, add_form=form, status=400)


@login_required
def participation_edit(request, slug, pk):
    project = _project_for(request, slug, permissions.can_manage_consortium)
    participation = selectors.participation_get(project=project, pk=pk)
    form = ParticipationEditForm(request.POST or None, instance=participation)
    if request.method == "POST" and form.is_valid():
        try:
            consortium_services.participation_update(
                actor=request.user, participation=participation, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The participation has been saved."))
            return redirect("projects:consortium", slug=project.slug)
    return render(
        request,
        "projects/participation_form.html",
        {"project": project, "participation": participation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _consortium_action(request, slug, action, success_message: str):
    """Runs one lead action; a refused action becomes a message on the consortium page."""
    project = _project_for(request, slug, permissions.can_manage_consortium)
    try:
        action(project)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success_message)
    return redirect("projects:consortium", slug=project.slug)


@login_required
@require_POST
def participation_remove(request, slug, pk):
    def action(project):
        participation = selectors.participation_get(project=project, pk=pk)
        consortium_services.participation_remove(actor=request.user, participation=participation)

    return _consortium_action(request, slug, action, _("The partner has been removed."))


@login_required
@require_POST
def participation_make_coordinator(request, slug, pk):
    def action(project):
        participation = selectors.participation_get(project=project, pk=pk)
        consortium_services.participation_make_coordinator(
            actor=request.user, participation=participation
        )

    return _consortium_action(request, slug, action, _("The coordinator has been changed."))


@login_required
@require_POST
def participation_request_accept(request, slug, pk):
    def action(project):
        participation_request = selectors.participation_request_get(project=project, pk=pk)
        consortium_services.participation_request_accept(
            actor=request.user, participation_request=participation_request
        )

    return _consortium_action(request, slug, action, _("The request has been accepted."))


@login_required
@require_POST
def participation_request_decline(request, slug, pk):
    def action(project):
        participation_request = selectors.participation_request_get(project=project, pk=pk)
        consortium_services.participation_request_decline(
            actor=request.user, participation_request=participation_request
        )

    return _consortium_action(request, slug, action, _("The request has been declined."))


@login_required
def participation_request_create(request, slug):
    """An organisation admin asks for their organisation to join the project."""
    project = _project_for(request, slug, permissions.can_ask_to_join_project)
    organisations = selectors.requestable_organisation_list(user=request.user, project=project)
    form = ParticipationRequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            consortium_services.participation_request_create(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your request has been sent to the project lead."))
            return redirect("projects:detail", slug=project.slug)
    return render(
        request,
        "projects/request.html",
        {"project": project, "form": form, "has_organisations": organisations.exists()},
        status=400 if request.method == "POST" else 200,
    )


# --- Team -------------------------------------------------------------------------------------


def _team_page(request, project, *, add_form=None, status=200):
    context = {
        "project": project,
        "team": selectors.team_member_list(project=project, visible_to=request.user),
        "add_form": add_form
        or TeamMemberForm(candidates=selectors.team_candidate_list(project=project)),
        "roles": TeamMember.Role.choices,
    }
    return render(request, "projects/team.html", context, status=status)


@login_required
def team(request, slug):
    """The team management page; POST adds a person."""
    project = _project_for(request, slug, permissions.can_manage_team)
    if request.method != "POST":
        return _team_page(request, project)
    form = TeamMemberForm(request.POST, candidates=selectors.team_candidate_list(project=project))
    if form.is_valid():
        try:
            team_services.team_member_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The person has joined the team."))
            return redirect("projects:team", slug=project.slug)
    return _team_page(request, project, add_form=form, status=400)


def _team_action(request, slug, action, success_message: str):
    project = _project_for(request, slug, permissions.can_manage_team)
    try:
        action(project)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success_message)
    if not permissions.can_manage_team(request.user, project):
        # the lead handed over their own role: the team page is closed to them now
        return redirect("projects:detail", slug=project.slug)
    return redirect("projects:team", slug=project.slug)


@login_required
@require_POST
def team_member_role(request, slug, pk):
    def action(project):
        member = selectors.team_member_get(project=project, pk=pk)
        form = TeamRoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["role"])
        team_services.team_member_change_role(
            actor=request.user, member=member, role=form.cleaned_data["role"]
        )

    return _team_action(request, slug, action, _("The project role has been changed."))


@login_required
@require_POST
def team_member_remove(request, slug, pk):
    def action(project):
        member = selectors.team_member_get(project=project, pk=pk)
        team_services.team_member_remove(actor=request.user, member=member)

    return _team_action(request, slug, action, _("The person has left the team."))

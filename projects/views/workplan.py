"""Pages of the work plan, news and documents of a project, the document download and the
milestone calendar.

Order of checks: the project must be visible (else 404), then the object (else 404); changing
needs a login (else redirect) and `can_contribute` (else 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projects.forms.workplan import (
    DocumentEditForm,
    DocumentForm,
    DocumentVersionForm,
    MilestoneForm,
    NewsPostForm,
    WorkPackageForm,
)
from projects.ical import milestones_calendar
from projects.permissions import can_contribute, is_consortium_member
from projects.selectors.workplan import (
    document_get,
    document_list,
    document_version_get,
    milestone_get,
    milestone_list,
    news_get,
    news_list,
    project_visible_get,
    project_workplan_context,
    work_package_get,
)
from projects.services.content import (
    document_create,
    document_delete,
    document_update,
    document_version_add,
    news_post_create,
    news_post_delete,
    news_post_update,
)
from projects.services.workplan import (
    milestone_create,
    milestone_delete,
    milestone_update,
    work_package_create,
    work_package_delete,
    work_package_update,
)

FORM_TEMPLATE = "projects/workplan/form.html"
DELETE_TEMPLATE = "projects/workplan/confirm_delete.html"


def _project(request, slug):
    return project_visible_get(visible_to=request.user, lookup=slug)


def _contributor_project(request, slug):
    project = _project(request, slug)
    if not can_contribute(request.user, project):
        raise PermissionDenied
    return project


def _form_page(request, *, project, form, save, success_url, success_message, title):
    """Runs `save(**form.service_arguments())` on a valid POST; service errors go to the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    return render(
        request,
        FORM_TEMPLATE,
        {"project": project, "form": form, "title": title, "cancel_url": success_url},
    )


def _delete_page(request, *, project, target, delete, success_url, success_message, title):
    if request.method == "POST":
        delete()
        messages.success(request, success_message)
        return redirect(success_url)
    return render(
        request,
        DELETE_TEMPLATE,
        {"project": project, "target": target, "title": title, "cancel_url": success_url},
    )


def _workplan_url(project) -> str:
    return reverse("workplan:overview", kwargs={"slug": project.slug})


# --- work plan --------------------------------------------------------------------------------


@require_GET
def overview(request, slug):
    """Timeline, work packages and milestones of one project."""
    project = _project(request, slug)
    context = project_workplan_context(project=project, user=request.user)
    return render(request, "projects/workplan/overview.html", {"project": project, **context})


@login_required
def work_package_new(request, slug):
    project = _contributor_project(request, slug)
    form = WorkPackageForm(request.POST or None, project=project)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: work_package_create(actor=request.user, project=project, **data),
        success_url=_workplan_url(project),
        success_message=_("The work package has been added."),
        title=_("New work package"),
    )


@login_required
def work_package_edit(request, slug, pk):
    project = _contributor_project(request, slug)
    package = work_package_get(project=project, pk=pk)
    form = WorkPackageForm(request.POST or None, instance=package, project=project)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: work_package_update(actor=request.user, work_package=package, **data),
        success_url=_workplan_url(project),
        success_message=_("The work package has been saved."),
        title=_("Edit %(name)s") % {"name": package},
    )


@login_required
def work_package_remove(request, slug, pk):
    project = _contributor_project(request, slug)
    package = work_package_get(project=project, pk=pk)
    return _delete_page(
        request,
        project=project,
        target=package,
        delete=lambda: work_package_delete(actor=request.user, work_package=package),
        success_url=_workplan_url(project),
        success_message=_("The work package has been deleted."),
        title=_("Delete %(name)s?") % {"name": package},
    )


@login_required
def milestone_new(request, slug):
    project = _contributor_project(request, slug)
    form = MilestoneForm(request.POST or None, project=project)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: milestone_create(actor=request.user, project=project, **data),
        success_url=_workplan_url(project),
        success_message=_("The milestone has been added."),
        title=_("New milestone or deliverable"),
    )


@login_required
def milestone_edit(request, slug, pk):
    project = _contributor_project(request, slug)
    milestone = milestone_get(project=project, pk=pk)
    form = MilestoneForm(request.POST or None, instance=milestone, project=project)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: milestone_update(actor=request.user, milestone=milestone, **data),
        success_url=_workplan_url(project),
        success_message=_("The milestone has been saved."),
        title=_("Edit “%(name)s”") % {"name": milestone.title},
    )


@login_required
def milestone_remove(request, slug, pk):
    project = _contributor_project(request, slug)
    milestone = milestone_get(project=project, pk=pk)
    return _delete_page(
        request,
        project=project,
        target=milestone,
        delete=lambda: milestone_delete(actor=request.user, milestone=milestone),
        success_url=_workplan_url(project),
        success_message=_("The milestone has been deleted."),
        title=_("Delete “%(name)s”?") % {"name": milestone.title},
    )


@require_GET
def calendar(request, slug):
    """The milestones as an iCalendar feed (all-day events), for whoever sees the project."""
    project = _project(request, slug)
    body = milestones_calendar(
        project=project,
        milestones=milestone_list(project=project),
        now=timezone.now(),
        project_url=request.build_absolute_uri(_workplan_url(project)),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{project.slug}-milestones.ics"'
    return response


# --- news -------------------------------------------------------------------------------------


def _news_url(project) -> str:
    return reverse("workplan:news_list", kwargs={"slug": project.slug})


@require_GET
def news_index(request, slug):
    project = _project(request, slug)
    return render(
        request,
        "projects/workplan/news_list.html",
        {
            "project": project,
            "news_posts": news_list(visible_to=request.user, project=project),
            "can_contribute": can_contribute(request.user, project),
        },
    )


@require_GET
def news_detail(request, slug, pk):
    project = _project(request, slug)
    post = news_get(visible_to=request.user, project=project, pk=pk)
    return render(
        request,
        "projects/workplan/news_detail.html",
        {"project": project, "post": post, "can_contribute": can_contribute(request.user, project)},
    )


@login_required
def news_new(request, slug):
    project = _contributor_project(request, slug)
    form = NewsPostForm(request.POST or None)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: news_post_create(actor=request.user, project=project, **data),
        success_url=_news_url(project),
        success_message=_("The news post has been published."),
        title=_("New news post"),
    )


@login_required
def news_edit(request, slug, pk):
    project = _project(request, slug)
    post = news_get(visible_to=request.user, project=project, pk=pk)
    if not can_contribute(request.user, project):
        raise PermissionDenied
    form = NewsPostForm(request.POST or None, instance=post)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: news_post_update(actor=request.user, post=post, **data),
        success_url=_news_url(project),
        success_message=_("The news post has been saved."),
        title=_("Edit “%(name)s”") % {"name": post.title},
    )


@login_required
def news_remove(request, slug, pk):
    project = _project(request, slug)
    post = news_get(visible_to=request.user, project=project, pk=pk)
    if not can_contribute(request.user, project):
        raise PermissionDenied
    return _delete_page(
        request,
        project=project,
        target=post,
        delete=lambda: news_post_delete(actor=request.user, post=post),
        success_url=_news_url(project),
        success_message=_("The news post has been deleted."),
        title=_("Delete “%(name)s”?") % {"name": post.title},
    )


# --- documents --------------------------------------------------------------------------------


def _documents_url(project) -> str:
    return reverse("workplan:document_list", kwargs={"slug": project.slug})


def _document_url(document) -> str:
    return reverse(
        "workplan:document_detail", kwargs={"slug": document.project.slug, "pk": document.pk}
    )


@require_GET
def document_index(request, slug):
    project = _project(request, slug)
    return render(
        request,
        "projects/workplan/document_list.html",
        {
            "project": project,
            "documents": document_list(visible_to=request.user, project=project),
            "can_contribute": can_contribute(request.user, project),
            "is_consortium_member": is_consortium_member(request.user, project),
        },
    )


@require_GET
def document_detail(request, slug, pk):
    project = _project(request, slug)
    document = document_get(visible_to=request.user, project=project, pk=pk)
    return render(
        request,
        "projects/workplan/document_detail.html",
        {
            "project": project,
            "document": document,
            "can_contribute": can_contribute(request.user, project),
        },
    )


@login_required
def document_new(request, slug):
    project = _contributor_project(request, slug)
    form = DocumentForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: document_create(actor=request.user, project=project, **data),
        success_url=_documents_url(project),
        success_message=_("The document has been uploaded."),
        title=_("Upload a document"),
    )


def _contributor_document(request, slug, pk):
    project = _project(request, slug)
    document = document_get(visible_to=request.user, project=project, pk=pk)
    if not can_contribute(request.user, project):
        raise PermissionDenied
    return project, document


@login_required
def document_edit(request, slug, pk):
    project, document = _contributor_document(request, slug, pk)
    form = DocumentEditForm(request.POST or None, instance=document)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: document_update(actor=request.user, document=document, **data),
        success_url=_document_url(document),
        success_message=_("The document has been saved."),
        title=_("Edit “%(name)s”") % {"name": document.title},
    )


@login_required
def document_version_new(request, slug, pk):
    project, document = _contributor_document(request, slug, pk)
    form = DocumentVersionForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        project=project,
        form=form,
        save=lambda **data: document_version_add(actor=request.user, document=document, **data),
        success_url=_document_url(document),
        success_message=_("The new version has been uploaded."),
        title=_("New version of “%(name)s”") % {"name": document.title},
    )


@login_required
def document_remove(request, slug, pk):
    project, document = _contributor_document(request, slug, pk)
    return _delete_page(
        request,
        project=project,
        target=document,
        delete=lambda: document_delete(actor=request.user, document=document),
        success_url=_documents_url(project),
        success_message=_("The document has been deleted."),
        title=_("Delete “%(name)s” with all its versions?") % {"name": document.title},
    )


def file_response(version) -> FileResponse:
    """The stored file as a download: never rendered by the browser, never sniffed."""
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
def document_download(request, slug, pk, number=None):
    """A version (the latest without `number`) of a document the user may see."""
    project = _project(request, slug)
    document = document_get(visible_to=request.user, project=project, pk=pk)
    return file_response(document_version_get(document=document, number=number))

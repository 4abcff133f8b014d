"""Reads of work plans, news and documents, already filtered by who is asking.

Anonymous visitors and other partners see a visible project's work plan (timeline, work packages,
milestones), its public news and public documents; consortium members see everything. News with
a publication date in the future are shown only to the people who may edit them.
"""

import datetime as dt
import uuid

from django.db.models import (
    BooleanField,
    Case,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from partners.models import Organisation
from projects.models import (
    Document,
    DocumentVersion,
    Milestone,
    NewsPost,
    Participation,
    Project,
    WorkPackage,
)
from projects.permissions import (
    can_contribute,
    can_view_project,
    is_consortium_member,
    visible_documents_q,
    visible_news_q,
    visible_projects_q,
)
from projects.timeline import timeline_svg

LATEST_NEWS = 5


def project_visible_get(*, visible_to, lookup: str) -> Project:
    """A project by slug or public id, or Http404 when it does not exist or is not visible."""
    lookup = str(lookup)
    try:
        condition = Q(public_id=uuid.UUID(lookup))
    except ValueError:
        condition = Q(slug=lookup)
    project = Project.objects.filter(condition).first()
    if project is None or not can_view_project(visible_to, project):
        raise Http404
    return project


def project_visible_list(*, visible_to) -> QuerySet:
    return Project.objects.filter(visible_projects_q(visible_to))


def consortium_organisation_list(*, project: Project) -> QuerySet:
    """Organisations currently in the consortium (choices for leads and responsibilities)."""

    return Organisation.objects.filter(
        participations__project=project, participations__left_on__isnull=True
    ).order_by("name")


def consortium_has_organisation(*, project: Project, organisation) -> bool:
    return Participation.objects.filter(
        project=project, organisation=organisation, left_on__isnull=True
    ).exists()


def work_package_list(*, project: Project) -> QuerySet:
    return WorkPackage.objects.filter(project=project).select_related("lead_organisation")


def work_package_get(*, project: Project, pk: int) -> WorkPackage:
    work_package = work_package_list(project=project).filter(pk=pk).first()
    if work_package is None:
        raise Http404
    return work_package


def milestone_list(*, project: Project | None = None, today: dt.date | None = None) -> QuerySet:
    """Milestones with `is_overdue`: marked late, or still open after the due date."""
    today = today or timezone.localdate()
    queryset = Milestone.objects.select_related("work_package", "responsible_organisation")
    if project is not None:
        queryset = queryset.filter(project=project)
    return queryset.annotate(
        is_overdue=Case(
            When(status=Milestone.Status.LATE, then=Value(True)),
            When(status=Milestone.Status.OPEN, due_date__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def milestone_get(*, project: Project, pk: int) -> Milestone:
    milestone = milestone_list(project=project).filter(pk=pk).first()
    if milestone is None:
        raise Http404
    return milestone


def milestone_state(milestone) -> str:
    """ "done", "overdue" or "open": what the timeline and lists show."""
    if milestone.status == Milestone.Status.DONE:
        return "done"
    if getattr(milestone, "is_overdue", False) or milestone.status == Milestone.Status.LATE:
        return "overdue"
    return "open"


def news_list(*, visible_to, project: Project) -> QuerySet:
    queryset = NewsPost.objects.filter(project=project).filter(visible_news_q(visible_to, project))
    if not can_contribute(visible_to, project):
        queryset = queryset.filter(published_at__lte=timezone.now())
    return queryset.select_related("author")


def news_get(*, visible_to, project: Project, pk: int) -> NewsPost:
    post = news_list(visible_to=visible_to, project=project).filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def _versions_prefetch() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
        to_attr="version_list",
    )


def document_list(*, visible_to, project: Project) -> QuerySet:
    """Visible documents; each has `version_list` (newest first) prefetched."""
    return (
        Document.objects.filter(project=project)
        .filter(visible_documents_q(visible_to, project))
        .prefetch_related(_versions_prefetch())
    )


def document_summary_list(*, visible_to, project: Project) -> QuerySet:
    """Visible documents with their latest version's number, file name and size annotated
    (`latest_number`, `latest_original_name`, `latest_size`; None without a version): one
    query, for the lists that show only the latest version."""
    latest = DocumentVersion.objects.filter(document_id=OuterRef("pk")).order_by("-number")
    return (
        Document.objects.filter(project=project)
        .filter(visible_documents_q(visible_to, project))
        .annotate(
            latest_number=Subquery(latest.values("number")[:1]),
            latest_original_name=Subquery(latest.values("original_name")[:1]),
            latest_size=Subquery(latest.values("size")[:1]),
        )
    )


def document_get(*, visible_to, project: Project, pk: int) -> Document:
    document = document_list(visible_to=visible_to, project=project).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def document_version_get(*, document: Document, number: int | None = None) -> DocumentVersion:
    """A version of a document already checked for visibility; the latest when number is None."""
    versions = getattr(document, "version_list", None)
    if versions is None:
        versions = list(document.versions.order_by("-number"))
    for version in versions:
        if number is None or version.number == number:
            return version
    raise Http404


def project_workplan_context(*, project, user, today: dt.date | None = None) -> dict:
    """Context for the detail page's partials (templates/projects/includes/timeline.html,
    news.html, documents.html): timeline, work packages, milestones, news, documents."""

    today = today or timezone.localdate()
    work_packages = list(work_package_list(project=project))
    milestones = list(milestone_list(project=project, today=today))
    for milestone in milestones:
        milestone.state = milestone_state(milestone)
    news_posts = list(news_list(visible_to=user, project=project)[:LATEST_NEWS])
    documents = list(document_summary_list(visible_to=user, project=project))
    return {
        "timeline_svg": timeline_svg(
            project=project, work_packages=work_packages, milestones=milestones, today=today
        ),
        "work_packages": work_packages,
        "milestones": milestones,
        "overdue_milestone_count": sum(m.state == "overdue" for m in milestones),
        "news_posts": news_posts,
        "documents": documents,
        "can_contribute": can_contribute(user, project),
        "is_consortium_member": is_consortium_member(user, project),
    }

"""Project events for the notification outbox. Called inside the services' transactions."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.services import notify
from projects.models import Milestone, NewsPost, Participation, ParticipationRequest, TeamMember


def consortium_users(project_id: int):
    """Everyone in the consortium: the team and the people of the participating organisations."""
    organisation_ids = Participation.objects.filter(
        project_id=project_id, left_on__isnull=True
    ).values("organisation_id")
    return User.objects.filter(
        Q(project_roles__project_id=project_id)
        | Q(memberships__organisation_id__in=organisation_ids),
        is_active=True,
    ).distinct()


def _consortium_organisation_ids(project_id: int) -> list[int]:
    return list(
        Participation.objects.filter(project_id=project_id, left_on__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )


def news_posted(post: NewsPost) -> None:
    project = post.project
    notify(
        event_type="project.news",
        recipients=consortium_users(project.pk),
        event_key=str(post.pk),
        actor=post.author,
        url=reverse("projects:detail", args=[project.slug]),
        context={"project": project.acronym, "title": post.title},
        organisation_ids=_consortium_organisation_ids(project.pk),
    )


def participation_requested(request: ParticipationRequest) -> None:
    project = request.project
    leads = User.objects.filter(
        project_roles__project=project, project_roles__role=TeamMember.Role.LEAD, is_active=True
    )
    notify(
        event_type="participation_request.received",
        recipients=leads,
        event_key=str(request.pk),
        actor=request.requested_by,
        url=reverse("projects:consortium", args=[project.slug]),
        context={"project": project.acronym, "organisation": request.organisation.name},
    )


def participation_answered(request: ParticipationRequest) -> None:
    project = request.project
    notify(
        event_type="participation_request.answered",
        recipients=[request.requested_by] if request.requested_by else [],
        event_key=str(request.pk),
        actor=request.decided_by,
        url=reverse("projects:detail", args=[project.slug]),
        context={
            "project": project.acronym,
            "organisation": request.organisation.name,
            "accepted": request.status == ParticipationRequest.Status.ACCEPTED,
        },
        organisation_ids=[request.organisation_id],
    )


def _responsible_team(milestone: Milestone):
    """The project team members of the responsible organisation (or the leads if none)."""
    team = User.objects.filter(project_roles__project_id=milestone.project_id, is_active=True)
    if milestone.responsible_organisation_id:
        of_organisation = team.filter(
            memberships__organisation_id=milestone.responsible_organisation_id
        )
        if of_organisation.exists():
            return of_organisation.distinct()
    return team.filter(project_roles__role=TeamMember.Role.LEAD).distinct()


def milestone_deadlines(*, today: dt.date | None = None) -> int:
    """Beat, daily: milestones due in 7 days and overdue ones, told once each (event keys)."""
    today = today or timezone.localdate()
    count = 0
    due_soon = Milestone.objects.filter(
        status=Milestone.Status.OPEN, due_date=today + dt.timedelta(days=7)
    ).select_related("project")
    overdue = Milestone.objects.filter(
        status__in=[Milestone.Status.OPEN, Milestone.Status.LATE], due_date__lt=today
    ).select_related("project")
    for event_type, milestones in (("milestone.due", due_soon), ("milestone.overdue", overdue)):
        for milestone in milestones:
            notify(
                event_type=event_type,
                recipients=_responsible_team(milestone),
                # one reminder per milestone and due date: a moved date reminds again
                event_key=f"{milestone.pk}:{milestone.due_date.isoformat()}",
                url=reverse("projects:detail", args=[milestone.project.slug]),
                context={
                    "project": milestone.project.acronym,
                    "milestone": milestone.title,
                    "due_date": milestone.due_date.strftime("%d.%m.%Y"),
                },
                organisation_ids=[milestone.responsible_organisation_id]
                if milestone.responsible_organisation_id
                else [],
            )
            count += 1
    return count

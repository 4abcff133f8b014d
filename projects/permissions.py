"""Who may see and change what in projects. Used by pages and the API alike.

Anonymous visitors and other partners see public projects' public parts (summary, consortium,
timeline, public news and documents). Consortium members (team members and people of the
participating organisations) see everything of their projects. Project leads and staff edit.
"""

from django.db.models import CharField, Q, Value

from partners.permissions import (
    admin_organisation_ids,
    is_partner,
    is_staff,
    member_organisation_ids,
)
from projects.models import Document, NewsPost, Participation, Project, TeamMember

VIA_ORGANISATION = ""  # a row of `_project_roles` that is not a team membership


def _project_roles(user) -> tuple[dict[int, str], set[int]]:
    """({project_id: role} of the user's team memberships, the ids of the projects whose
    consortium includes the user): one query (a UNION), cached on the user object."""
    if not is_partner(user):
        return {}, set()
    cached = getattr(user, "_project_roles", None)
    if cached is None:
        team = TeamMember.objects.filter(user=user).order_by().values_list("project_id", "role")
        via_organisations = (
            Participation.objects.filter(
                organisation_id__in=member_organisation_ids(user), left_on__isnull=True
            )
            .order_by()
            .annotate(team_role=Value(VIA_ORGANISATION, output_field=CharField()))
            .values_list("project_id", "team_role")
        )
        team_roles, consortium = {}, set()
        for project_id, role in team.union(via_organisations, all=True).order_by():
            consortium.add(project_id)
            if role != VIA_ORGANISATION:
                team_roles[project_id] = role
        cached = (team_roles, consortium)
        user._project_roles = cached
    return cached


def _team_roles(user) -> dict[int, str]:
    return _project_roles(user)[0]


def consortium_project_ids(user) -> set[int]:
    """Projects whose consortium includes the user (team, or a participating organisation)."""
    return _project_roles(user)[1]


def visible_projects_q(user) -> Q:
    """The filter behind `can_view_project`, for querysets."""
    if is_staff(user):
        return Q()
    return Q(visibility=Project.Visibility.PUBLIC) | Q(pk__in=consortium_project_ids(user))


def can_view_project(user, project: Project) -> bool:
    return (
        project.visibility == Project.Visibility.PUBLIC
        or is_staff(user)
        or project.pk in consortium_project_ids(user)
    )


def is_consortium_member(user, project: Project) -> bool:
    """Sees everything of the project, including consortium-only news and documents."""
    return is_staff(user) or project.pk in consortium_project_ids(user)


def is_project_lead(user, project: Project) -> bool:
    return _team_roles(user).get(project.pk) == TeamMember.Role.LEAD


def can_edit_project(user, project: Project) -> bool:
    return is_staff(user) or is_project_lead(user, project)


def can_manage_team(user, project: Project) -> bool:
    return can_edit_project(user, project)


def can_manage_consortium(user, project: Project) -> bool:
    return can_edit_project(user, project)


def can_create_project(user) -> bool:
    """Staff, or a partner who belongs to at least one organisation."""
    return is_staff(user) or bool(member_organisation_ids(user))


def can_contribute(user, project: Project) -> bool:
    """Post news, upload documents, update milestones: the project team and staff."""
    return is_staff(user) or project.pk in _team_roles(user)


def can_request_participation(user, project: Project, organisation) -> bool:
    """An organisation admin asks for their (active) organisation to join a visible project."""
    return (
        can_view_project(user, project)
        and organisation.pk in admin_organisation_ids(user)
        and organisation.status == organisation.Status.ACTIVE
        and not project.participations.filter(
            organisation=organisation, left_on__isnull=True
        ).exists()
    )


def can_view_news(user, post: NewsPost) -> bool:
    if post.is_public:
        return can_view_project(user, post.project)
    return is_consortium_member(user, post.project)


def can_view_document(user, document: Document) -> bool:
    if document.is_public:
        return can_view_project(user, document.project)
    return is_consortium_member(user, document.project)


def visible_news_q(user, project: Project) -> Q:
    return Q() if is_consortium_member(user, project) else Q(is_public=True)


def visible_documents_q(user, project: Project) -> Q:
    return Q() if is_consortium_member(user, project) else Q(is_public=True)


# --- Added for project pages, consortium and team management ---------------------------------


def can_view_project_finances(user, project: Project) -> bool:
    """Budget, funding amount and the partners' budget shares are for the consortium only."""
    return is_consortium_member(user, project)


def can_view_project_team(user, project: Project) -> bool:
    """People are for logged-in partners (as in the people directory); the consortium always."""
    return is_consortium_member(user, project) or (
        is_partner(user) and can_view_project(user, project)
    )


def can_decide_participation_request(user, project: Project) -> bool:
    return can_manage_consortium(user, project)


def can_ask_to_join_project(user, project: Project) -> bool:
    """Whether the page offers "ask to join": an admin of some organisation, project visible.

    The service checks `can_request_participation` for the chosen organisation.
    """
    return can_view_project(user, project) and bool(admin_organisation_ids(user))


def forget_project_roles(user) -> None:
    """Drops the per-request caches of the predicates after the user's roles changed."""
    if hasattr(user, "_project_roles"):
        del user._project_roles

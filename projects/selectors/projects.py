"""Reads of projects, consortia and teams, already filtered by who is asking."""

import contextlib
import re
import uuid
from dataclasses import dataclass, fields

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import get_language

from accounts.models import User
from partners.models import Competence, Membership, Organisation
from partners.permissions import admin_organisation_ids, is_partner, is_staff
from projects.caches import PROJECT_LISTS
from projects.models import Participation, ParticipationRequest, Project, TeamMember
from projects.permissions import (
    can_view_project_finances,
    can_view_project_team,
    consortium_project_ids,
    visible_projects_q,
)

LIST_FIELDS = (
    "id",
    "public_id",
    "acronym",
    "slug",
    "title_de",
    "title_en",
    "summary_de",
    "summary_en",
    "stage",
    "start_date",
    "end_date",
    "funding_programme",
    "website",
    "logo",
    "visibility",
    "is_demo",
    "created_at",
    "updated_at",
)

SORTS = {
    "acronym": ["acronym", "id"],
    "-acronym": ["-acronym", "-id"],
    "start": ["-start_date", "acronym", "id"],
    "end": ["end_date", "acronym", "id"],
    "newest": ["-created_at", "-id"],
}
DEFAULT_SORT = "acronym"
MAX_SEARCH_TERMS = 8


@dataclass(frozen=True)
class ProjectFilters:
    """List filters: a stage value, a competence slug, a programme name, an organisation slug."""

    stage: str = ""
    competence: str = ""
    programme: str = ""
    organisation: str = ""

    @classmethod
    def from_params(cls, params) -> "ProjectFilters":
        return cls(**{f.name: (params.get(f.name) or "").strip()[:200] for f in fields(cls)})

    @property
    def is_empty(self) -> bool:
        return not any(self.__dict__.values())


def _competences_prefetch() -> Prefetch:
    return Prefetch(
        "competences", queryset=Competence.objects.only("id", "slug", "name_de", "name_en")
    )


def _current_participations_prefetch() -> Prefetch:
    """The current consortium (partners who have not left), coordinator first."""
    return Prefetch(
        "participations",
        queryset=Participation.objects.filter(left_on__isnull=True)
        .select_related("organisation")
        .only(
            "id",
            "project_id",
            "role",
            "organisation__id",
            "organisation__name",
            "organisation__short_name",
            "organisation__slug",
        )
        .order_by(_role_order(), "organisation__name"),
        to_attr="current_participations",
    )


def _role_order() -> Case:
    return Case(
        *(
            When(role=role, then=Value(position))
            for position, role in enumerate(Participation.Role.values)
        ),
        output_field=IntegerField(),
    )


def _search_q(term: str) -> Q:
    return (
        Q(acronym__icontains=term)
        | Q(title_de__icontains=term)
        | Q(title_en__icontains=term)
        | Q(summary_de__icontains=term)
        | Q(summary_en__icontains=term)
        | Q(funding_programme__icontains=term)
        | Q(funding_reference__icontains=term)
    )


def _apply_filters(queryset: QuerySet, filters: ProjectFilters) -> QuerySet:
    if filters.stage:
        queryset = queryset.filter(stage=filters.stage)
    if filters.programme:
        queryset = queryset.filter(funding_programme__iexact=filters.programme)
    if filters.competence:
        # the competence and its narrower concepts (the taxonomy is three levels deep)
        through = Project.competences.through.objects.filter(project_id=OuterRef("pk")).filter(
            Q(competence__slug=filters.competence)
            | Q(competence__parent__slug=filters.competence)
            | Q(competence__parent__parent__slug=filters.competence)
        )
        queryset = queryset.filter(Exists(through))
    if filters.organisation:
        queryset = queryset.filter(
            Exists(
                Participation.objects.filter(
                    project_id=OuterRef("pk"), organisation__slug=filters.organisation
                )
            )
        )
    return queryset


def project_list(
    *, visible_to, search: str = "", filters: ProjectFilters | None = None, sort: str = ""
) -> QuerySet:
    """The projects `visible_to` may see, filtered, searched, sorted, shaped for lists.

    Two prefetches (competences, current consortium) whatever the number of rows. Every word
    of `search` must occur in the acronym, a title, a summary or the funding programme.
    """
    queryset = _apply_filters(
        Project.objects.filter(visible_projects_q(visible_to)), filters or ProjectFilters()
    )
    for term in (search or "").split()[:MAX_SEARCH_TERMS]:
        queryset = queryset.filter(_search_q(term))
    return (
        queryset.only(*LIST_FIELDS)
        .prefetch_related(_competences_prefetch(), _current_participations_prefetch())
        .order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    )


def project_filter_choices(*, visible_to) -> dict[str, list[tuple[str, str]]]:
    """Choices for the list's competence and programme filters (two queries, cached while no
    project changes: PROJECT_LISTS)."""
    if is_staff(visible_to):
        visibility = "staff"
    else:
        visibility = ",".join(map(str, sorted(consortium_project_ids(visible_to))))
    return PROJECT_LISTS.cached(
        "filter-choices",
        [visibility, get_language() or ""],
        lambda: _filter_choices(visible_to),
    )


def _filter_choices(visible_to) -> dict[str, list[tuple[str, str]]]:
    visible = Project.objects.filter(visible_projects_q(visible_to)).order_by().values("pk")
    competences = [
        (competence.slug, competence.name)
        for competence in Competence.objects.filter(
            Exists(
                Project.competences.through.objects.filter(
                    competence_id=OuterRef("pk"), project_id__in=visible
                )
            )
        )
        .only("id", "slug", "name_de", "name_en")
        .order_by("name_de")
    ]
    programmes = [
        (programme, programme)
        for programme in Project.objects.filter(visible_projects_q(visible_to))
        .exclude(funding_programme="")
        .order_by("funding_programme")
        .values_list("funding_programme", flat=True)
        .distinct()
    ]
    return {"competence": competences, "programme": programmes}


# ASCII digits only: str.isdigit() also accepts "¹9" or "٣", which int() refuses; 18 digits
# stay within a bigint.
ID_PATTERN = re.compile(r"[0-9]{1,18}")


def _lookup_q(lookup: str) -> Q:
    """By slug or acronym; an id (digits) or public id (UUID) as well."""
    key = Q(slug=lookup) | Q(acronym=lookup)
    if ID_PATTERN.fullmatch(lookup):
        key |= Q(pk=int(lookup))
    with contextlib.suppress(ValueError):
        key |= Q(public_id=uuid.UUID(lookup))
    return key


def project_get(*, visible_to, lookup: str) -> Project:
    """One project by slug, acronym, id or public id if `visible_to` may see it; else Http404."""
    lookup = str(lookup)
    open_requests = (
        ParticipationRequest.objects.filter(
            project_id=OuterRef("pk"), status=ParticipationRequest.Status.OPEN
        )
        .order_by()
        .values("project_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    project = (
        Project.objects.filter(visible_projects_q(visible_to))
        .filter(_lookup_q(lookup))
        # for the page's "requests to join" badge (leads), in the same query
        .annotate(open_request_count=Coalesce(Subquery(open_requests), 0))
        .prefetch_related(
            Prefetch(
                "competences",
                queryset=Competence.objects.select_related("parent").only(
                    "id",
                    "slug",
                    "name_de",
                    "name_en",
                    "parent__id",
                    "parent__slug",
                    "parent__name_de",
                    "parent__name_en",
                ),
            )
        )
        # a slug or acronym wins over an id that happens to look the same
        .order_by(Case(When(Q(slug=lookup) | Q(acronym=lookup), then=0), default=1), "pk")
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    return project


def participation_list(*, project: Project, visible_to) -> list[Participation]:
    """The consortium: current partners first (by role), then those who left.

    Budget shares are blanked for those who may not see the finances.
    """
    participations = list(
        Participation.objects.filter(project=project)
        .select_related("organisation")
        .only(
            "id",
            "project_id",
            "role",
            "budget_share",
            "joined_on",
            "left_on",
            "organisation__id",
            "organisation__name",
            "organisation__short_name",
            "organisation__slug",
            "organisation__city",
            "organisation__status",
        )
        .order_by(
            Case(When(left_on__isnull=True, then=0), default=1, output_field=IntegerField()),
            _role_order(),
            "organisation__name",
        )
    )
    if not can_view_project_finances(visible_to, project):
        for participation in participations:
            participation.budget_share = None
    return participations


def participation_get(*, project: Project, pk: int) -> Participation:
    participation = (
        Participation.objects.filter(project=project, pk=pk).select_related("organisation").first()
    )
    if participation is None:
        raise Http404("No such participation.")
    participation.project = project
    return participation


def team_member_list(*, project: Project, visible_to) -> list[TeamMember]:
    """The project team (leads first), or an empty list for those who may not see people."""
    if not can_view_project_team(visible_to, project):
        return []
    return list(
        TeamMember.objects.filter(project=project)
        .select_related("user")
        .only(
            "id",
            "project_id",
            "role",
            "created_at",
            "user__id",
            "user__full_name",
            "user__deleted_at",
            "user__title",
            "user__position",
            "user__email",
        )
        .order_by(
            Case(
                *(
                    When(role=role, then=Value(position))
                    for position, role in enumerate(TeamMember.Role.values)
                ),
                output_field=IntegerField(),
            ),
            "user__full_name",
            "user__deleted_at",
        )
    )


def team_member_get(*, project: Project, pk: int) -> TeamMember:
    member = TeamMember.objects.filter(project=project, pk=pk).select_related("user").first()
    if member is None:
        raise Http404("No such team member.")
    member.project = project
    return member


def team_candidate_list(*, project: Project) -> QuerySet:
    """People of the current partner organisations who are not yet in the team."""
    organisations = Participation.objects.filter(project=project, left_on__isnull=True).values(
        "organisation_id"
    )
    return (
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(organisation_id__in=organisations).values("user_id"),
        )
        .exclude(pk__in=TeamMember.objects.filter(project=project).values("user_id"))
        .only("id", "full_name", "email")
        .order_by("full_name", "email")
    )


def participation_request_list_open(*, project: Project) -> QuerySet:
    return (
        ParticipationRequest.objects.filter(
            project=project, status=ParticipationRequest.Status.OPEN
        )
        .select_related("organisation", "requested_by")
        .order_by("created_at", "id")
    )


def participation_request_get(*, project: Project, pk: int) -> ParticipationRequest:
    participation_request = (
        ParticipationRequest.objects.filter(project=project, pk=pk)
        .select_related("organisation")
        .first()
    )
    if participation_request is None:
        raise Http404("No such request.")
    participation_request.project = project
    return participation_request


def requestable_organisation_list(*, user, project: Project) -> QuerySet:
    """The user's active organisations (as admin) that could ask to join the project."""
    return (
        Organisation.objects.filter(
            pk__in=admin_organisation_ids(user), status=Organisation.Status.ACTIVE
        )
        .exclude(
            pk__in=Participation.objects.filter(project=project, left_on__isnull=True).values(
                "organisation_id"
            )
        )
        .exclude(
            pk__in=ParticipationRequest.objects.filter(
                project=project, status=ParticipationRequest.Status.OPEN
            ).values("organisation_id")
        )
        .only("id", "name", "slug", "status")
        .order_by("name")
    )


def my_project_list(*, user) -> list[Project]:
    """The user's projects (team roles and participating organisations), each with
    `my_team_role` (a TeamMember.Role value or "") and `my_organisations` (participations)."""
    if not is_partner(user):
        return []
    project_ids = consortium_project_ids(user)
    team_roles = dict(
        TeamMember.objects.filter(user=user, project_id__in=project_ids).values_list(
            "project_id", "role"
        )
    )
    projects = list(
        Project.objects.filter(pk__in=project_ids)
        .only(*LIST_FIELDS)
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(
                    organisation__memberships__user=user
                ).select_related("organisation"),
                to_attr="my_organisations",
            )
        )
        .order_by("acronym")
    )
    role_labels = dict(TeamMember.Role.choices)
    for project in projects:
        project.my_team_role = team_roles.get(project.pk, "")
        project.my_team_role_label = role_labels.get(project.my_team_role, "")
    return projects


def project_participations_for_organisation(*, organisation: Organisation, user) -> QuerySet:
    """An organisation's participations in the projects `user` may see, with the project.

    For the organisation page: acronym, title, stage, role and whether the partner has left.
    """
    return (
        Participation.objects.filter(organisation=organisation)
        .filter(project__in=Project.objects.filter(visible_projects_q(user)).values("pk"))
        .select_related("project")
        .only(
            "id",
            "role",
            "joined_on",
            "left_on",
            "organisation_id",
            "project__id",
            "project__acronym",
            "project__slug",
            "project__title_de",
            "project__title_en",
            "project__stage",
            "project__start_date",
            "project__end_date",
            "project__visibility",
        )
        .order_by("project__acronym")
    )


def project_export_rows(queryset: QuerySet) -> list[list[str]]:
    """Rows for the admin's CSV export (finances included: the admin is staff only)."""
    rows = []
    for project in queryset.prefetch_related(
        _competences_prefetch(), _current_participations_prefetch()
    ).order_by("acronym"):
        coordinator = next(
            (
                p.organisation.name
                for p in project.current_participations
                if p.role == Participation.Role.COORDINATOR
            ),
            "",
        )
        rows.append(
            [
                str(project.public_id),
                project.acronym,
                project.title_de,
                project.title_en,
                project.stage,
                project.start_date.isoformat() if project.start_date else "",
                project.end_date.isoformat() if project.end_date else "",
                project.funding_programme,
                project.funding_reference,
                str(project.total_budget if project.total_budget is not None else ""),
                str(project.funding_amount if project.funding_amount is not None else ""),
                " ".join(c.slug for c in project.competences.all()),
                coordinator,
                " | ".join(p.organisation.name for p in project.current_participations),
                project.visibility,
                project.website,
            ]
        )
    return rows


EXPORT_COLUMNS = [
    "public_id",
    "acronym",
    "title_de",
    "title_en",
    "stage",
    "start_date",
    "end_date",
    "funding_programme",
    "funding_reference",
    "total_budget",
    "funding_amount",
    "competences",
    "coordinator",
    "consortium",
    "visibility",
    "website",
]

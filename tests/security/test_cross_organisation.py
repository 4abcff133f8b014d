"""Isolation between organisations: B's people never see or change A's hidden objects.

Two active organisations A ("alpha") and B ("beta"), an admin and a member each (the `cast` of
coverage.py), plus a third organisation C ("gamma") that A deals with and a pending
organisation ("delta") that A's admin registered. For every kind of object of the portal that
is hidden from outsiders, B's admin and B's member:

- read it on its page and through the API and get 404, exactly as for a missing object;
- write it (POST/PUT/PATCH/DELETE with a payload that works for its owner) and get 404 (403
  where the object itself is visible, e.g. an active organisation's member management) while
  nothing in the database changes (``db_state()`` before and after).

Each case then sends the same request as A's owner and expects success: the URL and payload
are right, so the denial is the permission check and not a typo. Cases marked "via beta" name
A's object under B's own organisation or project, which B's admin manages: the object lookup,
not the role, has to refuse them (B's member, without the role, gets 403 first).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import api_token_create
from matchmaking.models import ContactRequest, Opportunity
from notifications.models import Notification, Preference, WebhookDelivery, WebhookEndpoint
from partners.models import Organisation
from projects.models import Project, TeamMember
from tests.factories import MembershipFactory, OrganisationFactory, ParticipationFactory
from tests.matchmaking.factories import (
    ContactRequestFactory,
    MatchFactory,
    MessageFactory,
    OpportunityFactory,
)
from tests.partners.factories_people import InvitationFactory, JoinRequestFactory
from tests.projects.factories import ParticipationRequestFactory
from tests.projects.factories_workplan import (
    DocumentFactory,
    MilestoneFactory,
    NewsPostFactory,
    TeamMemberFactory,
    WorkPackageFactory,
    add_version,
    make_project,
    pdf_bytes,
    upload,
    use_private_storage,
)
from tests.security.coverage import cast, changed_tables, db_state

__all__ = ["cast"]

pytestmark = pytest.mark.django_db

B_USERS = ("other", "other_member")  # B's admin, B's member
HIDDEN_EMAIL = "verborgen@alpha.example"
HIDDEN_PHONE = "+49 231 555 0101"


@pytest.fixture
def world(cast, monkeypatch, tmp_path):
    use_private_storage(monkeypatch, tmp_path)
    org_a, org_b = cast["org_a"], cast["org_b"]
    admin, member, other = cast["admin"], cast["member"], cast["other"]
    gamma = OrganisationFactory(name="Gamma Wärme eG", slug="gamma")
    gamma_member = MembershipFactory(organisation=gamma, role="member").user

    # partners: a pending organisation of A's admin, with a person who belongs only to it
    pending = OrganisationFactory(
        name="Delta Neugründung", slug="delta", status=Organisation.Status.PENDING
    )
    MembershipFactory(organisation=pending, user=admin, role="admin")
    pending_person = MembershipFactory(organisation=pending, role="member").user
    # A's member shares neither e-mail nor phone
    member.email, member.phone = HIDDEN_EMAIL, HIDDEN_PHONE
    member.show_email = member.show_phone = False
    member.save(update_fields=["email", "phone", "show_email", "show_phone"])
    invitation = InvitationFactory(organisation=org_a, invited_by=admin, email="neu@alpha.example")
    join_request = JoinRequestFactory(organisation=org_a, user=gamma_member)

    # projects: A's consortium-only project, led by A's admin
    secret = make_project(acronym="SECRET", slug="secret", visibility=Project.Visibility.CONSORTIUM)
    participation = ParticipationFactory(project=secret, organisation=org_a, role="coordinator")
    lead_row = TeamMemberFactory(project=secret, user=admin, role=TeamMember.Role.LEAD)
    participation_request = ParticipationRequestFactory(
        project=secret, organisation=gamma, requested_by=gamma_member
    )
    package = WorkPackageFactory(project=secret, number=1, title="Geheimes Arbeitspaket")
    milestone = MilestoneFactory(project=secret, title="Geheimer Meilenstein")
    # A's public project with consortium-only news and documents
    public = make_project(acronym="OPEN", slug="open")
    ParticipationFactory(project=public, organisation=org_a, role="coordinator")
    TeamMemberFactory(project=public, user=admin, role=TeamMember.Role.LEAD)
    news = NewsPostFactory(project=public, title="Interne Nachricht", is_public=False)
    document = DocumentFactory(project=public, title="Internes Protokoll", is_public=False)
    add_version(document)
    # B's own public project, led by B's admin (for the "via beta" cases)
    beta = make_project(acronym="BETA", slug="beta-project")
    ParticipationFactory(project=beta, organisation=org_b, role="coordinator")
    TeamMemberFactory(project=beta, user=other, role=TeamMember.Role.LEAD)

    # matchmaking: opportunities of A's member, one visible with a match for gamma
    draft = OpportunityFactory(
        organisation=org_a,
        created_by=member,
        title="Entwurf Elektrolyse",
        status=Opportunity.Status.DRAFT,
        published_at=None,
    )
    confidential = OpportunityFactory(
        organisation=org_a,
        created_by=member,
        title="Vertrauliche Anfrage",
        visibility=Opportunity.Visibility.OFFICE,
    )
    listed = OpportunityFactory(organisation=org_a, created_by=member, title="Offenes Angebot")
    MatchFactory(opportunity=listed, target_organisation=gamma)
    # a conversation of A's member with gamma, and an open request from gamma to A
    conversation = ContactRequestFactory(
        sender=member,
        sender_organisation=org_a,
        receiver_organisation=gamma,
        status=ContactRequest.Status.ACCEPTED,
        answered_by=gamma_member,
        answered_at=timezone.now(),
    )
    MessageFactory(contact_request=conversation, author=member, text="Vertraulich")
    incoming = ContactRequestFactory(
        sender=gamma_member, sender_organisation=gamma, receiver_organisation=org_a
    )

    # one's own things
    notification = Notification.objects.create(
        recipient=member, event_type="project.news", event_key="project.news:1", url="/"
    )
    Preference.objects.create(user=member, event_type="project.news", frequency="weekly")
    endpoint = WebhookEndpoint.objects.create(
        organisation=org_a,
        created_by=admin,
        url="https://hooks.alpha.example/spin",
        secret="whsec_alpha",
        event_types=["project.news"],
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="00000000-0000-0000-0000-0000000000a1",
        event_type="project.news",
        payload={"news": 1},
    )
    token, _key = api_token_create(user=member, name="Alpha-CI-Token", scope="write")
    return {
        **cast,
        "gamma": gamma,
        "gamma_member": gamma_member,
        "pending": pending,
        "pending_person": pending_person,
        "invitation": invitation,
        "join_request": join_request,
        "a_membership": org_a.memberships.get(user=member),
        "secret": secret,
        "participation": participation,
        "lead_row": lead_row,
        "participation_request": participation_request,
        "package": package,
        "milestone": milestone,
        "public": public,
        "news": news,
        "document": document,
        "beta": beta,
        "draft": draft,
        "confidential": confidential,
        "listed": listed,
        "conversation": conversation,
        "incoming": incoming,
        "notification": notification,
        "endpoint": endpoint,
        "token": token,
    }


# --- the table ------------------------------------------------------------------------------

Url = Callable[[dict], str]


@dataclass(frozen=True)
class Case:
    """One request of B's admin and B's member, then of A's `owner` as the control."""

    id: str
    method: str
    url: Url
    data: Any = None  # a dict, or a callable of the world (fresh uploads, ids)
    denied: int | tuple[int, int] = 404  # B's admin, B's member
    owner: str | None = None
    allowed: int | None = None

    def payload(self, world):
        return self.data(world) if callable(self.data) else self.data

    @property
    def denied_codes(self) -> list[int]:
        return list(self.denied) if isinstance(self.denied, tuple) else [self.denied] * 2


def page(name: str, **kwargs: Callable[[dict], Any]) -> Url:
    """reverse(name) with keyword arguments taken from the world."""
    return lambda w: reverse(name, kwargs={key: value(w) for key, value in kwargs.items()})


def api(template: str) -> Url:
    """An API path; {key} names an object of the world (its public id, or pk for ids)."""

    def build(w):
        values = {}
        for key in ("secret", "public", "beta"):
            values[key] = w[key].public_id
        for key in ("draft", "confidential", "listed", "conversation", "incoming"):
            values[key] = w[key].public_id
        for key in ("package", "milestone", "news", "document", "participation"):
            values[key] = w[key].pk
        values.update(notification=w["notification"].pk, endpoint=w["endpoint"].pk)
        values.update(
            invitation=w["invitation"].pk, join_request=w["join_request"].pk, token=w["token"].pk
        )
        return "/api/v1/" + template.format(**values)

    return build


def slug(key):
    return lambda w: w[key].slug


def pk(key):
    return lambda w: w[key].pk


def public_id(key):
    return lambda w: w[key].public_id


ALPHA, BETA, DELTA = (lambda w: "alpha"), (lambda w: "beta"), (lambda w: "delta")
SECRET, OPEN, BETA_PROJECT = (lambda w: "secret"), (lambda w: "open"), (lambda w: "beta-project")


def organisation_form(**changes):
    data = {
        "name": "Delta Neugründung",
        "short_name": "",
        "kind": "startup",
        "street": "",
        "postcode": "44227",
        "city": "Dortmund",
        "country": "DE",
        "website": "",
        "email": "",
        "phone": "",
        "size_band": "",
        "description_de": "Gekapert",
        "description_en": "",
        "keywords": "",
        "parent": "",
    }
    return {**data, **changes}


def project_form(w):
    project = w["secret"]
    return {
        "acronym": project.acronym,
        "title_de": "Gekapert",
        "title_en": "",
        "summary_de": "",
        "summary_en": "",
        "description": "",
        "stage": project.stage,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "funding_programme": "",
        "funding_reference": "",
        "total_budget": "",
        "funding_amount": "",
        "website": "",
        "visibility": "consortium",
    }


def opportunity_form(w):
    return {
        "kind": "offer",
        "title": "Gekapert",
        "description": "Gekapert",
        "language": "de",
        "valid_until": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "visibility": "partners",
    }


PACKAGE = {"number": 2, "title": "Gekapert", "start_month": 1, "end_month": 2}
MILESTONE = {"kind": "milestone", "title": "Gekapert", "due_date": "2026-09-30", "status": "open"}
NEWS = {"title": "Gekapert", "text": "Gekapert", "published_at": "2025-03-02T10:30"}
WEBHOOK = {"url": "https://hooks.alpha.example/x", "event_types": ["project.news"]}


def version_upload(w):
    return {"file": upload("v2.pdf", pdf_bytes("v2"))}


PAGE_CASES = [
    # --- a pending organisation: only its admins (and staff) see it
    Case(
        "pending-detail", "get", page("organisations:detail", slug=DELTA), None, 404, "admin", 200
    ),
    Case("pending-edit", "get", page("organisations:edit", slug=DELTA), None, 404, "admin", 200),
    Case(
        "pending-edit-post",
        "post",
        page("organisations:edit", slug=DELTA),
        organisation_form(),
        404,
        "admin",
        302,
    ),
    Case("pending-members", "get", page("people:members", slug=DELTA), None, 404, "admin", 200),
    Case("pending-join", "get", page("people:join", slug=DELTA), None, 404, "admin", 302),
    Case(
        "pending-invite",
        "post",
        page("people:invitation_create", slug=DELTA),
        {"email": "x@delta.example", "role": "member"},
        404,
        "admin",
        302,
    ),
    Case("pending-person", "get", page("people:detail", pk=pk("pending_person"))),
    # --- member management of A (visible organisation: 403), and A's objects via beta (404)
    Case("members", "get", page("people:members", slug=ALPHA), None, 403, "admin", 200),
    Case(
        "invite",
        "post",
        page("people:invitation_create", slug=ALPHA),
        {"email": "x@alpha.example", "role": "member"},
        403,
        "admin",
        302,
    ),
    *[
        Case(
            f"{name}{suffix}",
            "post",
            page(f"people:{name}", slug=organisation, pk=pk(key)),
            data,
            denied,
            owner,
            allowed,
        )
        for name, key, data in (
            ("invitation_resend", "invitation", {}),
            ("invitation_revoke", "invitation", {}),
            ("membership_role", "a_membership", {"role": "admin"}),
            ("membership_remove", "a_membership", {}),
            ("join_request_approve", "join_request", {}),
            ("join_request_decline", "join_request", {}),
        )
        for suffix, organisation, denied, owner, allowed in (
            ("", ALPHA, 403, "admin", 302),
            ("-via-beta", BETA, (404, 403), None, None),
        )
    ],
    Case(
        "join_request_withdraw",
        "post",
        page("people:join_request_withdraw", pk=pk("join_request")),
        {},
        404,
        "gamma_member",
        302,
    ),
    # --- A's consortium-only project and everything in it
    *[
        Case(f"project-{name}", "get", page(name, slug=SECRET), None, 404, "admin", 200)
        for name in (
            "projects:detail",
            "projects:edit",
            "projects:request",
            "projects:consortium",
            "projects:team",
            "workplan:overview",
            "workplan:calendar",
            "workplan:news_list",
            "workplan:document_list",
            "workplan:work_package_new",
            "workplan:milestone_new",
            "workplan:news_new",
            "workplan:document_new",
        )
    ],
    Case(
        "project-edit-post",
        "post",
        page("projects:edit", slug=SECRET),
        project_form,
        404,
        "admin",
        302,
    ),
    Case(
        "consortium-add",
        "post",
        page("projects:consortium", slug=SECRET),
        {"organisation": "beta", "role": "partner"},
        404,
        "admin",
        302,
    ),
    Case(
        "team-add",
        "post",
        page("projects:team", slug=SECRET),
        lambda w: {"user": w["member"].pk, "role": "member"},
        404,
        "admin",
        302,
    ),
    Case(
        "work_package_new",
        "post",
        page("workplan:work_package_new", slug=SECRET),
        PACKAGE,
        404,
        "admin",
        302,
    ),
    Case(
        "milestone_new",
        "post",
        page("workplan:milestone_new", slug=SECRET),
        MILESTONE,
        404,
        "admin",
        302,
    ),
    Case("news_new", "post", page("workplan:news_new", slug=SECRET), NEWS, 404, "admin", 302),
    *[
        Case(
            f"{name}{suffix}",
            method,
            page(name, slug=project, pk=pk(key)),
            data,
            denied,
            owner,
            allowed if owner else None,
        )
        for name, key, method, data, allowed in (
            ("projects:participation_edit", "participation", "get", None, 200),
            (
                "projects:participation_edit",
                "participation",
                "post",
                {"role": "coordinator", "budget_share": "50"},
                302,
            ),
            ("projects:participation_remove", "participation", "post", {}, 302),
            ("projects:participation_make_coordinator", "participation", "post", {}, 302),
            ("projects:request_accept", "participation_request", "post", {}, 302),
            ("projects:request_decline", "participation_request", "post", {}, 302),
            ("projects:team_role", "lead_row", "post", {"role": "member"}, 302),
            ("projects:team_remove", "lead_row", "post", {}, 302),
            ("workplan:work_package_edit", "package", "get", None, 200),
            ("workplan:work_package_edit", "package", "post", PACKAGE, 302),
            ("workplan:work_package_delete", "package", "post", {}, 302),
            ("workplan:milestone_edit", "milestone", "get", None, 200),
            ("workplan:milestone_edit", "milestone", "post", MILESTONE, 302),
            ("workplan:milestone_delete", "milestone", "post", {}, 302),
        )
        for suffix, project, denied, owner in (
            ("", SECRET, 404, "admin"),
            ("-via-beta", BETA_PROJECT, (404, 403), None),
        )
    ],
    # --- consortium-only news and documents of A's public project
    *[
        Case(
            f"{name}-{method}{suffix}",
            method,
            page(name, slug=project, pk=pk(key)),
            data,
            404,
            who,
            allowed if who else None,
        )
        for name, key, method, data, owner, allowed in (
            ("workplan:news_detail", "news", "get", None, "member", 200),
            ("workplan:news_edit", "news", "get", None, "admin", 200),
            ("workplan:news_edit", "news", "post", NEWS, "admin", 302),
            ("workplan:news_delete", "news", "post", {}, "admin", 302),
            ("workplan:document_detail", "document", "get", None, "member", 200),
            ("workplan:document_download", "document", "get", None, "member", 200),
            ("workplan:document_edit", "document", "get", None, "admin", 200),
            (
                "workplan:document_edit",
                "document",
                "post",
                {"title": "Gekapert", "description": ""},
                "admin",
                302,
            ),
            ("workplan:document_delete", "document", "post", {}, "admin", 302),
            ("workplan:document_version_new", "document", "post", version_upload, "admin", 302),
        )
        for suffix, project, who in (("", OPEN, owner), ("-via-beta", BETA_PROJECT, None))
    ],
    Case(
        "document_version_download",
        "get",
        lambda w: reverse(
            "workplan:document_version_download",
            kwargs={"slug": "open", "pk": w["document"].pk, "number": 1},
        ),
        None,
        404,
        "member",
        200,
    ),
    # --- A's draft and confidential opportunities
    *[
        Case(f"{key}-{name}-{method}", method, url, data, 404, "member", allowed)
        for key in ("draft", "confidential")
        for name, method, url, data, allowed in (
            (
                "detail",
                "get",
                page("matchmaking:opportunity_detail", public_id=public_id(key)),
                None,
                200,
            ),
            (
                "edit",
                "get",
                page("matchmaking:opportunity_edit", public_id=public_id(key)),
                None,
                200,
            ),
            (
                "edit",
                "post",
                page("matchmaking:opportunity_edit", public_id=public_id(key)),
                opportunity_form,
                302,
            ),
            (
                "publish",
                "post",
                page("matchmaking:opportunity_publish", public_id=public_id(key)),
                {},
                302,
            ),
            (
                "close",
                "post",
                page("matchmaking:opportunity_close", public_id=public_id(key)),
                {},
                302,
            ),
            (
                "dismiss",
                "post",
                page("matchmaking:match_dismiss", public_id=public_id(key), slug=slug("gamma")),
                {},
                302,
            ),
        )
    ],
    *[
        Case(
            f"contact-about-{key}",
            "get",
            lambda w, key=key: (
                reverse("matchmaking:contact_request_create") + f"?opportunity={w[key].public_id}"
            ),
        )
        for key in ("draft", "confidential")
    ],
    Case(
        "forward-confidential",
        "get",
        page("matchmaking:opportunity_forward", public_id=public_id("confidential")),
        None,
        404,
        "staff",
        200,
    ),
    # --- the matches of A's visible opportunity: for its owner only
    *[
        Case(
            f"listed-{name}",
            "post",
            page(f"matchmaking:{name}", public_id=public_id("listed"), slug=slug("gamma")),
            data,
            403,
            "member",
            302,
        )
        for name, data in (
            ("match_dismiss", {}),
            ("match_restore", {}),
            ("match_outcome", {"outcome": "meeting"}),
        )
    ],
    Case(
        "listed-edit",
        "post",
        page("matchmaking:opportunity_edit", public_id=public_id("listed")),
        opportunity_form,
        403,
        "member",
        302,
    ),
    # --- A's conversation with gamma, and gamma's open request to A
    Case(
        "conversation",
        "get",
        page("matchmaking:contact_request_detail", public_id=public_id("conversation")),
        None,
        404,
        "member",
        200,
    ),
    Case(
        "message",
        "post",
        page("matchmaking:message_create", public_id=public_id("conversation")),
        {"text": "Eingeschleust"},
        404,
        "member",
        302,
    ),
    Case(
        "abuse_report",
        "post",
        page("matchmaking:abuse_report", public_id=public_id("conversation")),
        {"reason": "Spam"},
        404,
        "member",
        302,
    ),
    *[
        Case(
            name,
            "post",
            page(f"matchmaking:{name}", public_id=public_id("incoming")),
            data,
            404,
            owner,
            302,
        )
        for name, data, owner in (
            ("contact_request_accept", {}, "admin"),
            ("contact_request_decline", {"reason": "Nein"}, "member"),
            ("contact_request_withdraw", {}, "gamma_member"),
        )
    ],
    # --- one's own things: notifications, webhooks, API tokens
    Case(
        "notification-read",
        "post",
        page("notifications:mark_read", pk=pk("notification")),
        {},
        404,
        "member",
        302,
    ),
    *[
        Case(f"{name}-{method}", method, page(name, pk=pk("endpoint")), data, 404, "admin", allowed)
        for name, method, data, allowed in (
            ("notifications:webhook_detail", "get", None, 200),
            ("notifications:webhook_edit", "get", None, 200),
            ("notifications:webhook_edit", "post", {**WEBHOOK, "is_active": "on"}, 302),
            ("notifications:webhook_delete", "get", None, 200),
            ("notifications:webhook_delete", "post", {}, 302),
            ("notifications:webhook_rotate", "post", {}, 200),
            ("notifications:webhook_ping", "post", {}, 302),
        )
    ],
    Case(
        "api_token_revoke",
        "post",
        page("accounts:api_token_revoke", pk=pk("token")),
        {},
        404,
        "member",
        302,
    ),
]

JSON = "json"
API_CASES = [
    # --- organisations
    Case("pending", "get", api("organisations/delta/"), None, 404, "admin", 200),
    Case(
        "pending-patch", "patch", api("organisations/delta/"), {"city": "Bochum"}, 404, "admin", 200
    ),
    Case(
        "alpha-patch", "patch", api("organisations/alpha/"), {"city": "Bochum"}, 403, "admin", 200
    ),
    Case("pending-person", "get", lambda w: f"/api/v1/people/{w['pending_person'].pk}/"),
    # --- A's consortium-only project
    Case("project", "get", api("projects/{secret}/"), None, 404, "admin", 200),
    Case("project-by-slug", "get", api("projects/secret/"), None, 404, "admin", 200),
    Case(
        "project-patch",
        "patch",
        api("projects/{secret}/"),
        {"title_de": "Gekapert"},
        404,
        "admin",
        200,
    ),
    Case(
        "participation-add",
        "post",
        api("projects/{secret}/participations/"),
        {"organisation": "beta", "role": "partner"},
        404,
        "admin",
        201,
    ),
    Case(
        "participation-patch",
        "patch",
        api("projects/{secret}/participations/{participation}/"),
        {"budget_share": "10"},
        404,
        "admin",
        200,
    ),
    Case(
        "participation-patch-via-beta",
        "patch",
        api("projects/{beta}/participations/{participation}/"),
        {"budget_share": "10"},
        (404, 403),
    ),
    *[
        Case(
            f"{resource}-list",
            "get",
            api(f"projects/{{secret}}/{resource}/"),
            None,
            404,
            "admin",
            200,
        )
        for resource in ("work-packages", "milestones", "news", "documents")
    ],
    *[
        Case(
            f"{resource}-create",
            "post",
            api(f"projects/{{secret}}/{resource}/"),
            data,
            404,
            "admin",
            201,
        )
        for resource, data in (
            ("work-packages", PACKAGE),
            ("milestones", MILESTONE),
            ("news", {**NEWS, "published_at": "2025-03-02T10:30:00Z"}),
        )
    ],
    *[
        Case(
            f"{resource}-{method}{suffix}",
            method,
            api(f"projects/{{{project}}}/{resource}/{{{key}}}/"),
            data,
            404,
            who,
            allowed if who else None,
        )
        for resource, key, secret_project in (
            ("work-packages", "package", "secret"),
            ("milestones", "milestone", "secret"),
            ("news", "news", "public"),
            ("documents", "document", "public"),
        )
        for method, data, owner, allowed in (
            ("get", None, "member", 200),
            ("patch", {"title": "Gekapert"}, "admin", 200),
            ("delete", None, "admin", 204),
        )
        for suffix, project, who in (("", secret_project, owner), ("-via-beta", "beta", None))
    ],
    Case(
        "document-download",
        "get",
        api("projects/{public}/documents/{document}/download/"),
        None,
        404,
        "member",
        200,
    ),
    Case(
        "document-download-via-beta",
        "get",
        api("projects/{beta}/documents/{document}/download/"),
    ),
    Case(
        "document-version-upload",
        "post",
        api("projects/{public}/documents/{document}/versions/"),
        version_upload,
        404,
        "admin",
        201,
    ),
    # --- A's draft and confidential opportunities, and the matches of a visible one
    *[
        Case(
            f"{key}-{method}{suffix}",
            method,
            api(f"opportunities/{{{key}}}/{suffix}"),
            data,
            404,
            "member",
            allowed,
        )
        for key in ("draft", "confidential")
        for method, suffix, data, allowed in (
            ("get", "", None, 200),
            ("patch", "", {"title": "Gekapert"}, 200),
            ("delete", "", None, 204),
            ("get", "matches/", None, 200),
        )
    ],
    Case("listed-matches", "get", api("opportunities/{listed}/matches/"), None, 403, "member", 200),
    Case(
        "listed-patch",
        "patch",
        api("opportunities/{listed}/"),
        {"title": "Gekapert"},
        403,
        "member",
        200,
    ),
    Case("listed-delete", "delete", api("opportunities/{listed}/"), None, 403, "member", 204),
    # --- contact requests and their conversation
    Case("conversation", "get", api("contact-requests/{conversation}/"), None, 404, "member", 200),
    Case(
        "messages",
        "get",
        api("contact-requests/{conversation}/messages/"),
        None,
        404,
        "member",
        200,
    ),
    Case(
        "message-post",
        "post",
        api("contact-requests/{conversation}/messages/"),
        {"text": "Eingeschleust"},
        404,
        "member",
        201,
    ),
    Case("accept", "post", api("contact-requests/{incoming}/accept/"), {}, 404, "admin", 200),
    Case(
        "decline",
        "post",
        api("contact-requests/{incoming}/decline/"),
        {"reason": "Nein"},
        404,
        "member",
        200,
    ),
    Case(
        "withdraw",
        "post",
        api("contact-requests/{incoming}/withdraw/"),
        {},
        404,
        "gamma_member",
        200,
    ),
    # --- notifications, webhooks
    Case("notification", "get", api("notifications/{notification}/"), None, 404, "member", 200),
    Case(
        "notification-read",
        "post",
        api("notifications/{notification}/read/"),
        {},
        404,
        "member",
        200,
    ),
    Case("webhook", "get", api("webhooks/{endpoint}/"), None, 404, "admin", 200),
    Case(
        "webhook-put",
        "put",
        api("webhooks/{endpoint}/"),
        {**WEBHOOK, "is_active": True},
        404,
        "admin",
        200,
    ),
    Case(
        "webhook-patch",
        "patch",
        api("webhooks/{endpoint}/"),
        {"is_active": False},
        404,
        "admin",
        200,
    ),
    Case("webhook-delete", "delete", api("webhooks/{endpoint}/"), None, 404, "admin", 204),
    Case(
        "webhook-deliveries", "get", api("webhooks/{endpoint}/deliveries/"), None, 404, "admin", 200
    ),
    Case("webhook-ping", "post", api("webhooks/{endpoint}/ping/"), {}, 404, "admin", 202),
    Case(
        "webhook-rotate", "post", api("webhooks/{endpoint}/rotate-secret/"), {}, 404, "admin", 200
    ),
    Case(
        "webhook-create-for-alpha",
        "post",
        lambda w: "/api/v1/webhooks/",
        {**WEBHOOK, "organisation": "alpha"},
        403,
        "admin",
        201,
    ),
    # --- invitations and requests to join: the pending organisation (404), A's (403), A's
    # objects via beta (404 for B's admin, who manages beta; 403 for B's member, by role)
    Case(
        "pending-invitations",
        "get",
        api("organisations/delta/invitations/"),
        None,
        404,
        "admin",
        200,
    ),
    Case(
        "pending-invite",
        "post",
        api("organisations/delta/invitations/"),
        {"email": "x@delta.example"},
        404,
        "admin",
        201,
    ),
    Case(
        "pending-join-requests",
        "get",
        api("organisations/delta/join-requests/"),
        None,
        404,
        "admin",
        200,
    ),
    Case("invitations", "get", api("organisations/alpha/invitations/"), None, 403, "admin", 200),
    Case(
        "invite",
        "post",
        api("organisations/alpha/invitations/"),
        {"email": "x@alpha.example", "role": "admin"},
        403,
        "admin",
        201,
    ),
    *[
        Case(
            f"{resource}-{action}{suffix}",
            "post",
            api(f"organisations/{slug}/{resource}/{{{key}}}/{action}/"),
            {},
            denied,
            owner,
            200 if owner else None,
        )
        for resource, key, action in (
            ("invitations", "invitation", "resend"),
            ("invitations", "invitation", "revoke"),
            ("join-requests", "join_request", "approve"),
            ("join-requests", "join_request", "decline"),
        )
        for suffix, slug, denied, owner in (
            ("", "alpha", 403, "admin"),
            ("-via-beta", "beta", (404, 403), None),
        )
    ],
    # the invitee's and the requester's side: only theirs
    Case("invitation-accept", "post", api("invitations/{invitation}/accept/"), {}),
    Case("invitation-decline", "post", api("invitations/{invitation}/decline/"), {}),
    Case(
        "join-request-withdraw",
        "post",
        api("join-requests/{join_request}/withdraw/"),
        {},
        404,
        "gamma_member",
        200,
    ),
    # moderation is the cluster office's
    Case(
        "moderation-approve",
        "post",
        api("moderation/organisations/delta/approve/"),
        {},
        403,
        "staff",
        200,
    ),
    # one's own API tokens
    Case("token", "get", api("tokens/{token}/"), None, 404, "member", 200),
    Case("token-revoke", "post", api("tokens/{token}/revoke/"), {}, 404, "member", 200),
]


def send_page(client, user, case, world):
    client.logout()
    client.force_login(user)
    payload = case.payload(world)
    return getattr(client, case.method)(case.url(world), payload or {}).status_code


def send_api(api_client, user, case, world):
    api_client.force_authenticate(user)
    payload = case.payload(world)
    url = case.url(world)
    if case.method == "get":
        return api_client.get(url).status_code
    is_upload = isinstance(payload, dict) and "file" in payload
    response = getattr(api_client, case.method)(
        url, payload, format="multipart" if is_upload else JSON
    )
    return response.status_code


def _check(send, world, case):
    # given: the database as it was
    before = db_state()
    # when: B's admin and B's member send the request
    codes = [send(world[kind], case, world) for kind in B_USERS]
    # then: refused, as if missing, and nothing changed
    assert codes == case.denied_codes
    assert changed_tables(before, db_state()) == []
    # and the same request works for A's owner: the refusal is the permission check
    if case.owner is not None:
        assert send(world[case.owner], case, world) == case.allowed


@pytest.mark.parametrize("case", PAGE_CASES, ids=[case.id for case in PAGE_CASES])
def test_pages_hide_and_protect_another_organisations_objects(client, world, case):
    _check(lambda user, c, w: send_page(client, user, c, w), world, case)


@pytest.mark.parametrize("case", API_CASES, ids=[case.id for case in API_CASES])
def test_api_hides_and_protects_another_organisations_objects(api_client, world, case):
    _check(lambda user, c, w: send_api(api_client, user, c, w), world, case)


# --- hidden objects named in a payload answer exactly as missing ones -------------------------

MISSING_SLUG, MISSING_ID = "gibt-es-nicht", "00000000-0000-0000-0000-000000000000"
VALID_UNTIL = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def _opportunity(project):
    return {
        "organisation": "beta",
        "kind": "offer",
        "title": "Angebot",
        "description": "Beschreibung",
        "valid_until": VALID_UNTIL,
        "project": project,
    }


PAYLOAD_CASES = [
    # (id, url, payload with the hidden object, the same payload with a missing one)
    ("opportunity-project", lambda w: "/api/v1/opportunities/", _opportunity("secret"), None),
    (
        "participation-organisation",
        api("projects/{beta}/participations/"),
        {"organisation": "delta"},
        None,
    ),
    (
        "webhook-organisation",
        lambda w: "/api/v1/webhooks/",
        {**WEBHOOK, "organisation": "delta"},
        None,
    ),
    (
        "contact-request-receiver",
        lambda w: "/api/v1/contact-requests/",
        {"receiver_organisation": "delta", "message": "Hallo"},
        None,
    ),
    (
        "contact-request-sender",
        lambda w: "/api/v1/contact-requests/",
        {"receiver_organisation": "gamma", "sender_organisation": "delta", "message": "Hallo"},
        None,
    ),
    *[
        (
            f"contact-request-about-{key}",
            lambda w: "/api/v1/contact-requests/",
            lambda w, key=key: {
                "receiver_organisation": "alpha",
                "opportunity": str(w[key].public_id),
                "message": "Hallo",
            },
            {"receiver_organisation": "alpha", "opportunity": MISSING_ID, "message": "Hallo"},
        )
        for key in ("draft", "confidential")
    ],
]


def _with_missing(payload):
    """The payload with the hidden slug replaced by one that does not exist."""
    return {
        key: MISSING_SLUG if value in ("secret", "delta") else value
        for key, value in payload.items()
    }


@pytest.mark.parametrize(
    ("url", "hidden", "missing"),
    [case[1:] for case in PAYLOAD_CASES],
    ids=[case[0] for case in PAYLOAD_CASES],
)
def test_api_payload_naming_a_hidden_object_answers_as_if_missing(
    api_client, world, url, hidden, missing
):
    hidden = hidden(world) if callable(hidden) else hidden
    missing = missing or _with_missing(hidden)
    api_client.force_authenticate(world["other"])
    before = db_state()
    answers = [api_client.post(url(world), data, format="json") for data in (hidden, missing)]
    assert [answer.status_code for answer in answers] == [400, 400]
    # DRF echoes the slug it did not find: the answers are equal but for that
    echoed = answers[0].text
    for slug_ in ("delta", "secret"):
        echoed = echoed.replace(f"slug={slug_} ", f"slug={MISSING_SLUG} ")
    assert echoed == answers[1].text
    assert changed_tables(before, db_state()) == []


def test_blocking_a_hidden_organisation_answers_as_if_missing(client, world):
    client.force_login(world["other_member"])
    url = reverse("matchmaking:block_list")
    before = db_state()
    assert [client.post(url, {"organisation": s}).status_code for s in ("delta", MISSING_SLUG)] == [
        404,
        404,
    ]
    assert changed_tables(before, db_state()) == []
    # a visible organisation can be blocked
    assert client.post(url, {"organisation": "gamma"}).status_code == 302
    assert list(
        world["other_member"].blocks.values_list("blocked_organisation__slug", flat=True)
    ) == ["gamma"]


# --- what is visible shows no more than it should ---------------------------------------------


def test_unshared_contact_data_stays_hidden(client, api_client, world):
    member = world["member"]
    pages = [
        reverse("people:detail", kwargs={"pk": member.pk}),
        reverse("people:directory"),
        reverse("organisations:detail", kwargs={"slug": "alpha"}),
    ]
    for kind in B_USERS:
        client.force_login(world[kind])
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert member.full_name in response.text, url
            assert HIDDEN_EMAIL not in response.text, url
            assert HIDDEN_PHONE not in response.text, url
        api_client.force_authenticate(world[kind])
        person = api_client.get(f"/api/v1/people/{member.pk}/").json()
        assert (person["full_name"], person["email"], person["phone"]) == (
            member.full_name,
            None,
            None,
        )
        listed = api_client.get("/api/v1/people/?organisation=alpha").json()["results"]
        assert {p["id"]: (p["email"], p["phone"]) for p in listed}[member.pk] == (None, None)
    # the person themself sees their own data (the check above is not vacuous)
    client.force_login(member)
    assert HIDDEN_EMAIL in client.get(pages[0]).text


def test_a_visible_opportunity_shows_its_matches_only_to_its_owner(client, api_client, world):
    url = reverse("matchmaking:opportunity_detail", kwargs={"public_id": world["listed"].public_id})
    for kind in B_USERS:
        client.force_login(world[kind])
        response = client.get(url)
        assert response.status_code == 200
        assert "Offenes Angebot" in response.text
        assert "Gamma Wärme eG" not in response.text
        api_client.force_authenticate(world[kind])
        body = api_client.get(f"/api/v1/opportunities/{world['listed'].public_id}/").json()
        assert body["is_owner"] is False
    client.force_login(world["member"])
    assert "Gamma Wärme eG" in client.get(url).text


LISTS = [
    # (url, what must not appear for B's people but does for A's)
    ("/organisations/", "Delta Neugründung"),
    ("/projects/", "SECRET"),
    ("/opportunities/", "Entwurf Elektrolyse"),
    ("/opportunities/", "Vertrauliche Anfrage"),
    ("/contact-requests/?direction=in", "Gamma Wärme eG"),
    ("/contact-requests/?direction=out", "Gamma Wärme eG"),
    ("/notifications/webhooks/", "hooks.alpha.example"),
    ("/account/tokens/", "Alpha-CI-Token"),
    ("/api/v1/organisations/", "delta"),
    ("/api/v1/projects/", "SECRET"),
    ("/api/v1/projects/open/news/", "Interne Nachricht"),
    ("/api/v1/projects/open/documents/", "Internes Protokoll"),
    ("/api/v1/opportunities/", "Entwurf Elektrolyse"),
    ("/api/v1/opportunities/", "Vertrauliche Anfrage"),
    ("/api/v1/contact-requests/", "gamma"),
    ("/api/v1/webhooks/", "hooks.alpha.example"),
    ("/api/v1/tokens/", "Alpha-CI-Token"),
]


@pytest.mark.parametrize(("url", "needle"), LISTS, ids=[f"{u} {n}" for u, n in LISTS])
def test_lists_leave_out_another_organisations_hidden_objects(client, world, url, needle):
    for kind in B_USERS:
        client.force_login(world[kind])
        response = client.get(url)
        assert response.status_code == 200
        assert needle not in response.text, kind
    # A's side does see it there: the needle is right
    owner = (
        "member"
        if url.startswith(("/contact-requests", "/account", "/api/v1/contact", "/api/v1/tokens"))
        else "admin"
    )
    client.force_login(world[owner])
    assert needle in client.get(url).text


def test_people_lists_leave_out_a_pending_organisations_people(client, world):
    name = world["pending_person"].full_name
    for kind in B_USERS:
        client.force_login(world[kind])
        assert name not in client.get("/people/").text
        assert name not in client.get("/api/v1/people/").text


def test_preferences_change_only_ones_own(client, api_client, world):
    own = {"frequency": "off"}
    before = list(
        Preference.objects.filter(user=world["member"]).values_list("event_type", "frequency")
    )
    assert before == [("project.news", "weekly")]
    for kind in B_USERS:
        api_client.force_authenticate(world[kind])
        url = "/api/v1/notification-preferences/project.news/"
        assert api_client.put(url, own, format="json").status_code == 200
        assert api_client.patch(url, {"frequency": "daily"}, format="json").status_code == 200
        client.force_login(world[kind])
        response = client.get(reverse("notifications:preferences"))
        data = {key: field.initial for key, field in response.context["form"].fields.items()}
        data["project.news"] = "immediate"
        assert client.post(reverse("notifications:preferences"), data).status_code == 302
    after = list(
        Preference.objects.filter(user=world["member"]).values_list("event_type", "frequency")
    )
    assert after == before
    assert sorted(
        Preference.objects.filter(user__in=[world["other"], world["other_member"]]).values_list(
            "user__email", "frequency"
        )
    ) == sorted([(world["other"].email, "immediate"), (world["other_member"].email, "immediate")])

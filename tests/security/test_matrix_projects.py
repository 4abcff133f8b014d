"""Permission matrices of the project endpoints that had none: editing and deleting documents,
downloading a given version, and the API's writes on work packages, news, documents and
participations. Kinds: anonymous, the admin of another organisation, a member and the admin of
the coordinating organisation (not on the team), the project lead, staff."""

import pytest
from django.urls import reverse

from projects.models import Document, NewsPost, Participation, TeamMember, WorkPackage
from tests.factories import MembershipFactory, ParticipationFactory
from tests.projects.factories_workplan import (
    DocumentFactory,
    NewsPostFactory,
    TeamMemberFactory,
    WorkPackageFactory,
    add_version,
    make_project,
    pdf_bytes,
    upload,
    use_private_storage,
)
from tests.security.coverage import api_statuses, cast, changed_tables, db_state, page_statuses

__all__ = ["cast"]

COVERS = [
    "workplan:document_edit",
    "workplan:document_delete",
    "workplan:document_version_download",
    "v1_projects_work_packages_create",
    "v1_projects_work_packages_partial_update",
    "v1_projects_work_packages_destroy",
    "v1_projects_news_create",
    "v1_projects_news_partial_update",
    "v1_projects_news_destroy",
    "v1_projects_documents_partial_update",
    "v1_projects_documents_destroy",
    "v1_projects_documents_versions_create",
    "v1_projects_participations_partial_update",
]

KINDS = ("anonymous", "other", "member", "admin", "lead", "staff")
DENIED = ("anonymous", "other", "member", "admin")

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(monkeypatch, tmp_path):
    return use_private_storage(monkeypatch, tmp_path)


@pytest.fixture
def world(cast, storage):
    project = make_project(acronym="MATRIX", slug="matrix")
    ParticipationFactory(project=project, organisation=cast["org_a"], role="coordinator")
    lead = MembershipFactory(organisation=cast["org_a"]).user
    TeamMemberFactory(project=project, user=lead, role=TeamMember.Role.LEAD)
    document = DocumentFactory(project=project, is_public=True, title="Public report")
    add_version(document)
    add_version(document)
    internal = DocumentFactory(project=project, is_public=False, title="Internal report")
    add_version(internal)
    return {
        **cast,
        "lead": lead,
        "project": project,
        "document": document,
        "internal": internal,
        "package": WorkPackageFactory(project=project, number=1, title="Kept"),
        "post": NewsPostFactory(project=project, is_public=True, title="Kept"),
        "participation": Participation.objects.get(project=project),
    }


def page(name, world, **kwargs):
    return reverse(f"workplan:{name}", kwargs={"slug": world["project"].slug, **kwargs})


def api(world, resource, suffix=""):
    return f"/api/v1/projects/{world['project'].public_id}/{resource}/{suffix}"


def test_document_edit_and_delete_pages(client, world):
    for name in ("document_edit", "document_delete"):
        url = page(name, world, pk=world["document"].pk)
        assert page_statuses(client, world, "get", url, kinds=KINDS) == [
            302,
            403,
            403,
            403,
            200,
            200,
        ], name
    before = db_state()
    edit = page("document_edit", world, pk=world["document"].pk)
    data = {"title": "Changed", "description": "", "is_public": "on"}
    assert page_statuses(client, world, "post", edit, data, kinds=DENIED) == [302, 403, 403, 403]
    delete = page("document_delete", world, pk=world["document"].pk)
    assert page_statuses(client, world, "post", delete, kinds=DENIED) == [302, 403, 403, 403]
    assert changed_tables(before, db_state()) == []


def test_version_download_matrix(client, world):
    public = page("document_version_download", world, pk=world["document"].pk, number=1)
    assert page_statuses(client, world, "get", public, kinds=KINDS) == [200] * 6
    internal = page("document_version_download", world, pk=world["internal"].pk, number=1)
    assert page_statuses(client, world, "get", internal, kinds=KINDS) == [
        404,
        404,
        200,
        200,
        200,
        200,
    ]
    missing = page("document_version_download", world, pk=world["document"].pk, number=9)
    assert page_statuses(client, world, "get", missing, kinds=("staff",)) == [404]


@pytest.mark.parametrize(
    ("resource", "data", "model"),
    [
        (
            "work-packages",
            {"number": 2, "title": "New", "start_month": 1, "end_month": 2},
            WorkPackage,
        ),
        (
            "news",
            {"title": "New", "text": "Text", "published_at": "2025-03-01T10:00:00Z"},
            NewsPost,
        ),
    ],
)
def test_api_create_matrix(api_client, world, resource, data, model):
    before = db_state()
    assert api_statuses(api_client, world, "post", api(world, resource), data, DENIED) == [
        401,
        403,
        403,
        403,
    ]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "post", api(world, resource), data, ("lead",)) == [201]
    assert model.objects.filter(title="New").count() == 1


@pytest.mark.parametrize(
    ("resource", "key", "data"),
    [
        ("work-packages", "package", {"title": "Changed"}),
        ("news", "post", {"title": "Changed"}),
        ("documents", "document", {"title": "Changed"}),
    ],
)
def test_api_change_and_delete_matrix(api_client, world, resource, key, data):
    url = api(world, resource, f"{world[key].pk}/")
    before = db_state()
    assert api_statuses(api_client, world, "patch", url, data, DENIED) == [401, 403, 403, 403]
    assert api_statuses(api_client, world, "delete", url, None, DENIED) == [401, 403, 403, 403]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "patch", url, data, ("lead",)) == [200]
    assert api_statuses(api_client, world, "delete", url, None, ("staff",)) == [204]
    assert api_statuses(api_client, world, "get", url, None, ("staff",)) == [404]


def test_api_hidden_document_writes_are_404_for_outsiders(api_client, world):
    url = api(world, "documents", f"{world['internal'].pk}/")
    before = db_state()
    assert api_statuses(api_client, world, "patch", url, {"title": "X"}, ("other",)) == [404]
    assert api_statuses(api_client, world, "delete", url, None, ("other",)) == [404]
    assert changed_tables(before, db_state()) == []


def test_api_version_upload_matrix(api_client, world, storage):
    url = api(world, "documents", f"{world['document'].pk}/versions/")
    before = db_state()
    codes = []
    for kind in (*DENIED, "lead"):
        api_client.force_authenticate(world[kind])
        response = api_client.post(url, {"file": upload("v.pdf", pdf_bytes())}, format="multipart")
        codes.append(response.status_code)
    assert codes == [401, 403, 403, 403, 201]
    assert Document.objects.get(pk=world["document"].pk).versions.count() == 3
    after = db_state()
    # only the lead's upload changed something
    assert changed_tables(before, after) == [
        "projects.Document",
        "projects.DocumentVersion",
        "spinportal.AuditRecord",
    ]


def test_api_participation_update_matrix(api_client, world):
    url = f"/api/v1/projects/{world['project'].public_id}/participations/"
    url += f"{world['participation'].pk}/"
    before = db_state()
    assert api_statuses(api_client, world, "patch", url, {"budget_share": "10"}, DENIED) == [
        401,
        403,
        403,
        403,
    ]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "patch", url, {"budget_share": "10"}, ("lead",)) == [200]

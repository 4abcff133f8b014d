"""The work plan, news and documents API: permission matrix, validation in the one error format,
uploads checked by content, downloads, query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Document, DocumentVersion, Milestone, NewsPost, Project, WorkPackage
from spinportal.models import AuditRecord
from tests.projects.factories_workplan import (
    ACTORS,
    HTML_DOCUMENT,
    SVG_DOCUMENT,
    DocumentFactory,
    MilestoneFactory,
    NewsPostFactory,
    WorkPackageFactory,
    add_version,
    image_bytes,
    make_cast,
    make_project,
    pdf_bytes,
    stored_files,
    upload,
    use_private_storage,
)

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_projects_milestones_list",
    "v1_projects_milestones_retrieve",
    "v1_projects_milestones_create",
    "v1_projects_milestones_partial_update",
    "v1_projects_milestones_destroy",
    "v1_projects_work_packages_list",
    "v1_projects_work_packages_retrieve",
    "v1_projects_news_list",
    "v1_projects_news_retrieve",
    "v1_projects_documents_list",
    "v1_projects_documents_retrieve",
    "v1_projects_documents_download_retrieve",
    "v1_projects_documents_create",
]


@pytest.fixture
def storage(monkeypatch, tmp_path):
    return use_private_storage(monkeypatch, tmp_path)


@pytest.fixture
def project(db):
    return make_project(acronym="API", slug="api-project")


@pytest.fixture
def cast(project, organisation, org_member, other_partner, staff):
    return make_cast(project, organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(api_client, cast):
    def login(actor):
        api_client.logout()
        api_client.force_authenticate(cast[actor])
        return api_client

    return login


def base(project, resource):
    return f"/api/v1/projects/{project.public_id}/{resource}/"


def statuses(as_actor, method, url, data=None, actors=ACTORS, **extra):
    result = []
    for actor in actors:
        client = as_actor(actor)
        payload = data() if callable(data) else data
        response = getattr(client, method)(url, payload, **extra)
        result.append(response.status_code)
    return result


@pytest.mark.django_db
def test_read_matrix(as_actor, project, cast, storage):
    milestone = MilestoneFactory(project=project)
    package = WorkPackageFactory(project=project)
    public_post = NewsPostFactory(project=project, is_public=True)
    internal_post = NewsPostFactory(project=project, is_public=False)
    internal_document = DocumentFactory(project=project, is_public=False)
    add_version(internal_document)
    everyone = [200] * 5
    consortium = [404, 404, 200, 200, 200]
    assert statuses(as_actor, "get", base(project, "milestones")) == everyone
    assert statuses(as_actor, "get", base(project, "milestones") + f"{milestone.pk}/") == everyone
    assert statuses(as_actor, "get", base(project, "work-packages") + f"{package.pk}/") == everyone
    assert statuses(as_actor, "get", base(project, "news") + f"{public_post.pk}/") == everyone
    assert statuses(as_actor, "get", base(project, "news") + f"{internal_post.pk}/") == consortium
    document = base(project, "documents") + f"{internal_document.pk}/"
    assert statuses(as_actor, "get", document) == consortium
    assert statuses(as_actor, "get", document + "download/") == consortium
    # a consortium-only project does not exist for outsiders
    Project.objects.filter(pk=project.pk).update(visibility=Project.Visibility.CONSORTIUM)
    for resource in ["milestones", "work-packages", "news", "documents"]:
        assert statuses(as_actor, "get", base(project, resource)) == consortium, resource


@pytest.mark.django_db
def test_project_by_slug_and_unknown_project(as_actor, project, cast):
    assert as_actor("anonymous").get("/api/v1/projects/api-project/milestones/").status_code == 200
    response = as_actor("anonymous").get("/api/v1/projects/nope/milestones/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
def test_news_list_shows_public_posts_to_outsiders(as_actor, project, cast):
    NewsPostFactory(project=project, title="Open", is_public=True, text="**bold**")
    NewsPostFactory(project=project, title="Closed", is_public=False)
    outsider = as_actor("other_partner").get(base(project, "news")).json()
    assert [post["title"] for post in outsider["results"]] == ["Open"]
    assert outsider["results"][0]["text_html"] == "<p><strong>bold</strong></p>"
    member = as_actor("member").get(base(project, "news")).json()
    assert sorted(post["title"] for post in member["results"]) == ["Closed", "Open"]


@pytest.mark.django_db
def test_write_matrix_and_denials_change_nothing(as_actor, project, cast):
    milestone = MilestoneFactory(project=project, title="Kept")
    data = {"title": "New", "due_date": "2026-05-01"}
    actors = ["anonymous", "other_partner", "member"]
    assert statuses(as_actor, "post", base(project, "milestones"), data, actors=actors) == [
        401,
        403,
        403,
    ]
    detail = base(project, "milestones") + f"{milestone.pk}/"
    assert statuses(as_actor, "patch", detail, {"status": "done"}, actors=actors) == [
        401,
        403,
        403,
    ]
    assert statuses(as_actor, "delete", detail, actors=actors) == [401, 403, 403]
    assert list(Milestone.objects.values_list("title", "status")) == [("Kept", "open")]
    assert AuditRecord.objects.count() == 0
    # the team and staff may
    assert statuses(
        as_actor, "post", base(project, "milestones"), data, actors=["lead", "staff"], format="json"
    ) == [201, 201]


@pytest.mark.django_db
def test_milestone_created_and_completed(as_actor, project, cast, organisation):
    package = WorkPackageFactory(project=project, number=1)
    client = as_actor("lead")
    response = client.post(
        base(project, "milestones"),
        {
            "kind": "deliverable",
            "title": "D1.1 Requirements",
            "due_date": "2025-02-01",
            "work_package": package.pk,
            "responsible_organisation": organisation.slug,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    milestone = Milestone.objects.get()
    today = timezone.localdate()
    assert body == {
        "id": milestone.pk,
        "kind": "deliverable",
        "title": "D1.1 Requirements",
        "due_date": "2025-02-01",
        "work_package": package.pk,
        "responsible_organisation": organisation.slug,
        "status": "open",
        "is_overdue": today > dt.date(2025, 2, 1),
        "state": "overdue" if today > dt.date(2025, 2, 1) else "open",
    }
    response = client.patch(
        base(project, "milestones") + f"{milestone.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["state"]) == ("done", "done")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"title": "Late", "due_date": "2028-01-01"},
            {
                "due_date": [
                    "The due date must lie within the project period (01/01/2025 to 31/12/2027)."
                ]
            },
        ),
        ({"title": "No date"}, {"due_date": ["This field is required."]}),
    ],
)
def test_milestone_validation_in_the_error_format(as_actor, project, cast, data, errors):
    response = as_actor("lead").post(base(project, "milestones"), data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "detail": "The request contains invalid data.",
        "errors": errors,
    }
    assert Milestone.objects.count() == 0


@pytest.mark.django_db
def test_milestone_work_package_of_another_project_is_refused(as_actor, project, cast):
    foreign = WorkPackageFactory(project=make_project(acronym="F", slug="f"))
    response = as_actor("lead").post(
        base(project, "milestones"),
        {"title": "X", "due_date": "2026-01-01", "work_package": foreign.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "work_package": ["The work package belongs to another project."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("months", "errors"),
    [
        (
            {"start_month": 10, "end_month": 3},
            {"end_month": ["The end month must not be before the start month."]},
        ),
        (
            {"start_month": 1, "end_month": 48},
            {"end_month": ["The project lasts 36 months; month 48 is outside its duration."]},
        ),
    ],
)
def test_work_package_months_in_the_error_format(as_actor, project, cast, months, errors):
    response = as_actor("lead").post(
        base(project, "work-packages"), {"number": 1, "title": "WP", **months}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert WorkPackage.objects.count() == 0


@pytest.mark.django_db
def test_work_package_crud(as_actor, project, cast, organisation):
    client = as_actor("lead")
    response = client.post(
        base(project, "work-packages"),
        {
            "number": 1,
            "title": "Management",
            "lead_organisation": organisation.slug,
            "start_month": 1,
            "end_month": 36,
        },
        format="json",
    )
    assert response.status_code == 201
    package_id = response.json()["id"]
    response = client.patch(
        base(project, "work-packages") + f"{package_id}/", {"end_month": 30}, format="json"
    )
    assert (response.status_code, response.json()["end_month"]) == (200, 30)
    response = client.delete(base(project, "work-packages") + f"{package_id}/")
    assert response.status_code == 204
    assert WorkPackage.objects.count() == 0


@pytest.mark.django_db
def test_news_created_through_the_api(as_actor, project, cast):
    response = as_actor("lead").post(
        base(project, "news"),
        {"title": "Hello", "text": "Hi", "published_at": "2026-01-01T10:00:00+01:00"},
        format="json",
    )
    assert response.status_code == 201
    post = NewsPost.objects.get()
    assert (post.title, post.is_public, post.published_at) == (
        "Hello",
        False,
        dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC),
    )


# --- documents ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_document_upload_and_versions(as_actor, project, cast, storage):
    client = as_actor("lead")
    response = client.post(
        base(project, "documents"),
        {"title": "Plan", "is_public": "true", "file": upload("plan.pdf", pdf_bytes("v1"))},
        format="multipart",
    )
    assert response.status_code == 201
    document = Document.objects.get()
    body = response.json()
    assert (body["title"], body["is_public"]) == ("Plan", True)
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["versions"][0]["original_name"] == "plan.pdf"
    assert body["versions"][0]["download_url"] == (
        f"http://testserver/api/v1/projects/{project.public_id}/documents/{document.pk}/"
        "download/?version=1"
    )
    # a second version
    response = client.post(
        base(project, "documents") + f"{document.pk}/versions/",
        {"file": upload("plan-2.pdf", pdf_bytes("v2"))},
        format="multipart",
    )
    assert response.status_code == 201
    assert [v["number"] for v in response.json()["versions"]] == [2, 1]
    # downloads, the latest by default, as attachments that are never sniffed
    download = base(project, "documents") + f"{document.pk}/download/"
    latest = as_actor("anonymous").get(download)
    assert latest.status_code == 200
    assert latest["Content-Disposition"] == 'attachment; filename="plan-2.pdf"'
    assert latest["X-Content-Type-Options"] == "nosniff"
    assert b"".join(latest.streaming_content) == pdf_bytes("v2")
    first = as_actor("anonymous").get(download, {"version": 1})
    assert b"".join(first.streaming_content) == pdf_bytes("v1")
    assert as_actor("anonymous").get(download, {"version": 3}).status_code == 404
    assert len(stored_files(storage)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            HTML_DOCUMENT,
            "The file was refused. Its content is an HTML document, which may contain scripts.",
        ),
        (
            "logo.png",
            SVG_DOCUMENT,
            "The file was refused. Its content is an SVG document, which may contain scripts.",
        ),
        (
            "photo.pdf",
            image_bytes("JPEG"),
            "The file was refused: its name says .pdf but its content is a JPEG image.",
        ),
    ],
)
def test_hostile_api_upload_is_refused(as_actor, project, cast, storage, name, content, message):
    response = as_actor("lead").post(
        base(project, "documents"),
        {"title": "Plan", "file": upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": [message]}
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(storage) == []


@pytest.mark.django_db
def test_oversize_api_upload_is_refused(as_actor, project, cast, storage, settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = 2048
    response = as_actor("lead").post(
        base(project, "documents"),
        {"title": "Big", "file": upload("big.pdf", pdf_bytes() + b"0" * 4096)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "file": ["The file is 0.0 MB; documents may be at most 0 MB."]
    }
    assert stored_files(storage) == []


@pytest.mark.django_db
def test_denied_api_upload_stores_nothing(as_actor, project, cast, storage):
    result = statuses(
        as_actor,
        "post",
        base(project, "documents"),
        lambda: {"title": "X", "file": upload("x.pdf", pdf_bytes())},
        actors=["anonymous", "other_partner", "member"],
        format="multipart",
    )
    assert result == [401, 403, 403]
    assert Document.objects.count() == 0
    assert stored_files(storage) == []


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_milestones_list_query_count_is_constant(
    api_client, project, django_assert_num_queries, count
):
    package = WorkPackageFactory(project=project)
    for _ in range(count):
        MilestoneFactory(project=project, work_package=package)
    # project, count, page (with work package and organisation joined)
    with django_assert_num_queries(3):
        response = api_client.get(base(project, "milestones"))
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_documents_list_query_count_is_constant(
    as_actor, project, cast, storage, django_assert_num_queries, count
):
    for number in range(count):
        add_version(DocumentFactory(project=project, is_public=number % 2 == 0))
    client = as_actor("member")
    # project, organisations, the user's projects (one UNION), count, page, versions
    with django_assert_num_queries(6):
        response = client.get(base(project, "documents"))
    assert response.json()["count"] == count

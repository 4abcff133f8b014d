"""Project documents: permission matrix, uploads checked by content, versions, downloads."""

import pytest
from django.conf import settings
from django.urls import reverse

from projects.models import Document, DocumentVersion, Project
from projects.services import content as content_services
from projects.uploads import check_upload
from spinportal.models import AuditRecord
from tests.projects.factories_workplan import (
    HTML_DOCUMENT,
    SVG_DOCUMENT,
    WINDOWS_PROGRAM,
    DocumentFactory,
    NewsPostFactory,
    add_version,
    as_actor_factory,
    docx_bytes,
    image_bytes,
    make_cast,
    make_project,
    odt_bytes,
    pdf_bytes,
    statuses,
    stored_files,
    upload,
    use_private_storage,
)

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "workplan:document_list",
    "workplan:document_detail",
    "workplan:document_download",
    "workplan:document_new",
    "workplan:document_version_new",
]


@pytest.fixture
def storage(monkeypatch, tmp_path):
    return use_private_storage(monkeypatch, tmp_path)


@pytest.fixture
def project(db):
    return make_project(acronym="DOCS", slug="docs")


@pytest.fixture
def cast(project, organisation, org_member, other_partner, staff):
    return make_cast(project, organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(client, cast):
    return as_actor_factory(client, cast)


@pytest.fixture
def internal_document(project, storage):
    document = DocumentFactory(project=project, title="Internal report", is_public=False)
    add_version(document, pdf_bytes("internal"), name="internal.pdf")
    return document


@pytest.fixture
def public_document(project, storage):
    document = DocumentFactory(project=project, title="Public flyer", is_public=True)
    add_version(document, pdf_bytes("public"), name="flyer.pdf")
    return document


def url(name, project, **kwargs):
    return reverse(f"workplan:{name}", kwargs={"slug": project.slug, **kwargs})


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_document_list_shows_public_documents_to_everyone_internal_to_consortium(
    as_actor, project, internal_document, public_document
):
    listed = {}
    for actor in ["anonymous", "other_partner", "member", "lead", "staff"]:
        response = as_actor(actor).get(url("document_list", project))
        assert response.status_code == 200
        listed[actor] = [d.title for d in response.context["documents"]]
    assert listed == {
        "anonymous": ["Public flyer"],
        "other_partner": ["Public flyer"],
        "member": ["Internal report", "Public flyer"],
        "lead": ["Internal report", "Public flyer"],
        "staff": ["Internal report", "Public flyer"],
    }


@pytest.mark.django_db
def test_document_detail_and_download_matrix(as_actor, project, internal_document, public_document):
    internal = {"pk": internal_document.pk}
    public = {"pk": public_document.pk}
    assert statuses(as_actor, "get", url("document_detail", project, **internal)) == [
        404,
        404,
        200,
        200,
        200,
    ]
    assert statuses(as_actor, "get", url("document_download", project, **internal)) == [
        404,
        404,
        200,
        200,
        200,
    ]
    assert statuses(as_actor, "get", url("document_detail", project, **public)) == [200] * 5
    assert statuses(as_actor, "get", url("document_download", project, **public)) == [200] * 5
    assert (
        statuses(as_actor, "get", url("document_version_download", project, number=2, **public))
        == [404] * 5
    )


@pytest.mark.django_db
def test_consortium_project_documents_hidden_from_outsiders(as_actor, project, public_document):
    Project.objects.filter(pk=project.pk).update(visibility=Project.Visibility.CONSORTIUM)
    pk = {"pk": public_document.pk}
    expected = [404, 404, 200, 200, 200]
    assert statuses(as_actor, "get", url("document_list", project)) == expected
    assert statuses(as_actor, "get", url("document_download", project, **pk)) == expected


@pytest.mark.django_db
def test_document_of_another_project_is_404(as_actor, project, storage):
    # given a public document of another project
    other = make_project(acronym="OTHER", slug="other")
    document = DocumentFactory(project=other, is_public=True)
    add_version(document)
    # when it is asked for under this project's address, then it is not found
    assert statuses(as_actor, "get", url("document_download", project, pk=document.pk)) == [404] * 5


@pytest.mark.django_db
def test_download_headers(as_actor, project, internal_document):
    response = as_actor("member").get(url("document_download", project, pk=internal_document.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="internal.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == pdf_bytes("internal")


@pytest.mark.django_db
def test_files_are_stored_outside_the_public_media_root(project, internal_document, storage):
    version = internal_document.versions.get()
    assert version.file.name.startswith(f"documents/{project.pk}/")
    assert "internal" not in version.file.name  # the uploaded name is not reused
    assert stored_files(storage) == [version.file.name]
    media_root = settings.MEDIA_ROOT.resolve()
    assert not storage.path(version.file.name).startswith(str(media_root))


def test_configured_private_root_is_not_under_media_root():
    private = settings.STORAGES["private"]["OPTIONS"]["location"].resolve()
    assert settings.STORAGES["private"]["OPTIONS"]["base_url"] is None
    assert not private.is_relative_to(settings.MEDIA_ROOT.resolve())


# --- uploading ----------------------------------------------------------------------------------


def new_document_data(name="report.pdf", content=None, **fields):
    return {
        "title": "Annual report",
        "description": "For the funder.",
        "file": upload(name, pdf_bytes() if content is None else content),
        **fields,
    }


@pytest.mark.django_db
def test_upload_page_matrix(as_actor, project, storage):
    assert statuses(as_actor, "get", url("document_new", project)) == [302, 403, 403, 200, 200]


@pytest.mark.django_db
def test_denied_uploads_change_nothing(as_actor, project, storage):
    result = statuses(
        as_actor,
        "post",
        url("document_new", project),
        new_document_data,
        actors=["anonymous", "other_partner", "member"],
    )
    assert result == [302, 403, 403]
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(storage) == []
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_lead_uploads_a_document(as_actor, cast, project, storage):
    # when the lead uploads a PDF
    response = as_actor("lead").post(url("document_new", project), new_document_data())
    # then the document, its first version, the file and an audit row exist
    assert response.status_code == 302
    assert response["Location"] == url("document_list", project)
    document = Document.objects.get()
    assert (document.title, document.is_public, document.created_by) == (
        "Annual report",
        False,
        cast["lead"],
    )
    version = document.versions.get()
    assert (version.number, version.original_name, version.content_type, version.size) == (
        1,
        "report.pdf",
        "application/pdf",
        len(pdf_bytes()),
    )
    assert len(version.sha256) == 64
    assert stored_files(storage) == [version.file.name]
    audit = AuditRecord.objects.get()
    assert (audit.action, audit.actor, audit.target_id) == (
        "document.uploaded",
        cast["lead"],
        str(document.pk),
    )


HOSTILE = [
    pytest.param(
        "report.pdf",
        HTML_DOCUMENT,
        "The file was refused. Its content is an HTML document, which may contain scripts.",
        id="html-renamed-pdf",
    ),
    pytest.param(
        "picture.png",
        SVG_DOCUMENT,
        "The file was refused. Its content is an SVG document, which may contain scripts.",
        id="svg-renamed-png",
    ),
    pytest.param(
        "setup.pdf",
        WINDOWS_PROGRAM,
        "The file was refused. Its content is a Windows program.",
        id="exe-renamed-pdf",
    ),
    pytest.param(
        "report.pdf",
        image_bytes("PNG"),
        "The file was refused: its name says .pdf but its content is a PNG image.",
        id="png-named-pdf",
    ),
    pytest.param(
        "letter.docx",
        docx_bytes(macros=True),
        "The file was refused: it contains macros.",
        id="docx-with-macros",
    ),
    pytest.param(
        "report.pdf",
        b"%PDF-1.4\nno end",
        "The file was refused: the PDF is truncated (no end marker).",
        id="truncated-pdf",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_hostile_upload_is_refused_with_the_reason(
    as_actor, project, storage, name, content, message
):
    response = as_actor("lead").post(url("document_new", project), new_document_data(name, content))
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(storage) == []
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_oversize_upload_is_refused(as_actor, project, storage, settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = 1024 * 1024
    content = pdf_bytes() + b"0" * (1024 * 1024)
    response = as_actor("lead").post(
        url("document_new", project), new_document_data("big.pdf", content)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["The file is 1.0 MB; documents may be at most 1 MB."]
    }
    assert Document.objects.count() == 0
    assert stored_files(storage) == []


@pytest.mark.django_db
def test_missing_title_stores_no_file(as_actor, project, storage):
    response = as_actor("lead").post(url("document_new", project), new_document_data(title=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["This field is required."]}
    assert stored_files(storage) == []


@pytest.mark.django_db
def test_failure_after_writing_the_file_removes_it(cast, project, storage, monkeypatch):
    # given the audit write fails after the file has been stored
    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(content_services, "audit", broken_audit)
    checked = check_upload(upload("report.pdf", pdf_bytes()))
    # when the lead uploads, then the error propagates and nothing is left
    with pytest.raises(RuntimeError):
        content_services.document_create(
            actor=cast["lead"], project=project, title="Report", upload=checked
        )
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(storage) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("a.pdf", pdf_bytes(), "application/pdf"),
        ("a.PNG", image_bytes("PNG"), "image/png"),
        ("a.jpeg", image_bytes("JPEG"), "image/jpeg"),
        ("a.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("a.webp", image_bytes("WEBP"), "image/webp"),
        (
            "a.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("a.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_accepted_formats_are_recognised_by_content(name, content, content_type):
    checked = check_upload(upload(name, content, content_type="application/octet-stream"))
    assert (checked.content_type, checked.size, checked.original_name) == (
        content_type,
        len(content),
        name,
    )


def test_upload_name_is_reduced_to_a_safe_base_name():
    checked = check_upload(upload("../../etc/\x00evil\n.pdf", pdf_bytes()))
    assert checked.original_name == "evil.pdf"


# --- versions, editing, deleting -----------------------------------------------------------------


@pytest.mark.django_db
def test_new_version_becomes_the_download(as_actor, project, internal_document, storage):
    client = as_actor("lead")
    # when the lead uploads a second version
    response = client.post(
        url("document_version_new", project, pk=internal_document.pk),
        {"file": upload("internal-v2.pdf", pdf_bytes("second"))},
    )
    assert response.status_code == 302
    # then the latest download is version 2, version 1 stays available
    assert list(internal_document.versions.values_list("number", flat=True)) == [2, 1]
    latest = client.get(url("document_download", project, pk=internal_document.pk))
    assert b"".join(latest.streaming_content) == pdf_bytes("second")
    first = client.get(url("document_version_download", project, pk=internal_document.pk, number=1))
    assert b"".join(first.streaming_content) == pdf_bytes("internal")
    assert len(stored_files(storage)) == 2


@pytest.mark.django_db
def test_version_upload_matrix_and_denials_change_nothing(
    as_actor, project, internal_document, public_document, storage
):
    page = url("document_version_new", project, pk=public_document.pk)
    assert statuses(as_actor, "get", page) == [302, 403, 403, 200, 200]
    hidden = url("document_version_new", project, pk=internal_document.pk)
    assert statuses(as_actor, "get", hidden) == [302, 404, 403, 200, 200]
    result = statuses(
        as_actor,
        "post",
        page,
        lambda: {"file": upload("x.pdf", pdf_bytes())},
        actors=["anonymous", "other_partner", "member"],
    )
    assert result == [302, 403, 403]
    assert DocumentVersion.objects.count() == 2


@pytest.mark.django_db
def test_edit_makes_a_document_public(as_actor, project, internal_document):
    edit = url("document_edit", project, pk=internal_document.pk)
    assert statuses(as_actor, "get", edit) == [302, 404, 403, 200, 200]
    response = as_actor("lead").post(
        edit, {"title": "Report 2025", "description": "", "is_public": "on"}
    )
    assert response.status_code == 302
    internal_document.refresh_from_db()
    assert (internal_document.title, internal_document.is_public) == ("Report 2025", True)
    assert (
        as_actor("anonymous")
        .get(url("document_download", project, pk=internal_document.pk))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_delete_removes_rows_and_files_after_commit(
    as_actor, project, internal_document, storage, django_capture_on_commit_callbacks
):
    delete = url("document_delete", project, pk=internal_document.pk)
    assert statuses(as_actor, "post", delete, actors=["anonymous", "other_partner", "member"]) == [
        302,
        404,
        403,
    ]
    assert Document.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = as_actor("lead").post(delete)
    assert response.status_code == 302
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(storage) == []
    assert AuditRecord.objects.get().action == "document.deleted"


@pytest.mark.django_db
def test_partials_on_the_work_plan_page(as_actor, project, internal_document, public_document):
    # given news for the consortium only
    NewsPostFactory(project=project, title="Internal news", is_public=False)
    download = url("document_download", project, pk=internal_document.pk)
    page = url("overview", project)
    # the consortium sees the internal document and news, with the upload link for the team
    lead = as_actor("lead").get(page).content.decode()
    assert f'href="{download}"' in lead
    assert "Internal news" in lead
    assert f'href="{url("document_new", project)}"' in lead
    # outsiders see neither, and no upload link
    outsider = as_actor("other_partner").get(page).content.decode()
    assert f'href="{download}"' not in outsider
    assert "Internal news" not in outsider
    assert f'href="{url("document_new", project)}"' not in outsider
    assert "Public flyer" in outsider

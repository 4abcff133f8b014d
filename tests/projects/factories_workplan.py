"""Factories and helpers for work plan, news and document tests: rows, files as bytes, actors."""

import datetime as dt
import io
import os
import zipfile

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from projects.models import (
    Document,
    DocumentVersion,
    Milestone,
    NewsPost,
    Project,
    TeamMember,
    WorkPackage,
)
from tests.factories import (
    MembershipFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)

PROJECT_START = dt.date(2025, 1, 1)
PROJECT_END = dt.date(2027, 12, 31)
ACTORS = ["anonymous", "other_partner", "member", "lead", "staff"]


def use_private_storage(monkeypatch, tmp_path) -> FileSystemStorage:
    """Points the document storage at a temporary directory (the field holds its own
    instance, so overriding settings.STORAGES alone would not reach it)."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(DocumentVersion._meta.get_field("file"), "storage", storage)
    return storage


def stored_files(storage: FileSystemStorage) -> list[str]:
    root = storage.path("")
    if not os.path.isdir(root):
        return []
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMember.Role.MEMBER


class WorkPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPackage

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Work package {n}")
    start_month = 1
    end_month = 12


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = dt.date(2026, 6, 30)
    status = Milestone.Status.OPEN


class NewsPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsPost

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"News {n}")
    text = "Some **news**."
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    is_public = False


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    is_public = False


def add_version(document: Document, content: bytes | None = None, name: str = "report.pdf"):
    content = content if content is not None else pdf_bytes()
    version = DocumentVersion(
        document=document,
        number=(document.versions.count() + 1),
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
    version.file.save(name, ContentFile(content), save=False)
    version.save()
    return version


# --- files ------------------------------------------------------------------------------------


def pdf_bytes(text: str = "Hello") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def image_bytes(image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 90, 170)).save(buffer, image_format)
    return buffer.getvalue()


def docx_bytes(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00\x01")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


HTML_DOCUMENT = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_DOCUMENT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


# --- the cast -----------------------------------------------------------------------------------


def make_project(**fields) -> Project:
    return ProjectFactory(
        start_date=PROJECT_START,
        end_date=PROJECT_END,
        visibility=fields.pop("visibility", Project.Visibility.PUBLIC),
        **fields,
    )


def make_cast(project, organisation, org_member, other_partner, staff) -> dict:
    """The permission matrix's people for `project`: `organisation` takes part (so its member is
    in the consortium), the lead is on the team."""
    ParticipationFactory(project=project, organisation=organisation, role="coordinator")
    lead = MembershipFactory(organisation=organisation).user
    TeamMemberFactory(project=project, user=lead, role=TeamMember.Role.LEAD)
    return {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "lead": lead,
        "staff": staff,
    }


def as_actor_factory(client, cast):
    def login(actor):
        client.logout()
        if cast[actor] is not None:
            client.force_login(cast[actor])
        return client

    return login


def statuses(as_actor, method, url, data=None, actors=ACTORS, **extra):
    result = []
    for actor in actors:
        client = as_actor(actor)
        if method == "post":
            payload = data() if callable(data) else (data or {})
            response = client.post(url, payload, **extra)
        else:
            response = client.get(url, **extra)
        result.append(response.status_code)
    return result

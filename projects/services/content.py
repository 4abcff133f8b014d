"""Writes on project news and documents. Team members and staff only; every write is audited.

Files: a service accepts only a `CheckedUpload` (projects/uploads.py: size and type checked by
content). It validates the rows first, writes the file last, and removes the file again when
anything after that fails, so that a refused or failed upload leaves neither rows nor files.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from projects.models import Document, DocumentVersion, NewsPost, Project
from projects.notifications import news_posted
from projects.permissions import can_contribute
from projects.uploads import CheckedUpload
from spinportal.audit import audit
from spinportal.updates import model_update

NEWS_FIELDS = ("title", "text", "published_at", "is_public")
DOCUMENT_FIELDS = ("title", "description", "is_public")


def _require_contributor(actor, project: Project) -> None:
    if not can_contribute(actor, project):
        raise PermissionDenied(_("Only the project team may publish news and documents."))


def _check_fields(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _validate(instance, exclude: list[str]) -> None:
    instance.full_clean(exclude=exclude, validate_constraints=False, validate_unique=False)


# --- news -------------------------------------------------------------------------------------


@transaction.atomic
def news_post_create(
    *,
    actor,
    project: Project,
    title: str,
    text: str,
    published_at: dt.datetime,
    is_public: bool = False,
) -> NewsPost:
    """Publishes a news post (Markdown, sanitised when shown); consortium-only unless public."""
    _require_contributor(actor, project)
    post = NewsPost(
        project=project,
        title=(title or "").strip(),
        text=text,
        published_at=published_at,
        is_public=is_public,
        author=actor,
    )
    _validate(post, exclude=["project", "author"])
    post.save()
    audit(actor=actor, action="news.created", target=post, project=project.pk, public=is_public)

    news_posted(post)
    return post


def _stripped_title(changes: dict) -> dict:
    if "title" in changes:
        return {**changes, "title": changes["title"].strip()}
    return changes


@transaction.atomic
def news_post_update(*, actor, post: NewsPost, **changes) -> NewsPost:
    _require_contributor(actor, post.project)
    _check_fields(changes, NEWS_FIELDS)
    row = NewsPost.objects.select_for_update().get(pk=post.pk)
    model_update(
        actor=actor,
        instance=row,
        data=_stripped_title(changes),
        action="news.updated",
        validate=lambda news: _validate(news, exclude=["project", "author"]),
    )
    return row


@transaction.atomic
def news_post_delete(*, actor, post: NewsPost) -> None:
    _require_contributor(actor, post.project)
    audit(actor=actor, action="news.deleted", target=post, project=post.project_id)
    post.delete()


# --- documents --------------------------------------------------------------------------------


def _private_storage():
    # The field's own storage (the "private" one), so that tests can point it elsewhere.
    return DocumentVersion._meta.get_field("file").storage


def _store_version(
    *, actor, document: Document, upload: CheckedUpload, number: int
) -> DocumentVersion:
    """Writes the file, then the row. The caller removes the file if the transaction fails."""
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_by=actor,
    )
    upload.file.seek(0)
    version.file.save(upload.original_name, upload.file, save=False)
    return version


def _with_file_cleanup(write):
    """Runs `write(written)` in a transaction; files whose names were appended to `written`
    are deleted when it fails. (Django has no rollback hook, so the service owns the block.)"""
    written: list[str] = []
    try:
        with transaction.atomic():
            return write(written)
    except BaseException:
        storage = _private_storage()
        for name in written:
            storage.delete(name)
        raise


def document_create(
    *,
    actor,
    project: Project,
    title: str,
    upload: CheckedUpload,
    description: str = "",
    is_public: bool = False,
) -> Document:
    """Creates a document with its first version. Consortium-only unless `is_public`."""
    _require_contributor(actor, project)
    if not isinstance(upload, CheckedUpload):
        raise TypeError("upload must be checked by projects.uploads.check_upload")
    document = Document(
        project=project,
        title=(title or "").strip(),
        description=description,
        is_public=is_public,
        created_by=actor,
    )
    _validate(document, exclude=["project", "created_by"])

    def write(written: list[str]) -> Document:
        document.save()
        version = _store_version(actor=actor, document=document, upload=upload, number=1)
        written.append(version.file.name)
        version.save()
        audit(
            actor=actor,
            action="document.uploaded",
            target=document,
            project=project.pk,
            version=1,
            sha256=upload.sha256,
            size=upload.size,
            content_type=upload.content_type,
            public=is_public,
        )
        return document

    return _with_file_cleanup(write)


def document_version_add(*, actor, document: Document, upload: CheckedUpload) -> DocumentVersion:
    """Adds the next version of a document (numbers count up from 1, never reused)."""
    _require_contributor(actor, document.project)
    if not isinstance(upload, CheckedUpload):
        raise TypeError("upload must be checked by projects.uploads.check_upload")

    def write(written: list[str]) -> DocumentVersion:
        row = Document.objects.select_for_update().get(pk=document.pk)
        latest = row.versions.aggregate(latest=Max("number"))["latest"] or 0
        version = _store_version(actor=actor, document=row, upload=upload, number=latest + 1)
        written.append(version.file.name)
        version.save()
        row.save(update_fields=["updated_at"])
        audit(
            actor=actor,
            action="document.version_uploaded",
            target=row,
            version=version.number,
            sha256=upload.sha256,
            size=upload.size,
            content_type=upload.content_type,
        )
        return version

    return _with_file_cleanup(write)


@transaction.atomic
def document_update(*, actor, document: Document, **changes) -> Document:
    """Changes title, description or visibility (public / consortium-only)."""
    _require_contributor(actor, document.project)
    _check_fields(changes, DOCUMENT_FIELDS)
    row = Document.objects.select_for_update().get(pk=document.pk)
    model_update(
        actor=actor,
        instance=row,
        data=_stripped_title(changes),
        action="document.updated",
        validate=lambda document: _validate(document, exclude=["project", "created_by"]),
    )
    return row


@transaction.atomic
def document_delete(*, actor, document: Document) -> None:
    """Deletes a document with all versions; the files go once the deletion is committed."""
    _require_contributor(actor, document.project)
    names = list(document.versions.values_list("file", flat=True))
    audit(
        actor=actor,
        action="document.deleted",
        target=document,
        project=document.project_id,
        versions=len(names),
    )
    document.delete()
    storage = _private_storage()

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)

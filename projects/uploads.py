"""Project documents: the file type is decided by the CONTENT (magic bytes, zip structure), never by
the name or the browser's Content-Type. The name's extension must agree with the content.

Accepted: PDF; Office Open XML (docx, xlsx, pptx, without macros); OpenDocument (odt, ods, odp);
PNG, JPEG, WebP images. Anything else (HTML, SVG, executables, scripts, archives) is refused with
the reason.
"""

import hashlib
import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HEAD_BYTES = 2048

# extension -> content type stored and sent
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}
EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg"}
ACCEPT_ATTRIBUTE = ",".join(
    [f".{extension}" for extension in CONTENT_TYPES]
    + [".jpeg"]
    + sorted(set(CONTENT_TYPES.values()))
)
# The part that identifies each Office Open XML format inside the zip.
OOXML_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
MAX_ZIP_ENTRIES = 10_000
PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def max_document_bytes() -> int:
    return getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks; `file` is positioned at 0."""

    file: object
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def clean_file_name(name: str) -> str:
    """The base name only, without control characters, at most 255 characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 250 - len(extension)]}.{extension}" if dot else name[:255]
    return name or "document"


def _extension(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    return EXTENSION_ALIASES.get(extension, extension)


def _describe(kind: str) -> str:
    return {
        "pdf": _("a PDF document"),
        "docx": _("a Word document (docx)"),
        "xlsx": _("an Excel workbook (xlsx)"),
        "pptx": _("a PowerPoint presentation (pptx)"),
        "odt": _("an OpenDocument text (odt)"),
        "ods": _("an OpenDocument spreadsheet (ods)"),
        "odp": _("an OpenDocument presentation (odp)"),
        "png": _("a PNG image"),
        "jpg": _("a JPEG image"),
        "webp": _("a WebP image"),
    }[kind]


def _foreign_reason(head: bytes) -> str:
    """Why content that is none of the accepted formats was refused."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text:
        return _("Its content is an SVG document, which may contain scripts.")
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or (
        b"<html" in text or b"<script" in text
    ):
        return _("Its content is an HTML document, which may contain scripts.")
    if head.startswith(b"MZ"):
        return _("Its content is a Windows program.")
    if head.startswith(b"\x7fELF"):
        return _("Its content is a Linux program.")
    if head[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):
        return _("Its content is a macOS program.")
    if head.startswith(b"#!"):
        return _("Its content is a script.")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("Its content is a GIF image; only PNG, JPEG and WebP images are accepted.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _(
            "Its content is an old binary Office file (doc, xls, ppt); save it as docx, xlsx "
            "or pptx."
        )
    return _("Its content is not a PDF, Office or OpenDocument file, or PNG, JPEG or WebP image.")


def _zip_kind(file) -> str:
    """docx/xlsx/pptx/odt/ods/odp by the zip's structure; raises ValidationError otherwise."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ValidationError(_("The file was refused: the archive has too many parts."))
            names = {entry.filename for entry in entries}
            if entries and entries[0].filename == "mimetype" and entries[0].file_size < 100:
                mimetype = archive.read("mimetype").strip()
                if mimetype in ODF_MIMETYPES and "META-INF/manifest.xml" in names:
                    if any(name.lower().startswith("basic/") for name in names):
                        raise ValidationError(
                            _("The file was refused: it contains macros."), code="macros"
                        )
                    return ODF_MIMETYPES[mimetype]
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    raise ValidationError(
                        _("The file was refused: it contains macros."), code="macros"
                    )
                for part, kind in OOXML_MAIN_PARTS.items():
                    if part in names:
                        return kind
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("The file was refused: the archive is damaged."), code="invalid_file"
        ) from exc
    raise ValidationError(
        _(
            "The file was refused. Its content is a zip archive, not an Office or OpenDocument "
            "file."
        ),
        code="invalid_file_type",
    )


def _image_kind(file) -> str:
    file.seek(0)
    try:
        with Image.open(file, formats=list(PILLOW_FORMATS)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file was refused: the image is damaged or truncated."), code="invalid_file"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("The file was refused: the image has far too many pixels."), code="invalid_file"
        ) from exc
    return PILLOW_FORMATS[image_format]


def detect_kind(file) -> str:
    """The accepted format of the content (an extension), or ValidationError with the reason."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in _tail(file):
            raise ValidationError(
                _("The file was refused: the PDF is truncated (no end marker)."),
                code="invalid_file",
            )
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    if (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    ):
        return _image_kind(file)
    raise ValidationError(
        _("The file was refused. %(reason)s") % {"reason": _foreign_reason(head)},
        code="invalid_file_type",
    )


def _tail(file, length: int = 1024) -> bytes:
    file.seek(0, io.SEEK_END)
    end = file.tell()
    file.seek(max(0, end - length))
    return file.read()


def check_upload(uploaded) -> CheckedUpload:
    """Validates an uploaded document; raises ValidationError (code and reason) when refused.

    Checks, in this order: size limit, content type by magic bytes or zip structure, and that
    the file name's extension names the same type as the content.
    """
    limit = max_document_bytes()
    size = uploaded.size
    if size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; documents may be at most %(limit).0f MB.")
            % {"size": size / (1024 * 1024), "limit": limit / (1024 * 1024)},
            code="file_too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    kind = detect_kind(uploaded)
    name = clean_file_name(uploaded.name)
    claimed = _extension(name)
    if claimed != kind:
        if claimed in CONTENT_TYPES:
            message = _(
                "The file was refused: its name says .%(claimed)s but its content is %(actual)s."
            ) % {"claimed": claimed, "actual": _describe(kind)}
        else:
            message = _(
                "The file was refused: its name should end in .%(expected)s, as its content "
                "is %(actual)s."
            ) % {"expected": kind, "actual": _describe(kind)}
        raise ValidationError(message, code="extension_mismatch")
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        file=uploaded,
        original_name=name,
        extension=kind,
        content_type=CONTENT_TYPES[kind],
        size=size,
        sha256=digest.hexdigest(),
    )

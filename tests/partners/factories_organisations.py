"""Helpers for organisation tests: many rows fast, images as bytes."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partners.models import Competence, Organisation, Sector


def bulk_organisations(count: int, *, prefix: str = "bulk", **fields) -> list[Organisation]:
    """`count` active organisations, each with one sector and two competences."""
    sector = Sector.objects.order_by("id").first()
    competences = list(Competence.objects.order_by("id")[:2])
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{prefix.title()} {number:05d} GmbH",
            slug=f"{prefix}-{number:05d}",
            kind=Organisation.Kind.SME,
            city="Essen",
            postcode="45127",
            status=Organisation.Status.ACTIVE,
            description_de="Beschreibung",
            **fields,
        )
        for number in range(count)
    )
    Organisation.sectors.through.objects.bulk_create(
        Organisation.sectors.through(organisation_id=o.pk, sector_id=sector.pk)
        for o in organisations
    )
    Organisation.competences.through.objects.bulk_create(
        Organisation.competences.through(organisation_id=o.pk, competence_id=c.pk)
        for o in organisations
        for c in competences
    )
    return organisations


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (300, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 47, 87)).save(buffer, image_format)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)

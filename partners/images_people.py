"""Validation of uploaded portrait photos: by content (Pillow), not by name or content type.

Only PNG, JPEG and WebP up to 2 MB are accepted. The image is decoded, turned upright,
scaled down to fit 800 × 800 pixels and re-encoded, which drops metadata (EXIF, GPS) and
anything smuggled after the image data.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 800
MAX_PIXELS = 40_000_000
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def photo_validate_and_reencode(upload) -> ContentFile:
    """Returns a re-encoded copy of `upload` or raises ValidationError explaining why not."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 2 MB."), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            if image_format not in FORMATS:
                raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="invalid_format")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if image_format == "JPEG" and image.mode != "RGB":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            output = io.BytesIO()
            options = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 85}}
            image.save(output, format=image_format, **options.get(image_format, {}))
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise ValidationError(
            _("The file is not a readable PNG, JPEG or WebP image."), code="invalid_image"
        ) from error
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{FORMATS[image_format]}")

"""Organisation logos: checked by content (not by name), re-encoded, thumbnailed.

Re-encoding drops whatever else the file carried (metadata, trailing payloads, animation).
"""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
THUMBNAIL_SIZE = (256, 256)
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


@dataclass(frozen=True)
class ProcessedLogo:
    image: ContentFile
    thumbnail: ContentFile


def _describe_foreign_content(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<?xml") or b"<svg" in text:
        return _("It is an SVG document, not a PNG, JPEG or WebP image.")
    if text.startswith((b"<!doctype html", b"<html")) or b"<script" in text:
        return _("It is an HTML document, not a PNG, JPEG or WebP image.")
    if text.startswith(b"%pdf"):
        return _("It is a PDF document, not a PNG, JPEG or WebP image.")
    if text.startswith(b"gif8"):
        return _("It is a GIF image; only PNG, JPEG and WebP are accepted.")
    return _("Its content is not a PNG, JPEG or WebP image.")


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=88)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def process_logo(uploaded) -> ProcessedLogo:
    """Validates an uploaded logo and returns the re-encoded image and its thumbnail.

    Raises ValidationError with the reason: too large, not an image, an SVG or HTML file
    with a picture's name, or more than 4000 × 4000 pixels.
    """
    if uploaded.size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size).1f MB; logos may be at most 2 MB.")
            % {"size": uploaded.size / (1024 * 1024)},
            code="file_too_large",
        )
    uploaded.seek(0)
    data = uploaded.read()
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
            image_format = probe.format
            width, height = probe.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise ValidationError(
                    _(
                        "The image is %(width)d × %(height)d pixels; logos may be at most "
                        "4000 × 4000 pixels."
                    )
                    % {"width": width, "height": height},
                    code="image_too_large",
                )
            probe.verify()
        # verify() leaves the image unusable; decode it again for real.
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            encoded = _encode(image, image_format)
            thumbnail = image.copy()
            thumbnail.thumbnail(THUMBNAIL_SIZE)
            encoded_thumbnail = _encode(thumbnail, image_format)
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("The image has far too many pixels; logos may be at most 4000 × 4000 pixels."),
            code="image_too_large",
        ) from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(
            _("The file was refused. %(reason)s")
            % {"reason": _describe_foreign_content(data[:512])},
            code="invalid_image",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file was refused: the image is damaged or truncated."), code="invalid_image"
        ) from exc
    stem = uuid.uuid4().hex
    extension = FORMATS[image_format]
    return ProcessedLogo(
        image=ContentFile(encoded, name=f"{stem}.{extension}"),
        thumbnail=ContentFile(encoded_thumbnail, name=f"{stem}-thumb.{extension}"),
    )

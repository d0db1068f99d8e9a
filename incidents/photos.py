"""Photos sent with a report: judged by content, read for position and time, stored without EXIF.

A phone photo's EXIF carries where and when it was taken (useful: it proposes the report's location
and time) and also the phone's model, serial numbers and sometimes the owner's name (never to be
published). So the metadata is read first, then the pixels are copied into a fresh image and
re-encoded: nothing of the original file's metadata (EXIF, XMP, ICC comments, PNG text chunks)
survives. What a file is, is decided by Pillow from its bytes, never from its name or the declared
content type.
"""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Final

from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput

# Pillow format name → (content type, file extension).
ACCEPTED_FORMATS: Final = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
THUMBNAIL_SIZE: Final = (320, 320)
# Far above any phone camera (about 50 megapixels at most) and far below what would exhaust memory:
# a 100 kB "decompression bomb" can otherwise claim gigabytes when decoded.
MAX_PIXELS: Final = 60_000_000

_GPS_LATITUDE_REF, _GPS_LATITUDE, _GPS_LONGITUDE_REF, _GPS_LONGITUDE = 1, 2, 3, 4
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL, _DATETIME = 36867, 36881, 306


@dataclass(frozen=True)
class PhotoMetadata:
    """Where and when a photo was taken according to its EXIF, when it says so."""

    point: Point | None
    taken_at: datetime | None


@dataclass(frozen=True)
class PreparedPhoto:
    """A validated photo, re-encoded without metadata, ready to be stored."""

    content: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int
    metadata: PhotoMetadata

    def file_name(self) -> str:
        # A random name: the original one may carry a person's name or the phone's numbering.
        return f"{uuid.uuid4().hex}.{self.extension}"


def photo_max_bytes() -> int:
    return settings.INCIDENT_PHOTO_MAX_BYTES


def photo_metadata_read(file: IO[bytes]) -> PhotoMetadata:
    """The EXIF position and time of an uploaded photo; raises InvalidInput when it is not one."""
    with _open_image(file) as image:
        return _metadata_of(image)


def photo_prepare(file: IO[bytes]) -> PreparedPhoto:
    """Validate `file` by content and size, read its EXIF, and re-encode it without metadata."""
    with _open_image(file) as image:
        metadata = _metadata_of(image)
        image_format = image.format
        # _open_image let through only the formats of ACCEPTED_FORMATS.
        assert image_format is not None
        content_type, extension = ACCEPTED_FORMATS[image_format]
        try:
            # Turn the pixels the way the phone meant them to be seen, since the orientation tag
            # that said so is about to be dropped with the rest of the EXIF.
            upright = ImageOps.exif_transpose(image)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            mode = "RGBA" if has_alpha and image_format != "JPEG" else "RGB"
            converted = upright.convert(mode)
            # A fresh image from raw pixels has an empty `info`: no EXIF, XMP, ICC or text chunk
            # can reach the encoder, whatever each format's plugin would otherwise copy over.
            clean = Image.frombytes(mode, converted.size, converted.tobytes())
        except (OSError, ValueError, SyntaxError) as error:
            raise _not_an_image() from error
        content = _encode(clean, image_format)
        thumbnail = _thumbnail(clean)
        return PreparedPhoto(
            content=content,
            thumbnail=thumbnail,
            content_type=content_type,
            extension=extension,
            width=clean.width,
            height=clean.height,
            metadata=metadata,
        )


def _not_an_image() -> InvalidInput:
    return InvalidInput(
        _("Tệp tải lên không phải là ảnh hợp lệ. Chỉ nhận ảnh JPEG, PNG hoặc WebP."),
        code="not_an_image",
    )


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


@contextmanager
def _open_image(file: IO[bytes]) -> Iterator[Image.Image]:
    """Open an upload with Pillow after checking its size; close it whatever happens."""
    limit = photo_max_bytes()
    if _size_of(file) > limit:
        raise InvalidInput(
            _("Ảnh quá lớn: tối đa %(megabytes)s MB mỗi ảnh.")
            % {"megabytes": f"{limit / 1_000_000:g}"},
            code="photo_too_large",
        )
    file.seek(0)
    try:
        image = Image.open(file)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise _not_an_image() from error
    try:
        if image.format not in ACCEPTED_FORMATS:
            raise _not_an_image()
        if image.width * image.height > MAX_PIXELS:
            raise InvalidInput(
                _("Ảnh có kích thước điểm ảnh quá lớn."), code="photo_too_many_pixels"
            )
        try:
            # Decode now: a truncated or corrupt file named .jpg fails here, not later.
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            raise _not_an_image() from error
        yield image
    finally:
        image.close()


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=85, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=85)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode == "RGBA":
        background = Image.new("RGB", small.size, (255, 255, 255))
        background.paste(small, mask=small.getchannel("A"))
        small = background
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _metadata_of(image: Image.Image) -> PhotoMetadata:
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError):
        return PhotoMetadata(point=None, taken_at=None)
    return PhotoMetadata(point=_gps_point(exif), taken_at=_taken_at(exif))


def _degrees(value: object) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    total = degrees + minutes / 60 + seconds / 3600
    return total if math.isfinite(total) else None


def _gps_point(exif: Image.Exif) -> Point | None:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, OSError, ValueError, SyntaxError):
        return None
    latitude = _degrees(gps.get(_GPS_LATITUDE))
    longitude = _degrees(gps.get(_GPS_LONGITUDE))
    if latitude is None or longitude is None:
        return None
    if str(gps.get(_GPS_LATITUDE_REF, "N")).strip().upper().startswith("S"):
        latitude = -latitude
    if str(gps.get(_GPS_LONGITUDE_REF, "E")).strip().upper().startswith("W"):
        longitude = -longitude
    # (0, 0) is what cameras write when they had no fix, not a place in the Gulf of Guinea.
    if abs(latitude) > 90 or abs(longitude) > 180 or (latitude == 0 and longitude == 0):
        return None
    return Point(round(longitude, 7), round(latitude, 7), srid=4326)


def _taken_at(exif: Image.Exif) -> datetime | None:
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, OSError, ValueError, SyntaxError):
        details = {}
    text = details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.strptime(text.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.strptime(f"{moment.isoformat()}{offset.strip()}", "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            pass
    # Cameras write local wall-clock time without a zone; the photos are taken in Vietnam.
    return moment.replace(tzinfo=VIETNAM_TIME_ZONE)

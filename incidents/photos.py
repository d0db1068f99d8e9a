"""Photos sent with a report: judged by content, read for position and time, stored without EXIF.

A phone photo's EXIF carries where and when it was taken (useful: it proposes the report's location
and time) and also the phone's model, serial numbers and sometimes the owner's name (never to be
published). So the metadata is read first, then the pixels are copied into a fresh image and
re-encoded: nothing of the original file's metadata (EXIF, XMP, ICC comments, PNG text chunks)
survives. What a file is, is decided by Pillow from its bytes, never from its name or the declared
content type, and only the decoders of ACCEPTED_FORMATS may read it: the other formats Pillow knows
(GIF, TIFF, PSD, EPS through Ghostscript...) are never parsed.

Hostile files are expected (issue 8, finding 5). The size each file declares in its header is
checked against INCIDENT_PHOTO_MAX_PIXELS before a single pixel is decoded (Image.open reads the
header only), a JPEG larger than what is stored is decoded at a fraction of its size, and the
stored size is reached before any further copy is made; every decoder error is "not a usable
image".
"""

from __future__ import annotations

import io
import math
import struct
import uuid
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Final

import pillow_heif
from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput

# HEIC, what iPhones write, is read by pillow-heif's decoder (registered here, as format "HEIF").
pillow_heif.register_heif_opener()

# Pillow format name → (content type, file extension) of the stored copy. HEIC is stored as JPEG:
# browsers other than Safari cannot show it.
ACCEPTED_FORMATS: Final = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "HEIF": ("image/jpeg", "jpg"),
    # A JPEG with further frames after the photo (several Android cameras): its first frame.
    "MPO": ("image/jpeg", "jpg"),
}
_JPEG_DECODERS: Final = ("JPEG", "MPO")
# The only decoders Image.open may try.
DECODERS: Final = tuple(ACCEPTED_FORMATS)
THUMBNAIL_SIZE: Final = (320, 320)
# What a decoder may raise on a hostile or broken file: Pillow's own errors, and what its plugins
# let escape from the parsers under them (struct, zlib, libheif through pillow-heif's RuntimeError).
DECODER_ERRORS: Final = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    TypeError,
    IndexError,
    KeyError,
    RuntimeError,
    MemoryError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)

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


def photo_max_pixels() -> int:
    return settings.INCIDENT_PHOTO_MAX_PIXELS


def photo_stored_max_side() -> int:
    return settings.INCIDENT_PHOTO_STORED_MAX_SIDE


def photo_metadata_read(file: IO[bytes]) -> PhotoMetadata:
    """The EXIF position and time of an uploaded photo; raises InvalidInput when it is not one."""
    # Decoded all the same (at thumbnail size when it is a JPEG), so that a broken file is
    # refused here as it would be when filed.
    with _open_image(file, decode_within=THUMBNAIL_SIZE[0]) as image:
        return _metadata_of(image)


def photo_prepare(file: IO[bytes]) -> PreparedPhoto:
    """Validate `file` by content and size, read its EXIF, and re-encode it without metadata."""
    with _open_image(file, decode_within=photo_stored_max_side()) as image:
        metadata = _metadata_of(image)
        image_format = image.format
        # _open_image let through only the formats of ACCEPTED_FORMATS.
        assert image_format is not None
        content_type, extension = ACCEPTED_FORMATS[image_format]
        stored_format = "JPEG" if content_type == "image/jpeg" else image_format
        try:
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            # Down to the stored size first, in place: every copy below (turned, converted,
            # rebuilt) is then of the small image, never of the decoded full-size one.
            side = photo_stored_max_side()
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
            # Turn the pixels the way the phone meant them to be seen, since the orientation tag
            # that said so is about to be dropped with the rest of the EXIF.
            # In place, like every step here that can be: each copy of a 12 MP photo is 36 MB.
            ImageOps.exif_transpose(image, in_place=True)
            mode = "RGBA" if has_alpha and stored_format != "JPEG" else "RGB"
            converted = image if image.mode == mode else image.convert(mode)
            # A fresh image with the pixels pasted in has an empty `info`: no EXIF, XMP, ICC or
            # text chunk can reach the encoder, whatever each format's plugin would copy over.
            clean = Image.new(mode, converted.size)
            clean.paste(converted)
            # The decoded photo is not needed any more: its memory goes back before encoding.
            del converted
            image.close()
        except DECODER_ERRORS as error:
            raise _not_an_image() from error
        content = _encode(clean, stored_format)
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
        _("Tệp tải lên không phải là ảnh hợp lệ. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC."),
        code="not_an_image",
    )


def _too_many_pixels() -> InvalidInput:
    return InvalidInput(
        _("Ảnh có quá nhiều điểm ảnh: tối đa %(megapixels)s megapixel mỗi ảnh.")
        % {"megapixels": f"{photo_max_pixels() / 1_000_000:g}"},
        code="photo_too_many_pixels",
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


def _check_size(file: IO[bytes]) -> None:
    size = _size_of(file)
    if size == 0:
        raise InvalidInput(_("Tệp ảnh rỗng (0 byte)."), code="empty_file")
    limit = photo_max_bytes()
    if size > limit:
        raise InvalidInput(
            _("Ảnh quá lớn: tối đa %(megabytes)s MB mỗi ảnh.")
            % {"megabytes": f"{limit / 1_000_000:g}"},
            code="photo_too_large",
        )


@contextmanager
def _open_image(file: IO[bytes], *, decode_within: int | None = None) -> Iterator[Image.Image]:
    """Open an upload with Pillow after checking its size in bytes and in declared pixels, and
    decode it; close it whatever happens.

    With `decode_within`, a JPEG larger than that many pixels on its long side is decoded at the
    smallest of 1/2, 1/4, 1/8 of its size that still covers it (the decoder's draft mode): the
    full-size pixels are never in memory.
    """
    _check_size(file)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own cap and twice it; above our limit either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=DECODERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, *DECODER_ERRORS) as error:
        raise _not_an_image() from error
    try:
        # Image.open has read the header alone: this is the declared size, nothing is decoded.
        if image.width * image.height > photo_max_pixels():
            raise _too_many_pixels()
        if image.format not in ACCEPTED_FORMATS:
            raise _not_an_image()
        longest = max(image.width, image.height)
        if image.format in _JPEG_DECODERS and decode_within is not None and longest > decode_within:
            scale = decode_within / longest
            image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        try:
            # Decode now: a truncated or corrupt file named .jpg fails here, not later.
            image.load()
        except DECODER_ERRORS as error:
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
    # Resized straight from the photo: a full-size copy to shrink in place would cost 36 MB more.
    small = (
        ImageOps.contain(image, THUMBNAIL_SIZE, Image.Resampling.BICUBIC)
        if image.width > THUMBNAIL_SIZE[0] or image.height > THUMBNAIL_SIZE[1]
        else image
    )
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
    except DECODER_ERRORS:
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

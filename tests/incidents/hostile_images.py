"""A corpus of hostile uploads, made at test time (issue 8, finding 5): what an attacker, or a
broken phone, sends where a photo is expected.

Each entry is small on the wire; some declare far more pixels than they carry (a "decompression
bomb"), some are another format under a .jpg name, some are a real photo with something appended
or a huge metadata block. The big ones are made once per test process.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache

import pillow_heif
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from .conftest import jpeg_bytes

PERSONAL_EXIF_TEXT = "Chu may Nguyen Van Bom"
# Where the huge EXIF block says the photo was taken: (15.05, 108.8), inside Cẩm Thành.
GPS_LATITUDE, GPS_LONGITUDE = (15, 3, 0), (108, 48, 0)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_declaring(width: int, height: int, *, rows: int, colour_type: int, depth: int) -> bytes:
    """A PNG whose header declares `width`×`height` and whose data holds `rows` rows of zeros
    (one colour), compressed as they are streamed: the file stays small whatever it declares."""
    channels = {0: 1, 2: 3}[colour_type]
    row = b"\x00" + bytes((width * channels * depth + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def bomb_png() -> bytes:
    """The issue's PNG declaring 20000×20000 pixels (400 megapixels), here in 82 bytes."""
    return png_declaring(20_000, 20_000, rows=1, colour_type=0, depth=1)


@cache
def one_colour_png_7700() -> bytes:
    """The issue's image just under Pillow's own cap: 7,700² RGB pixels of one colour (59.3
    megapixels, ~178 MB once decoded) in about 173 kB."""
    return png_declaring(7_700, 7_700, rows=7_700, colour_type=2, depth=8)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header declares `width`×`height`: the declared size is all a
    decoder needs to claim the memory."""
    small = jpeg_bytes(size=(8, 8))
    start_of_frame = small.index(b"\xff\xc0")
    # The frame header: marker, length (2), precision (1), height (2), width (2).
    return (
        small[: start_of_frame + 5]
        + struct.pack(">HH", height, width)
        + small[start_of_frame + 9 :]
    )


@cache
def phone_sized_jpeg() -> bytes:
    """A 48-megapixel photo (8000×6000) of one colour: the size a 48 MP phone writes in its
    full-resolution mode, just under the project's pixel limit."""
    buffer = io.BytesIO()
    Image.new("RGB", (8000, 6000), (90, 120, 150)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg_bytes(size=(200, 150), colour="blue")
    return whole[: len(whole) // 2]


def jpeg_with_zip_appended() -> bytes:
    """A JPEG that is also a zip archive holding an HTML page (a polyglot)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.html", "<html><script>alert('zip')</script></html>")
    return jpeg_bytes() + archive.getvalue()


def jpeg_with_html_appended() -> bytes:
    return jpeg_bytes() + b"<html><body><script>alert('polyglot')</script></body></html>"


def _saved(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def gif() -> bytes:
    return _saved(Image.new("P", (12, 12)), "GIF")


def bmp() -> bytes:
    return _saved(Image.new("RGB", (12, 12), "green"), "BMP")


def tiff() -> bytes:
    return _saved(Image.new("RGB", (12, 12), "green"), "TIFF")


def eps() -> bytes:
    """Encapsulated PostScript: Pillow hands it to Ghostscript to decode."""
    return _saved(Image.new("L", (12, 12)), "EPS")


def psd() -> bytes:
    """A one-channel Photoshop file, written by hand (Pillow reads PSD but does not write it)."""
    width, height = 12, 12
    return (
        b"8BPS"
        + struct.pack(">H6xHIIHH", 1, 1, height, width, 8, 1)
        + struct.pack(">III", 0, 0, 0)  # colour mode data, image resources, layers: none
        + struct.pack(">H", 0)  # raw image data
        + bytes(width * height)
    )


def svg() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert('svg')</script><rect width='10' height='10'/></svg>"
    )


def huge_exif_jpeg() -> bytes:
    """A photo with 60 kB of EXIF: GPS position, owner's name, and a long maker note."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Artist] = PERSONAL_EXIF_TEXT
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2025:10:10 08:30:15"
    details[ExifTags.Base.MakerNote] = b"MAKERNOTE" * 6_900
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(value) for value in GPS_LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(value) for value in GPS_LONGITUDE)
    content = jpeg_bytes(size=(64, 48), exif=exif)
    assert len(content) > 60_000
    return content


def heic_photo() -> bytes:
    """A real HEIC photo (what iPhones write), with GPS in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = PERSONAL_EXIF_TEXT
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(value) for value in GPS_LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(value) for value in GPS_LONGITUDE)
    heif = pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 30, 30)))
    buffer = io.BytesIO()
    heif.save(buffer, exif=exif.tobytes(), quality=80)
    return buffer.getvalue()


@dataclass(frozen=True)
class Hostile:
    """An upload of the corpus and how every channel must answer it."""

    name: str
    content: bytes
    # The error code of the refusal, or "" when the photo is acceptable once re-encoded.
    refused_with: str


def refused_corpus() -> list[Hostile]:
    return [
        Hostile("bom.png", bomb_png(), "photo_too_many_pixels"),
        Hostile("bom.jpg", jpeg_declaring(65_000, 65_000), "photo_too_many_pixels"),
        Hostile("mot-mau.png", one_colour_png_7700(), "photo_too_many_pixels"),
        Hostile("cut.jpg", truncated_jpeg(), "not_an_image"),
        Hostile("gif.jpg", gif(), "not_an_image"),
        Hostile("bmp.jpg", bmp(), "not_an_image"),
        Hostile("tiff.jpg", tiff(), "not_an_image"),
        Hostile("psd.jpg", psd(), "not_an_image"),
        Hostile("eps.jpg", eps(), "not_an_image"),
        Hostile("anh.svg", svg(), "not_an_image"),
        Hostile("rong.jpg", b"", "empty_file"),
    ]


REFUSED_IDS = [
    "bomb-png-20000x20000",
    "bomb-jpeg-65000x65000",
    "one-colour-png-7700x7700",
    "truncated-jpeg",
    "gif-named-jpg",
    "bmp-named-jpg",
    "tiff-named-jpg",
    "psd-named-jpg",
    "eps-named-jpg",
    "svg",
    "zero-bytes",
]

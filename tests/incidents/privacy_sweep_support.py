"""The distinctive personal data of the privacy sweep (test_privacy_sweep.py), the forms each may
take in an output, and how an output is read before it is searched."""

from __future__ import annotations

import contextlib
import html
import io
import json
from dataclasses import dataclass

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

NAME = "Hoàng Thị Bí Mật"
PHONE = "0987 654 321"
EMAIL = "Bi.Mat.Sweep@Example.VN"
# The address and the description a reporter typed are public (where the problem is) until a
# moderator hides the text: the sweep gives these to the reports whose text it hides.
ADDRESS = "Hẻm 42 kiệt Kín Đáo, nhà bà Bí Mật"
DESCRIPTION = "Ổ gà trước nhà tôi, gọi tôi theo số 0987 654 321"
# Where the photo was taken (EXIF GPS), away from the report's pin: 15°05'30.12" N,
# 108°43'34.68" E, that is 15.0917, 108.7263.
PHOTO_LATITUDE = (15, 5, 30.12)
PHOTO_LONGITUDE = (108, 43, 34.68)
PHOTO_LATITUDE_DEGREES = 15.0917
PHOTO_LONGITUDE_DEGREES = 108.7263


def personal_forms() -> dict[str, list[str]]:
    """Each distinctive value in every form an output might carry it."""
    digits = "".join(character for character in PHONE if character.isdigit())
    return {
        "name": [NAME, NAME.lower(), NAME.upper(), "Bí Mật"],
        "phone": [PHONE, digits, digits[1:], "+84" + digits[1:], PHONE.replace(" ", ".")],
        "email": [EMAIL, EMAIL.lower(), EMAIL.split("@")[0].lower()],
        "address": [ADDRESS, "kiệt Kín Đáo"],
        "description": [DESCRIPTION],
        "photo GPS": [
            f"{PHOTO_LATITUDE_DEGREES:.4f}",
            f"{PHOTO_LONGITUDE_DEGREES:.4f}",
            f"{PHOTO_LATITUDE_DEGREES:.4f}".replace(".", ","),
            f"{PHOTO_LONGITUDE_DEGREES:.4f}".replace(".", ","),
        ],
    }


@dataclass(frozen=True)
class Finding:
    output: str
    kind: str
    form: str


def readable(raw: bytes) -> str:
    """An output's text as a reader sees it: entities and JSON escapes undone, so that `&#39;`
    or `\\u00ed` cannot hide a value from the search."""
    text = raw.decode("utf-8", errors="replace")
    variants = [text, html.unescape(text)]
    # Not every output is JSON (pages, XML, photos): those have no escapes of this kind to undo.
    with contextlib.suppress(ValueError):
        variants.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(variants)


def findings(outputs: dict[str, bytes]) -> list[Finding]:
    """Every (output, kind of value, form) where a distinctive value appears."""
    found = []
    for output, raw in outputs.items():
        text = readable(raw)
        folded = text.lower()
        for kind, forms in personal_forms().items():
            for form in forms:
                if form in text or form.lower() in folded:
                    found.append(Finding(output=output, kind=kind, form=form))
    return found


def jpeg_with_gps() -> bytes:
    """A photo as a phone writes it: the GPS position, and the owner's name in the EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Artist] = NAME
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(value) for value in PHOTO_LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(value) for value in PHOTO_LONGITUDE)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def photo_metadata(content: bytes) -> dict[str, object]:
    """What a decoder finds in a served photo besides its pixels."""
    image = Image.open(io.BytesIO(content))
    exif = image.getexif()
    return {
        "format": image.format,
        "exif": dict(exif),
        "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
        "info": sorted(key for key in image.info if key in ("exif", "xmp", "comment")),
    }

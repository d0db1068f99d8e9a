"""The distinctive personal data of the privacy sweep (test_privacy_sweep.py), the forms each may
take in an output, how an output is read before it is searched, and the fetching of every public
output (`public_outputs`, `public_photos`), which the moderation tests (test_unhide.py) use too."""

from __future__ import annotations

import contextlib
import html
import io
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from incidents.models import Incident
from tests.conftest import Territory

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
# Where the sweep's reports are pinned, in Cẩm Thành.
PIN = {"lat": "15.05", "lon": "108.80"}


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


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response


def public_outputs(
    territory: Territory,
    reports: dict[str, tuple[Incident, str]],
    *,
    remote_addr: str = "203.0.113.35",
) -> dict[str, Any]:
    """Every public output, fetched anonymously: {name: response}. `reports` name the reports
    whose own outputs (tracking page, REST detail, Open311 request) are fetched too."""
    client = Client(REMOTE_ADDR=remote_addr)
    area = territory.cam_thanh.pk
    box = "108.6,14.9,109.0,15.3"
    paths = {
        "home page": "/",
        "filing page": "/gui-phan-anh/",
        "lookup page": "/tra-cuu/",
        "area map page": "/ban-do-hanh-chinh/",
        "map data, grouped": f"/api/v1/incident-map/?bbox={box}&zoom=10",
        "map data, each report": f"/api/v1/incident-map/?bbox={box}&zoom=18",
        "REST list": "/api/v1/incidents/?limit=1000",
        "REST duplicates": f"/api/v1/incidents/duplicates/?lat={PIN['lat']}&lon={PIN['lon']}"
        "&category=giao-thong",
        "REST categories": "/api/v1/categories/",
        "REST areas": "/api/v1/areas/",
        "REST area": f"/api/v1/areas/{area}/",
        "REST area lookup": f"/api/v1/areas/lookup/?lat={PIN['lat']}&lon={PIN['lon']}",
        "Open311 discovery": "/open311/v2/discovery.json",
        "Open311 services JSON": "/open311/v2/services.json",
        "Open311 services XML": "/open311/v2/services.xml",
        "Open311 service definition": "/open311/v2/services/giao-thong.xml",
        "Open311 requests JSON": "/open311/v2/requests.json",
        "Open311 requests XML": "/open311/v2/requests.xml",
        "feed of the territory": "/phan-anh/moi.atom",
        "feed of the area": f"/khu-vuc/{area}/phan-anh.atom",
    }
    for name, (incident, _token) in reports.items():
        code = incident.tracking_code
        paths[f"tracking page ({name})"] = f"/phan-anh/{code}/"
        paths[f"REST detail ({name})"] = f"/api/v1/incidents/{code}/"
        paths[f"Open311 request JSON ({name})"] = f"/open311/v2/requests/{code}.json"
        paths[f"Open311 request XML ({name})"] = f"/open311/v2/requests/{code}.xml"
    return {name: client.get(path) for name, path in paths.items()}


def public_photos(
    outputs: dict[str, Any], *, remote_addr: str = "203.0.113.36"
) -> dict[str, bytes]:
    """The bytes of every photo (and thumbnail) the public REST details link."""
    client = Client(REMOTE_ADDR=remote_addr)
    served = {}
    for name, response in outputs.items():
        if not name.startswith("REST detail") or response.status_code != 200:
            continue
        for photo in response.json()["photos"]:
            for key in ("url", "thumbnail_url"):
                answer = ok(client.get(photo[key]))
                served[f"{key} of {name}"] = b"".join(answer.streaming_content)
    return served

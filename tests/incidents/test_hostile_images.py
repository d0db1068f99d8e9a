"""Hostile images through every channel that takes a photo (issue 8, finding 5).

Every upload of the corpus (tests/incidents/hostile_images.py) is posted through the REST filing,
the filing page, Open311, the photo-metadata endpoint, and the staff API's and staff page's
evidence photo. A refused one gets a 4xx in that channel's own format with the same sentence,
and leaves nothing behind: no report, event, photo row, message or file. An accepted one is stored
re-encoded, with none of what came with it (metadata, appended archives or pages).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from PIL import Image
from pytest_django import Settings

from geoapp.api_keys import api_client_issue
from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentPhoto, IncidentStatus
from notifications.models import Notification
from tests.conftest import ClientResponse, Territory

from . import hostile_images
from .conftest import FileReport, client_for, snapshot, upload
from .hostile_images import REFUSED_IDS, Hostile

NOT_AN_IMAGE = "Tệp tải lên không phải là ảnh hợp lệ. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC."
TOO_MANY_PIXELS = "Ảnh có quá nhiều điểm ảnh: tối đa 50 megapixel mỗi ảnh."
MESSAGES = {"not_an_image": NOT_AN_IMAGE, "photo_too_many_pixels": TOO_MANY_PIXELS}
# What DRF's and Django's file fields say of an empty file, before any service is called.
EMPTY_FILE_API = "Tập tin được gửi là rỗng."
EMPTY_FILE_FORM = "Tập tin được gửi là rỗng."

pytestmark = pytest.mark.django_db


def files_under_media() -> list[Path]:
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


def state() -> tuple[int, int, int, int, list[Path]]:
    return (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        IncidentPhoto.objects.count(),
        Notification.objects.count(),
        files_under_media(),
    )


@dataclass
class Channel:
    """One way a photo reaches the app: `post` sends it, `refusal` reads (status, sentence)."""

    post: Callable[[Hostile], ClientResponse]
    refusal: Callable[[ClientResponse], tuple[int, str]]
    empty_file_message: str
    stores: bool = True


def _api_refusal(response: ClientResponse) -> tuple[int, str]:
    body = response.json()
    if "detail" in body:
        return response.status_code, f"{body['code']}: {body['detail']}"
    return response.status_code, json.dumps(body, ensure_ascii=False)


def _open311_refusal(response: ClientResponse) -> tuple[int, str]:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    ((error),) = json.loads(response.content)
    assert error["code"] == response.status_code
    return response.status_code, error["description"]


def _page_refusal(response: ClientResponse) -> tuple[int, str]:
    return response.status_code, response.content.decode()


@pytest.fixture
def officer_report(file_report: FileReport, officer_a: User) -> Incident:
    return services.incident_acknowledge(actor=officer_a, incident=file_report().incident)


def _report_fields() -> dict[str, Any]:
    return {
        "category": "giao-thong",
        "description": "Ổ gà sâu trước số 12 Hùng Vương",
        "lat": "15.05",
        "lon": "108.80",
        "attribute[loai-hu-hong]": "o-ga",
    }


@pytest.fixture(
    params=["rest", "page", "open311", "photo-metadata", "staff-api", "staff-page"],
)
def channel(
    request: pytest.FixtureRequest, territory: Territory, categories: None, officer_a: User
) -> Channel:
    name = request.param
    if name == "rest":
        return Channel(
            post=lambda item: Client(REMOTE_ADDR="203.0.113.31").post(
                "/api/v1/incidents/", {**_report_fields(), "photos": [_file(item)]}
            ),
            refusal=_api_refusal,
            empty_file_message='{"photos": {"0": ["' + EMPTY_FILE_API + '"]}}',
        )
    if name == "page":
        form = {
            "category": "giao-thong",
            "attribute-giao-thong-loai-hu-hong": "o-ga",
            "description": "Ổ gà sâu giữa đường Hùng Vương",
            "lat": "15.05",
            "lon": "108.80",
            "idempotency_key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        }
        return Channel(
            post=lambda item: Client(REMOTE_ADDR="203.0.113.32").post(
                "/gui-phan-anh/", {**form, "photos": [_file(item)]}
            ),
            refusal=_page_refusal,
            empty_file_message=EMPTY_FILE_FORM,
        )
    if name == "open311":
        _client, key = api_client_issue(name="Ứng dụng thử ảnh độc hại")
        fields = {
            "service_code": "giao-thong",
            "lat": "15.05",
            "long": "108.80",
            "description": "Ổ gà sâu trước số 12",
            "attribute[loai-hu-hong]": "o-ga",
            "api_key": key,
        }
        return Channel(
            post=lambda item: Client().post(
                "/open311/v2/requests.json", {**fields, "media": _file(item)}
            ),
            refusal=_open311_refusal,
            empty_file_message="Tệp ảnh rỗng (0 byte).",
        )
    if name == "photo-metadata":
        return Channel(
            post=lambda item: Client(REMOTE_ADDR="203.0.113.33").post(
                "/api/v1/incidents/photo-metadata/", {"photo": _file(item)}
            ),
            refusal=_api_refusal,
            empty_file_message='{"photo": ["' + EMPTY_FILE_API + '"]}',
            stores=False,
        )
    report = request.getfixturevalue("officer_report")
    if name == "staff-api":
        return Channel(
            post=lambda item: client_for(officer_a).post(
                f"/api/v1/staff/incidents/{report.tracking_code}/resolve/",
                {"answer": "Đã vá xong", "evidence_photo": _file(item)},
                format="multipart",
            ),
            refusal=_api_refusal,
            empty_file_message='{"evidence_photo": ["' + EMPTY_FILE_API + '"]}',
        )
    staff = Client()
    staff.force_login(officer_a)
    return Channel(
        post=lambda item: staff.post(
            f"/can-bo/phan-anh/{report.tracking_code}/giai-quyet-xong/",
            {"resolve-answer": "Đã vá xong", "resolve-evidence_photo": _file(item)},
        ),
        refusal=_page_refusal,
        empty_file_message=EMPTY_FILE_FORM,
    )


def _file(item: Hostile) -> Any:
    return upload(item.name, item.content)


@pytest.mark.parametrize("item", hostile_images.refused_corpus(), ids=REFUSED_IDS)
def test_a_hostile_image_is_refused_in_the_channels_format_and_nothing_is_stored(
    channel: Channel, item: Hostile
) -> None:
    """Issue 8, finding 5: bombs, truncated files, other formats under a .jpg name, SVG and empty
    files are refused with a 400 and a clear sentence; before the fix a bomb answered 500 and the
    7,700² image was decoded whole."""
    reports = list(Incident.objects.all())
    before = state(), [snapshot(report) for report in reports]

    response = channel.post(item)

    status, text = channel.refusal(response)
    assert status == 400
    if item.refused_with == "empty_file":
        assert channel.empty_file_message in text
    elif channel.refusal is _api_refusal:
        assert text == f"{item.refused_with}: {MESSAGES[item.refused_with]}"
    else:
        assert MESSAGES[item.refused_with] in text
    assert (state(), [snapshot(report) for report in reports]) == before


# Each usable photo of the corpus, and whether its EXIF gives a position.
ACCEPTED = {
    "jpeg-with-a-zip-appended": (hostile_images.jpeg_with_zip_appended, False),
    "jpeg-with-html-appended": (hostile_images.jpeg_with_html_appended, False),
    "jpeg-with-60-kb-of-exif": (hostile_images.huge_exif_jpeg, True),
    "heic-from-an-iphone": (hostile_images.heic_photo, True),
}


@pytest.mark.parametrize(("maker", "has_gps"), list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_a_usable_photo_with_something_attached_is_stored_as_fresh_pixels_only(
    channel: Channel, maker: Callable[[], bytes], has_gps: bool
) -> None:
    """Issue 8, finding 5: polyglots and huge metadata blocks keep nothing of what came with the
    pixels; HEIC (iPhones) is accepted and stored as JPEG."""
    response = channel.post(Hostile("IMG_0001.jpg", maker(), ""))

    assert response.status_code in (200, 201, 302), response.content.decode()[:500]
    if not channel.stores:
        position = (response.json()["lat"], response.json()["lon"])
        assert position == ((15.05, 108.8) if has_gps else (None, None))
        assert state()[2:] == (0, 0, [])
        return
    photo = IncidentPhoto.objects.get()
    stored = photo.image.read()
    for leftover in (b"PK\x03\x04", b"<script", b"<html", b"Exif", b"MAKERNOTE", b"Chu may"):
        assert leftover not in stored
    assert stored.startswith(b"\xff\xd8")
    assert photo.content_type == "image/jpeg"
    assert str(photo.image.name).endswith(".jpg")
    with Image.open(photo.image.path) as reopened:
        assert reopened.format == "JPEG"
        assert (reopened.width, reopened.height) == (64, 48)
        assert dict(reopened.getexif()) == {}


def test_a_48_megapixel_jpeg_is_decoded_at_reduced_size_and_stored_at_the_stored_size(
    file_report: FileReport, tmp_path: Path
) -> None:
    """Issue 8, finding 5: a photo larger than what is stored is decoded at a fraction of its
    size (JPEG's draft mode), so its decoded pixels never take their full ~144 MB; before the fix
    the whole image was decoded and then copied several times."""
    source = tmp_path / "48mp.jpg"
    source.write_bytes(hostile_images.phone_sized_jpeg())
    # In a process of its own, so that its peak memory is this photo's alone.
    measure = (
        "import os, resource, sys, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'geoapp.settings.test'\n"
        "django.setup()\n"
        "from incidents.photos import photo_prepare\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "with open(sys.argv[1], 'rb') as file:\n"
        "    prepared = photo_prepare(file)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(prepared.width, prepared.height, (after - before) // 1024)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", measure, str(source)],
        check=True,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    ).stdout.split()
    width, height, grown_megabytes = (int(value) for value in output)

    assert (width, height) == (4000, 3000)
    # The full decode alone would be 144 MB (8000 × 6000 × 3); at half size it is 36 MB.
    # Before the fix: 919 MB (the whole image decoded, then copied several times); now about 90.
    assert grown_megabytes < 120, grown_megabytes

    incident = file_report(photos=[upload("48mp.jpg", hostile_images.phone_sized_jpeg())]).incident
    photo = incident.photos.get()
    assert (photo.width, photo.height) == (4000, 3000)
    assert incident.status == IncidentStatus.NEW


def test_the_pixel_limit_is_a_setting(file_report: FileReport, settings: Settings) -> None:
    """Issue 8, finding 5: the limit is the operator's (INCIDENT_PHOTO_MAX_PIXELS)."""
    from geoapp.exceptions import InvalidInput

    from .conftest import jpeg_bytes

    settings.INCIDENT_PHOTO_MAX_PIXELS = 1_000

    with pytest.raises(InvalidInput) as refused:
        file_report(photos=[upload("a.jpg", jpeg_bytes(size=(40, 30)))])

    assert refused.value.code == "photo_too_many_pixels"
    assert refused.value.message == "Ảnh có quá nhiều điểm ảnh: tối đa 0.001 megapixel mỗi ảnh."
    assert state()[:3] == (0, 0, 0)

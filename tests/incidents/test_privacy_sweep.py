"""The privacy sweep (issue 8, "What to build" 4): personal data filed through every channel and
moved through every action never reaches a public output.

Four reports are filed in Cẩm Thành with a distinctive name, phone, e-mail and photo GPS
(`privacy_sweep_support`): through the filing page, the REST API and Open311 with an API key.
They go through every action (acknowledge, request and provide information, answer, resolve,
reopen, rate, support, mark as duplicate, hide, hide the text, hide a photo); the area and one
report have a follower; the outbox is sent. Then every public output is fetched: the pages, every
public REST GET, Open311 in JSON and XML, the feeds, the messages to followers and reporters, the
public photos' bytes and the log at INFO. None may hold any distinctive value in any form.

So that the sweep cannot pass by reading nothing, it first finds each value where it must be (the
staff API of the report's unit, the reporter's own messages) and checks that every public output
answered 200 with content, including the public facts of the reports it filed.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from geoapp.api_keys import api_client_issue
from incidents.following import services as following
from incidents.models import Incident, IncidentPhoto
from notifications import services as notification_services
from notifications.models import Notification, NotificationStatus
from notifications.subscription_tokens import confirmation_token_for
from tests.conftest import Territory

from .conftest import client_for
from .privacy_sweep_support import (
    ADDRESS,
    DESCRIPTION,
    EMAIL,
    NAME,
    PHONE,
    PHOTO_LATITUDE_DEGREES,
    PHOTO_LONGITUDE_DEGREES,
    PIN,
    Finding,
    findings,
    jpeg_with_gps,
    ok,
    photo_metadata,
    public_outputs,
    public_photos,
)

STAFF = "/api/v1/staff/incidents/"
NEUTRAL_ADDRESS = "Ngã tư Hùng Vương – Lê Lợi"
AREA_FOLLOWER = "theo.doi.khu.vuc@example.vn"
REPORT_FOLLOWER = "theo.doi.phan.anh@example.vn"
UNIT_ADDRESS = "ubnd-camthanh@quangngai.gov.vn"


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("IMG_0042.jpg", jpeg_with_gps(), content_type="image/jpeg")


def follow(**target: Any) -> None:
    email = target.pop("email")
    subscription = following.subscription_request(email=email, **target).subscription
    notification_services.subscription_confirm(
        token=confirmation_token_for(
            subscription_id=subscription.pk, requested_at=subscription.confirmation_requested_at
        )
    )


def file_everywhere(territory: Territory) -> dict[str, tuple[Incident, str]]:
    """The four reports and their reporter tokens ("" where the channel gives none back)."""
    page = Client(REMOTE_ADDR="203.0.113.31")
    ok(
        page.post(
            "/gui-phan-anh/",
            {
                "category": "giao-thong",
                "attribute-giao-thong-loai-hu-hong": "o-ga",
                "description": DESCRIPTION,
                "address": ADDRESS,
                **PIN,
                "reporter_name": NAME,
                "reporter_phone": PHONE,
                "reporter_email": EMAIL,
                "reporter_may_be_contacted": "on",
                "photos": photo(),
                "idempotency_key": "5e1f0c3a9b8d47e6a2c4f1b0d9e8c7a6",
            },
        ),
        302,
    )
    rest = APIClient(REMOTE_ADDR="203.0.113.32")

    def file_by_rest(**fields: Any) -> tuple[Incident, str]:
        body = {
            "category": "giao-thong",
            "description": "Ổ gà sâu giữa ngã tư",
            **PIN,
            "address": NEUTRAL_ADDRESS,
            "attribute[loai-hu-hong]": "o-ga",
            "reporter_name": NAME,
            "reporter_may_be_contacted": True,
            "photos": [photo()],
            **fields,
        }
        created = ok(rest.post("/api/v1/incidents/", body, format="multipart"), 201).json()
        return Incident.objects.get(tracking_code=created["tracking_code"]), created[
            "reporter_token"
        ]

    by_phone = file_by_rest(reporter_phone=PHONE)
    to_hide = file_by_rest(reporter_email=EMAIL, description="Cống hở nắp")
    _client, api_key = api_client_issue(name="Ứng dụng Quảng Ngãi S")
    created = ok(
        Client(REMOTE_ADDR="203.0.113.33").post(
            "/open311/v2/requests.json",
            {
                "api_key": api_key,
                "service_code": "giao-thong",
                "lat": PIN["lat"],
                "long": PIN["lon"],
                "address_string": NEUTRAL_ADDRESS,
                "description": "Ổ gà lớn, xe máy dễ ngã",
                "attribute[loai-hu-hong]": "o-ga",
                "first_name": "Bí Mật",
                "last_name": "Hoàng Thị",
                "email": EMAIL,
                "phone": PHONE,
                "device_id": "thiet-bi-bi-mat",
                "media": photo(),
            },
        ),
        201,
    ).json()
    return {
        "page": (Incident.objects.get(description=DESCRIPTION), ""),
        "rest": by_phone,
        "rest hidden": to_hide,
        "open311": (Incident.objects.get(tracking_code=created[0]["service_request_id"]), ""),
    }


def act_everywhere(reports: dict[str, tuple[Incident, str]], officer: User) -> None:
    staff = client_for(officer)
    citizen = APIClient(REMOTE_ADDR="203.0.113.34")

    def step(report: str, action: str, **body: Any) -> None:
        code = reports[report][0].tracking_code
        ok(staff.post(f"{STAFF}{code}/{action}/", body, format="json"))

    def reporter(report: str, action: str, **body: Any) -> None:
        incident, token = reports[report]
        ok(
            citizen.post(
                f"/api/v1/incidents/{incident.tracking_code}/{action}/",
                {"reporter_token": token, **body},
                format="json",
            )
        )

    step("page", "acknowledge")
    step("page", "answer", answer="Đơn vị sẽ vá ổ gà trong tuần.")
    step("page", "hide-text", reason="Nội dung có số điện thoại và địa chỉ nhà riêng")

    step("rest", "acknowledge")
    step("rest", "request-information", question="Ổ gà rộng bao nhiêu?")
    reporter("rest", "information", information=f"Rộng nửa mét. Gọi {PHONE}, {NAME}")
    ok(
        citizen.post(
            f"/api/v1/incidents/{reports['rest'][0].tracking_code}/support/",
            {"email": EMAIL},
            format="json",
        )
    )
    step("open311", "mark-duplicate", original=reports["rest"][0].tracking_code)
    hidden_photo = IncidentPhoto.objects.get(incident=reports["open311"][0])
    ok(
        staff.post(
            f"/api/v1/staff/photos/{hidden_photo.pk}/hide/",
            {"reason": "Ảnh có biển số xe"},
            format="json",
        )
    )
    step("rest", "answer", answer="Đã tiếp nhận thông tin bổ sung.")
    step("rest", "resolve", answer="Đã vá xong.")
    reporter("rest", "reopen", reason=f"Vẫn còn ổ gà, liên hệ {EMAIL}")
    step("rest", "resolve", answer="Đã vá lại.")
    reporter("rest", "rate", rating=4, comment=f"Cảm ơn, {NAME}")

    step("rest hidden", "hide", reason="Phản ánh có thông tin cá nhân")


def send_the_outbox() -> None:
    for notification_id in Notification.objects.filter(
        status=NotificationStatus.PENDING
    ).values_list("pk", flat=True):
        notification_services.notification_send(notification_id=notification_id)
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()


@pytest.mark.django_db
def test_no_personal_data_reaches_any_public_output(
    territory: Territory,
    categories: None,
    officer_a: User,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    for logger in ("incidents", "notifications", "geoapp", "wards", "django", "celery"):
        caplog.set_level(logging.INFO, logger=logger)
    territory.committee_cam_thanh.email = UNIT_ADDRESS
    territory.committee_cam_thanh.save(update_fields=["email"])
    follow(email=AREA_FOLLOWER, area_id=territory.cam_thanh.pk)

    reports = file_everywhere(territory)
    follow(email=REPORT_FOLLOWER, tracking_code=reports["rest"][0].tracking_code)
    act_everywhere(reports, officer_a)
    send_the_outbox()

    # Where the data must be: the unit's staff API, and the reporter's own messages.
    staff = client_for(officer_a)
    for name, (incident, _token) in reports.items():
        detail = ok(staff.get(f"{STAFF}{incident.tracking_code}/")).json()
        # Open311's last_name and first_name are joined family name first, as Vietnamese names go.
        assert detail["reporter"]["name"] == NAME, name
        located = [p["exif_location"] for p in detail["photos"] if p["exif_location"]]
        assert [(round(p["lat"], 4), round(p["lon"], 4)) for p in located] == [
            (PHOTO_LATITUDE_DEGREES, PHOTO_LONGITUDE_DEGREES)
        ], name
    page_detail = ok(staff.get(f"{STAFF}{reports['page'][0].tracking_code}/")).json()
    assert (page_detail["reporter"]["phone"], page_detail["reporter"]["email"]) == (PHONE, EMAIL)
    assert (page_detail["address"], page_detail["description"]) == (ADDRESS, DESCRIPTION)
    to_reporters = Notification.objects.filter(recipient_role="reporter")
    assert set(to_reporters.values_list("channel", "address")) == {
        ("email", EMAIL),
        ("sms", PHONE),
    }
    assert set(to_reporters.values_list("status", flat=True)) == {"sent"}
    assert {message.to[0] for message in mail.outbox} >= {
        EMAIL,
        UNIT_ADDRESS,
        AREA_FOLLOWER,
        REPORT_FOLLOWER,
    }
    to_followers = Notification.objects.filter(recipient_role="follower").exclude(
        kind="subscription_confirmation"
    )
    assert set(to_followers.values_list("address", flat=True)) == {
        AREA_FOLLOWER,
        REPORT_FOLLOWER,
    }

    # Every public output, answered with content.
    outputs = public_outputs(territory, reports)
    hidden_report = {name for name in outputs if name.endswith("(rest hidden)")}
    statuses = {name: response.status_code for name, response in outputs.items()}
    assert statuses == {name: 404 if name in hidden_report else 200 for name in outputs}
    assert all(response.content for response in outputs.values())
    rest_code = reports["rest"][0].tracking_code
    assert NEUTRAL_ADDRESS in outputs["tracking page (rest)"].content.decode()
    assert rest_code in outputs["Open311 requests XML"].content.decode()
    assert rest_code in outputs["feed of the area"].content.decode()
    assert rest_code in outputs["map data, each report"].content.decode()
    photos = public_photos(outputs)
    assert sorted(photos) == sorted(
        f"{key} of REST detail ({name})"
        for name in ("page", "rest")
        for key in ("thumbnail_url", "url")
    )

    # None of it holds a distinctive value.
    searched: dict[str, bytes] = {name: response.content for name, response in outputs.items()}
    searched |= photos
    for notification in Notification.objects.exclude(recipient_role__in=["unit", "parent_unit"]):
        searched[f"message {notification.kind} to a {notification.recipient_role}"] = (
            f"{notification.subject}\n{notification.body}\n{notification.headers}".encode()
        )
    for message in mail.outbox:
        if message.to != [UNIT_ADDRESS]:
            searched[f"e-mail “{message.subject}”"] = message.message().as_bytes()
    printed = capsys.readouterr()
    searched["standard output"] = printed.out.encode()
    searched["standard error"] = printed.err.encode()
    searched["log at INFO"] = caplog.text.encode()

    found = findings(searched)
    # The reporter's own address is where their messages go: only the headers name it.
    found = [
        finding
        for finding in found
        if not (finding.output.startswith("e-mail") and finding.kind == "email")
        or _outside_recipient_header(searched[finding.output], finding)
    ]
    assert found == []
    # The reporter who gave only a phone got their text messages (masked on the console).
    assert printed.out.count("[sms → xxxxxxx321]") == to_reporters.filter(channel="sms").count()
    for name, content in photos.items():
        assert photo_metadata(content) == {"format": "JPEG", "exif": {}, "gps": {}, "info": []}, (
            name
        )


def _outside_recipient_header(raw: bytes, finding: Finding) -> bool:
    """Whether an e-mail holds the value anywhere but its To header."""
    lines = raw.decode("utf-8", errors="replace").splitlines()
    rest = "\n".join(line for line in lines if not line.lower().startswith("to:")).lower()
    return finding.form.lower() in rest

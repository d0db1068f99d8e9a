"""Who is told what when a report is filed, handled, transferred or moderated."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from incidents import notifications as hooks
from incidents import services as incident_services
from incidents.models import Incident, IncidentEvent
from incidents.reporter_tokens import reporter_token_for
from notifications.models import Notification

from .conftest import (
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    FileReport,
    Units,
    messages_sent,
    queued_tasks,
)

TRACKING_PAGE = "http://127.0.0.1:8000/phan-anh/{code}/"


def planned(**filters: Any) -> list[tuple[str, str, str, str, str]]:
    return list(
        Notification.objects.filter(**filters)
        .order_by("id")
        .values_list("dedupe_key", "kind", "channel", "recipient_role", "address")
    )


def assert_no_personal_data(notification: Notification) -> None:
    for text in (notification.subject, notification.body):
        assert REPORTER_NAME not in text
        assert REPORTER_PHONE not in text
        assert REPORTER_EMAIL not in text


@pytest.fixture
def filed(
    file_report: FileReport, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> Incident:
    with django_capture_on_commit_callbacks(execute=True):
        return file_report(keep_notices=True)


def test_a_new_report_tells_its_unit_and_gives_the_reporter_a_receipt(
    filed: Incident, units: Units, private_queue: str
) -> None:
    assert planned() == [
        (
            f"incident:{filed.pk}:created:unit:{units.cam_thanh.pk}:email",
            "incident_new_for_unit",
            "email",
            "unit",
            "ubnd-camthanh@quangngai.gov.vn",
        ),
        (
            f"incident:{filed.pk}:created:reporter:email",
            "incident_received",
            "email",
            "reporter",
            REPORTER_EMAIL,
        ),
    ]
    assert queued_tasks(private_queue) == [
        ("notifications.send", f"({notification.pk},)")
        for notification in Notification.objects.order_by("id")
    ]


def test_the_units_email_carries_the_report_but_not_the_reporters_contact(
    filed: Incident,
) -> None:
    messages_sent()  # composed by the worker (incidents/message_composers.py)
    notification = Notification.objects.get(kind="incident_new_for_unit")

    code = filed.tracking_code
    assert (
        notification.subject
        == f"Phản ánh mới {code}: Giao thông / New report {code}: Roads and traffic"
    )
    assert notification.body.startswith(
        "Ủy ban nhân dân Phường Cẩm Thành có phản ánh mới cần xử lý."
    )
    assert "Ổ gà sâu giữa đường Hùng Vương" in notification.body
    assert f"Mã tra cứu: {code}" in notification.body
    assert TRACKING_PAGE.format(code=code) in notification.body
    assert "\nEnglish\n" in notification.body
    assert_no_personal_data(notification)
    assert notification.about == filed


def test_the_receipt_is_in_vietnamese_then_english_with_the_tracking_link(
    filed: Incident,
) -> None:
    messages_sent()
    notification = Notification.objects.get(kind="incident_received")

    code = filed.tracking_code
    assert notification.subject == f"Đã nhận phản ánh {code} / Report {code} received"
    vietnamese, english = notification.body.split("\nEnglish\n")
    assert vietnamese.startswith("Cảm ơn bạn đã gửi phản ánh.")
    assert f"Mã tra cứu: {code}" in vietnamese
    assert "Đơn vị xử lý: Ủy ban nhân dân Phường Cẩm Thành" in vietnamese
    assert f"Theo dõi tiến độ xử lý tại: {TRACKING_PAGE.format(code=code)}" in vietnamese
    assert english.strip().startswith("Thank you for your report.")
    assert f"Tracking code: {code}" in english
    assert "Category: Roads and traffic" in english
    assert_no_personal_data(notification)


def test_a_reporter_who_did_not_consent_is_not_written_to(
    file_report: FileReport, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        file_report(keep_notices=True, reporter_may_be_contacted=False)

    assert [row[3] for row in planned()] == ["unit"]


def test_an_anonymous_reporter_is_not_written_to(
    file_report: FileReport, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        file_report(keep_notices=True, reporter_name="", reporter_phone="", reporter_email="")

    assert [row[3] for row in planned()] == ["unit"]


def test_a_reporter_who_gave_only_a_phone_gets_a_short_text_message(
    file_report: FileReport, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True, reporter_email="")
    messages_sent()

    notification = Notification.objects.get(recipient_role="reporter")
    code = incident.tracking_code
    assert (notification.dedupe_key, notification.channel, notification.address) == (
        f"incident:{incident.pk}:created:reporter:sms",
        "sms",
        REPORTER_PHONE,
    )
    assert notification.body == f"Đã nhận phản ánh {code}. {TRACKING_PAGE.format(code=code)}"


def test_the_phone_channel_can_be_zalo(
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
) -> None:
    settings.NOTIFICATION_PHONE_CHANNEL = "zalo"
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True, reporter_email="")

    assert planned(recipient_role="reporter") == [
        (f"incident:{incident.pk}:created:reporter:zalo", "incident_received", "zalo",
         "reporter", REPORTER_PHONE),
    ]  # fmt: skip


def test_running_a_hook_twice_plans_every_message_once(
    filed: Incident,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    private_queue: str,
) -> None:
    before = planned()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hooks.notify_incident_created(filed.pk)

    assert planned() == before
    assert callbacks == []
    assert len(queued_tasks(private_queue)) == 2


def test_a_public_step_tells_the_reporter_with_the_units_note(
    filed: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(
            actor=officer_a, incident=filed, note="Đã cử tổ kiểm tra hiện trường."
        )

    event = IncidentEvent.objects.get(incident=filed, action="acknowledged")
    assert planned(occasion_id=event.pk) == [
        (f"incident:{filed.pk}:event:{event.pk}:reporter:email", "incident_updated", "email",
         "reporter", REPORTER_EMAIL),
    ]  # fmt: skip
    notification = Notification.objects.occasioned_by(event).get()
    code = filed.tracking_code
    assert notification.subject == f"Phản ánh {code}: Đã tiếp nhận / Report {code}: Acknowledged"
    assert "Trạng thái: Đã tiếp nhận" in notification.body
    assert "Status: Acknowledged" in notification.body
    assert "Đã cử tổ kiểm tra hiện trường." in notification.body
    assert_no_personal_data(notification)


def test_an_internal_event_tells_no_one(
    filed: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_note_add(
            actor=officer_a, incident=filed, note="Liên hệ đội duy tu số 2."
        )
    note = IncidentEvent.objects.get(incident=filed, action="note_added")

    # Even if the hook were called for it, an internal event is no one's news.
    hooks.notify_incident_updated(filed.pk, note.pk)

    assert Notification.objects.count() == before


def test_a_transfer_tells_the_new_unit_and_the_reporter(
    filed: Incident,
    units: Units,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_transfer(
            actor=officer_a,
            incident=filed,
            reason="Tuyến đường do xã An Phú quản lý.",
            to_agency=units.an_phu,
        )

    event = IncidentEvent.objects.get(incident=filed, action="transferred")
    assert planned(occasion_id=event.pk) == [
        (f"incident:{filed.pk}:event:{event.pk}:unit:{units.an_phu.pk}:email",
         "incident_transferred_to_unit", "email", "unit", "ubnd-anphu@quangngai.gov.vn"),
        (f"incident:{filed.pk}:event:{event.pk}:reporter:email", "incident_updated", "email",
         "reporter", REPORTER_EMAIL),
    ]  # fmt: skip
    to_unit = Notification.objects.get(kind="incident_transferred_to_unit")
    assert to_unit.body.startswith(
        f"Phản ánh {filed.tracking_code} vừa được chuyển từ Ủy ban nhân dân Phường Cẩm Thành "
        "đến Ủy ban nhân dân Xã An Phú.\nLý do chuyển: Tuyến đường do xã An Phú quản lý."
    )
    assert_no_personal_data(to_unit)
    to_reporter = Notification.objects.occasioned_by(event).get(recipient_role="reporter")
    code = filed.tracking_code
    assert to_reporter.subject == (
        f"Phản ánh {code}: Chuyển đơn vị xử lý / Report {code}: Transfer to another unit"
    )


def test_hiding_the_text_tells_the_reporter_why_and_no_one_else(
    filed: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_text_hide(
            actor=officer_a, incident=filed, reason="Nội dung có số điện thoại cá nhân."
        )

    event = IncidentEvent.objects.get(incident=filed, action="text_hidden")
    assert planned(occasion_id=event.pk) == [
        (f"incident:{filed.pk}:event:{event.pk}:reporter:email", "incident_moderated", "email",
         "reporter", REPORTER_EMAIL),
    ]  # fmt: skip
    body = Notification.objects.occasioned_by(event).get().body
    assert "Lý do: Nội dung có số điện thoại cá nhân." in body
    assert "(Ẩn nội dung)" in body
    assert "(Hide the content)" in body


def test_the_reporters_own_reopening_is_not_sent_back_to_them(
    filed: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(actor=officer_a, incident=filed)
        incident_services.incident_resolve(
            actor=officer_a, incident=filed, answer="Đã vá ổ gà ngày 02/07."
        )
    before = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_reopen(
            incident=filed,
            reporter_token=reporter_token_for(filed.tracking_code),
            reason="Ổ gà vẫn còn.",
        )

    reopened = IncidentEvent.objects.get(incident=filed, action="reopened")
    assert Notification.objects.occasioned_by(reopened).count() == 0
    assert Notification.objects.count() == before


def test_a_hook_for_a_report_that_no_longer_exists_plans_nothing(db: None) -> None:
    hooks.notify_incident_created(987654)
    hooks.notify_incident_updated(987654, 1)
    hooks.notify_incident_transferred(987654, 1)
    hooks.notify_incident_moderated(987654, 1)

    assert Notification.objects.count() == 0

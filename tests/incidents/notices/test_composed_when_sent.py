"""A filed report's messages are written to the outbox without their words and composed by the
worker when it sends them (incidents/message_composers.py): the same words as when the filing
composed them, about the report as it was filed."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from incidents import notice_texts as texts
from incidents import services as incident_services
from incidents.models import Incident
from incidents.notice_texts import IncidentNoticeKind
from notifications.message_texts import ComposedMessage
from notifications.models import Notification, NotificationStatus
from notifications.services import notification_enqueue
from notifications.subscription_links import unsubscribe_headers, unsubscribe_url
from tests.conftest import Territory
from tests.incidents.following.test_subscriptions import confirmed
from tests.notifications.conftest import AN_PHU_POINT
from wards.models import Area

from .conftest import FileReport, Units, messages_sent

FOLLOWER = "khu.vuc@example.vn"


def _as_the_filing_composed_them(incident_id: int, *, follower: str = "") -> dict[str, object]:
    """What the filing wrote into each row before this change, by the functions it called then:
    the report read back as the filing held it (its category, unit and area), composed at once."""
    incident = Incident.objects.select_related("category", "agency", "area").get(pk=incident_id)
    to_unit = texts.compose_notice(
        IncidentNoticeKind.INCIDENT_NEW_FOR_UNIT, texts.unit_context(incident)
    )
    receipt = texts.compose_notice(
        IncidentNoticeKind.INCIDENT_RECEIVED, texts.incident_context(incident)
    )
    expected: dict[str, object] = {
        "incident_new_for_unit": (to_unit.subject, to_unit.body, {}),
        "incident_received": (receipt.subject, receipt.body, {}),
    }
    if follower:
        notification = Notification.objects.get(address=follower, kind="followed_area_new_incident")
        assert notification.subscription is not None
        url = unsubscribe_url(notification.subscription)
        area = Area.objects.get(pk=notification.subscription.subject_id)
        news: ComposedMessage = texts.compose_notice(
            IncidentNoticeKind.FOLLOWED_AREA_NEW_INCIDENT,
            {
                **texts.incident_context(incident),
                "unsubscribe_url": url,
                "followed_area": area.name,
            },
        )
        expected["followed_area_new_incident"] = (news.subject, news.body, unsubscribe_headers(url))
    return expected


def _as_sent(incident: Incident) -> dict[str, object]:
    return {
        notification.kind: (notification.subject, notification.body, notification.headers)
        for notification in Notification.objects.about(incident).filter(
            dedupe_key__contains=":created:"
        )
    }


def test_a_filed_reports_messages_wait_without_their_words_and_are_sent_with_the_same_words(
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    subscription = confirmed(area_id=territory.cam_thanh.pk, email=FOLLOWER)
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True)
    planned = Notification.objects.about(incident).order_by("id")
    assert list(planned.values_list("kind", "subject", "body", "headers", "status")) == [
        ("incident_new_for_unit", "", "", {}, "pending"),
        ("incident_received", "", "", {}, "pending"),
        ("followed_area_new_incident", "", "", {}, "pending"),
    ]
    assert planned.get(kind="followed_area_new_incident").subscription_id == subscription.pk
    expected = _as_the_filing_composed_them(incident.pk, follower=FOLLOWER)

    messages_sent()

    assert _as_sent(incident) == expected
    assert set(planned.values_list("status", flat=True)) == {NotificationStatus.SENT}
    emails = {(email.to[0], email.subject, email.body) for email in mail.outbox}
    assert {
        (notification.address, notification.subject, notification.body) for notification in planned
    } <= emails


def test_the_receipt_by_text_message_is_the_vietnamese_subject_and_the_link(
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True, reporter_email="")
    incident = Incident.objects.select_related("category", "agency", "area").get(pk=incident.pk)
    expected = texts.compose_notice(
        IncidentNoticeKind.INCIDENT_RECEIVED, texts.incident_context(incident)
    )

    messages_sent()

    receipt = Notification.objects.get(kind="incident_received")
    assert (receipt.channel, receipt.subject, receipt.body, receipt.status) == (
        "sms",
        expected.subject,
        expected.text,
        "sent",
    )


def test_a_report_corrected_and_transferred_before_the_send_is_announced_as_filed(
    file_report: FileReport,
    units: Units,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True)
    as_filed = _as_the_filing_composed_them(incident.pk)
    # Another category, place, unit and deadlines, before the worker got to the messages.
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_transfer(
            actor=officer_a,
            incident=incident,
            reason="Sai lĩnh vực và vị trí.",
            point=AN_PHU_POINT,
            category_code="chieu-sang",
            to_agency=units.an_phu,
        )
    as_it_is_now = _as_the_filing_composed_them(incident.pk)
    assert as_it_is_now != as_filed  # the correction changed what a message would say

    messages_sent()

    assert _as_sent(incident) == as_filed
    to_unit = Notification.objects.get(kind="incident_new_for_unit", dedupe_key__contains="created")
    assert to_unit.address == "ubnd-camthanh@quangngai.gov.vn"
    assert to_unit.body.startswith("Ủy ban nhân dân Phường Cẩm Thành có phản ánh mới cần xử lý.")
    assert "Lĩnh vực: Giao thông\n" in to_unit.body


def test_a_message_composed_when_planned_is_sent_as_it_is_beside_one_composed_when_sent(
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """A row planned before this change carries its words: the worker sends them unchanged."""
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True, reporter_email="", reporter_phone="")
        composed_before = notification_enqueue(
            dedupe_key=f"incident:{incident.pk}:created:reporter:email",
            kind="incident_received",
            channel="email",
            recipient_role="reporter",
            address="cu@example.vn",
            subject="Đã nhận phản ánh (thư cũ)",
            body="Nội dung đã soạn khi lập kế hoạch.",
            about=incident,
        )

    messages_sent()

    old = Notification.objects.get(pk=composed_before.pk)
    assert (old.status, old.subject, old.body) == (
        "sent",
        "Đã nhận phản ánh (thư cũ)",
        "Nội dung đã soạn khi lập kế hoạch.",
    )
    sent = sorted((email.to[0], email.subject) for email in mail.outbox)
    to_unit = Notification.objects.get(kind="incident_new_for_unit")
    assert to_unit.status == "sent"
    assert sent == sorted(
        [
            ("cu@example.vn", "Đã nhận phản ánh (thư cũ)"),
            ("ubnd-camthanh@quangngai.gov.vn", to_unit.subject),
        ]
    )


def test_the_messages_of_a_report_deleted_before_the_send_fail_and_nothing_is_sent(
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_report(keep_notices=True)
    planned = Notification.objects.about(incident)
    Incident.objects.filter(pk=incident.pk).delete()

    messages_sent()

    assert mail.outbox == []
    assert sorted(planned.values_list("kind", "status", "subject", "body", "attempts")) == [
        ("incident_new_for_unit", "failed", "", "", 1),
        ("incident_received", "failed", "", "", 1),
    ]
    assert sorted(planned.values_list("pk", "last_error")) == [
        (pk, f"the report of message {pk} no longer exists")
        for pk in sorted(planned.values_list("pk", flat=True))
    ]

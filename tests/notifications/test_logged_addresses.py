"""What the outbox writes to the log and the console: never a whole phone number or email address
(issue 8, finding 11: the console SMS gateway printed reporters' phone numbers)."""

from __future__ import annotations

import logging

import pytest
from pytest_django import Settings

from incidents.notice_texts import IncidentNoticeKind
from notifications import services
from notifications.address_masks import masked_address
from notifications.models import NotificationChannel, NotificationStatus, RecipientRole

pytestmark = pytest.mark.django_db

PHONE = "0905 123 456"
EMAIL = "khong-ton-tai@example.vn"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("0905 123 456", "xxxxxxx456"),
        ("+84 905-123-456", "xxxxxxxx456"),
        ("12", "xx"),
        ("Binh.Tran@Example.VN", "b***@example.vn"),
        ("khong-co-a-cong", "***"),
    ],
)
def test_an_address_is_masked_to_what_tells_it_apart_and_no_more(address: str, masked: str) -> None:
    assert masked_address(address) == masked


def test_the_console_gateway_prints_and_logs_the_phone_masked(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 8, finding 11: the console gateway printed and logged the reporter's phone."""
    caplog.set_level(logging.INFO)
    notification = services.notification_enqueue(
        dedupe_key="incident:1:event:2:reporter:sms",
        kind=IncidentNoticeKind.INCIDENT_UPDATED,
        channel=NotificationChannel.SMS,
        recipient_role=RecipientRole.REPORTER,
        address=PHONE,
        subject="",
        body="Phản ánh PA-ABC-DEF: Tiếp nhận. http://127.0.0.1:8000/phan-anh/PA-ABC-DEF/",
    )

    status = services.notification_send(notification_id=notification.pk)

    printed = capsys.readouterr().out
    assert status == NotificationStatus.SENT
    assert printed == (
        "[sms → xxxxxxx456] Phản ánh PA-ABC-DEF: Tiếp nhận. "
        "http://127.0.0.1:8000/phan-anh/PA-ABC-DEF/\n"
    )
    assert "message gateway (console): [sms → xxxxxxx456]" in caplog.text
    for whole in (PHONE, PHONE.replace(" ", ""), "905123"):
        assert whole not in printed
        assert whole not in caplog.text


def test_a_message_that_fails_for_good_is_logged_without_its_address(
    settings: Settings, refusing_smtp_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 8, finding 11: the error logged for a refused address quoted the address."""
    caplog.set_level(logging.WARNING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = refusing_smtp_server
    notification = services.notification_enqueue(
        dedupe_key="incident:1:event:2:reporter:email",
        kind=IncidentNoticeKind.INCIDENT_UPDATED,
        channel=NotificationChannel.EMAIL,
        recipient_role=RecipientRole.REPORTER,
        address=EMAIL,
        subject="Phản ánh PA-ABC-DEF",
        body="Nội dung thư",
    )

    status = services.notification_send(notification_id=notification.pk)

    assert status == NotificationStatus.FAILED
    assert f"notification {notification.pk} failed for good after 1 attempts" in caplog.text
    assert "k***@example.vn" in caplog.text
    assert EMAIL not in caplog.text.lower()
    # The row keeps the whole error for the administrators who read the outbox.
    notification.refresh_from_db()
    assert EMAIL in notification.last_error

"""What followers are told: the public facts of a report, never a word its reporter wrote
(issue 8, finding 9)."""

from __future__ import annotations

from django.contrib.auth.models import User
from pytest_django import DjangoCaptureOnCommitCallbacks

from incidents import services as incident_services
from incidents.following import services as following
from notifications import services
from notifications.models import Notification
from notifications.subscription_tokens import confirmation_token_for
from tests.conftest import Territory

from .conftest import FileReport, messages_sent

DESCRIPTION = "Ổ gà trước nhà bà Nguyễn Thị Riêng, gọi 0912 000 111"
ADDRESS = "Số 7 ngõ Riêng Tư, Hùng Vương"


def follow(email: str, *, tracking_code: str | None = None, area_id: int | None = None) -> None:
    subscription = following.subscription_request(
        email=email, tracking_code=tracking_code, area_id=area_id
    ).subscription
    services.subscription_confirm(
        token=confirmation_token_for(
            subscription_id=subscription.pk, requested_at=subscription.confirmation_requested_at
        )
    )


def test_followers_emails_carry_no_text_written_by_the_reporter(
    territory: Territory,
    file_report: FileReport,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Issue 8, finding 9: a new report's description reached the area's followers at once,
    before any moderator could read it."""
    follow("khu.vuc@example.vn", area_id=territory.cam_thanh.pk)

    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(keep_notices=True, description=DESCRIPTION, address=ADDRESS)
    follow("phan.anh@example.vn", tracking_code=report.tracking_code)
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(actor=officer_a, incident=report)
        incident_services.incident_resolve(actor=officer_a, incident=report, answer="Đã vá ổ gà.")
    messages_sent()  # a filed report's messages are composed by the worker

    to_followers = Notification.objects.filter(recipient_role="follower").exclude(
        kind="subscription_confirmation"
    )
    assert sorted(to_followers.values_list("kind", "address")) == [
        ("followed_area_incident_resolved", "khu.vuc@example.vn"),
        ("followed_area_new_incident", "khu.vuc@example.vn"),
        ("followed_incident_updated", "phan.anh@example.vn"),
        ("followed_incident_updated", "phan.anh@example.vn"),
    ]
    for notice in to_followers:
        for written in (DESCRIPTION, ADDRESS, "Riêng"):
            assert written not in notice.subject + notice.body
        assert report.tracking_code in notice.body
    # The unit that handles the report is told its whole text.
    to_unit = Notification.objects.get(recipient_role="unit", kind="incident_new_for_unit")
    assert DESCRIPTION in to_unit.body
    assert ADDRESS in to_unit.body

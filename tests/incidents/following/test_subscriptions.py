"""Following a report or an area by email: confirm by a link, unsubscribe in one click."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from geoapp.exceptions import NotFound
from incidents import services as incident_services
from incidents.following import services as following
from incidents.models import Incident, IncidentEvent
from notifications import services
from notifications.models import Notification, NotificationQuerySet, Subscription
from notifications.subscription_tokens import confirmation_token_for, unsubscribe_token_for
from tests.conftest import ClientResponse, Territory

from .conftest import (
    AN_PHU_POINT,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    FileReport,
    messages_sent,
)

ACCEPTED = (
    "Đã ghi nhận. Nếu cần, một thư xác nhận đã được gửi đến địa chỉ của bạn: hãy mở liên kết "
    "trong thư để bắt đầu theo dõi."
)
FOLLOWER = "theo.doi@example.vn"


@pytest.fixture
def citizen() -> APIClient:
    return APIClient(REMOTE_ADDR="203.0.113.20")


@pytest.fixture
def report(file_report: FileReport) -> Incident:
    return file_report()


def request_following(client: APIClient, **payload: Any) -> ClientResponse:
    return client.post("/api/v1/subscriptions/", payload, format="json")


def counts() -> tuple[int, int]:
    return Subscription.objects.count(), Notification.objects.count()


def follower_notices() -> NotificationQuerySet:
    """Messages to followers about reports (not the confirmations of their subscriptions)."""
    return Notification.objects.filter(recipient_role="follower").exclude(
        kind="subscription_confirmation"
    )


def confirm_path(subscription: Subscription) -> str:
    token = confirmation_token_for(
        subscription_id=subscription.pk, requested_at=subscription.confirmation_requested_at
    )
    return f"/theo-doi/xac-nhan/{token}/"


def unsubscribe_path(subscription: Subscription) -> str:
    return f"/theo-doi/huy/{unsubscribe_token_for(subscription_id=subscription.pk)}/"


def confirmed(*, email: str = FOLLOWER, **target: Any) -> Subscription:
    subscription = following.subscription_request(email=email, **target).subscription
    return services.subscription_confirm(token=confirm_path(subscription).split("/")[-2])


# Asking to follow


def test_following_a_report_emails_a_confirmation_link(
    citizen: APIClient,
    report: Incident,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = request_following(
            citizen, email=" Theo.Doi@Example.vn ", tracking_code=report.tracking_code
        )

    assert (response.status_code, response.json()) == (202, {"detail": ACCEPTED})
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.subject) == (FOLLOWER, report)
    assert (subscription.confirmed_at, subscription.unsubscribed_at) == (None, None)
    notification = Notification.objects.get()
    requested = int(subscription.confirmation_requested_at.timestamp())
    assert (notification.dedupe_key, notification.kind, notification.address) == (
        f"subscription:{subscription.pk}:confirmation:{requested}",
        "subscription_confirmation",
        FOLLOWER,
    )
    code = report.tracking_code
    assert notification.subject == (
        f"Xác nhận theo dõi phản ánh {code} / Confirm following report {code}"
    )
    assert f"http://127.0.0.1:8000{confirm_path(subscription)}" in notification.body
    assert "Ngừng theo dõi" not in notification.body  # nothing to stop before confirming

    services.notification_send(notification_id=notification.pk)
    assert [email.to for email in mail.outbox] == [[FOLLOWER]]


def test_a_second_request_while_one_is_pending_gets_the_same_answer_and_no_second_email(
    citizen: APIClient, report: Incident
) -> None:
    first = request_following(citizen, email=FOLLOWER, tracking_code=report.tracking_code)
    second = request_following(citizen, email=FOLLOWER.upper(), tracking_code=report.tracking_code)

    assert first.json() == second.json() == {"detail": ACCEPTED}
    assert second.status_code == 202
    assert counts() == (1, 1)


def test_a_request_for_something_already_followed_sends_nothing(
    citizen: APIClient, report: Incident
) -> None:
    confirmed(tracking_code=report.tracking_code)
    before = counts()

    response = request_following(citizen, email=FOLLOWER, tracking_code=report.tracking_code)

    assert (response.status_code, response.json()) == (202, {"detail": ACCEPTED})
    assert counts() == before
    assert Subscription.objects.get().is_active


def test_a_request_still_pending_after_a_day_sends_a_new_link_and_the_old_one_dies(
    report: Incident,
) -> None:
    first = following.subscription_request(email=FOLLOWER, tracking_code=report.tracking_code)
    old_link = confirm_path(first.subscription)

    again = following.subscription_request(
        email=FOLLOWER,
        tracking_code=report.tracking_code,
        now=first.subscription.confirmation_requested_at + timedelta(hours=25),
    )

    assert (first.confirmation_sent, again.confirmation_sent) == (True, True)
    assert counts() == (1, 2)
    assert Client().get(old_link).status_code == 404
    assert Client().get(confirm_path(again.subscription)).status_code == 200


def test_an_address_gets_at_most_its_daily_confirmations_whoever_asks(
    territory: Territory, report: Incident, file_report: FileReport, settings: Settings
) -> None:
    settings.SUBSCRIPTION_CONFIRMATIONS_PER_ADDRESS_PER_DAY = 2
    second_report = file_report()

    results = [
        following.subscription_request(email=FOLLOWER, tracking_code=report.tracking_code),
        following.subscription_request(email=FOLLOWER, tracking_code=second_report.tracking_code),
        following.subscription_request(email=FOLLOWER, area_id=territory.an_phu.pk),
    ]

    assert [result.confirmation_sent for result in results] == [True, True, False]
    assert Notification.objects.filter(kind="subscription_confirmation").count() == 2


# Bad requests change nothing


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"email": "khong-phai-thu", "tracking_code": "{code}"}, 400, "invalid_email"),
        ({"email": FOLLOWER}, 400, "one_target_required"),
        ({"email": FOLLOWER, "tracking_code": "{code}", "area_id": "{area}"}, 400,
         "one_target_required"),
        ({"email": FOLLOWER, "tracking_code": "PA-0000-0000"}, 404, "incident_not_found"),
        ({"email": FOLLOWER, "area_id": 987654}, 404, "not_found"),
        ({"email": FOLLOWER, "area_id": "{former_area}"}, 400, "area_not_current"),
    ],
)  # fmt: skip
def test_a_bad_request_is_refused_with_a_clear_error_and_changes_nothing(
    citizen: APIClient,
    report: Incident,
    territory: Territory,
    payload: dict[str, Any],
    status: int,
    code: str,
) -> None:
    values = {
        "{code}": report.tracking_code,
        "{area}": territory.cam_thanh.pk,
        "{former_area}": territory.nguyen_nghiem.pk,
    }
    body = {key: values.get(value, value) for key, value in payload.items()}

    response = request_following(citizen, **body)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert counts() == (0, 0)


def test_the_invalid_email_error_is_in_vietnamese(citizen: APIClient, report: Incident) -> None:
    response = request_following(citizen, email="abc@", tracking_code=report.tracking_code)

    assert response.json()["detail"] == "Địa chỉ thư điện tử “abc@” không hợp lệ."


def test_a_report_hidden_from_the_public_cannot_be_followed(
    citizen: APIClient, file_report: FileReport
) -> None:
    hidden = file_report(is_public=False)

    response = request_following(citizen, email=FOLLOWER, tracking_code=hidden.tracking_code)

    assert response.status_code == 404
    assert counts() == (0, 0)


def test_requests_are_rate_limited_per_client(
    citizen: APIClient, report: Incident, file_report: FileReport, settings: Settings
) -> None:
    settings.SUBSCRIPTION_REQUEST_RATE = "2/hour"
    codes = [report.tracking_code, file_report().tracking_code, file_report().tracking_code]

    statuses = [
        request_following(citizen, email=FOLLOWER, tracking_code=code).status_code for code in codes
    ]
    other_client = request_following(
        APIClient(REMOTE_ADDR="203.0.113.99"), email=FOLLOWER, tracking_code=codes[2]
    )

    assert statuses == [202, 202, 429]
    assert other_client.status_code == 202
    assert Subscription.objects.count() == 3


# Confirming


def test_the_confirmation_link_starts_the_subscription(report: Incident) -> None:
    subscription = following.subscription_request(
        email=FOLLOWER, tracking_code=report.tracking_code
    ).subscription

    response = Client().get(confirm_path(subscription))

    subscription.refresh_from_db()
    assert response.status_code == 200
    assert "Đã xác nhận theo dõi" in response.content.decode()
    assert (
        f"Từ nay bạn sẽ nhận thư khi phản ánh {report.tracking_code} có diễn biến mới."
        in response.content.decode()
    )
    assert subscription.is_active
    confirmed_at = subscription.confirmed_at

    assert Client().get(confirm_path(subscription)).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at == confirmed_at


def test_a_tampered_confirmation_link_is_refused_and_changes_nothing(report: Incident) -> None:
    subscription = following.subscription_request(
        email=FOLLOWER, tracking_code=report.tracking_code
    ).subscription
    token = confirm_path(subscription).split("/")[-2]
    other_id = f"{subscription.pk + 1}{token[len(str(subscription.pk)) :]}"

    responses = [
        Client().get(f"/theo-doi/xac-nhan/{other_id}/"),
        Client().get(f"/theo-doi/xac-nhan/{token[:-1]}x/"),
        Client().get(f"/theo-doi/huy/{token}/"),  # a confirmation token is no unsubscribe token
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert "Liên kết không hợp lệ hoặc đã hết hạn." in responses[0].content.decode()
    subscription.refresh_from_db()
    assert (subscription.confirmed_at, subscription.unsubscribed_at) == (None, None)


def test_an_expired_confirmation_link_is_refused(report: Incident) -> None:
    subscription = following.subscription_request(
        email=FOLLOWER, tracking_code=report.tracking_code
    ).subscription
    token = confirm_path(subscription).split("/")[-2]

    with pytest.raises(NotFound):
        services.subscription_confirm(
            token=token, now=subscription.confirmation_requested_at + timedelta(days=7, minutes=1)
        )

    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


# Following


def test_followers_of_a_report_get_its_public_updates_with_a_one_click_unsubscribe(
    report: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    subscription = confirmed(tracking_code=report.tracking_code)
    incident_services.incident_acknowledge(actor=officer_a, incident=report)

    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_answer(
            actor=officer_a, incident=report, answer="Đơn vị sẽ vá ổ gà trong tuần này."
        )

    event = IncidentEvent.objects.get(incident=report, action="answered")
    notification = follower_notices().occasioned_by(event).get()
    unsubscribe_url = f"http://127.0.0.1:8000{unsubscribe_path(subscription)}"
    assert (notification.dedupe_key, notification.kind, notification.address) == (
        f"incident:{report.pk}:event:{event.pk}:subscription:{subscription.pk}",
        "followed_incident_updated",
        FOLLOWER,
    )
    assert notification.headers == {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert f"Ngừng theo dõi (một lần nhấn): {unsubscribe_url}" in notification.body
    assert f"Stop following (one click): {unsubscribe_url}" in notification.body
    assert "Đơn vị sẽ vá ổ gà trong tuần này." in notification.body
    for personal in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL):
        assert personal not in notification.body

    services.notification_send(notification_id=notification.pk)
    email = mail.outbox[-1]
    assert email.to == [FOLLOWER]
    message = email.message()
    assert message["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unconfirmed_and_unsubscribed_followers_hear_nothing(
    report: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    following.subscription_request(
        email="chua-xac-nhan@example.vn", tracking_code=report.tracking_code
    )
    gone = confirmed(email="da-huy@example.vn", tracking_code=report.tracking_code)
    services.subscription_unsubscribe(token=unsubscribe_path(gone).split("/")[-2])

    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(actor=officer_a, incident=report)

    event = IncidentEvent.objects.get(incident=report, action="acknowledged")
    assert list(Notification.objects.occasioned_by(event).values_list("recipient_role", flat=True)) == ["reporter"]  # fmt: skip


def test_followers_of_an_area_hear_of_new_public_reports_located_in_it(
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    subscription = confirmed(area_id=territory.cam_thanh.pk)

    with django_capture_on_commit_callbacks(execute=True):
        inside = file_report(keep_notices=True)
        file_report(keep_notices=True, point=AN_PHU_POINT)
        file_report(keep_notices=True, is_public=False)
    messages_sent()  # a filed report's messages are composed by the worker

    assert list(
        follower_notices().values_list(
            "dedupe_key", "kind", "address"
        )
    ) == [
        (f"incident:{inside.pk}:created:subscription:{subscription.pk}",
         "followed_area_new_incident", FOLLOWER),
    ]  # fmt: skip
    notification = follower_notices().get()
    assert notification.subject == (
        "Phản ánh mới tại Phường Cẩm Thành: Giao thông / New report in Phường Cẩm Thành: "
        "Roads and traffic"
    )
    # No word the reporter wrote (test_follower_texts.py): the tracking page is linked instead.
    assert "Ổ gà sâu giữa đường Hùng Vương" not in notification.body
    assert f"/phan-anh/{inside.tracking_code}/" in notification.body
    assert REPORTER_NAME not in notification.body


def test_followers_of_an_area_hear_when_a_report_there_is_resolved_but_not_of_each_step(
    territory: Territory,
    report: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    subscription = confirmed(area_id=territory.cam_thanh.pk)

    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(actor=officer_a, incident=report)
        incident_services.incident_resolve(actor=officer_a, incident=report, answer="Đã vá ổ gà.")

    resolved = IncidentEvent.objects.get(incident=report, action="resolved")
    assert list(
        follower_notices().values_list("dedupe_key", "kind")
    ) == [
        (f"incident:{report.pk}:event:{resolved.pk}:subscription:{subscription.pk}",
         "followed_area_incident_resolved"),
    ]  # fmt: skip


def test_following_the_province_covers_the_reports_of_every_commune_in_it(
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    confirmed(area_id=territory.province_after.pk)

    with django_capture_on_commit_callbacks(execute=True):
        file_report(keep_notices=True)
        file_report(keep_notices=True, point=AN_PHU_POINT)

    assert Notification.objects.filter(kind="followed_area_new_incident").count() == 2


def test_an_address_following_a_report_and_its_area_gets_one_message_per_event(
    territory: Territory,
    report: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    of_report = confirmed(tracking_code=report.tracking_code)
    confirmed(area_id=territory.cam_thanh.pk)

    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(actor=officer_a, incident=report)
        incident_services.incident_resolve(actor=officer_a, incident=report, answer="Đã vá.")

    assert list(follower_notices().order_by("id").values_list("subscription_id", "kind")) == [
        (of_report.pk, "followed_incident_updated"),
        (of_report.pk, "followed_incident_updated"),
    ]


# Unsubscribing


def test_the_unsubscribe_page_asks_before_unsubscribing(report: Incident) -> None:
    subscription = confirmed(tracking_code=report.tracking_code)
    client = Client(enforce_csrf_checks=True)

    page = client.get(unsubscribe_path(subscription))

    subscription.refresh_from_db()
    assert page.status_code == 200
    assert '<button type="submit">Ngừng theo dõi</button>' in page.content.decode()
    assert (
        f"Bạn sẽ không nhận thêm thư về phản ánh {report.tracking_code}." in page.content.decode()
    )
    assert subscription.unsubscribed_at is None

    done = client.post(unsubscribe_path(subscription))

    subscription.refresh_from_db()
    assert done.status_code == 200
    assert "Đã ngừng theo dõi" in done.content.decode()
    assert subscription.unsubscribed_at is not None
    assert not subscription.is_active


def test_a_mail_programs_one_click_post_unsubscribes_without_a_page(report: Incident) -> None:
    subscription = confirmed(tracking_code=report.tracking_code)

    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click", with no cookie or CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(subscription),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    again = Client(enforce_csrf_checks=True).post(unsubscribe_path(subscription))

    subscription.refresh_from_db()
    assert (response.status_code, again.status_code) == (200, 200)
    assert subscription.unsubscribed_at is not None


def test_a_forged_unsubscribe_link_is_refused_and_changes_nothing(report: Incident) -> None:
    subscription = confirmed(tracking_code=report.tracking_code)
    forged = f"/theo-doi/huy/{subscription.pk}:{'a' * 43}/"

    responses = [Client().get(forged), Client().post(forged)]

    assert [response.status_code for response in responses] == [404, 404]
    subscription.refresh_from_db()
    assert subscription.is_active


def test_after_unsubscribing_a_new_request_must_be_confirmed_again(report: Incident) -> None:
    subscription = confirmed(tracking_code=report.tracking_code)
    old_confirmation = confirm_path(subscription)
    services.subscription_unsubscribe(token=unsubscribe_path(subscription).split("/")[-2])

    assert Client().get(old_confirmation).status_code == 404
    again = following.subscription_request(
        email=FOLLOWER,
        tracking_code=report.tracking_code,
        now=subscription.confirmation_requested_at + timedelta(minutes=5),
    )

    assert again.confirmation_sent is True
    assert again.subscription.pk == subscription.pk
    assert (again.subscription.confirmed_at, again.subscription.unsubscribed_at) == (None, None)
    assert Client().get(confirm_path(again.subscription)).status_code == 200


def test_the_confirmation_page_of_an_area_names_the_area(territory: Territory) -> None:
    subscription = following.subscription_request(
        email=FOLLOWER, area_id=territory.cam_thanh.pk
    ).subscription

    response = Client().get(confirm_path(subscription))

    assert response.status_code == 200
    assert (
        "Từ nay bạn sẽ nhận thư khi có phản ánh mới hoặc phản ánh được giải quyết tại "
        "Phường Cẩm Thành." in response.content.decode()
    )

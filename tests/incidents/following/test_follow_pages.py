"""Following a report from its tracking page and an area from its page: the "Theo dõi qua e-mail"
form, posted without JavaScript, through the same service and limits as the API."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from incidents import services as incident_services
from incidents.following import services as following
from incidents.models import Incident, IncidentStatus, RejectionReason
from notifications import services
from notifications.models import Notification, Subscription
from tests.conftest import ClientResponse, Territory
from wards.models import AreaSuccession

from .conftest import (
    AN_PHU_POINT,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    FileReport,
    messages_sent,
)

FOLLOWER = "theo.doi@example.vn"
ACCEPTED = (
    "Đã ghi nhận. Nếu cần, một thư xác nhận đã được gửi đến địa chỉ của bạn: hãy mở liên kết "
    "trong thư để bắt đầu theo dõi."
)
ACCEPTED_EN = (
    "Noted. If needed, a confirmation email has been sent to your address: open the link in it "
    "to start following."
)
THROTTLED = (
    "Bạn đã gửi quá nhiều yêu cầu theo dõi trong thời gian ngắn; vui lòng thử lại sau ít phút."
)
SITE = "http://127.0.0.1:8000"
CONFIRM_LINK = re.compile(rf"{re.escape(SITE)}(/theo-doi/xac-nhan/[^/\s]+/)")


@pytest.fixture
def visitor() -> Client:
    return Client(REMOTE_ADDR="203.0.113.20")


@pytest.fixture
def english(visitor: Client) -> Client:
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return visitor


@pytest.fixture
def report(file_report: FileReport) -> Incident:
    return file_report()


def text(response: ClientResponse) -> str:
    return html.unescape(response.content.decode())


def counts() -> tuple[int, int]:
    return Subscription.objects.count(), Notification.objects.count()


def follow_path(target: Incident | int) -> str:
    if isinstance(target, Incident):
        return f"/phan-anh/{target.tracking_code}/theo-doi/"
    return f"/khu-vuc/{target}/theo-doi/"


def page_path(target: Incident | int) -> str:
    if isinstance(target, Incident):
        return f"/phan-anh/{target.tracking_code}/"
    return f"/khu-vuc/{target}/"


def the_confirmation_link() -> str:
    notification = Notification.objects.get(kind="subscription_confirmation")
    match = CONFIRM_LINK.search(notification.body)
    assert match is not None, notification.body
    return match.group(1)


def email_field(response: ClientResponse) -> str:
    match = re.search(r'<input [^>]*name="email"[^>]*>', response.content.decode())
    assert match is not None
    return match.group(0)


# The forms on the pages


def test_the_tracking_page_of_a_public_report_offers_the_follow_form(
    visitor: Client, report: Incident
) -> None:
    response = visitor.get(page_path(report))

    page = text(response)
    assert response.status_code == 200
    assert '<h2 id="follow-title">Theo dõi qua e-mail</h2>' in page
    assert f'<form method="post" action="/phan-anh/{report.tracking_code}/theo-doi/">' in page
    assert f"Nhận thư khi phản ánh {report.tracking_code} có diễn biến mới." in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'type="email"' in email_field(response)
    # The report's area leads to the area's page, where the area can be followed.
    assert f'<a href="/khu-vuc/{report.area_id}/">Phường Cẩm Thành</a>' in page


def test_following_a_report_from_its_page_emails_a_confirmation_link(
    visitor: Client,
    report: Incident,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(follow_path(report), {"email": " Theo.Doi@Example.vn "})

    assert (response.status_code, response["Location"]) == (
        302,
        f"/phan-anh/{report.tracking_code}/#theo-doi",
    )
    page = visitor.get(response["Location"])
    assert f'<li class="notice notice-success">{ACCEPTED}</li>' in text(page)
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.subject) == (FOLLOWER, report)
    assert (subscription.confirmed_at, subscription.unsubscribed_at) == (None, None)
    notification = Notification.objects.get()
    assert (notification.kind, notification.address, notification.subscription_id) == (
        "subscription_confirmation",
        FOLLOWER,
        subscription.pk,
    )
    assert notification.subject == (
        f"Xác nhận theo dõi phản ánh {report.tracking_code} / Confirm following report "
        f"{report.tracking_code}"
    )

    services.notification_send(notification_id=notification.pk)
    assert [email.to for email in mail.outbox] == [[FOLLOWER]]
    assert f"{SITE}{the_confirmation_link()}" in mail.outbox[0].body
    confirmed = Client().get(the_confirmation_link())
    assert confirmed.status_code == 200
    assert f"Từ nay bạn sẽ nhận thư khi phản ánh {report.tracking_code} có diễn biến mới." in text(
        confirmed
    )


def test_an_area_page_shows_the_area_its_public_reports_and_the_follow_form(
    visitor: Client, territory: Territory, file_report: FileReport
) -> None:
    shown = file_report(description="Đèn đường hỏng trước chợ")
    file_report(is_public=False, description="Không công khai")
    file_report(point=AN_PHU_POINT, description="Ở An Phú")
    area = territory.cam_thanh

    response = visitor.get(page_path(area.pk))

    page = text(response)
    assert response.status_code == 200
    assert '<h1 id="area-title">Phường Cẩm Thành</h1>' in page
    assert f'<form method="post" action="/khu-vuc/{area.pk}/theo-doi/">' in page
    assert (
        "Nhận thư khi có phản ánh mới tại Phường Cẩm Thành, và khi một phản ánh ở đó được giải "
        "quyết." in page
    )
    assert re.findall(r'href="/phan-anh/([^/]+)/"', page) == [shown.tracking_code]
    assert f'href="/khu-vuc/{area.pk}/phan-anh.atom"' in page
    for personal in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, "Không công khai"):
        assert personal not in page


def test_following_an_area_from_its_page_emails_a_confirmation_link(
    visitor: Client,
    territory: Territory,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    area = territory.cam_thanh

    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(follow_path(area.pk), {"email": FOLLOWER})

    assert (response.status_code, response["Location"]) == (302, f"/khu-vuc/{area.pk}/#theo-doi")
    assert f'<li class="notice notice-success">{ACCEPTED}</li>' in text(
        visitor.get(response["Location"])
    )
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.subject) == (FOLLOWER, area)
    notification = Notification.objects.get()
    assert (notification.kind, notification.address) == ("subscription_confirmation", FOLLOWER)
    assert notification.subject == (
        "Xác nhận theo dõi các phản ánh tại Phường Cẩm Thành / Confirm following reports in "
        "Phường Cẩm Thành"
    )
    confirmed = Client().get(the_confirmation_link())
    assert confirmed.status_code == 200
    subscription.refresh_from_db()
    assert subscription.is_active


def test_the_page_answers_the_same_whether_or_not_the_address_already_follows(
    visitor: Client, report: Incident
) -> None:
    """No one learns from the page which addresses follow what."""
    already = following.subscription_request(email=FOLLOWER, tracking_code=report.tracking_code)
    services.subscription_confirm(
        token=the_confirmation_link().split("/")[-2], now=already.subscription.created_at
    )
    pending = "cho-xac-nhan@example.vn"
    following.subscription_request(email=pending, tracking_code=report.tracking_code)
    before = counts()

    answers = [
        visitor.post(follow_path(report), {"email": email}, follow=True)
        for email in (FOLLOWER, pending, "moi@example.vn")
    ]

    assert [answer.redirect_chain for answer in answers] == [
        [(f"/phan-anh/{report.tracking_code}/#theo-doi", 302)]
    ] * 3
    notices = [
        re.findall(r'<li class="notice notice-success">(.*)</li>', text(answer))
        for answer in answers
    ]
    assert notices == [[ACCEPTED]] * 3
    assert counts() == (before[0] + 1, before[1] + 1)
    assert Subscription.objects.get(email=FOLLOWER).is_active


def test_the_answers_are_in_english_after_the_switch(
    english: Client, report: Incident, territory: Territory
) -> None:
    page = english.get(page_path(territory.cam_thanh.pk))
    accepted = english.post(follow_path(report), {"email": FOLLOWER}, follow=True)
    refused = english.post(follow_path(territory.cam_thanh.pk), {"email": "abc@"})

    assert '<h2 id="follow-title">Follow by e-mail</h2>' in text(page)
    assert (
        "Get an e-mail when a new report is filed in Phường Cẩm Thành, and when a report there "
        "is resolved." in text(page)
    )
    assert f'<li class="notice notice-success">{ACCEPTED_EN}</li>' in text(accepted)
    assert f"Get an e-mail when report {report.tracking_code} has news." in text(accepted)
    assert refused.status_code == 400
    assert "The email address “abc@” is not valid." in text(refused)


# Refusals change nothing


@pytest.mark.parametrize("target", ["report", "area"])
@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("khong-phai-thu", "Địa chỉ thư điện tử “khong-phai-thu” không hợp lệ."),
        ("", "Trường này là bắt buộc."),
        (f"{'a' * 250}@example.vn", "Giá trị này chỉ có tối đa 254 kí tự (hiện có 261)"),
    ],
)
def test_a_bad_address_gets_the_page_again_with_the_error_and_the_address_kept(
    visitor: Client,
    report: Incident,
    territory: Territory,
    target: str,
    email: str,
    message: str,
) -> None:
    subject: Incident | int = report if target == "report" else territory.cam_thanh.pk

    response = visitor.post(follow_path(subject), {"email": email})

    assert response.status_code == 400
    assert message in text(response)
    kept = f' value="{email}"' if email else ""
    assert email_field(response) == (
        f'<input type="email" name="email"{kept} autocomplete="email" inputmode="email" '
        'maxlength="254" required aria-invalid="true" aria-describedby="id_email_error" '
        'id="id_email">'
    )
    assert counts() == (0, 0)


def test_the_page_and_the_api_share_one_limit_per_client(
    visitor: Client,
    report: Incident,
    territory: Territory,
    file_report: FileReport,
    settings: Settings,
) -> None:
    settings.SUBSCRIPTION_REQUEST_RATE = "2/hour"
    api = APIClient(REMOTE_ADDR="203.0.113.20")  # the visitor's own address

    through_api = api.post(
        "/api/v1/subscriptions/", {"email": FOLLOWER, "area_id": territory.an_phu.pk}, format="json"
    )
    through_page = visitor.post(follow_path(report), {"email": FOLLOWER})
    before = counts()
    refused = visitor.post(follow_path(territory.cam_thanh.pk), {"email": "khac@example.vn"})
    other_client = Client(REMOTE_ADDR="203.0.113.99").post(
        follow_path(territory.cam_thanh.pk), {"email": "khac@example.vn"}
    )

    assert (through_api.status_code, through_page.status_code) == (202, 302)
    assert refused.status_code == 429
    assert THROTTLED in text(refused)
    assert 'value="khac@example.vn"' in email_field(refused)
    assert before == (2, 2)
    assert other_client.status_code == 302
    assert counts() == (3, 3)


def test_a_request_without_the_csrf_token_is_refused_and_changes_nothing(
    report: Incident, territory: Territory
) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.20")

    responses = [
        client.post(follow_path(report), {"email": FOLLOWER}),
        client.post(follow_path(territory.cam_thanh.pk), {"email": FOLLOWER}),
    ]

    assert [response.status_code for response in responses] == [403, 403]
    assert counts() == (0, 0)


def test_the_follow_addresses_answer_only_posts(
    visitor: Client, report: Incident, territory: Territory
) -> None:
    responses = [
        visitor.get(follow_path(report), {"email": FOLLOWER}),
        visitor.get(follow_path(territory.cam_thanh.pk), {"email": FOLLOWER}),
    ]

    assert [response.status_code for response in responses] == [405, 405]
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    "overrides", [{"is_public": False}, {"rejected_as_spam": True}], ids=["hidden", "spam"]
)
def test_a_report_the_public_may_not_see_cannot_be_followed_from_a_page(
    visitor: Client, file_report: FileReport, officer_a: User, overrides: dict[str, Any]
) -> None:
    incident = file_report(is_public=overrides.get("is_public", True))
    if overrides.get("rejected_as_spam"):
        incident_services.incident_reject(
            actor=officer_a, incident=incident, reason=RejectionReason.SPAM
        )
        incident.refresh_from_db()
        assert incident.status == IncidentStatus.REJECTED
    Notification.objects.all().delete()

    page = visitor.get(page_path(incident))
    response = visitor.post(follow_path(incident), {"email": FOLLOWER})

    assert (page.status_code, response.status_code) == (404, 404)
    assert f"Không tìm thấy phản ánh có mã “{incident.tracking_code}”." in text(response)
    assert "Theo dõi qua e-mail" not in text(response)
    assert counts() == (0, 0)


def test_an_unknown_area_has_no_page_and_cannot_be_followed(visitor: Client, db: None) -> None:
    page = visitor.get(page_path(987654))
    response = visitor.post(follow_path(987654), {"email": FOLLOWER})

    assert (page.status_code, response.status_code) == (404, 404)
    assert "Không tìm thấy đơn vị hành chính số 987654." in text(response)
    assert counts() == (0, 0)


def test_a_former_area_has_a_page_pointing_to_its_successor_but_no_follow_form(
    visitor: Client, territory: Territory
) -> None:
    former = territory.nguyen_nghiem
    AreaSuccession.objects.create(
        predecessor=former, successor=territory.cam_thanh, effective_on=datetime.date(2025, 7, 1)
    )

    page = visitor.get(page_path(former.pk))
    response = visitor.post(follow_path(former.pk), {"email": FOLLOWER})

    assert page.status_code == 200
    assert "Đơn vị hành chính này không còn hiệu lực" in text(page)
    assert f'<a href="/khu-vuc/{territory.cam_thanh.pk}/">Phường Cẩm Thành</a>' in text(page)
    assert "Theo dõi qua e-mail" not in text(page)
    assert response.status_code == 400
    assert (
        "Phường Nguyễn Nghiêm không còn hiệu lực; hãy theo dõi đơn vị hành chính hiện nay."
        in text(response)
    )
    assert counts() == (0, 0)


# Unsubscribing in one click, as for the API's subscriptions


def test_a_report_followed_from_its_page_sends_updates_with_a_one_click_unsubscribe(
    visitor: Client,
    report: Incident,
    officer_a: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    visitor.post(follow_path(report), {"email": FOLLOWER})
    assert visitor.get(the_confirmation_link()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_acknowledge(actor=officer_a, incident=report)

    notice = Notification.objects.get(kind="followed_incident_updated")
    services.notification_send(notification_id=notice.pk)
    message = mail.outbox[-1].message()
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Ngừng theo dõi (một lần nhấn): {unsubscribe_url}" in mail.outbox[-1].body
    unsubscribe_path = unsubscribe_url.removeprefix(SITE)
    assert unsubscribe_path.startswith("/theo-doi/huy/")

    # RFC 8058: the mail program's POST, with neither cookie nor CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe_path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    page = Client().get(unsubscribe_path)

    assert one_click.status_code == 200
    assert "Đã ngừng theo dõi" in text(one_click)
    assert not Subscription.objects.get().is_active
    assert page.status_code == 200
    assert "Bạn đã ngừng theo dõi rồi." in text(page)


def test_an_area_followed_from_its_page_sends_news_with_a_one_click_unsubscribe(
    visitor: Client,
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    visitor.post(follow_path(territory.cam_thanh.pk), {"email": FOLLOWER})
    visitor.get(the_confirmation_link())

    with django_capture_on_commit_callbacks(execute=True):
        file_report(keep_notices=True)
    messages_sent()  # a filed report's messages are composed by the worker

    notice = Notification.objects.get(kind="followed_area_new_incident")
    unsubscribe_path = notice.headers["List-Unsubscribe"].strip("<>").removeprefix(SITE)
    assert notice.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = Client(enforce_csrf_checks=True).get(unsubscribe_path)
    assert '<button type="submit">Ngừng theo dõi</button>' in text(page)
    assert Subscription.objects.get().is_active

    done = Client(enforce_csrf_checks=True).post(unsubscribe_path)

    assert done.status_code == 200
    assert not Subscription.objects.get().is_active

"""Following by e-mail in a real browser: a report from its tracking page (in Vietnamese) and an
area from its page, reached from the area map (in English, through the language switch). Each
follows the confirmation link taken from the outbox, sees the confirmation page, then stops
following with one click from the unsubscribe link of the first news e-mail.

The outbox is the database: the live server commits, the sending task waits in this test's own
queue (no worker runs), and the links are read from the stored messages as a mail program would
show them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from playwright.sync_api import Page, expect
from pytest_django import Settings

from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel
from notifications.models import Notification, Subscription
from notifications.services import notification_send
from tests.conftest import Territory
from wards.models import AgencyMembership, AgencyRole

pytestmark = pytest.mark.browser

IN_CAM_THANH = Point(108.80, 15.05, srid=4326)
FOLLOWER = "theo.doi@example.vn"
SITE = "http://127.0.0.1:8000"  # SITE_URL: the links of the e-mails, opened on the live server
CONFIRM_LINK = re.compile(rf"{re.escape(SITE)}(/theo-doi/xac-nhan/[^/\s]+/)")
AREA_BOUNDARIES = "path.area-boundary"

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def offline_private_settings(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """No background tiles (nothing may leave the app), photos in a temporary folder, and the
    rate limits counted under this run's own cache prefix."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    prefix = f"test-follow-browser-{os.environ.get('GEOAPP_TEST_DB_SUFFIX', 'main')}-{os.getpid()}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def categories(territory: Territory) -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)


@pytest.fixture
def officer(territory: Territory) -> User:
    user = User.objects.create_user(username="can-bo-cam-thanh", password="mật-khẩu-thử")
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_cam_thanh, role=AgencyRole.OFFICER
    )
    return user


def file_report(**overrides: object) -> Incident:
    arguments: dict[str, object] = {
        "category_code": "giao-thong",
        "description": "Ổ gà sâu giữa đường Hùng Vương",
        "point": IN_CAM_THANH,
        "channel": IncidentChannel.WEB,
        "attributes": {"loai-hu-hong": "o-ga"},
        "reporter_name": "Trần Thị Bình",
        "reporter_email": "binh@example.vn",
        **overrides,
    }
    return services.incident_create(**arguments).incident  # type: ignore[arg-type]


def confirmation_path() -> str:
    """The link of the confirmation e-mail, as the follower's mail program shows it."""
    message = Notification.objects.get(kind="subscription_confirmation", address=FOLLOWER)
    match = CONFIRM_LINK.search(message.body)
    assert match is not None, message.body
    return match.group(1)


def unsubscribe_path(kind: str) -> str:
    """The one-click unsubscribe link of the first news e-mail of `kind` as sent (a filed
    report's messages are composed by the worker when it sends them): in its headers (RFC
    2369 and 8058) and in its text alike."""
    message = Notification.objects.get(kind=kind, address=FOLLOWER)
    notification_send(notification_id=message.pk)
    message.refresh_from_db()
    url = message.headers["List-Unsubscribe"].removeprefix("<").removesuffix(">")
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    assert url.startswith(f"{SITE}/theo-doi/huy/")
    return url.removeprefix(SITE)


def test_a_citizen_follows_a_report_from_its_tracking_page_then_unsubscribes_in_one_click(
    browser_page: Page, territory: Territory, categories: None, officer: User
) -> None:
    page = browser_page
    report = file_report()
    code = report.tracking_code
    page.goto(f"/phan-anh/{code}/")
    expect(page.locator("#tracking-map")).to_have_attribute("data-loaded", "true")

    form = page.locator("#theo-doi")
    expect(form.get_by_role("heading")).to_have_text("Theo dõi qua e-mail")
    form.get_by_label("Địa chỉ e-mail").fill(FOLLOWER)
    form.get_by_role("button", name="Theo dõi", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/phan-anh/{code}/#theo-doi$"))
    expect(page.locator(".flash-messages")).to_have_text(
        "Đã ghi nhận. Nếu cần, một thư xác nhận đã được gửi đến địa chỉ của bạn: hãy mở liên kết "
        "trong thư để bắt đầu theo dõi."
    )
    expect(page.locator("#tracking-map")).to_have_attribute("data-loaded", "true")
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.subject, subscription.confirmed_at) == (
        FOLLOWER,
        report,
        None,
    )

    page.goto(confirmation_path())

    expect(page.locator("h1")).to_have_text("Đã xác nhận theo dõi")
    expect(page.locator(".subscription")).to_contain_text(
        f"Từ nay bạn sẽ nhận thư khi phản ánh {code} có diễn biến mới."
    )
    subscription.refresh_from_db()
    assert subscription.is_active

    services.incident_acknowledge(actor=officer, incident=report)
    page.goto(unsubscribe_path("followed_incident_updated"))
    expect(page.locator("h1")).to_have_text("Ngừng theo dõi")
    page.get_by_role("button", name="Ngừng theo dõi").click()

    expect(page.locator("h1")).to_have_text("Đã ngừng theo dõi")
    expect(page.locator(".subscription")).to_contain_text(
        f"Bạn sẽ không nhận thêm thư về phản ánh {code}."
    )
    subscription.refresh_from_db()
    assert (subscription.is_active, subscription.unsubscribed_at is not None) == (False, True)


def test_a_visitor_follows_an_area_from_its_page_in_english_then_unsubscribes_in_one_click(
    browser_page: Page, territory: Territory, categories: None
) -> None:
    page = browser_page
    page.goto("/ban-do-hanh-chinh/")
    expect(page.locator(AREA_BOUNDARIES)).to_have_count(2)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(AREA_BOUNDARIES)).to_have_count(2)

    # The area map leads to the area's page: its list of units, then the unit's details.
    page.get_by_text("Units on the map", exact=True).click()
    page.get_by_role("button", name="Phường Cẩm Thành (21025)").click()
    page.get_by_role("link", name="The area's page: reports, follow by e-mail").click()

    expect(page).to_have_url(re.compile(rf"/khu-vuc/{territory.cam_thanh.pk}/$"))
    expect(page.locator("h1")).to_have_text("Phường Cẩm Thành")
    form = page.locator("#theo-doi")
    expect(form.get_by_role("heading")).to_have_text("Follow by e-mail")
    form.get_by_label("E-mail address").fill(FOLLOWER)
    form.get_by_role("button", name="Follow", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/khu-vuc/{territory.cam_thanh.pk}/#theo-doi$"))
    expect(page.locator(".flash-messages")).to_have_text(
        "Noted. If needed, a confirmation email has been sent to your address: open the link in "
        "it to start following."
    )
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.subject) == (FOLLOWER, territory.cam_thanh)

    page.goto(confirmation_path())

    expect(page.locator("h1")).to_have_text("Subscription confirmed")
    subscription.refresh_from_db()
    assert subscription.is_active

    file_report(description="Đèn đường hỏng trước chợ")
    page.goto(unsubscribe_path("followed_area_new_incident"))
    expect(page.locator("h1")).to_have_text("Unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.locator("h1")).to_have_text("Unsubscribed")
    subscription.refresh_from_db()
    assert subscription.is_active is False

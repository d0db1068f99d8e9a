"""Fixtures of the notification tests: units with addresses, reports, a private queue.

The tests of what citizen feedback tells whom (tests/incidents/notices/, tests/incidents/following/)
use them too, through their own conftest.py.

Every task these tests enqueue goes to the real Redis broker, on a queue of this test's own
(`private_queue`), so that no other engineer's test worker (listening on the default queue of
the shared test Redis database) takes it, and the queue is deleted afterwards. A broker outage
is a real one: the broker address is pointed at a closed port (`broker_unreachable`).
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from pytest_django import Settings

from geoapp.celery import app as celery_app
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar_cache_clear
from incidents import services as incident_services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel
from notifications.models import Notification, NotificationStatus
from notifications.services import notification_send
from tests.conftest import Territory
from wards.models import Agency, AgencyKind, AgencyMembership, AgencyRole

CAM_THANH_POINT = Point(108.80, 15.05, srid=4326)
AN_PHU_POINT = Point(108.80, 15.15, srid=4326)
CACHE_KEY_PREFIX = "test-notifications"
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
PROJECT_DIR = Path(__file__).resolve().parent.parent.parent

REPORTER_NAME = "Trần Thị Bình"
REPORTER_PHONE = "0905 123 456"
REPORTER_EMAIL = "binh@example.vn"


def vietnam(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TIME_ZONE)


def _reset_broker_connections() -> None:
    # The Celery app keeps a pool of broker connections made from the URL it first saw. Both
    # pools are private attributes that celery-types does not declare.
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """The broker is down: every publish gets "connection refused" from a closed port."""
    original = celery_app.conf.broker_url
    # celery-types declares `broker_url` as a read-only property; assigning the attribute stores
    # the key in the configuration's changes, exactly as this item assignment does.
    celery_app.conf["broker_url"] = CLOSED_PORT_BROKER
    _reset_broker_connections()
    try:
        yield
    finally:
        celery_app.conf["broker_url"] = original
        _reset_broker_connections()


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def queued_tasks(queue: str) -> list[tuple[str, str]]:
    """(task name, arguments) of the messages waiting in `queue`, oldest first."""
    messages = [json.loads(raw) for raw in reversed(_redis().lrange(queue, 0, -1))]
    return [(message["headers"]["task"], message["headers"]["argsrepr"]) for message in messages]


def messages_sent() -> None:
    """What the worker does with every pending message, oldest first: compose it if it was
    planned without its words (a filed report's), send it, store what was sent."""
    pending = Notification.objects.filter(status=NotificationStatus.PENDING).order_by("id")
    for notification_id in pending.values_list("pk", flat=True):
        notification_send(notification_id=notification_id)


@pytest.fixture(autouse=True)
def _private_cache(settings: Settings) -> Iterator[None]:
    """Rate-limit counters under a prefix of their own, emptied around each test."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": CACHE_KEY_PREFIX}}
    _delete_own_cache_keys()
    yield
    _delete_own_cache_keys()


def _delete_own_cache_keys() -> None:
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{CACHE_KEY_PREFIX}:*"):
        client.delete(key)
    working_calendar_cache_clear()


@dataclass
class Units:
    province: Agency
    cam_thanh: Agency
    an_phu: Agency


@pytest.fixture
def units(territory: Territory) -> Units:
    """The territory's committees with email addresses, under the province's committee."""
    province = Agency.objects.create(
        code="ubnd-tinh",
        name="Ủy ban nhân dân tỉnh Quảng Ngãi",
        name_en="Quảng Ngãi Provincial People's Committee",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        email="ubnd-tinh@quangngai.gov.vn",
    )
    for agency, email in (
        (territory.committee_cam_thanh, "ubnd-camthanh@quangngai.gov.vn"),
        (territory.committee_an_phu, "ubnd-anphu@quangngai.gov.vn"),
    ):
        agency.parent = province
        agency.email = email
        agency.save(update_fields=["parent", "email"])
    return Units(
        province=province,
        cam_thanh=territory.committee_cam_thanh,
        an_phu=territory.committee_an_phu,
    )


@pytest.fixture
def categories(db: None) -> None:
    incident_services.categories_load_catalogue(catalogue=CATEGORIES)


def _staff_user(username: str, email: str = "") -> User:
    return User.objects.create_user(username=username, password="mật-khẩu-thử", email=email)


@pytest.fixture
def officer_a(units: Units) -> User:
    user = _staff_user("can-bo-cam-thanh")
    AgencyMembership.objects.create(user=user, agency=units.cam_thanh, role=AgencyRole.OFFICER)
    return user


# The `file_report` fixture: keyword overrides of the defaults, and keep_notices.
FileReport = Callable[..., Incident]


@pytest.fixture
def file_report(units: Units, categories: None) -> FileReport:
    """File a report through the incidents service; by default a pothole in Cẩm Thành.

    The filing plans its receipt notices in the same transaction (a transactional outbox); a
    test about something else gets the report with those notices already gone from the outbox,
    and one about them asks for `keep_notices=True`.
    """

    def file(*, keep_notices: bool = False, **overrides: Any) -> Incident:
        arguments: dict[str, Any] = {
            "category_code": "giao-thong",
            "description": "Ổ gà sâu giữa đường Hùng Vương",
            "point": CAM_THANH_POINT,
            "channel": IncidentChannel.WEB,
            "attributes": {"loai-hu-hong": "o-ga"},
            "reporter_name": REPORTER_NAME,
            "reporter_phone": REPORTER_PHONE,
            "reporter_email": REPORTER_EMAIL,
            "reporter_may_be_contacted": True,
        }
        arguments.update(overrides)
        notices_before = set(Notification.objects.values_list("pk", flat=True))
        incident = incident_services.incident_create(**arguments).incident
        if not keep_notices:
            Notification.objects.exclude(pk__in=notices_before).delete()
        return incident

    return file


class _RefusingSmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to refuse every recipient, as a server does for an unknown mailbox."""

    def handle(self) -> None:
        self.wfile.write(b"220 test.local ESMTP\r\n")
        for raw in self.rfile:
            command = raw.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test.local\r\n")
            elif command.startswith("RCPT"):
                self.wfile.write(b"550 5.1.1 No such mailbox\r\n")
            elif command.startswith("QUIT"):
                self.wfile.write(b"221 Bye\r\n")
                return
            else:  # MAIL, RSET, NOOP
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def refusing_smtp_server() -> Iterator[int]:
    """A real SMTP server on a free local port that refuses every recipient; yields the port."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _RefusingSmtpHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()

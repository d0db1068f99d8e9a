"""Personas and helpers for the citizen-feedback tests.

Personas: a citizen (anonymous API client), an officer of unit A (the People's Committee of
Phường Cẩm Thành), an officer of unit B (the committee of Xã An Phú), a leader (group "Lãnh đạo")
and an administrator (group "Quản trị viên"). Points are placed inside the `territory` fixture's
made-up squares: Cẩm Thành is 108.7–108.9 E × 15.0–15.1 N after the reform, An Phú 15.1–15.2 N.
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from PIL import Image
from pytest_django import Settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar_cache_clear
from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel
from tests.conftest import Territory
from wards.models import AgencyMembership, AgencyRole

CAM_THANH_POINT = Point(108.80, 15.05, srid=4326)
AN_PHU_POINT = Point(108.80, 15.15, srid=4326)
OUTSIDE_POINT = Point(106.70, 10.78, srid=4326)  # Hồ Chí Minh City
# A prefix of this test process's own: the test Redis database is shared by every test run on
# the machine, and emptying the cache between tests must not touch another run's keys.
CACHE_KEY_PREFIX = f"test-incidents-{os.getpid()}"


def vietnam(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TIME_ZONE)


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    """Messages in the project's first language, whatever an earlier test left activated."""
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _private_media_and_cache(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Photos go to a temporary folder; cache keys get a prefix of their own, emptied per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    _delete_own_cache_keys()
    yield
    _delete_own_cache_keys()


def _delete_own_cache_keys() -> None:
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{CACHE_KEY_PREFIX}:*"):
        client.delete(key)
    working_calendar_cache_clear()


@pytest.fixture
def categories(db: None) -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)


def _staff_user(username: str) -> User:
    return User.objects.create_user(username=username, password="mật-khẩu-thử")


@pytest.fixture
def officer_a(territory: Territory) -> User:
    user = _staff_user("can-bo-cam-thanh")
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_cam_thanh, role=AgencyRole.OFFICER
    )
    return user


@pytest.fixture
def second_officer_a(territory: Territory) -> User:
    user = _staff_user("can-bo-cam-thanh-2")
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_cam_thanh, role=AgencyRole.OFFICER
    )
    return user


@pytest.fixture
def officer_b(territory: Territory) -> User:
    user = _staff_user("can-bo-an-phu")
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_an_phu, role=AgencyRole.OFFICER
    )
    return user


@pytest.fixture
def leader(db: None) -> User:
    user = _staff_user("lanh-dao")
    user.groups.add(Group.objects.get(name="Lãnh đạo"))
    return user


@pytest.fixture
def administrator(db: None) -> User:
    user = _staff_user("quan-tri")
    user.groups.add(Group.objects.get(name="Quản trị viên"))
    return user


@pytest.fixture
def citizen() -> APIClient:
    return APIClient(REMOTE_ADDR="203.0.113.10")


def client_for(user: User) -> APIClient:
    """An integration client authenticated by a DRF token, as the issue asks for staff."""
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@dataclass
class Filed:
    incident: Incident
    token: str


FileReport = Callable[..., Filed]  # the `file_report` fixture: keyword overrides of the defaults


@pytest.fixture
def file_report(territory: Territory, categories: None) -> FileReport:
    """File a report through the service; by default a pothole in Cẩm Thành, now."""

    def file(**overrides: Any) -> Filed:
        arguments: dict[str, Any] = {
            "category_code": "giao-thong",
            "description": "Ổ gà sâu giữa đường Hùng Vương",
            "point": CAM_THANH_POINT,
            "channel": IncidentChannel.WEB,
            "attributes": {"loai-hu-hong": "o-ga"},
            "reporter_name": "Trần Thị Bình",
            "reporter_phone": "0905 123 456",
            "reporter_email": "binh@example.vn",
            "reporter_may_be_contacted": True,
        }
        arguments.update(overrides)
        creation = services.incident_create(**arguments)
        return Filed(incident=creation.incident, token=creation.reporter_token)

    return file


def jpeg_bytes(
    *, size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None, colour: str = "red"
) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def snapshot(incident: Incident) -> dict[str, Any]:
    """Everything a refused action must leave as it was."""
    incident.refresh_from_db()
    return {
        **{
            field.attname: getattr(incident, field.attname)
            for field in Incident._meta.concrete_fields
            if field.name != "location"
        },
        "location": incident.location.coords,
        "events": incident.events.count(),
        "supporters": sorted(incident.supporters.values_list("identity_hash", flat=True)),
        "photos": sorted(incident.photos.values_list("id", "is_hidden")),
    }


def catalogue_revision() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT revision FROM incidents_catalogue_revision")
        (revision,) = cursor.fetchone()
    return int(revision)


@contextmanager
def catalogue_revision_while_migrated_back() -> Iterator[None]:
    """The catalogue's revision of incidents.0020 (its own SQL), for filing while the database is
    migrated back before it: today's filing statement reads it. Removed on leaving, so that
    migrating forward again creates it."""
    migration = importlib.import_module("incidents.migrations.0020_catalogue_revision")
    with connection.cursor() as cursor:
        cursor.execute(migration._FORWARD)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(migration._REVERSE)

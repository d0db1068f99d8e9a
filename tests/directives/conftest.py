"""Personas and a directive for the directives tests.

Agencies: the Department of Culture (lead of the tasks), the Department of Construction (another
agency) and the People's Committee of Xã An Phú (a coordinating commune). Personas: an officer of
the department of culture, its head (manager role), an officer of construction, the Chairman who
signs the directive (group "Lãnh đạo"), another leader who did not sign, and an administrator
(group "Quản trị viên").

Dates are chosen around Tết Bính Ngọ 2026: Monday 16 to Friday 20 February 2026 are days off.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import translation
from pytest_django import Settings

from directives import services
from directives.models import Directive, Task
from directives.services import TaskSpecification
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar_cache_clear
from wards.models import Agency, AgencyKind, AgencyMembership, AgencyRole
from wards.services import agency_create

CACHE_KEY_PREFIX = f"test-directives-{os.getpid()}"


def vietnam(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TIME_ZONE)


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _private_media_and_cache(settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
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
class People:
    culture: Agency
    construction: Agency
    commune: Agency
    culture_officer: User
    culture_head: User
    construction_officer: User
    chairman: User
    other_leader: User
    administrator: User


def _user(username: str, *, email: str = "", group: str = "") -> User:
    user = User.objects.create_user(username=username, email=email, password="unused-password")
    if group:
        # The group a data migration made, with its permissions; a transactional test that
        # ran before may have flushed it, and the one transactional test here (two runs of
        # the recurrence at once) needs the membership, not the permissions.
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def people(db: None) -> People:
    culture = agency_create(
        code="so-van-hoa", name="Sở Văn hóa, Thể thao và Du lịch", kind=AgencyKind.DEPARTMENT,
        email="sovanhoa@example.test",
    )  # fmt: skip
    construction = agency_create(
        code="so-xay-dung", name="Sở Xây dựng", kind=AgencyKind.DEPARTMENT,
        email="soxaydung@example.test",
    )  # fmt: skip
    commune = agency_create(
        code="ubnd-an-phu", name="Ủy ban nhân dân xã An Phú", kind=AgencyKind.PEOPLES_COMMITTEE
    )
    culture_officer = _user("can-bo-van-hoa", email="canbo@example.test")
    culture_head = _user("giam-doc-van-hoa", email="giamdoc@example.test")
    construction_officer = _user("can-bo-xay-dung", email="xaydung@example.test")
    AgencyMembership.objects.create(user=culture_officer, agency=culture)
    AgencyMembership.objects.create(user=culture_head, agency=culture, role=AgencyRole.MANAGER)
    AgencyMembership.objects.create(user=construction_officer, agency=construction)
    return People(
        culture=culture,
        construction=construction,
        commune=commune,
        culture_officer=culture_officer,
        culture_head=culture_head,
        construction_officer=construction_officer,
        chairman=_user("chu-tich", email="chutich@example.test", group="Lãnh đạo"),
        other_leader=_user("pho-chu-tich", email="phochutich@example.test", group="Lãnh đạo"),
        administrator=_user("quan-tri-vien", group="Quản trị viên"),
    )


def make_directive(
    people: People,
    *,
    issued_on: datetime.date = datetime.date(2026, 2, 10),
    deadline: datetime.date | None = datetime.date(2026, 3, 31),
    deadline_working_days: int | None = None,
    external_id: str | None = None,
) -> Directive:
    return services.directive_create(
        number="21/TB-UBND",
        issued_on=issued_on,
        kind="conclusion_notice",
        signer=people.chairman,
        signer_name="Chủ tịch UBND tỉnh",
        subject="Kết luận về lễ hội mùa xuân",
        external_id=external_id,
        tasks=[
            TaskSpecification(
                lead_agency_code="so-van-hoa",
                coordinating_agency_codes=("ubnd-an-phu",),
                content="Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh",
                field="Văn hóa",
                deadline=deadline,
                deadline_working_days=deadline_working_days,
            )
        ],
        actor=people.administrator,
        at=vietnam(issued_on.year, issued_on.month, issued_on.day, 8),
    )


@pytest.fixture
def task(people: People) -> Task:
    return make_directive(people).tasks.get()

"""Personas and a catalogue for the procedure tests.

Personas: an officer of the People's Committee of Phường Cẩm Thành (unit A), an officer of Xã An
Phú (unit B), an officer of the former district committee of Thành phố Quảng Ngãi, and a leader.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar_cache_clear
from procedures import services
from procedures.catalogue import catalogue_rows
from tests.conftest import Territory
from wards import services as ward_services
from wards.models import Agency, AgencyKind, AgencyMembership, AgencyRole


def vietnam(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TIME_ZONE)


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    working_calendar_cache_clear()
    with translation.override("vi"):
        yield
    working_calendar_cache_clear()


@pytest.fixture
def catalogue(db: None) -> None:
    for row in catalogue_rows():
        services.procedure_create(**row)


@pytest.fixture
def district_committee(territory: Territory) -> Agency:
    return ward_services.agency_create(
        code="ubnd-522",
        name="Ủy ban nhân dân thành phố Quảng Ngãi",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        jurisdiction=[territory.district],
    )


def _member(username: str, agency: Agency) -> User:
    user = User.objects.create_user(username=username, password="mật-khẩu-thử")
    AgencyMembership.objects.create(user=user, agency=agency, role=AgencyRole.OFFICER)
    return user


@pytest.fixture
def officer_a(territory: Territory) -> User:
    return _member("can-bo-cam-thanh", territory.committee_cam_thanh)


@pytest.fixture
def officer_b(territory: Territory) -> User:
    return _member("can-bo-an-phu", territory.committee_an_phu)


@pytest.fixture
def district_officer(district_committee: Agency) -> User:
    return _member("can-bo-thanh-pho", district_committee)

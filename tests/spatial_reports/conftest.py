"""Reports for the report builder at known places, moments and outcomes, and the personas.

Points are inside the `territory` fixture's squares: Cẩm Thành 108.7–108.9 × 15.0–15.1 and An
Phú 108.7–108.9 × 15.1–15.2 from 1 July 2025; Nguyễn Nghiêm 108.7–108.8 and Nghĩa Dũng
108.8–108.9 × 15.0–15.2 before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.gis.geos import Point

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel, IncidentStatus
from procedures import services as procedure_services
from procedures.catalogue import catalogue_rows
from procedures.models import Dossier
from tests.conftest import Territory
from wards.models import Agency, AgencyMembership

LAND, COPIES, BIRTH = "1.001612", "2.000815", "1.001193"
APPLICANT = ("Lê Thị Hoa", "051090001234", "0905123456", "7 Lê Lợi", "hoa@example.vn")
PERSONAL_VALUES = ("Trần Thị Bình", "0905 123 456", "binh@example.vn", "12 Hùng Vương")
PLANNERS_GROUP = "Chuyên viên quy hoạch"
LEADERS_GROUP = "Lãnh đạo"


def vietnam(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=VIETNAM_TIME_ZONE)


def file_report(point: Point, reported_at: datetime, **overrides: Any) -> Incident:
    arguments: dict[str, Any] = {
        "category_code": "giao-thong",
        "description": "Ổ gà sâu, gọi anh Bình 0905 123 456",
        "point": point,
        "channel": IncidentChannel.WEB,
        "attributes": {"loai-hu-hong": "o-ga"},
        "address": PERSONAL_VALUES[3],
        "reporter_name": PERSONAL_VALUES[0],
        "reporter_phone": PERSONAL_VALUES[1],
        "reporter_email": PERSONAL_VALUES[2],
        "reported_at": reported_at,
        "at": reported_at,
    }
    arguments.update(overrides)
    return services.incident_create(**arguments).incident


def resolve(incident: Incident, *, late: bool) -> None:
    """Resolved a day before its deadline, or a day after."""
    incident.refresh_from_db()
    resolved_at = incident.resolve_by + timedelta(days=1 if late else -1)
    Incident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.RESOLVED, resolved_at=resolved_at
    )


@dataclass
class Reports:
    cam_thanh_2025: list[Incident]  # 3 in Cẩm Thành, Aug–Oct 2025: 2 resolved (1 on time)
    an_phu_2025: list[Incident]  # 1 in An Phú, Nov 2025, cây xanh
    before_reform: list[Incident]  # 2 in Nguyễn Nghiêm, Feb and Mar 2025


@pytest.fixture
def reports(territory: Territory) -> Reports:
    return reports_create()


def reports_create() -> Reports:
    """The reports above, filed in the `territory` fixture's communes."""
    services.categories_load_catalogue(catalogue=CATEGORIES)
    cam_thanh = [
        file_report(Point(108.75, 15.02, srid=4326), vietnam(2025, 8, 1)),
        file_report(Point(108.80, 15.05, srid=4326), vietnam(2025, 9, 10)),
        file_report(Point(108.85, 15.08, srid=4326), vietnam(2025, 10, 20)),
    ]
    resolve(cam_thanh[0], late=False)
    resolve(cam_thanh[1], late=True)
    an_phu = [
        file_report(
            Point(108.85, 15.15, srid=4326),
            vietnam(2025, 11, 5),
            category_code="cay-xanh",
            description="Cây xanh nghiêng",
            attributes={},
        )
    ]
    before = [
        file_report(Point(108.72, 15.05, srid=4326), vietnam(2025, 2, 3)),
        file_report(Point(108.74, 15.12, srid=4326), vietnam(2025, 3, 4)),
    ]
    return Reports(
        cam_thanh_2025=[Incident.objects.get(pk=r.pk) for r in cam_thanh],
        an_phu_2025=an_phu,
        before_reform=before,
    )


def _user(username: str, group: str | None = None) -> User:
    user = User.objects.create_user(username=username, password="mat-khau-dai-123")
    if group:
        # A transactional test's flush deletes the groups the migrations made (the permissions
        # are made again after it): the group is made again here when missing.
        found, _created = Group.objects.get_or_create(name=group)
        found.permissions.add(Permission.objects.get(codename="use_spatial_reports"))
        user.groups.add(found)
    return user


@pytest.fixture
def planner(db: None) -> User:
    return _user("quy-hoach", PLANNERS_GROUP)


@pytest.fixture
def leader(db: None) -> User:
    return _user("lanh-dao", LEADERS_GROUP)


@pytest.fixture
def officer(territory: Territory) -> User:
    """A commune officer: staff, but not a planner."""
    user = _user("can-bo")
    AgencyMembership.objects.create(user=user, agency=territory.committee_cam_thanh)
    return user


def receive(unit: Agency, at: datetime, procedure: str) -> Dossier:
    return procedure_services.dossier_receive(
        procedure_code=procedure, unit_code=unit.code, received_at=at, channel="counter",
        applicant={"name": APPLICANT[0], "id_number": APPLICANT[1], "phone": APPLICANT[2],
                   "address": APPLICANT[3], "email": APPLICANT[4]},
    )  # fmt: skip


def finish(dossier: Dossier, at: datetime) -> None:
    procedure_services.dossier_act(code=dossier.code, action="result_ready", actor=None, at=at)


@pytest.fixture
def dossiers(territory: Territory) -> None:
    """March 2026: Cẩm Thành receives 3 (one finished late), An Phú 1 (finished on time); the
    period before (29 January – 28 February) has Cẩm Thành's one, finished on time."""
    for row in catalogue_rows():
        procedure_services.procedure_create(**row)
    cam_thanh, an_phu = territory.committee_cam_thanh, territory.committee_an_phu
    receive(cam_thanh, vietnam(2026, 3, 2, 8), LAND)
    finish(receive(cam_thanh, vietnam(2026, 3, 4, 8), COPIES), vietnam(2026, 3, 5, 10))
    receive(cam_thanh, vietnam(2026, 3, 5, 9), BIRTH)
    finish(receive(cam_thanh, vietnam(2026, 2, 27, 9), COPIES), vietnam(2026, 2, 27, 11))
    finish(receive(an_phu, vietnam(2026, 3, 10, 9), BIRTH), vietnam(2026, 3, 10, 10))
    receive(an_phu, vietnam(2026, 4, 2, 9), LAND)  # after the period

"""Shared fixtures: a small synthetic territory on both sides of the 1 July 2025 reform.

The squares are the project's own made-up shapes; official boundaries are only read by path in
tests marked `shared_geo`.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypedDict

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import translation
from shapely.geometry import box

from geoapp.celery import app as celery_app
from incidents.selectors import filing_categories_forget
from wards import services
from wards.models import Agency, AgencyKind, Area, AreaLevel, AreaType

REFORM_DAY = datetime.date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = datetime.date(2025, 6, 30)


@dataclass
class Territory:
    province_before: Area
    province_after: Area
    district: Area
    nguyen_nghiem: Area  # 21025 before the reform
    nghia_dung: Area  # 21034 before the reform
    cam_thanh: Area  # 21025 after the reform: same code, another area
    an_phu: Area  # 21034 after the reform
    committee_nguyen_nghiem: Agency
    committee_nghia_dung: Agency
    committee_cam_thanh: Agency
    committee_an_phu: Agency


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of `name` on the same server), for a process started by
    a test (a script, a production start)."""
    database = connection.settings_dict
    return (
        f"postgis://{database['USER']}:{database['PASSWORD']}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name or database['NAME']}"
    )


class ClientResponse(Protocol):
    """What the tests read of an answer of Django's test client or DRF's APIClient.

    Both add `json()` to the response at run time, in classes of their own that the stubs keep
    private; this is the part the helpers of the tests rely on.
    """

    status_code: int

    @property
    def content(self) -> bytes: ...

    def __getitem__(self, header: str) -> str: ...

    def json(self) -> Any: ...


class Validity(TypedDict):
    valid_from: datetime.date
    valid_to: datetime.date


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A private test database per engineer when several run the suite at once on one server."""
    suffix = os.environ.get("GEOAPP_TEST_DB_SUFFIX")
    if suffix:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_geoapp_{suffix}"


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the site's language, Vietnamese.

    The locale middleware leaves the language of a request active on the thread after the
    response, so a service called directly after an English request would answer in English and
    the test's outcome would depend on which test ran before it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def no_kept_categories() -> None:
    """Each test starts with no category kept by filing (incidents.selectors.category_for_filing):
    one kept by an earlier test, whose transaction rolled back, would make this test's first
    report filed twice (the first attempt rolled back on the changed revision), and how often the
    logged faults of planning appear would depend on which test ran before."""
    filing_categories_forget()


@pytest.fixture(autouse=True)
def private_queue() -> Iterator[str]:
    """This test's own Celery queue on the real broker, deleted afterwards with what is left in it.

    Services enqueue tasks on commit (notifications above all); in a shared test Redis those
    messages would pile up in the default queue and reach the next test's worker.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    original = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = original
        # The queue, and the exchange bindings kombu's Redis transport made for it.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )


@pytest.fixture
def territory(db: None) -> Territory:
    province_before = services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(108.0, 14.5, 109.0, 15.5), valid_from=datetime.date(1989, 7, 1),
        valid_to=LAST_DAY_BEFORE_REFORM,
    )  # fmt: skip
    province_after = services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(107.5, 14.0, 109.0, 15.5), valid_from=REFORM_DAY,
    )  # fmt: skip
    district = services.area_create(
        code="522", name="Thành phố Quảng Ngãi", area_type=AreaType.PROVINCIAL_CITY,
        level=AreaLevel.DISTRICT, boundary=box(108.7, 15.0, 108.9, 15.2),
        valid_from=datetime.date(2014, 4, 1), valid_to=LAST_DAY_BEFORE_REFORM,
        parent=province_before,
    )  # fmt: skip
    before: Validity = {"valid_from": datetime.date(2014, 4, 1), "valid_to": LAST_DAY_BEFORE_REFORM}
    nguyen_nghiem = services.area_create(
        code="21025", name="Phường Nguyễn Nghiêm", area_type=AreaType.WARD,
        level=AreaLevel.COMMUNE, boundary=box(108.7, 15.0, 108.8, 15.2), parent=district, **before,
    )  # fmt: skip
    nghia_dung = services.area_create(
        code="21034", name="Xã Nghĩa Dũng", area_type=AreaType.COMMUNE,
        level=AreaLevel.COMMUNE, boundary=box(108.8, 15.0, 108.9, 15.2), parent=district, **before,
    )  # fmt: skip
    cam_thanh = services.area_create(
        code="21025", name="Phường Cẩm Thành", area_type=AreaType.WARD, level=AreaLevel.COMMUNE,
        boundary=box(108.7, 15.0, 108.9, 15.1), valid_from=REFORM_DAY, parent=province_after,
    )  # fmt: skip
    an_phu = services.area_create(
        code="21034", name="Xã An Phú", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.7, 15.1, 108.9, 15.2), valid_from=REFORM_DAY, parent=province_after,
    )  # fmt: skip
    committees = {
        area: services.agency_create(
            code=f"ubnd-{area.code}-{area.valid_from.year}",
            name=f"Ủy ban nhân dân {area.name}",
            kind=AgencyKind.PEOPLES_COMMITTEE,
            jurisdiction=[area],
        )
        for area in (nguyen_nghiem, nghia_dung, cam_thanh, an_phu)
    }
    return Territory(
        province_before=province_before,
        province_after=province_after,
        district=district,
        nguyen_nghiem=nguyen_nghiem,
        nghia_dung=nghia_dung,
        cam_thanh=cam_thanh,
        an_phu=an_phu,
        committee_nguyen_nghiem=committees[nguyen_nghiem],
        committee_nghia_dung=committees[nghia_dung],
        committee_cam_thanh=committees[cam_thanh],
        committee_an_phu=committees[an_phu],
    )


@pytest.fixture
def shared_geo_dir() -> Path:
    """The official boundary files, read by path; their absence is a set-up error, not a skip."""
    directory = settings.SHARED_GEO_DIR
    if not (directory / "qn2025_wards_province_96.geojson").exists():
        pytest.fail(
            f"The boundary files are missing from {directory}; set GEOAPP_SHARED_GEO_DIR to the "
            "folder holding shared/geo."
        )
    return directory

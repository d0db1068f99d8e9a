"""Public reports for the open interfaces: four public ones at known places and moments, and
three the public must never see (not public, rejected as spam), plus one whose text is hidden.

Points are inside the `territory` fixture's squares (Cẩm Thành 108.7–108.9 × 15.0–15.1, An Phú
108.7–108.9 × 15.1–15.2 from 1 July 2025).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
import redis
from django.contrib.gis.geos import Point
from django.utils import translation
from pytest_django import Settings

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel, IncidentStatus, RejectionReason
from indicators.models import IndicatorValue
from indicators.periods import period_parse
from procedures import services as procedure_services
from procedures.catalogue import catalogue_rows
from tests.conftest import Territory
from tests.indicators.conftest import make_indicator

PERSONAL_VALUES = ("Trần Thị Bình", "0905 123 456", "binh@example.vn", "12 Hùng Vương")


def vietnam(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=VIETNAM_TIME_ZONE)


@pytest.fixture(autouse=True)
def _private_cache(settings: Settings) -> Iterator[None]:
    """Cached tiles under a prefix of this test's own, deleted afterwards: the test Redis is
    shared by every run on the machine, and a tile cached by another run must not be read."""
    prefix = f"test-opendata-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    with translation.override("vi"):
        yield


@dataclass
class Reports:
    # Newest first, as the collection orders them.
    public: list[Incident]
    private: list[Incident]


def _file(point: Point, reported_at: datetime, **overrides: object) -> Incident:
    arguments: dict[str, object] = {
        "category_code": "giao-thong",
        "description": "Ổ gà sâu giữa đường Hùng Vương",
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
    return services.incident_create(**arguments).incident  # type: ignore[arg-type]


@pytest.fixture
def reports(territory: Territory) -> Reports:
    services.categories_load_catalogue(catalogue=CATEGORIES)
    first = _file(Point(108.80, 15.05, srid=4326), vietnam(2025, 8, 1, 9))
    second = _file(Point(108.75, 15.02, srid=4326), vietnam(2025, 9, 10, 10))
    third = _file(
        Point(108.85, 15.15, srid=4326),
        vietnam(2025, 10, 20, 8),
        category_code="cay-xanh",
        description="Cây xanh nghiêng",
        attributes={},
    )
    hidden_text = _file(Point(108.72, 15.08, srid=4326), vietnam(2025, 11, 5, 14))
    Incident.objects.filter(pk=hidden_text.pk).update(description_hidden=True)
    not_public = _file(Point(108.80, 15.06, srid=4326), vietnam(2025, 9, 1, 9), is_public=False)
    spam = _file(Point(108.81, 15.06, srid=4326), vietnam(2025, 9, 2, 9))
    Incident.objects.filter(pk=spam.pk).update(
        status=IncidentStatus.REJECTED, rejection_reason=RejectionReason.SPAM
    )
    return Reports(
        public=[Incident.objects.get(pk=r.pk) for r in (hidden_text, third, second, first)],
        private=[not_public, spam],
    )


@pytest.fixture
def layers(reports: Reports, territory: Territory) -> None:
    """Dossiers in two communes over two months, and indicator values (one not yet approved)."""
    for row in catalogue_rows():
        procedure_services.procedure_create(**row)
    for unit, at in (
        (territory.committee_cam_thanh, vietnam(2026, 3, 2, 8)),
        (territory.committee_cam_thanh, vietnam(2026, 3, 3, 8)),
        (territory.committee_cam_thanh, vietnam(2026, 4, 2, 8)),
        (territory.committee_an_phu, vietnam(2026, 3, 2, 8)),
    ):
        procedure_services.dossier_receive(
            procedure_code="1.001612", unit_code=unit.code, received_at=at, channel="counter",
            applicant={"name": "Lê Thị Hoa", "id_number": "051090001234"},
        )  # fmt: skip
    indicator = make_indicator("dan-so")
    for area, period, status in (
        (territory.cam_thanh, "2025", "approved"), (territory.an_phu, "2025", "approved"),
        (territory.cam_thanh, "2026", "approved"), (territory.an_phu, "2026", "draft"),
    ):  # fmt: skip
        parsed = period_parse(period)
        IndicatorValue.objects.create(
            indicator=indicator, area=area, period=period, period_start=parsed.start,
            period_end=parsed.end, value=Decimal("100"), status=status,
        )  # fmt: skip

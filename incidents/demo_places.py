"""Where the demo reports fall: the commune-level areas of the demo territory with their
boundaries and weights, and random points inside them (used by `incidents/demo_history.py`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.contrib.gis.geos import MultiPolygon, Point
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from incidents import demo_texts
from wards.demo_territory import REFORM_DAY
from wards.models import Area, AreaLevel, AreaType

# The six units of the former city take three in four of the reports after the reform, weighted
# towards the central wards.
FORMER_CITY_UNIT_WEIGHTS = {
    "21025": 30,  # Phường Cẩm Thành
    "21028": 22,  # Phường Nghĩa Lộ
    "21172": 14,  # Phường Trương Quang Trọng
    "21034": 12,  # Xã An Phú
    "21211": 8,  # Xã Tịnh Khê
    "21109": 6,  # Xã Đông Sơn
}


@dataclass
class PlacedArea:
    area: Area
    boundary: MultiPolygon
    weight: float


@dataclass
class DemoTerritory:
    """The commune-level areas of the demo territory, with boundaries, for placing points."""

    former_city: list[PlacedArea]  # the six units of the former city, from 1 July 2025
    elsewhere: list[PlacedArea]  # the other current communes of the province
    before_reform: list[PlacedArea]  # the former city's communes before 1 July 2025

    @classmethod
    def load(cls) -> DemoTerritory:
        communes = Area.objects.filter(level=AreaLevel.COMMUNE).order_by("code", "valid_from")
        current = [area for area in communes if area.valid_from >= REFORM_DAY]
        former_city = [
            PlacedArea(area, area.boundary, FORMER_CITY_UNIT_WEIGHTS[area.code])
            for area in current
            if area.code in FORMER_CITY_UNIT_WEIGHTS and area.valid_to is None
        ]
        if len(former_city) != len(FORMER_CITY_UNIT_WEIGHTS):
            raise InvalidInput(
                _("Chưa nạp địa bàn mẫu; hãy chạy manage.py wards_load_demo trước."),
                code="demo_territory_missing",
            )
        elsewhere = [
            PlacedArea(area, area.boundary, 1.0)
            for area in current
            if area.code not in FORMER_CITY_UNIT_WEIGHTS and area.valid_to is None
        ]
        # Wards (phường) are denser than rural communes: three times the reports.
        before_reform = [
            PlacedArea(area, area.boundary, 3.0 if area.area_type == AreaType.WARD else 1.0)
            for area in communes
            if area.valid_from < REFORM_DAY and area.valid_to is not None
        ]
        return cls(former_city=former_city, elsewhere=elsewhere, before_reform=before_reform)

    def communes_before_reform_on(self, day: date) -> list[PlacedArea]:
        return [placed for placed in self.before_reform if placed.area.is_valid_on(day)]

    def neighbours(self, placed: PlacedArea, *, day: date) -> list[PlacedArea]:
        return [
            other
            for other in self.communes_before_reform_on(day)
            if other.area.pk != placed.area.pk and other.boundary.intersects(placed.boundary)
        ]


def point_inside(rng: random.Random, placed: PlacedArea) -> Point:
    """A uniformly random point inside the area (rejection sampling in its bounding box)."""
    prepared = placed.boundary.prepared
    min_x, min_y, max_x, max_y = placed.boundary.extent
    for _attempt in range(10_000):
        point = Point(
            round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6), srid=4326
        )
        if prepared.contains(point):
            return point
    raise InvalidInput(  # pragma: no cover - an area is never that thin
        _("Không chọn được điểm bên trong %(area)s.") % {"area": placed.area.name}
    )


def address_in(rng: random.Random, placed: PlacedArea) -> str:
    """A demo address in the area, or none (three in ten citizens give none)."""
    if rng.random() < 0.3:
        return ""
    if placed.area.area_type == AreaType.WARD:
        street = rng.choice(demo_texts.STREETS)
        return f"{rng.randint(2, 420)} {street}, {placed.area.name}"
    village = rng.choice(demo_texts.VILLAGES)
    return f"{village[0].upper()}{village[1:]}, {placed.area.name}"

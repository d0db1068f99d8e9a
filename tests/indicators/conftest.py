"""A chain of successions on top of the shared territory, and a catalogue of indicators.

Before 2025: Nguyễn Nghiêm (21025), Nghĩa Dũng (21034), Nghĩa An and Nghĩa Phú under the city.
On 1 January 2025 Nghĩa An and Nghĩa Phú merged into An Phú (21262); on 1 July 2025 the districts
went and the communes became Cẩm Thành (21025: Nguyễn Nghiêm whole and 40 % of Nghĩa Dũng) and
Xã An Phú (21034: An Phú whole and 60 % of Nghĩa Dũng).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from shapely.geometry import box

from indicators.models import Indicator
from tests.conftest import LAST_DAY_BEFORE_REFORM, REFORM_DAY, Territory, Validity
from wards import services
from wards.models import Area, AreaLevel, AreaType

MERGER_2025 = datetime.date(2025, 1, 1)


@dataclass
class Chain:
    territory: Territory
    nghia_an: Area
    nghia_phu: Area
    an_phu_2025: Area


@pytest.fixture
def chain(territory: Territory) -> Chain:
    old: Validity = {
        "valid_from": datetime.date(2014, 4, 1),
        "valid_to": datetime.date(2024, 12, 31),
    }
    nghia_an = services.area_create(
        code="21037", name="Xã Nghĩa An", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.75, 15.15, 108.8, 15.2), parent=territory.district, **old,
    )  # fmt: skip
    nghia_phu = services.area_create(
        code="21038", name="Xã Nghĩa Phú", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.8, 15.15, 108.85, 15.2), parent=territory.district, **old,
    )  # fmt: skip
    an_phu_2025 = services.area_create(
        code="21262", name="Xã An Phú", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.75, 15.15, 108.85, 15.2), parent=territory.district,
        valid_from=MERGER_2025, valid_to=LAST_DAY_BEFORE_REFORM,
    )  # fmt: skip
    succession = services.area_succession_create
    succession(predecessor=nghia_an, successor=an_phu_2025, effective_on=MERGER_2025)
    succession(predecessor=nghia_phu, successor=an_phu_2025, effective_on=MERGER_2025)
    succession(predecessor=an_phu_2025, successor=territory.an_phu, effective_on=REFORM_DAY)
    succession(
        predecessor=territory.nguyen_nghiem, successor=territory.cam_thanh, effective_on=REFORM_DAY
    )
    succession(
        predecessor=territory.nghia_dung, successor=territory.an_phu, effective_on=REFORM_DAY,
        share=Decimal("0.6"),
    )  # fmt: skip
    succession(
        predecessor=territory.nghia_dung, successor=territory.cam_thanh, effective_on=REFORM_DAY,
        share=Decimal("0.4"),
    )  # fmt: skip
    return Chain(
        territory=territory, nghia_an=nghia_an, nghia_phu=nghia_phu, an_phu_2025=an_phu_2025
    )


def make_indicator(code: str, **fields: object) -> Indicator:
    defaults: dict[str, object] = {
        "name_vi": code, "name_en": code, "unit": "người", "kind": "value",
        "area_aggregation": "sum", "time_aggregation": "last", "direction": "higher",
        "period_type": "year",
    }  # fmt: skip
    defaults.update(fields)
    return Indicator.objects.create(code=code, **defaults)

"""Outlier flags are computed in one SQL statement; they must be the figures of the Python
definitions (z_score, modified_z_score) on every kind of history: varied, with a MAD of 0, a
constant one, too short, and with values missing."""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

import pytest

from indicators.models import Indicator, IndicatorValue, ValueStatus
from indicators.selectors.outliers import (
    MODIFIED_Z_THRESHOLD,
    Z_THRESHOLD,
    OutlierFlag,
    modified_z_score,
    outlier_flags,
    z_score,
)
from tests.indicators.conftest import Chain, make_indicator
from wards.models import Area

pytestmark = pytest.mark.django_db


def python_flags(values: list[IndicatorValue]) -> dict[int, list[OutlierFlag]]:
    """The flags as the Python definitions give them, from every stored value."""
    stored = list(IndicatorValue.objects.exclude(value=None))
    flags: dict[int, list[OutlierFlag]] = {}
    for value in values:
        assert value.value is not None
        x = float(value.value)
        own = [
            float(other.value) for other in stored
            if (other.indicator_id, other.area_id) == (value.indicator_id, value.area_id)
            and other.period != value.period and other.value is not None
        ]  # fmt: skip
        others = [
            float(other.value) for other in stored
            if (other.indicator_id, other.period) == (value.indicator_id, value.period)
            and other.area_id != value.area_id and other.value is not None
        ]  # fmt: skip
        found = []
        for method, score, count, threshold in (
            ("z", z_score(x, own), len(own), Z_THRESHOLD),
            ("modified_z", modified_z_score(x, own), len(own), MODIFIED_Z_THRESHOLD),
            ("peers", modified_z_score(x, others), len(others), MODIFIED_Z_THRESHOLD),
        ):
            if score is not None and abs(score) > threshold:
                found.append(OutlierFlag(method=method, score=score, compared_with=count))
        if found:
            flags[value.pk] = found
    return flags


def store(indicator: Indicator, area: Area, year: int, number: str | None) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator, area=area, period=str(year),
        period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31),
        value=None if number is None else Decimal(number), status=ValueStatus.SUBMITTED,
    )  # fmt: skip


def same(sql: dict[int, list[OutlierFlag]], python: dict[int, list[OutlierFlag]]) -> None:
    assert sql.keys() == python.keys()
    for value_id, expected in python.items():
        found = sql[value_id]
        assert [(f.method, f.compared_with) for f in found] == [
            (f.method, f.compared_with) for f in expected
        ]
        for got, wanted in zip(found, expected, strict=True):
            if math.isinf(wanted.score):
                assert got.score == wanted.score
            else:
                assert got.score == pytest.approx(wanted.score, rel=1e-12)


def test_the_statement_gives_the_python_figures_on_varied_histories(chain: Chain) -> None:
    generator = random.Random(12)
    indicator = make_indicator("population")
    # Any areas will do: the flags compare figures, whatever the level.
    areas = list(Area.objects.order_by("id"))
    assert len(areas) >= 10
    histories: dict[int, list[str | None]] = {
        0: ["100", "102", "98", "101", "99", "150"],  # varied, the last far out
        1: ["5", "5", "5", "5", "9", "5"],  # MAD 0: the mean absolute deviation stands in
        2: ["7", "7", "7", "7", "7", "8"],  # constant history: any other value is infinite
        3: ["7", "7", "7", "7", "7", "7"],  # constant, the value equal: 0
        4: ["1", "2", "3", "40"],  # short: three others, nothing judged
        5: ["1", None, "2", "3", "4", "-60"],  # a missing value is not a figure
        6: ["0.1", "0.1", "0.1", "0.1", "0.1", "0.1"],
        7: [str(generator.randint(1, 10_000)) for _ in range(6)],
    }
    for index, numbers in histories.items():
        for offset, number in enumerate(numbers):
            store(indicator, areas[index], 2019 + offset, number)
    # Peers in 2024: every area's value of that year (some above), and a few more areas with
    # random figures so that the peers of 2024 vary too.
    for area in areas[8:]:
        for year in range(2019, 2025):
            store(indicator, area, year, f"{generator.uniform(0, 200):.3f}")
    reviewed = list(IndicatorValue.objects.exclude(value=None).order_by("id"))
    sql = outlier_flags(values=reviewed)
    python = python_flags(reviewed)
    same(sql, python)
    # What this history holds is judged as it should be, not just alike in both.
    far = IndicatorValue.objects.get(area=areas[0], period="2024")
    assert [flag.method for flag in sql[far.pk]][:2] == ["z", "modified_z"]
    constant = IndicatorValue.objects.get(area=areas[2], period="2024")
    assert [(f.method, f.score) for f in sql[constant.pk] if f.method != "peers"] == [
        ("z", math.inf), ("modified_z", math.inf),
    ]  # fmt: skip
    assert IndicatorValue.objects.get(area=areas[3], period="2024").pk not in sql


def test_a_value_not_stored_yet_is_judged_against_every_stored_figure(chain: Chain) -> None:
    indicator = make_indicator("population")
    area = chain.territory.an_phu
    for year, number in [(2020, "10"), (2021, "11"), (2022, "9"), (2023, "10"), (2024, "10")]:
        store(indicator, area, year, number)
    unsaved = IndicatorValue(
        pk=10**9, indicator=indicator, area=area, period="2026",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
        value=Decimal(40),
    )  # fmt: skip
    same(outlier_flags(values=[unsaved]), python_flags([unsaved]))
    assert outlier_flags(values=[unsaved])[10**9][0].compared_with == 5

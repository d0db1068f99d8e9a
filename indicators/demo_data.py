"""The demo indicators `make run` loads: the catalogue of fixtures/indicators/catalogue.csv and
made-up but plausible values per commune and period from 2023 to 2026, entered on the units
valid at the time (old communes before 1 July 2025, new ones after), plus targets for 2026.

The values are a deterministic function of the area code, indicator and period, written as an
import file and loaded by the same import as `indicators_import_values`: loading twice changes
nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from geoapp.file_imports import ImportReport
from indicators.models import Indicator, IndicatorKind
from indicators.periods import Period, PeriodType, period_parse, periods_between
from indicators.services.catalogue import catalogue_import
from indicators.services.computed import RefreshReport, computed_indicators_refresh
from indicators.services.value_import import VALUE_COLUMNS, values_import
from indicators.services.values import target_set
from wards.models import Area, AreaLevel

DEMO_CATALOGUE = settings.BASE_DIR / "fixtures" / "indicators" / "catalogue.csv"
# The operational indicators computed from feedback and dossiers (never entered by hand).
COMPUTED_CATALOGUE = settings.BASE_DIR / "fixtures" / "indicators" / "computed.csv"
FIRST_DAY = datetime.date(2023, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)
TARGET_YEAR = "2026"


def _spread(*parts: str) -> float:
    """A number in [0, 1) fixed by `parts`: the same demo on every machine."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _communes_reporting(period: Period, communes: list[Area]) -> list[Area]:
    # As the import reads a code: the units valid on the period's last day.
    return [area for area in communes if area.is_valid_on(period.end)]


def _figures(indicator: Indicator, area: Area, period: Period) -> tuple[str, str, str]:
    """(value, numerator, denominator) as import cells."""
    spread = _spread(indicator.code, area.code, str(area.valid_from))
    growth = 1 + 0.04 * (period.start.year - 2023) + 0.02 * _spread(indicator.code, period.text)
    size = 4000 + 26000 * spread  # people in a commune
    if indicator.kind == IndicatorKind.RATIO:
        denominator = round(size / 3.6)  # households
        share = {"ty-le-ho-ngheo": 0.02 + 0.08 * spread / growth}.get(
            indicator.code, 0.7 + 0.25 * spread * growth / 1.2
        )
        numerator = min(denominator, round(denominator * share))
        return "", str(numerator), str(denominator)
    scale = {
        "dan-so": size, "so-ho": size / 3.6, "thu-ngan-sach": 1500 + 9000 * spread,
        "gia-tri-san-xuat-cong-nghiep": 20000 + 400000 * spread,
        "doanh-nghiep-moi": 2 + 30 * spread, "truong-chuan": 1 + 5 * spread,
        "thu-nhap-binh-quan": 45 + 40 * spread, "dien-tich-lua": 50 + 600 * spread,
        "tai-nan-giao-thong": 1 + 12 * spread / growth, "tram-y-te-chuan": 1,
    }.get(indicator.code, 100 * spread)  # fmt: skip
    return str(Decimal(scale * growth).quantize(Decimal(1))), "", ""


@transaction.atomic
def indicators_load_demo() -> tuple[ImportReport, ImportReport]:
    catalogue = catalogue_import(path=DEMO_CATALOGUE, commit=True)
    communes = list(
        Area.objects.filter(level=AreaLevel.COMMUNE)
        .exclude(valid_to__lt=FIRST_DAY)
        .only("id", "code", "name", "level", "valid_from", "valid_to")
    )
    indicators = list(Indicator.objects.filter(code__in=_demo_codes()))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "demo-values.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(VALUE_COLUMNS)
            for indicator in indicators:
                for period in periods_between(
                    PeriodType(indicator.period_type), FIRST_DAY, LAST_DAY
                ):
                    for area in _communes_reporting(period, communes):
                        value, numerator, denominator = _figures(indicator, area, period)
                        writer.writerow(
                            [
                                indicator.code,
                                area.code,
                                period.text,
                                value,
                                numerator,
                                denominator,
                                "",
                            ]
                        )
        values = values_import(path=path, commit=True)
    target_period = period_parse(TARGET_YEAR)
    for indicator in indicators:
        if indicator.kind != IndicatorKind.VALUE or indicator.period_type != PeriodType.YEAR:
            continue
        for area in _communes_reporting(target_period, communes):
            value, _numerator, _denominator = _figures(indicator, area, target_period)
            target_set(
                indicator=indicator, area=area, period=target_period,
                value=(Decimal(value) * Decimal("1.05")).quantize(Decimal(1)),
            )  # fmt: skip
    return catalogue, values


def computed_demo_load(*, today: datetime.date) -> RefreshReport:
    """The computed indicators' catalogue, and their values for every month from the demo's
    first to today's, from whatever feedback and dossiers the database holds."""
    catalogue_import(path=COMPUTED_CATALOGUE, commit=True)
    total = RefreshReport()
    for month in periods_between(PeriodType.MONTH, FIRST_DAY, today):
        report = computed_indicators_refresh(month=month)
        total.created += report.created
        total.updated += report.updated
        total.unchanged += report.unchanged
    return total


def _demo_codes() -> list[str]:
    with DEMO_CATALOGUE.open(encoding="utf-8") as file:
        return [row["code"] for row in csv.DictReader(file)]

"""Computed operational indicators: feedback and dossiers of a commune and month turned into
ratios (numerator, denominator, value), idempotent, audited, refused at entry and import."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents.models import Incident, IncidentStatus
from indicators.demo_data import COMPUTED_CATALOGUE, computed_demo_load
from indicators.models import IndicatorValue, IndicatorValueEvent, ValueStatus
from indicators.periods import period_parse
from indicators.services.catalogue import catalogue_import
from indicators.services.computed import computed_indicators_refresh, months_to_refresh
from procedures.catalogue import catalogue_rows
from procedures.models import DossierDailyTally, Procedure
from procedures.services import procedure_create
from tests.conftest import Territory
from tests.incidents.conftest import FileReport, categories, file_report
from tests.indicators.conftest import make_indicator

__all__ = ["categories", "file_report"]  # fixtures of the feedback tests, used here


def vietnam(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=VIETNAM_TIME_ZONE)


def _figures() -> dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]]:
    return {
        code: (value, numerator, denominator)
        for code, value, numerator, denominator in IndicatorValue.objects.filter(
            period="2026-11"
        ).values_list("indicator__code", "value", "numerator", "denominator")
    }


@pytest.fixture
def november(territory: Territory, file_report: FileReport) -> Territory:
    """In Phường Cẩm Thành, November 2026: four reports (one rejected, one still open, one
    resolved on time and rated 5, one resolved late and rated 2); four dossiers received, three
    online, two finished, one early and one late; 20,000 inhabitants."""
    catalogue_import(path=COMPUTED_CATALOGUE, commit=True)
    population = make_indicator("dan-so")
    IndicatorValue.objects.create(
        indicator=population, area=territory.cam_thanh, period="2026",
        period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), value=Decimal(20000),
        status=ValueStatus.APPROVED,
    )  # fmt: skip
    timeline = [
        (IncidentStatus.RESOLVED, 2, 10, 5, 5, 6),
        (IncidentStatus.RESOLVED, 3, 10, 20, 2, 21),
        (IncidentStatus.NEW, 25, 30, None, None, None),
        (IncidentStatus.REJECTED, 4, 10, None, None, None),
    ]
    for status, reported, due, resolved, rating, rated in timeline:
        incident = file_report().incident
        Incident.objects.filter(pk=incident.pk).update(
            status=status,
            reported_at=vietnam(11, reported),
            resolve_by=vietnam(11, due),
            resolved_at=vietnam(11, resolved) if resolved else None,
            rating=rating,
            rated_at=vietnam(11, rated) if rated else None,
        )
        assert incident.area_id == territory.cam_thanh.pk
    row = next(iter(catalogue_rows()))
    procedure = Procedure.objects.first() or procedure_create(**row)
    DossierDailyTally.objects.create(
        unit=territory.committee_cam_thanh, area=territory.cam_thanh, procedure=procedure,
        day=date(2026, 11, 10), received=4, received_online=3, finished=2, early=1, late=1,
    )  # fmt: skip
    # A province unit's dossiers have no commune: not a commune's figure.
    DossierDailyTally.objects.create(
        unit=territory.committee_cam_thanh, area=None, procedure=procedure,
        day=date(2026, 11, 10), received=9, received_online=9,
    )  # fmt: skip
    return territory


def test_the_figures_of_a_commune_and_month(november: Territory) -> None:
    report = computed_indicators_refresh(month=period_parse("2026-11"))
    assert (report.created, report.updated, report.unchanged) == (6, 0, 0)
    assert _figures() == {
        # 3 reports (the rejected one is not counted) / 20,000 people × 10,000
        "phan-anh-tren-10000-dan": (Decimal("1.5"), Decimal(3), Decimal(20000)),
        # resolved on time 1 of 2
        "phan-anh-dung-han": (Decimal(50), Decimal(1), Decimal(2)),
        # (3 + 17 days) / 2 resolved
        "thoi-gian-xu-ly-phan-anh": (Decimal(10), Decimal(20), Decimal(2)),
        # rated 4 or 5: 1 of 2
        "hai-long-phan-anh": (Decimal(50), Decimal(1), Decimal(2)),
        # finished early or on time 1 of 2; online 3 of 4
        "ho-so-dung-han": (Decimal(50), Decimal(1), Decimal(2)),
        "ho-so-truc-tuyen": (Decimal(75), Decimal(3), Decimal(4)),
    }
    values = IndicatorValue.objects.filter(period="2026-11")
    assert {v.status for v in values} == {ValueStatus.APPROVED}
    assert {v.area_id for v in values} == {november.cam_thanh.pk}
    assert IndicatorValueEvent.objects.filter(action="computed").count() == 6


def test_a_refresh_is_idempotent_and_audits_what_changed(november: Territory) -> None:
    month = period_parse("2026-11")
    computed_indicators_refresh(month=month)
    report = computed_indicators_refresh(month=month)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert IndicatorValueEvent.objects.count() == 6
    Incident.objects.filter(rating=2).update(rating=4)
    report = computed_indicators_refresh(month=month)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    assert _figures()["hai-long-phan-anh"] == (Decimal(100), Decimal(2), Decimal(2))
    event = IndicatorValueEvent.objects.order_by("-id").first()
    assert event is not None and event.before is not None
    assert (event.before["value"], event.after["value"]) == ("50", "100")


def test_a_month_without_a_denominator_has_no_value(november: Territory) -> None:
    report = computed_indicators_refresh(month=period_parse("2026-10"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert IndicatorValue.objects.filter(period="2026-10").count() == 0


def test_computed_indicators_are_refused_at_import(november: Territory, tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_text(
        "indicator,area_code,period,value,numerator,denominator,comment\n"
        "ho-so-dung-han,21025,2026-11,,1,2,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("indicators_import_values", str(path), "--commit")
    assert str(refused.value).splitlines()[1] == (
        "Dòng 2: Chỉ tiêu ho-so-dung-han được tính tự động; không nhập tay."
    )
    assert IndicatorValue.objects.filter(period="2026-11").count() == 0


def test_the_months_refreshed_each_night() -> None:
    assert [p.text for p in months_to_refresh(date(2026, 1, 3))] == ["2025-12", "2026-01"]


def test_the_demo_computes_every_month_and_loads_twice_without_change(
    november: Territory,
) -> None:
    first = computed_demo_load(today=date(2026, 12, 5))
    assert (first.created, first.updated) == (6, 0)
    again = computed_demo_load(today=date(2026, 12, 5))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)

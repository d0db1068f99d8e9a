"""Validation rules refuse a value at entry and at import with the rule's sentence, nothing
written; outlier flags only mark a value for the reviewer."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from geoapp.exceptions import InvalidInput
from indicators.models import (
    IndicatorValue,
    IndicatorValueEvent,
    RuleKind,
    ValidationRule,
    ValueStatus,
)
from indicators.periods import period_before, period_parse
from indicators.selectors.outliers import modified_z_score, outlier_flags, z_score
from indicators.services.values import value_save_draft
from tests.indicators.conftest import Chain, make_indicator
from wards.models import AgencyMembership

HEADER = "indicator,area_code,period,value,numerator,denominator,comment\n"


@pytest.fixture
def officer(chain: Chain) -> User:
    user = User.objects.create_user("officer-an-phu")
    AgencyMembership.objects.create(user=user, agency=chain.territory.committee_an_phu)
    return user


def test_the_period_before(db: None) -> None:
    assert period_before(period_parse("2024-Q1")).text == "2023-Q4"
    assert period_before(period_parse("2025-01")).text == "2024-12"
    assert period_before(period_parse("2026")).text == "2025"


def test_a_range_rule_refuses_a_value_at_entry_and_nothing_is_written(
    chain: Chain, officer: User
) -> None:
    indicator = make_indicator("schools")
    ValidationRule.objects.create(
        indicator=indicator, kind=RuleKind.RANGE, lower=Decimal(0), upper=Decimal(40)
    )
    with pytest.raises(InvalidInput) as refused:
        value_save_draft(
            actor=officer, indicator=indicator, area=chain.territory.an_phu,
            period=period_parse("2026"), value=Decimal(41),
        )  # fmt: skip
    assert refused.value.message == "giá trị 41 nằm ngoài khoảng cho phép [0; 40]."
    assert refused.value.code == "rule_range"
    assert IndicatorValue.objects.count() == IndicatorValueEvent.objects.count() == 0
    stored = value_save_draft(
        actor=officer, indicator=indicator, area=chain.territory.an_phu,
        period=period_parse("2026"), value=Decimal(40),
    )  # fmt: skip
    assert stored.value == Decimal(40)


def test_a_growth_rule_compares_with_the_areas_previous_period(chain: Chain, officer: User) -> None:
    indicator = make_indicator("population")
    ValidationRule.objects.create(
        indicator=indicator, kind=RuleKind.GROWTH, lower=Decimal(-10), upper=Decimal(10)
    )
    area = chain.territory.an_phu
    # The first value has nothing to grow from.
    value_save_draft(
        actor=officer, indicator=indicator, area=area, period=period_parse("2025"),
        value=Decimal(1000),
    )  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        value_save_draft(
            actor=officer, indicator=indicator, area=area, period=period_parse("2026"),
            value=Decimal(1150),
        )  # fmt: skip
    assert refused.value.message == (
        "giá trị 1150 thay đổi 15% so với kỳ trước (1000), ngoài khoảng cho phép [-10%; 10%]."
    )
    assert list(IndicatorValue.objects.values_list("period", flat=True)) == ["2025"]
    value_save_draft(
        actor=officer, indicator=indicator, area=area, period=period_parse("2026"),
        value=Decimal(1100),
    )  # fmt: skip
    assert IndicatorValue.objects.get(period="2026").value == Decimal(1100)


def test_rules_apply_at_import_with_the_row_named_and_nothing_written(
    chain: Chain, tmp_path: Path
) -> None:
    population = make_indicator("population")
    ValidationRule.objects.create(indicator=population, kind=RuleKind.GROWTH, upper=Decimal(20))
    rate = make_indicator(
        "poverty-rate", kind="ratio", factor=Decimal(100), area_aggregation="ratio"
    )
    ValidationRule.objects.create(indicator=rate, kind=RuleKind.RANGE, upper=Decimal(50))
    path = tmp_path / "values.csv"
    path.write_text(
        HEADER
        + "population,21034,2025,1000,,,\n"  # Xã An Phú (the new one, valid on 2025-12-31)
        + "population,21034,2026,1300,,,\n"  # +30 % on the row above
        + "poverty-rate,21034,2026,,60,100,\n"  # 60 % > 50
        + "poverty-rate,21025,2026,,10,100,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("indicators_import_values", str(path), "--commit")
    assert str(refused.value).splitlines() == [
        "Tệp có 2 lỗi; chưa ghi gì vào cơ sở dữ liệu.",
        "Dòng 3: giá trị 1300 thay đổi 30% so với kỳ trước (1000), ngoài khoảng cho phép […; 20%].",
        "Dòng 4: giá trị 60 nằm ngoài khoảng cho phép […; 50].",
    ]
    assert IndicatorValue.objects.count() == IndicatorValueEvent.objects.count() == 0


def test_a_growth_rule_at_import_reads_the_stored_previous_value(
    chain: Chain, officer: User, tmp_path: Path
) -> None:
    indicator = make_indicator("population")
    ValidationRule.objects.create(indicator=indicator, kind=RuleKind.GROWTH, lower=Decimal(-5))
    value_save_draft(
        actor=officer, indicator=indicator, area=chain.territory.an_phu,
        period=period_parse("2025"), value=Decimal(2000),
    )  # fmt: skip
    path = tmp_path / "values.csv"
    path.write_text(HEADER + "population,21034,2026,1800,,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("indicators_import_values", str(path), "--commit")
    assert str(refused.value).splitlines()[1] == (
        "Dòng 2: giá trị 1800 thay đổi -10% so với kỳ trước (2000), ngoài khoảng cho phép [-5%; …]."
    )
    assert list(IndicatorValue.objects.values_list("period", flat=True)) == ["2025"]


def test_a_computed_indicator_is_not_entered_by_hand(chain: Chain, officer: User) -> None:
    indicator = make_indicator("feedback-rate", computed_from="feedback_per_10000")
    with pytest.raises(InvalidInput) as refused:
        value_save_draft(
            actor=officer, indicator=indicator, area=chain.territory.an_phu,
            period=period_parse("2026"), value=Decimal(1),
        )  # fmt: skip
    assert refused.value.message == "Chỉ tiêu feedback-rate được tính tự động; không nhập tay."
    assert IndicatorValue.objects.count() == 0


def test_scores() -> None:
    history = [10.0, 11.0, 9.0, 10.0, 10.0]
    assert z_score(10.0, history[:3]) is None  # too few figures to judge
    assert z_score(10.0, history) == 0.0
    assert round(z_score(20.0, history) or 0, 4) == round(10 / math.sqrt(0.5), 4)
    # median 10, MAD 0 → mean absolute deviation 0.4 stands in: (20 − 10) / (1.253314 × 0.4)
    assert round(modified_z_score(20.0, history) or 0, 3) == round(10 / (1.253314 * 0.4), 3)
    assert modified_z_score(11.0, [5.0, 5.0, 5.0, 5.0]) == math.inf
    assert round(modified_z_score(30.0, [1.0, 2.0, 3.0, 4.0, 5.0]) or 0, 4) == round(
        0.6745 * 27 / 1, 4
    )


def test_outlier_flags_mark_a_value_far_from_the_areas_history(chain: Chain) -> None:
    indicator = make_indicator("population")
    area = chain.territory.an_phu
    for year, number in [(2021, 100), (2022, 102), (2023, 98), (2024, 101), (2025, 99)]:
        IndicatorValue.objects.create(
            indicator=indicator, area=area, period=str(year), period_start=f"{year}-01-01",
            period_end=f"{year}-12-31", value=Decimal(number), status=ValueStatus.APPROVED,
        )  # fmt: skip
    far = IndicatorValue.objects.create(
        indicator=indicator, area=area, period="2026", period_start="2026-01-01",
        period_end="2026-12-31", value=Decimal(150), status=ValueStatus.SUBMITTED,
    )  # fmt: skip
    flags = outlier_flags(values=[far])
    assert [(flag.method, flag.compared_with) for flag in flags[far.pk]] == [
        ("z", 5),
        ("modified_z", 5),
    ]
    # history 98..102: mean 100, sample stdev √2.5; median 100, MAD 1
    assert round(flags[far.pk][0].score, 4) == round(50 / math.sqrt(2.5), 4)
    assert round(flags[far.pk][1].score, 4) == round(0.6745 * 50, 4)
    near = IndicatorValue.objects.get(period="2024")
    assert outlier_flags(values=[near]) == {}
    assert IndicatorValue.objects.get(pk=far.pk).value == Decimal(150)  # flagged, not changed


def test_an_administrator_adds_a_rule_in_the_admin_and_bounds_must_be_ordered(
    chain: Chain,
) -> None:
    from django.test import Client

    indicator = make_indicator("population")
    admin = User.objects.create_superuser("quan-tri", password="x")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/indicators/indicator/").status_code == 200
    refused = client.post(
        "/admin/indicators/validationrule/add/",
        {"indicator": indicator.pk, "kind": "range", "lower": "10", "upper": "5",
         "is_active": "on"},
    )  # fmt: skip
    assert refused.status_code == 200  # the form again, with the constraint's error
    assert ValidationRule.objects.count() == 0
    added = client.post(
        "/admin/indicators/validationrule/add/",
        {"indicator": indicator.pk, "kind": "range", "lower": "0", "upper": "5",
         "is_active": "on"},
    )  # fmt: skip
    assert added.status_code == 302
    assert list(ValidationRule.objects.values_list("kind", "lower", "upper")) == [
        ("range", Decimal("0.000000"), Decimal("5.000000"))
    ]

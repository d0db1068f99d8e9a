"""The values import checks and writes whole files in SQL: what a row with several problems is
told, the order of the errors of every kind, re-imports that change one value or none, and the
figures it computes (a ratio's value) and compares (growth) exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from geoapp.file_imports import ImportRejected
from indicators.models import (
    IndicatorValue,
    IndicatorValueEvent,
    RuleKind,
    ValidationRule,
    ValueStatus,
)
from indicators.services.value_import import values_import
from indicators.table_files import table_cells
from tests.indicators.conftest import Chain, make_indicator

pytestmark = pytest.mark.django_db

HEADER = "indicator,area_code,period,value,numerator,denominator,comment\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> list[str]:
    with pytest.raises(ImportRejected) as refused:
        values_import(path=path, commit=True)
    return str(refused.value.message).splitlines()


def temporary_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'value_import%%' "
            "AND relpersistence = 't'"
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_row_with_several_problems_is_named_once_for_the_first(
    chain: Chain, tmp_path: Path
) -> None:
    make_indicator("population")
    make_indicator("poverty-rate", kind="ratio", area_aggregation="ratio", factor=Decimal(100))
    path = write(
        tmp_path, "bad.csv",
        HEADER
        + "population,99999,2024-13,mười,,,\n"  # 2: period, area and number: the period
        + "population,99999,2024,mười,,,\n"  # 3: area and number: the area
        + "poverty-rate,21025,2024,abc,hai,0,\n"  # 4: numerator, value, denominator 0
        + "poverty-rate,21025,2023,,-1,0,\n"  # 5: denominator 0 before a negative numerator
        + "population,21025,2024-Q1,-1,,,\n",  # 6: period type before the negative value
    )  # fmt: skip
    assert refusal(path) == [
        "Tệp có 5 lỗi; chưa ghi gì vào cơ sở dữ liệu.",
        "Dòng 2: Kỳ báo cáo “2024-13” không hợp lệ; dùng dạng 2024 (năm), 2024-Q3 (quý) hoặc "
        "2024-07 (tháng).",
        "Dòng 3: không có đơn vị hành chính mã 99999.",
        "Dòng 4: cột numerator phải là một số, không phải “hai”.",
        "Dòng 5: mẫu số phải lớn hơn 0.",
        "Dòng 6: chỉ tiêu population báo cáo theo Năm; kỳ “2024-Q1” không phù hợp.",
    ]
    assert IndicatorValue.objects.count() == IndicatorValueEvent.objects.count() == 0
    assert temporary_tables() == []


def test_errors_of_every_stage_are_listed_in_row_order(chain: Chain, tmp_path: Path) -> None:
    population = make_indicator("population")
    ValidationRule.objects.create(indicator=population, kind=RuleKind.RANGE, upper=Decimal(500))
    values_import(
        path=write(tmp_path, "first.csv", HEADER + "population,21025,2023,100,,,\n"), commit=True
    )
    IndicatorValue.objects.update(status=ValueStatus.APPROVED)
    path = write(
        tmp_path, "bad.csv",
        HEADER
        + "population,21025,2023,101,,,\n"  # 2: approved and locked (found last)
        + "population,21034,2024,900,,,\n"  # 3: breaks the rule
        + "population,21034,2024,10,,,\n"  # 4: duplicate of row 3, whose rule is broken
        + "population,21034,2023,50,,,\n"  # 5: fine
        + "gdp,21025,2024,1,,,\n",  # 6: unknown indicator (found first)
    )  # fmt: skip
    assert refusal(path) == [
        "Tệp có 4 lỗi; chưa ghi gì vào cơ sở dữ liệu.",
        "Dòng 2: số liệu kỳ 2023 của đơn vị này đã được duyệt và khóa.",
        "Dòng 3: giá trị 900 nằm ngoài khoảng cho phép […; 500].",
        "Dòng 4: trùng với dòng 3 (cùng chỉ tiêu, đơn vị và kỳ).",
        "Dòng 6: không có chỉ tiêu mã “gdp”.",
    ]
    assert list(IndicatorValue.objects.values_list("period", "value", "status")) == [
        ("2023", Decimal("100.000000"), ValueStatus.APPROVED)
    ]
    assert IndicatorValueEvent.objects.count() == 1


def test_a_reimport_audits_the_changed_value_alone(chain: Chain, tmp_path: Path) -> None:
    make_indicator("population")
    first = write(
        tmp_path, "first.csv",
        HEADER + "population,21025,2024,1000,,,\npopulation,21034,2024,2000.50,,,ước tính\n",
    )  # fmt: skip
    dry = values_import(path=first, commit=False)
    assert (dry.created, dry.updated, dry.unchanged, dry.committed) == (2, 0, 0, False)
    assert IndicatorValue.objects.count() == IndicatorValueEvent.objects.count() == 0
    assert values_import(path=first, commit=True).render() == (
        "Đã ghi: 2 mới, 0 cập nhật, 0 không đổi."
    )
    created = IndicatorValueEvent.objects.get(value__area__code="21034")
    assert (created.action, created.from_status, created.to_status, created.before) == (
        "imported", "", "submitted", None,
    )  # fmt: skip
    assert created.after == {
        "value": "2000.5", "numerator": None, "denominator": None, "status": "submitted",
        "comment": "ước tính",
    }  # fmt: skip
    again = values_import(path=first, commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert IndicatorValueEvent.objects.count() == 2
    IndicatorValue.objects.filter(area__code="21034").update(status=ValueStatus.DRAFT)
    changed = write(
        tmp_path, "changed.csv",
        HEADER + "population,21025,2024,1000,,,\npopulation,21034,2024,2100,,,sửa\n",
    )  # fmt: skip
    report = values_import(path=changed, commit=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    event = IndicatorValueEvent.objects.latest("id")
    assert (event.value.area.code, event.from_status, event.to_status) == (
        "21034", "draft", "submitted",
    )  # fmt: skip
    assert event.before == {
        "value": "2000.5", "numerator": None, "denominator": None, "status": "draft",
        "comment": "ước tính",
    }  # fmt: skip
    assert event.after == {
        "value": "2100", "numerator": None, "denominator": None, "status": "submitted",
        "comment": "sửa",
    }  # fmt: skip
    assert IndicatorValueEvent.objects.count() == 3
    assert list(
        IndicatorValue.objects.order_by("area__code").values_list("value", "comment", "status")
    ) == [
        (Decimal("1000.000000"), "", ValueStatus.SUBMITTED),
        (Decimal("2100.000000"), "sửa", ValueStatus.SUBMITTED),
    ]
    assert temporary_tables() == []


def test_a_ratio_value_is_rounded_half_to_even_like_decimal(chain: Chain, tmp_path: Path) -> None:
    make_indicator("share", kind="ratio", area_aggregation="ratio", factor=Decimal(1))
    make_indicator("share-2", kind="ratio", area_aggregation="ratio", factor=Decimal(1))
    path = write(
        tmp_path, "ratios.csv",
        HEADER + "share,21025,2024,,1,128,\n"  # 0.0078125 → 0.007812 (half to even)
        "share,21034,2024,,3,128,\n"  # 0.0234375 → 0.023438
        "share-2,21025,2024,,1,3,\n",  # 0.333333…
    )  # fmt: skip
    values_import(path=path, commit=True)
    assert list(
        IndicatorValue.objects.order_by("indicator__code", "area__code").values_list(
            "value", flat=True
        )
    ) == [Decimal("0.007812"), Decimal("0.023438"), Decimal("0.333333")]


def test_growth_reads_the_files_previous_row_before_the_stored_one(
    chain: Chain, tmp_path: Path
) -> None:
    population = make_indicator("population")
    values_import(
        path=write(tmp_path, "first.csv", HEADER + "population,21025,2022,1000,,,\n"),
        commit=True,
    )
    ValidationRule.objects.create(
        indicator=population, kind=RuleKind.GROWTH, lower=Decimal(-10), upper=Decimal(10)
    )
    path = write(
        tmp_path, "growth.csv",
        HEADER + "population,21025,2023,1100,,,\n"  # +10 % on the stored 1000: passes
        "population,21025,2024,1300,,,\n"  # +18.2 % on the file's 1100: refused
        "population,21034,2024,5,,,\n",  # no previous value: not judged
    )  # fmt: skip
    assert refusal(path) == [
        "Tệp có 1 lỗi; chưa ghi gì vào cơ sở dữ liệu.",
        "Dòng 3: giá trị 1300 thay đổi 18.2% so với kỳ trước (1100), ngoài khoảng cho phép "
        "[-10%; 10%].",
    ]
    assert IndicatorValue.objects.count() == 1


def test_the_command_refuses_a_file_with_a_huge_exponent_as_text(
    chain: Chain, tmp_path: Path
) -> None:
    make_indicator("population")
    path = write(tmp_path, "bad.csv", HEADER + "population,21025,2024,1e99999,,,\n")
    with pytest.raises(CommandError) as refused:
        call_command("indicators_import_values", str(path), "--commit")
    assert str(refused.value).splitlines()[1] == (
        "Dòng 2: cột value phải là một số, không phải “1e99999”."
    )
    assert IndicatorValue.objects.count() == 0


def test_numbers_are_read_as_decimal_reads_them(chain: Chain, tmp_path: Path) -> None:
    make_indicator("population")
    path = write(
        tmp_path, "numbers.csv",
        HEADER + "population,21025,2024,1 234,5,,\n"  # spaces between digits
        'population,21034,2024,"12,5",,,\n'  # a comma as the decimal point
        "population,21025,2023,1_000,,,\n"  # underscores, as Decimal drops them
        "population,21034,2023,1.5e3,,,\n"
        "population,21025,2022,.5,,,\n",
    )  # fmt: skip
    values_import(path=path, commit=True)
    assert list(
        IndicatorValue.objects.order_by("period", "area__code").values_list(
            "period", "value", "numerator"
        )
    ) == [
        ("2022", Decimal("0.500000"), None),
        ("2023", Decimal("1000.000000"), None),
        ("2023", Decimal("1500.000000"), None),
        ("2024", Decimal("1234.000000"), Decimal("5.000000")),
        ("2024", Decimal("12.500000"), None),
    ]


def test_table_cells_read_the_columns_in_any_order_and_skip_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path, "cells.csv",
        "name,period,indicator,area_code,value,numerator,denominator,comment\n"
        "Xã A, 2024 ,population,21025,5,,,\n"
        ",,,,,,,\n"
        "\n"
        "Xã B,2025,population,21034\n",
    )  # fmt: skip
    assert table_cells(path=path, columns=("indicator", "area_code", "period", "value")) == [
        (2, "population", "21025", "2024", "5"),
        (5, "population", "21034", "2025", ""),
    ]

"""The import commands: dry run unless --commit, idempotent, all or nothing, errors by row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from indicators.models import Indicator, IndicatorValue, IndicatorValueEvent, ValueStatus
from tests.indicators.conftest import Chain, make_indicator

CATALOGUE = (
    "code,name_vi,name_en,unit,kind,factor,area_aggregation,time_aggregation,direction,period_type\n"
    "population,Dân số,Population,người,value,,sum,last,higher,year\n"
    "poverty-rate,Tỷ lệ hộ nghèo,Poverty rate,%,ratio,100,ratio,last,lower,year\n"
)
pytestmark = pytest.mark.django_db

HEADER = "indicator,area_code,period,value,numerator,denominator,comment\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_catalogue_is_a_dry_run_unless_committed_and_idempotent(tmp_path: Path) -> None:
    path = write(tmp_path, "catalogue.csv", CATALOGUE)
    call_command("indicators_import_catalogue", str(path))
    assert Indicator.objects.count() == 0
    call_command("indicators_import_catalogue", str(path), "--commit")
    call_command("indicators_import_catalogue", str(path), "--commit")
    assert list(Indicator.objects.values_list("code", "kind", "factor", "direction")) == [
        ("population", "value", Decimal("1.0000"), "higher"),
        ("poverty-rate", "ratio", Decimal("100.0000"), "lower"),
    ]


def test_a_catalogue_with_bad_rows_names_them_and_writes_nothing(tmp_path: Path) -> None:
    path = write(
        tmp_path, "catalogue.csv",
        CATALOGUE + "gdp,GRDP,GRDP,tỷ đồng,value,,average,sum,higher,year\n"
        "poverty-rate,Tỷ lệ,Rate,%,ratio,100,ratio,last,lower,year\n",
    )  # fmt: skip
    with pytest.raises(CommandError) as refused:
        call_command("indicators_import_catalogue", str(path), "--commit")
    lines = str(refused.value).splitlines()
    assert lines[0] == "Tệp có 2 lỗi; chưa ghi gì vào cơ sở dữ liệu."
    assert lines[1] == (
        "Dòng 4: cột area_aggregation phải là một trong sum, mean, weighted_mean, ratio, min, "
        "max, none, không phải “average”."
    )
    assert lines[2] == "Dòng 5: mã poverty-rate đã có ở dòng 3."
    assert Indicator.objects.count() == 0


def test_values_import_resolves_codes_by_period_and_is_idempotent(
    chain: Chain, tmp_path: Path
) -> None:
    make_indicator("population")
    make_indicator("poverty-rate", kind="ratio", area_aggregation="ratio", factor=Decimal(100))
    path = write(
        tmp_path, "values.csv",
        HEADER + "population,21034,2024,5000,,,\n"  # 21034 in 2024: Xã Nghĩa Dũng
        "population,21034,2026,8200,,,\n"  # 21034 in 2026: Xã An Phú
        "poverty-rate,21025,2024,,50,1000,ước tính\n",
    )  # fmt: skip
    call_command("indicators_import_values", str(path))
    assert IndicatorValue.objects.count() == 0
    call_command("indicators_import_values", str(path), "--commit")
    call_command("indicators_import_values", str(path), "--commit")
    stored = IndicatorValue.objects.order_by("period", "indicator__code")
    assert [(v.area.name, v.period, v.value, v.status) for v in stored] == [
        ("Xã Nghĩa Dũng", "2024", Decimal("5000.000000"), ValueStatus.SUBMITTED),
        ("Phường Nguyễn Nghiêm", "2024", Decimal("5.000000"), ValueStatus.SUBMITTED),
        ("Xã An Phú", "2026", Decimal("8200.000000"), ValueStatus.SUBMITTED),
    ]
    assert IndicatorValueEvent.objects.count() == 3  # the second run changed nothing


def test_values_import_reads_xlsx(chain: Chain, tmp_path: Path) -> None:
    make_indicator("population")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["population", "21025", 2024, 10000, None, None, None])
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    call_command("indicators_import_values", str(path), "--commit")
    assert list(IndicatorValue.objects.values_list("period", "value")) == [
        ("2024", Decimal("10000.000000"))
    ]


def test_every_bad_row_is_named_and_nothing_changes(chain: Chain, tmp_path: Path) -> None:
    make_indicator("population")
    make_indicator("poverty-rate", kind="ratio", area_aggregation="ratio", factor=Decimal(100))
    call_command(
        "indicators_import_values",
        str(write(tmp_path, "first.csv", HEADER + "population,21025,2023,900,,,\n")),
        "--commit",
    )
    IndicatorValue.objects.update(status=ValueStatus.APPROVED)
    path = write(
        tmp_path, "bad.csv",
        HEADER
        + "gdp,21025,2024,1,,,\n"  # 2: unknown indicator
        + "population,99999,2024,1,,,\n"  # 3: unknown area
        + "population,21037,2026,1,,,\n"  # 4: Nghĩa An no longer exists in 2026
        + "population,21025,2024,mười,,,\n"  # 5: text in a number cell
        + "population,21025,2024,-5,,,\n"  # 6: a negative count
        + "poverty-rate,21025,2024,,60,50,\n"  # 7: numerator above denominator
        + "population,21025,2023,950,,,\n"  # 8: approved and locked
        + "population,21034,2024,10,,,\n"  # 9: fine
        + "population,21034,2024,11,,,\n",  # 10: duplicate of row 9
    )  # fmt: skip
    with pytest.raises(CommandError) as refused:
        call_command("indicators_import_values", str(path), "--commit")
    assert str(refused.value).splitlines() == [
        "Tệp có 8 lỗi; chưa ghi gì vào cơ sở dữ liệu.",
        "Dòng 2: không có chỉ tiêu mã “gdp”.",
        "Dòng 3: không có đơn vị hành chính mã 99999.",
        "Dòng 4: đơn vị mã 21037 không tồn tại trong kỳ 2026.",
        "Dòng 5: cột value phải là một số, không phải “mười”.",
        "Dòng 6: giá trị -5 âm, nhưng chỉ tiêu population không được âm.",
        "Dòng 7: tử số (60) lớn hơn mẫu số (50).",
        "Dòng 8: số liệu kỳ 2023 của đơn vị này đã được duyệt và khóa.",
        "Dòng 10: trùng với dòng 9 (cùng chỉ tiêu, đơn vị và kỳ).",
    ]
    assert list(IndicatorValue.objects.values_list("period", "value", "status")) == [
        ("2023", Decimal("900.000000"), ValueStatus.APPROVED)
    ]
    assert IndicatorValueEvent.objects.count() == 1


def test_import_errors_are_in_english_for_an_english_reader(chain: Chain, tmp_path: Path) -> None:
    make_indicator("population")
    path = write(tmp_path, "bad.csv", HEADER + "population,21025,2024-13,1,,,\n")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("indicators_import_values", str(path), "--commit")
    assert str(refused.value).splitlines() == [
        "The file has 1 errors; nothing was written to the database.",
        "Row 2: The period “2024-13” is not valid; write 2024 (year), 2024-Q3 (quarter) or "
        "2024-07 (month).",
    ]
    assert IndicatorValue.objects.count() == 0

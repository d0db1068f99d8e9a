"""Importing successions (old unit → new unit, with a share) from either CSV layout."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wards import services
from wards.models import AreaSuccession
from wards.succession_import import (
    SuccessionAreaUnknown,
    SuccessionConflict,
    SuccessionFileUnreadable,
    SuccessionRowInvalid,
    SuccessionShareOutOfRange,
    SuccessionSharesExceedWhole,
    successions_import,
)

REFORM_DAY = datetime.date(2025, 7, 1)
SUCCESSION_HEADER = (
    "predecessor_code,predecessor_valid_from,successor_code,successor_valid_from,effective_on,share"
)
UNITS_HEADER = (
    "code,name,type,level,parent_code,valid_from,valid_to,successor_code,centre_lat,centre_lon"
)


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def nghia_dung_split(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21025,2014-04-01,21025,2025-07-01,2025-07-01,",
        "21034,2014-04-01,21034,2025-07-01,2025-07-01,0.6",
        "21034,2014-04-01,21025,2025-07-01,2025-07-01,0.4",
    )


def stored_successions() -> list[
    tuple[str, datetime.date, str, datetime.date, datetime.date, Decimal]
]:
    return list(
        AreaSuccession.objects.order_by("predecessor__code", "successor__code").values_list(
            "predecessor__code",
            "predecessor__valid_from",
            "successor__code",
            "successor__valid_from",
            "effective_on",
            "share",
        )
    )


def test_a_dry_run_lists_the_successions_and_writes_nothing(territory, tmp_path):
    report = successions_import(path=nghia_dung_split(tmp_path), commit=False)

    assert report.lines() == [
        "Tệp successions.csv (bảng kế thừa): 3 dòng dữ liệu.",
        "Thêm mới (3):",
        "  + Phường Nguyễn Nghiêm (21025, 2014-04-01–2025-06-30) → Phường Cẩm Thành "
        "(21025, 2025-07-01–…), từ 01/07/2025, tỷ lệ 1",
        "  + Xã Nghĩa Dũng (21034, 2014-04-01–2025-06-30) → Xã An Phú (21034, 2025-07-01–…), "
        "từ 01/07/2025, tỷ lệ 0.6",
        "  + Xã Nghĩa Dũng (21034, 2014-04-01–2025-06-30) → Phường Cẩm Thành "
        "(21025, 2025-07-01–…), từ 01/07/2025, tỷ lệ 0.4",
        "Không đổi (0):",
        "Tổng cộng: thêm 3, không đổi 0.",
        "Chạy thử: chưa ghi gì vào cơ sở dữ liệu.",
    ]
    assert AreaSuccession.objects.count() == 0


def test_a_commit_stores_each_edge_with_its_share_defaulting_to_the_whole_unit(territory, tmp_path):
    report = successions_import(path=nghia_dung_split(tmp_path), commit=True)

    assert report.lines()[-1] == "Đã ghi vào cơ sở dữ liệu."
    assert stored_successions() == [
        ("21025", datetime.date(2014, 4, 1), "21025", REFORM_DAY, REFORM_DAY, Decimal("1")),
        ("21034", datetime.date(2014, 4, 1), "21025", REFORM_DAY, REFORM_DAY, Decimal("0.4")),
        ("21034", datetime.date(2014, 4, 1), "21034", REFORM_DAY, REFORM_DAY, Decimal("0.6")),
    ]


def test_importing_the_same_file_again_changes_nothing(territory, tmp_path):
    path = nghia_dung_split(tmp_path)
    successions_import(path=path, commit=True)

    report = successions_import(path=path, commit=True)

    assert (len(report.added), len(report.unchanged)) == (0, 3)
    assert report.lines()[-1] == "Không có gì cần ghi: dữ liệu đã khớp với tệp."
    assert AreaSuccession.objects.count() == 3


def test_the_units_table_gives_each_unit_its_successor_valid_the_day_after_it_ended(
    territory, tmp_path
):
    path = write_csv(
        tmp_path / "units.csv",
        UNITS_HEADER,
        "51,Tỉnh Quảng Ngãi,Tỉnh,province,,1989-07-01,2025-06-30,51,,",
        "51,Tỉnh Quảng Ngãi,Tỉnh,province,,2025-07-01,,,,",
        "522,Thành phố Quảng Ngãi,Thành phố,district,51,2014-04-01,2025-06-30,,,",
        "21025,Phường Nguyễn Nghiêm,Phường,commune,522,2014-04-01,2025-06-30,21025,15.12231,108.80469",
        "21034,Xã Nghĩa Dũng,Xã,commune,522,2014-04-01,2025-06-30,21034,15.12956,108.8475",
        "21025,Phường Cẩm Thành,Phường,commune,51,2025-07-01,,,15.1135,108.812",
    )

    report = successions_import(path=path, commit=True)

    assert report.lines()[0] == "Tệp units.csv (bảng đơn vị hành chính): 6 dòng dữ liệu."
    assert stored_successions() == [
        ("21025", datetime.date(2014, 4, 1), "21025", REFORM_DAY, REFORM_DAY, Decimal("1")),
        ("21034", datetime.date(2014, 4, 1), "21034", REFORM_DAY, REFORM_DAY, Decimal("1")),
        ("51", datetime.date(1989, 7, 1), "51", REFORM_DAY, REFORM_DAY, Decimal("1")),
    ]


def test_it_refuses_unknown_units_naming_each_line_and_writes_nothing(territory, tmp_path):
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21025,2014-04-01,21025,2025-07-01,2025-07-01,",
        "21999,2014-04-01,21025,2025-07-01,2025-07-01,",
        "21034,2014-04-01,21034,2025-01-01,2025-07-01,",
    )

    with pytest.raises(SuccessionAreaUnknown) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        "Không xác định được đơn vị: dòng 3: không có đơn vị cũ mã 21999 có hiệu lực từ "
        "01/04/2014; dòng 4: không có đơn vị mới mã 21034 có hiệu lực từ 01/01/2025. Hãy nhập "
        "ranh giới của các đơn vị này trước, hoặc sửa mã và ngày trong tệp."
    )
    assert AreaSuccession.objects.count() == 0


def test_it_refuses_a_successor_not_yet_valid_on_the_effective_day(territory, tmp_path):
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21025,2014-04-01,21025,2025-07-01,2025-01-01,",
    )

    with pytest.raises(SuccessionAreaUnknown) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message.startswith(
        "Không xác định được đơn vị: dòng 2: đơn vị mới Phường Cẩm Thành (21025, 2025-07-01–…) "
        "chưa hoặc không còn hiệu lực ngày 01/01/2025."
    )
    assert AreaSuccession.objects.count() == 0


@pytest.mark.parametrize("share", ["0", "-0.5", "1.5"])
def test_it_refuses_a_share_outside_zero_to_one(territory, tmp_path, share):
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        f"21025,2014-04-01,21025,2025-07-01,2025-07-01,{share}",
    )

    with pytest.raises(SuccessionShareOutOfRange) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        f"Tỷ lệ (share) phải lớn hơn 0 và không quá 1: dòng 2: {share}."
    )
    assert AreaSuccession.objects.count() == 0


def test_it_refuses_shares_of_one_unit_that_add_up_to_more_than_the_whole(territory, tmp_path):
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21034,2014-04-01,21034,2025-07-01,2025-07-01,0.6",
        "21034,2014-04-01,21025,2025-07-01,2025-07-01,0.5",
    )

    with pytest.raises(SuccessionSharesExceedWhole) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        "Tổng tỷ lệ chuyển đi của một đơn vị cũ vượt quá 1: Xã Nghĩa Dũng "
        "(21034, 2014-04-01–2025-06-30): tổng 1.1 (dòng 2, 3)."
    )
    assert AreaSuccession.objects.count() == 0


def test_shares_already_stored_count_towards_the_whole(territory, tmp_path):
    services.area_succession_create(
        predecessor=territory.nghia_dung, successor=territory.an_phu, effective_on=REFORM_DAY,
        share=Decimal("0.7"),
    )  # fmt: skip
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21034,2014-04-01,21025,2025-07-01,2025-07-01,0.4",
    )

    with pytest.raises(SuccessionSharesExceedWhole) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message.endswith("tổng 1.1 (dòng 2, cộng 0.7 đã ghi).")
    assert AreaSuccession.objects.count() == 1


def test_it_refuses_an_edge_already_stored_with_another_share(territory, tmp_path):
    services.area_succession_create(
        predecessor=territory.nghia_dung, successor=territory.an_phu, effective_on=REFORM_DAY,
        share=Decimal("0.7"),
    )  # fmt: skip
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21034,2014-04-01,21034,2025-07-01,2025-07-01,0.6",
    )

    with pytest.raises(SuccessionConflict) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        "Khác với kế thừa đã ghi: dòng 2: Xã Nghĩa Dũng (21034, 2014-04-01–2025-06-30) → Xã An "
        "Phú (21034, 2025-07-01–…) đã được ghi từ 01/07/2025 với tỷ lệ 0.7. Hãy sửa hoặc xoá "
        "bản ghi cũ trước."
    )
    assert list(AreaSuccession.objects.values_list("share", flat=True)) == [Decimal("0.7")]


def test_it_refuses_the_same_pair_twice_in_one_file(territory, tmp_path):
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21034,2014-04-01,21034,2025-07-01,2025-07-01,0.5",
        "21034,2014-04-01,21034,2025-07-01,2025-07-01,0.5",
    )

    with pytest.raises(SuccessionConflict) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        "Một cặp đơn vị cũ → mới chỉ được ghi một lần: dòng 3 lặp lại dòng 2."
    )
    assert AreaSuccession.objects.count() == 0


def test_it_refuses_rows_with_a_bad_date_or_number_naming_the_lines(territory, tmp_path):
    path = write_csv(
        tmp_path / "successions.csv",
        SUCCESSION_HEADER,
        "21025,01/04/2014,21025,2025-07-01,2025-07-01,",
        "21034,2014-04-01,21034,2025-07-01,2025-07-01,một nửa",
        "21034,2014-04-01,21025,2025-07-01,2025-07-01,0.12345",
    )

    with pytest.raises(SuccessionRowInvalid) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        "Dữ liệu không hợp lệ: dòng 2: predecessor_valid_from “01/04/2014” không phải ngày dạng "
        "YYYY-MM-DD; dòng 3: share “một nửa” không phải là số; dòng 4: share “0.12345” có quá 4 "
        "chữ số thập phân."
    )
    assert AreaSuccession.objects.count() == 0


def test_it_refuses_a_file_with_neither_layout_listing_the_columns_it_needs(territory, tmp_path):
    path = write_csv(tmp_path / "other.csv", "old,new", "21025,21025")

    with pytest.raises(SuccessionFileUnreadable) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message == (
        "Tệp other.csv không có đủ cột. Cần các cột predecessor_code, predecessor_valid_from, "
        "successor_code, successor_valid_from, effective_on (share tuỳ chọn), hoặc bảng đơn vị "
        "hành chính với các cột code, valid_from, valid_to, successor_code. Các cột có trong "
        "tệp: old, new."
    )


def test_it_refuses_a_file_that_is_not_utf8_text(territory, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00\x00binary")

    with pytest.raises(SuccessionFileUnreadable) as refusal:
        successions_import(path=path, commit=True)

    assert refusal.value.message.startswith("Không đọc được binary.csv như một tệp CSV UTF-8 (")


def test_the_command_is_a_dry_run_without_commit_and_writes_with_it(territory, tmp_path):
    path = nghia_dung_split(tmp_path)
    dry_run, committed = io.StringIO(), io.StringIO()

    call_command("wards_import_successions", str(path), stdout=dry_run)
    assert AreaSuccession.objects.count() == 0
    call_command("wards_import_successions", str(path), "--commit", stdout=committed)

    assert dry_run.getvalue().splitlines()[-2:] == [
        "Chạy thử: chưa ghi gì vào cơ sở dữ liệu.",
        "Thêm --commit để ghi.",
    ]
    assert committed.getvalue().splitlines()[-1] == "Đã ghi vào cơ sở dữ liệu."
    assert AreaSuccession.objects.count() == 3


def test_the_command_turns_a_refusal_into_a_command_error(territory, tmp_path):
    with pytest.raises(CommandError, match="^Không tìm thấy tệp"):
        call_command("wards_import_successions", str(tmp_path / "absent.csv"), "--commit")

    assert AreaSuccession.objects.count() == 0

"""`procedures_import_dossiers`: CSV and JSON, dry run, all or nothing, idempotent upsert,
the desk's code and appointment, and every kind of bad row named by its row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from procedures import services
from procedures.models import (
    Dossier,
    DossierDailyTally,
    DossierEvent,
    DossierPause,
    DossierStatus,
)
from tests.conftest import Territory
from tests.procedures.conftest import vietnam

pytestmark = pytest.mark.usefixtures("catalogue")
HEADER = (
    "external_code,procedure_code,receiving_unit,received_at,channel,status,finished_at,pauses,"
    "applicant_name,applicant_id_number,applicant_phone,lat,lon,address,extra"
)
UNIT = "ubnd-21025-2025"  # Phường Cẩm Thành's committee (tests/conftest.py)
# Land registration, 10 working days: received Tue 10 Feb 2026 9:00 -> due Tue 3 Mar 9:00; the
# pause over Tết (Wed 11 Feb 9:00 to Mon 23 Feb 9:00) is 3 working days -> Fri 6 Mar 9:00.
PAUSED_OVER_TET = (
    "X-1,1.001612,{unit},2026-02-10T09:00:00+07:00,counter,result_returned,"
    "2026-03-06T16:00:00+07:00,2026-02-11T09:00:00+07:00/2026-02-23T09:00:00+07:00,"
    "Nguyễn Văn A,051234567890,0905000000,,,12 Hùng Vương,ignored"
)
# Copies, 4 working hours, cut-off 15:00: received Thu 5 Mar 15:30 counts from Fri 7:00.
AFTER_CUTOFF = "X-2,2.000815,{unit},2026-03-05T15:30:00+07:00,online,processing,,,,,,,,,"


def write(tmp_path: Path, *lines: str, name: str = "ho-so.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *(line.format(unit=UNIT) for line in lines)]) + "\n")
    return path


def snapshot() -> tuple[object, ...]:
    return (
        list(Dossier.objects.order_by("code").values_list("code", "status", "appointment_at")),
        DossierEvent.objects.count(),
        DossierPause.objects.count(),
        list(DossierDailyTally.objects.order_by("day").values_list(
            "day", "received", "received_online", "finished", "early", "on_time", "late",
            "working_days_sum")),
    )  # fmt: skip


def test_a_dry_run_writes_nothing_and_commit_computes_what_the_desk_would(
    territory: Territory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, PAUSED_OVER_TET, AFTER_CUTOFF)
    call_command("procedures_import_dossiers", str(path))
    assert Dossier.objects.count() == 0
    assert "Chạy thử, chưa ghi gì: 2 sẽ thêm mới, 0 sẽ cập nhật, 0 không đổi." in (
        capsys.readouterr().out
    )
    call_command("procedures_import_dossiers", str(path), "--commit")
    tet = Dossier.objects.get(external_code="X-1")
    assert tet.code == f"{UNIT}-260210-0001"
    assert (tet.counted_from, tet.original_appointment_at, tet.appointment_at) == (
        vietnam(2026, 2, 10, 9), vietnam(2026, 3, 3, 9), vietnam(2026, 3, 6, 9),
    )  # fmt: skip
    assert (tet.status, tet.finished_at, tet.outcome) == (
        DossierStatus.RESULT_RETURNED, vietnam(2026, 3, 6, 16), "on_time",
    )  # fmt: skip
    assert (tet.applicant_name, tet.applicant_id_number, tet.applicant_address) == (
        "Nguyễn Văn A", "051234567890", "12 Hùng Vương",
    )  # fmt: skip
    assert tet.area == territory.cam_thanh
    assert list(tet.pauses.values_list("started_at", "ended_at")) == [
        (vietnam(2026, 2, 11, 9), vietnam(2026, 2, 23, 9))
    ]
    assert list(tet.events.values_list("action", "from_status", "to_status")) == [
        ("receive", "", "received"), ("import", "received", "result_returned"),
    ]  # fmt: skip
    copies = Dossier.objects.get(external_code="X-2")
    desk = services.appointment_for(
        procedure=copies.procedure, received_at=vietnam(2026, 3, 5, 15, 30), channel="online"
    )
    assert (copies.code, copies.counted_from, copies.appointment_at) == (
        f"{UNIT}-260305-0001", vietnam(2026, 3, 6, 7), vietnam(2026, 3, 6, 11),
    )  # fmt: skip
    assert copies.appointment_at == desk.appointment_at
    assert copies.status == DossierStatus.PROCESSING and copies.finished_at is None
    # Receipt on 10 Feb and 5 Mar, finish (on time, 13 working days from 10 Feb, Tết off) on 6 Mar.
    assert snapshot()[3] == [
        (vietnam(2026, 2, 10).date(), 1, 0, 0, 0, 0, 0, 0),
        (vietnam(2026, 3, 5).date(), 1, 1, 0, 0, 0, 0, 0),
        (vietnam(2026, 3, 6).date(), 0, 0, 1, 0, 1, 0, 13),
    ]


def test_importing_the_same_file_twice_changes_nothing(
    territory: Territory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, PAUSED_OVER_TET, AFTER_CUTOFF)
    call_command("procedures_import_dossiers", str(path), "--commit")
    before = snapshot()
    capsys.readouterr()
    call_command("procedures_import_dossiers", str(path), "--commit")
    assert snapshot() == before
    assert "Đã ghi: 0 mới, 0 cập nhật, 2 không đổi." in capsys.readouterr().out


def test_a_changed_history_updates_the_dossier_and_moves_its_tally(
    territory: Territory, tmp_path: Path
) -> None:
    call_command("procedures_import_dossiers", str(write(tmp_path, PAUSED_OVER_TET)), "--commit")
    # Finished a day later, without the pause: due 3 Mar, finished 7 Mar (a Saturday) -> late.
    later = PAUSED_OVER_TET.replace("2026-03-06T16:00", "2026-03-07T10:00").replace(
        "2026-02-11T09:00:00+07:00/2026-02-23T09:00:00+07:00", ""
    )
    call_command("procedures_import_dossiers", str(write(tmp_path, later)), "--commit")
    dossier = Dossier.objects.get(external_code="X-1")
    assert (dossier.code, dossier.appointment_at, dossier.outcome, dossier.working_days) == (
        f"{UNIT}-260210-0001", vietnam(2026, 3, 3, 9), "late", 14,
    )  # fmt: skip
    assert dossier.pauses.count() == 0
    assert snapshot()[3] == [
        (vietnam(2026, 2, 10).date(), 1, 0, 0, 0, 0, 0, 0),
        (vietnam(2026, 3, 6).date(), 0, 0, 0, 0, 0, 0, 0),
        (vietnam(2026, 3, 7).date(), 0, 0, 1, 0, 0, 1, 14),
    ]


def test_json_reads_the_same_fields(territory: Territory, tmp_path: Path) -> None:
    path = tmp_path / "ho-so.json"
    path.write_text(json.dumps({"dossiers": [{
        "external_code": "J-1", "procedure_code": "1.001193", "receiving_unit": UNIT,
        "received_at": "2026-03-05T10:00:00+07:00", "channel": "post", "status": "received",
        "lat": 15.1205, "lon": 108.7923,
    }]}))  # fmt: skip
    call_command("procedures_import_dossiers", str(path), "--commit")
    dossier = Dossier.objects.get(external_code="J-1")
    assert (dossier.code, dossier.channel, dossier.appointment_at) == (
        f"{UNIT}-260305-0001", "post", vietnam(2026, 3, 6, 10),
    )  # fmt: skip


BAD_ROWS = [
    ("X-3,9.999999,{unit},2026-03-05T10:00:00+07:00,counter,received,,,,,,,,,",
     "Không có thủ tục mã 9.999999."),
    ("X-4,1.001612,ubnd-khong-co,2026-03-05T10:00:00+07:00,counter,received,,,,,,,,,",
     "Không có đơn vị mã ubnd-khong-co."),
    ("X-5,1.001612,{unit},2026-03-05T10:00:00,counter,received,,,,,,,,,",
     "cột received_at: “2026-03-05T10:00:00” thiếu múi giờ (ví dụ +07:00)."),
    ("X-6,1.001612,{unit},05/03/2026,counter,received,,,,,,,,,",
     "cột received_at: “05/03/2026” không phải thời điểm ISO 8601."),
    ("X-7,1.001612,{unit},2026-03-05T10:00:00+07:00,fax,received,,,,,,,,,",
     "kênh “fax” không hợp lệ (online, counter, post)."),
    ("X-8,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,lost,,,,,,,,,",
     "trạng thái “lost” không hợp lệ."),
    ("X-9,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,result_ready,,,,,,,,,",
     "hồ sơ “result_ready” cần finished_at."),
    ("X-10,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,processing,"
     "2026-03-06T10:00:00+07:00,,,,,,,,", "hồ sơ đang xử lý phải để trống finished_at."),
    ("X-11,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,result_ready,"
     "2026-03-04T10:00:00+07:00,,,,,,,,", "finished_at trước received_at."),
    ("X-12,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,processing,,"
     "2026-03-06T10:00:00+07:00/2026-03-06T09:00:00+07:00,,,,,,,",
     "pauses: lần tạm dừng kết thúc trước khi bắt đầu."),
    ("X-13,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,processing,,"
     "2026-03-06T10:00:00+07:00,,,,,,,", "pauses: “2026-03-06T10:00:00+07:00” phải có dạng "
     "bắt đầu/kết thúc."),
    ("X-14,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,processing,,"
     "2026-03-06T10:00:00+07:00/,,,,,,,", "pauses: chỉ lần tạm dừng cuối của hồ sơ đang tạm "
     "dừng được để trống thời điểm kết thúc."),
    ("X-15,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,processing,,"
     "2026-03-04T10:00:00+07:00/2026-03-06T10:00:00+07:00,,,,,,,",
     "pauses: các lần tạm dừng phải sau received_at, theo thứ tự và không chồng nhau."),
    (",1.001612,{unit},2026-03-05T10:00:00+07:00,counter,received,,,,,,,,,",
     "thiếu external_code."),
    ("X-16,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,received,,,,,,15.1,,,",
     "lat và lon phải cùng có và là số."),
    ("X-17,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,received,,,,,,10.0,100.0,,",
     "Vị trí (10.000000, 100.000000) nằm ngoài địa bàn phục vụ vào ngày 05/03/2026. "
     "Hãy chọn một điểm trong tỉnh Quảng Ngãi."),
    ("X-18,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,received,,,,0123456789012345678901,,,,,",
     "cột applicant_id_number dài quá 20 ký tự."),
    ("X-1,1.001612,{unit},2026-03-05T10:00:00+07:00,counter,received,,,,,,,,,",
     "trùng external_code “X-1” với dòng 2."),
]  # fmt: skip


def test_every_bad_row_is_named_and_nothing_changes(territory: Territory, tmp_path: Path) -> None:
    call_command("procedures_import_dossiers", str(write(tmp_path, AFTER_CUTOFF)), "--commit")
    before = snapshot()
    path = write(tmp_path, PAUSED_OVER_TET, *(line for line, _message in BAD_ROWS))
    with pytest.raises(CommandError) as refused:
        call_command("procedures_import_dossiers", str(path), "--commit")
    lines = str(refused.value).split("\n")
    assert lines[0] == f"Tệp có {len(BAD_ROWS)} lỗi; chưa ghi gì vào cơ sở dữ liệu."
    assert lines[1:] == [
        f"Dòng {number}: {message}" for number, (_line, message) in enumerate(BAD_ROWS, start=3)
    ]
    assert snapshot() == before


def test_a_row_cannot_change_a_receipt_or_a_dossier_handled_here(
    territory: Territory, tmp_path: Path
) -> None:
    call_command("procedures_import_dossiers", str(write(tmp_path, AFTER_CUTOFF)), "--commit")
    code = f"{UNIT}-260305-0001"
    moved = AFTER_CUTOFF.replace("15:30", "14:30")
    with pytest.raises(CommandError) as refused:
        call_command("procedures_import_dossiers", str(write(tmp_path, moved)), "--commit")
    assert str(refused.value).split("\n")[1] == (
        f"Dòng 2: hồ sơ {code} đã nhập với thủ tục, đơn vị, thời điểm, kênh hoặc vị trí khác; "
        "phần tiếp nhận không sửa được."
    )
    services.dossier_act(code=code, action="request_supplement", actor=None,
                         at=vietnam(2026, 3, 6, 8))  # fmt: skip
    before = snapshot()
    finished = AFTER_CUTOFF.replace("processing,,", "result_ready,2026-03-06T10:00:00+07:00,")
    with pytest.raises(CommandError) as refused:
        call_command("procedures_import_dossiers", str(write(tmp_path, finished)), "--commit")
    assert str(refused.value).split("\n")[1] == (
        f"Dòng 2: hồ sơ {code} đã được xử lý tại đây sau khi nhập; không ghi đè lịch sử của nó."
    )
    assert snapshot() == before


def test_errors_are_in_english_for_an_english_reader(territory: Territory, tmp_path: Path) -> None:
    path = write(tmp_path, BAD_ROWS[4][0])
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("procedures_import_dossiers", str(path), "--commit")
    assert str(refused.value).split("\n") == [
        "The file has 1 errors; nothing was written to the database.",
        "Row 2: channel “fax” is not valid (online, counter, post).",
    ]


def test_a_file_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ho-so.json"
    path.write_text("{not json")
    with pytest.raises(CommandError) as refused:
        call_command("procedures_import_dossiers", str(path))
    assert str(refused.value) == (
        "Tệp JSON không hợp lệ (dòng 1): Expecting property name enclosed in double quotes."
    )
    missing = tmp_path / "thieu.csv"
    missing.write_text("external_code,status\nX,received\n")
    with pytest.raises(CommandError) as refused:
        call_command("procedures_import_dossiers", str(missing))
    assert str(refused.value) == (
        "Tệp thiếu cột: procedure_code, receiving_unit, received_at, channel."
    )

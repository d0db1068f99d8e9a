"""Recurrence in the interchange with the document system: `recurrence`, `recurs_until`,
`series_task_id` and `occurrence` in the same shape in the import and the export; the export of a
series with its occurrences reads back as an import that changes nothing; errors by row that
change nothing. Dates across Tết Bính Ngọ 2026 (16–20 February off)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directives.models import Directive, Task, TaskEvent
from directives.recurrence import directives_create_occurrences
from tests.directives.conftest import People, vietnam

pytestmark = pytest.mark.django_db

HEADER = (
    "directive_id,directive_number,directive_date,directive_kind,signer,subject,task_id,"
    "lead_agency,coordinating_agencies,content,field,deadline,deadline_working_days,priority,"
    "recurrence,recurs_until,series_task_id,occurrence\n"
)
# A monthly report due on the 15th from 15 January 2026 until 30 April 2026, and a one-off task
# due five working days after the directive (Monday 5 January 2026: Monday 12 January).
ROWS = (
    "VB-05,05/TB-UBND,2026-01-05,conclusion_notice,Chủ tịch UBND tỉnh,Báo cáo lễ hội,BC-1,"
    "so-van-hoa,ubnd-an-phu,Báo cáo tình hình lễ hội,Văn hóa,2026-01-15,,normal,monthly,"
    "2026-04-30,,\n"
    "VB-05,05/TB-UBND,2026-01-05,conclusion_notice,Chủ tịch UBND tỉnh,Báo cáo lễ hội,NV-9,"
    "so-xay-dung,,Sửa đường vào lễ hội,Hạ tầng,,5,normal,,,,\n"
)


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def _import(path: Path, *arguments: str) -> str:
    out = io.StringIO()
    call_command("directives_import", str(path), *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _import_errors(path: Path) -> list[str]:
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directives_import", str(path), "--commit", stdout=io.StringIO(),
                     stderr=errors)  # fmt: skip
    return errors.getvalue().splitlines()


def _export(file_format: str = "csv") -> str:
    out = io.StringIO()
    call_command("directives_export", "--format", file_format, stdout=out)
    return out.getvalue()


def _state() -> list[tuple[object, ...]]:
    """Every task's fields the interchange may touch, and the number of events and directives."""
    tasks = Task.objects.order_by("id").values_list(
        "id", "external_id", "content", "recurrence", "recurs_until", "series_id", "occurrence",
        "deadline", "updated_at",
    )  # fmt: skip
    return [*tasks, ("events", TaskEvent.objects.count(), Directive.objects.count())]


def _with_occurrences(people: People, tmp_path: Path) -> Task:
    _import(_write(tmp_path, "a.csv", HEADER + ROWS), "--commit")
    # On 10 March 2026 the series has its February occurrence (due 15 February, a Sunday in
    # Tết: Monday 23 February) and its March one (due Sunday 15 March: Monday 16 March).
    created = directives_create_occurrences(now=vietnam(2026, 3, 10))
    assert created.count == 2
    return Task.objects.get(external_id="BC-1")


def test_the_import_creates_a_series_with_its_end_and_a_second_run_changes_nothing(
    people: People, tmp_path: Path
) -> None:
    path = _write(tmp_path, "a.csv", HEADER + ROWS)
    assert _import(path).strip().endswith("1 văn bản mới, 2 nhiệm vụ mới, 0 nhiệm vụ cập nhật, "
                                          "0 nhiệm vụ không đổi.")  # fmt: skip
    assert Task.objects.count() == 0
    _import(path, "--commit")
    first = Task.objects.get(external_id="BC-1")
    assert (first.recurrence, first.recurs_until, first.series_id, first.occurrence) == (
        "monthly", datetime.date(2026, 4, 30), None, 1,
    )  # fmt: skip
    one_off = Task.objects.get(external_id="NV-9")
    assert (one_off.deadline, one_off.deadline_working_days) == (datetime.date(2026, 1, 12), 5)
    before = _state()
    assert _import(path, "--commit").strip().endswith("2 nhiệm vụ không đổi.")
    assert _state() == before


def test_the_export_shows_the_series_and_its_occurrences_in_the_import_shape(
    people: People, tmp_path: Path
) -> None:
    first = _with_occurrences(people, tmp_path)
    occurrences = list(first.occurrences.order_by("occurrence"))
    rows = list(csv.DictReader(io.StringIO(_export())))
    assert [
        (row["task_id"], row["deadline"], row["deadline_working_days"], row["recurrence"],
         row["recurs_until"], row["series_task_id"], row["occurrence"])
        for row in rows
    ] == [
        ("BC-1", "2026-01-15", "", "monthly", "2026-04-30", "", "1"),
        ("NV-9", "2026-01-12", "5", "", "", "", ""),
        (f"geoapp-{occurrences[0].pk}", "2026-02-23", "", "monthly", "2026-04-30", "BC-1", "2"),
        (f"geoapp-{occurrences[1].pk}", "2026-03-16", "", "monthly", "2026-04-30", "BC-1", "3"),
    ]  # fmt: skip
    assert all(row["directive_id"] == "VB-05" for row in rows)


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_the_export_with_occurrences_reads_back_as_an_import_that_changes_nothing(
    people: People, tmp_path: Path, file_format: str
) -> None:
    _with_occurrences(people, tmp_path)
    exported = _export(file_format)
    before = _state()
    path = _write(tmp_path, f"back.{file_format}", exported)
    assert (
        _import(path)
        .strip()
        .endswith("0 văn bản mới, 0 nhiệm vụ mới, 0 nhiệm vụ cập nhật, 4 nhiệm vụ không đổi.")
    )
    assert (
        _import(path, "--commit")
        .strip()
        .endswith("0 văn bản mới, 0 nhiệm vụ mới, 0 nhiệm vụ cập nhật, 4 nhiệm vụ không đổi.")
    )
    assert _state() == before


def test_an_extended_occurrence_reads_back_with_its_new_deadline(
    people: People, tmp_path: Path
) -> None:
    first = _with_occurrences(people, tmp_path)
    occurrence = first.occurrences.get(occurrence=2)
    Task.objects.filter(pk=occurrence.pk).update(deadline=datetime.date(2026, 3, 2))
    before = _state()
    output = _import(_write(tmp_path, "back.csv", _export()), "--commit")
    assert output.strip().endswith("4 nhiệm vụ không đổi.")
    assert _state() == before


def test_a_new_end_on_the_first_tasks_row_reaches_the_occurrences(
    people: People, tmp_path: Path
) -> None:
    first = _with_occurrences(people, tmp_path)
    rows = list(csv.DictReader(io.StringIO(_export())))
    rows[0]["recurs_until"] = "2026-03-31"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    output = _import(_write(tmp_path, "end.csv", buffer.getvalue()), "--commit")
    assert output.strip().endswith("1 nhiệm vụ cập nhật, 3 nhiệm vụ không đổi.")
    assert sorted(
        Task.objects.filter(directive=first.directive, recurrence="monthly").values_list(
            "occurrence", "recurs_until"
        )
    ) == [(1, datetime.date(2026, 3, 31)), (2, datetime.date(2026, 3, 31)),
          (3, datetime.date(2026, 3, 31))]  # fmt: skip
    assert list(first.events.values_list("action", "note")) == [
        ("assigned", ""),
        ("updated", "recurs_until"),
    ]
    # The series now ends with March: the April run creates nothing.
    assert directives_create_occurrences(now=vietnam(2026, 4, 20)).count == 0


def test_recurrence_errors_are_reported_by_row_and_nothing_changes(
    people: People, tmp_path: Path
) -> None:
    first = _with_occurrences(people, tmp_path)
    occurrence = first.occurrences.get(occurrence=2)
    before = _state()
    directive = "VB-05,05/TB-UBND,2026-01-05,conclusion_notice,Chủ tịch UBND tỉnh,Báo cáo lễ hội"
    bad = HEADER + (
        # row 2: the running series' kind changed
        f"{directive},BC-1,so-van-hoa,ubnd-an-phu,Báo cáo tình hình lễ hội,Văn hóa,2026-01-15,,"
        "normal,quarterly,2026-04-30,,\n"
        # row 3: an occurrence that changes the series' end
        f"{directive},geoapp-{occurrence.pk},so-van-hoa,ubnd-an-phu,Báo cáo tình hình lễ hội,"
        "Văn hóa,2026-02-23,,normal,monthly,2026-12-31,BC-1,2\n"
        # row 4: an occurrence the document system would create
        f"{directive},BC-1-4,so-van-hoa,,Báo cáo,Văn hóa,2026-04-15,,normal,monthly,2026-04-30,"
        "BC-1,4\n"
        # row 5: an end before the first deadline
        f"{directive},NV-10,so-van-hoa,,Báo cáo quý,,2026-03-31,,normal,quarterly,2026-03-01,,\n"
        # row 6: an end without a recurrence
        f"{directive},NV-11,so-van-hoa,,Việc một lần,,2026-03-31,,normal,,2026-06-30,,\n"
        # row 7: an end that is not a date
        f"{directive},NV-12,so-van-hoa,,Báo cáo tháng,,2026-03-31,,normal,monthly,sau Tết,,\n"
        # row 8: an occurrence number without its series
        f"{directive},NV-13,so-van-hoa,,Báo cáo tháng,,2026-03-31,,normal,monthly,,,2\n"
        # row 9: an occurrence row naming another number than the task's
        f"{directive},geoapp-{occurrence.pk},so-van-hoa,ubnd-an-phu,Báo cáo tình hình lễ hội,"
        "Văn hóa,2026-02-23,,normal,monthly,2026-04-30,BC-1,3\n"
        # row 10: a geoapp identifier that names no task here
        f"{directive},geoapp-999999,so-van-hoa,,Việc khác,,2026-03-31,,normal,,,,\n"
    )
    errors = _import_errors(_write(tmp_path, "bad.csv", bad))
    assert errors == [
        "Dòng 2: Nhiệm vụ định kỳ đã có kỳ báo cáo: không đổi được kiểu định kỳ; kết thúc chuỗi "
        "bằng ngày kết thúc định kỳ hoặc hủy nhiệm vụ kỳ đầu.",
        f"Dòng 3: định kỳ của nhiệm vụ geoapp-{occurrence.pk} chỉ đổi ở dòng của kỳ đầu (BC-1).",
        "Dòng 4: không có kỳ 4 (BC-1-4) của nhiệm vụ định kỳ BC-1; các kỳ do hệ thống này tạo, "
        "hệ thống văn bản chỉ giao kỳ đầu.",
        "Dòng 5: Ngày kết thúc định kỳ 01/03/2026 trước hạn hoàn thành kỳ đầu 31/03/2026.",
        "Dòng 6: Chỉ nhiệm vụ định kỳ mới có ngày kết thúc định kỳ.",
        "Dòng 7: Ngày kết thúc định kỳ “sau Tết” không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY).",
        "Dòng 8: Kỳ 2 phải ghi series_task_id (mã nhiệm vụ kỳ đầu).",
        f"Dòng 9: nhiệm vụ geoapp-{occurrence.pk} trùng với dòng 3.",
        "Dòng 10: không có nhiệm vụ geoapp-999999 trên hệ thống này.",
    ]
    assert _state() == before


def test_an_occurrence_row_with_another_number_is_refused(people: People, tmp_path: Path) -> None:
    first = _with_occurrences(people, tmp_path)
    rows = json.loads(_export("json"))
    occurrence = first.occurrences.get(occurrence=2)
    rows[2]["occurrence"] = "3"
    before = _state()
    errors = _import_errors(_write(tmp_path, "bad.json", json.dumps(rows, ensure_ascii=False)))
    assert errors == [
        f"Dòng 3: nhiệm vụ geoapp-{occurrence.pk} không phải kỳ 3 của nhiệm vụ định kỳ BC-1."
    ]
    assert _state() == before


def test_the_english_messages_name_the_row(people: People, tmp_path: Path) -> None:
    from django.utils import translation

    _with_occurrences(people, tmp_path)
    bad = HEADER + (
        "VB-05,05/TB-UBND,2026-01-05,conclusion_notice,Chủ tịch UBND tỉnh,Báo cáo lễ hội,NV-11,"
        "so-van-hoa,,Việc một lần,,2026-03-31,,normal,,2026-06-30,,\n"
    )
    before = _state()
    with translation.override("en"):
        errors = _import_errors(_write(tmp_path, "bad.csv", bad))
    assert errors == ["Row 2: Only a recurring task has a day its recurrence ends."]
    assert _state() == before

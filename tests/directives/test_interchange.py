"""Import from the document system (CSV, JSON): dry run, commit, idempotence, errors by row that
change nothing; export of task status in the same shape; the demo loader."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from directives import services
from directives.demo import COMMUNES_AFTER_REFORM, DEPARTMENTS, directives_demo_load
from directives.models import Directive, Task, TaskEvent
from tests.directives.conftest import People, vietnam
from wards.models import AgencyKind
from wards.services import agency_create

pytestmark = pytest.mark.django_db

HEADER = (
    "directive_id,directive_number,directive_date,directive_kind,signer,subject,task_id,"
    "lead_agency,coordinating_agencies,content,field,deadline,deadline_working_days,priority,"
    "recurrence\n"
)
GOOD_ROWS = (
    "VB-21,21/TB-UBND,2026-02-12,conclusion_notice,Chủ tịch UBND tỉnh,Lễ hội,NV-1,so-van-hoa,"
    "ubnd-an-phu,Tổ chức lễ hội,Văn hóa,,5,high,\n"
    "VB-21,21/TB-UBND,2026-02-12,conclusion_notice,Chủ tịch UBND tỉnh,Lễ hội,NV-2,so-xay-dung,,"
    "Sửa đường vào lễ hội,Hạ tầng,31/03/2026,,normal,monthly\n"
)


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def _import(path: Path, *arguments: str) -> str:
    out = io.StringIO()
    call_command("directives_import", str(path), *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _counts() -> tuple[int, int, int]:
    return Directive.objects.count(), Task.objects.count(), TaskEvent.objects.count()


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(people: People, tmp_path: Path) -> None:
    output = _import(_write(tmp_path, "a.csv", HEADER + GOOD_ROWS))
    assert output.strip() == (
        "Chạy thử, chưa ghi gì (thêm --commit để ghi): 1 văn bản mới, 2 nhiệm vụ mới, "
        "0 nhiệm vụ cập nhật, 0 nhiệm vụ không đổi."
    )
    assert _counts() == (0, 0, 0)


def test_commit_imports_and_a_second_run_changes_nothing(people: People, tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", HEADER + GOOD_ROWS)
    _import(path, "--commit")
    assert _counts() == (1, 2, 2)
    first = Task.objects.get(external_id="NV-1")
    # Five working days from Thursday 12 February 2026, across Tết: Thursday 26 February.
    assert str(first.deadline) == "2026-02-26"
    assert list(first.coordinating_agencies.values_list("code", flat=True)) == ["ubnd-an-phu"]
    second = Task.objects.get(external_id="NV-2")
    assert (str(second.deadline), second.recurrence) == ("2026-03-31", "monthly")
    output = _import(path, "--commit")
    assert output.strip().endswith(
        "0 văn bản mới, 0 nhiệm vụ mới, 0 nhiệm vụ cập nhật, 2 nhiệm vụ không đổi."
    )
    assert _counts() == (1, 2, 2)


def test_a_changed_content_updates_the_task_with_an_event(people: People, tmp_path: Path) -> None:
    _import(_write(tmp_path, "a.csv", HEADER + GOOD_ROWS), "--commit")
    changed = GOOD_ROWS.replace("Sửa đường vào lễ hội", "Sửa đường và cầu vào lễ hội")
    output = _import(_write(tmp_path, "b.csv", HEADER + changed), "--commit")
    assert "1 nhiệm vụ cập nhật, 1 nhiệm vụ không đổi" in output
    task = Task.objects.get(external_id="NV-2")
    assert task.content == "Sửa đường và cầu vào lễ hội"
    assert list(task.events.values_list("action", "note")) == [
        ("assigned", ""),
        ("updated", "content"),
    ]


def test_errors_are_reported_by_row_and_nothing_is_written(people: People, tmp_path: Path) -> None:
    bad = (
        HEADER
        + GOOD_ROWS
        # row 4: an unknown agency
        + "VB-21,21/TB-UBND,2026-02-12,conclusion_notice,Chủ tịch,Lễ hội,NV-3,so-khong-co,,A,,2026-03-01,,normal,\n"
        # row 5: the same task as row 2
        + "VB-21,21/TB-UBND,2026-02-12,conclusion_notice,Chủ tịch,Lễ hội,NV-1,so-van-hoa,,B,,2026-03-01,,normal,\n"
        # row 6: a deadline before the directive
        + "VB-22,22/TB-UBND,2026-02-12,decision,Chủ tịch,Khác,NV-4,so-van-hoa,,C,,2026-02-01,,normal,\n"
        # row 7: a date that is not one
        + "VB-23,23/TB-UBND,12-02-2026,decision,Chủ tịch,Khác,NV-5,so-van-hoa,,D,,2026-03-01,,normal,\n"
    )
    errors = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("directives_import", str(_write(tmp_path, "bad.csv", bad)), "--commit",
                     stdout=io.StringIO(), stderr=errors)  # fmt: skip
    assert str(failure.value) == "4 dòng có lỗi; không có gì được ghi."
    assert errors.getvalue().splitlines() == [
        "Dòng 4: Không có đơn vị mã “so-khong-co”.",
        "Dòng 5: nhiệm vụ NV-1 trùng với dòng 2.",
        "Dòng 6: Hạn hoàn thành 01/02/2026 trước ngày ban hành văn bản 12/02/2026.",
        "Dòng 7: Ngày văn bản “12-02-2026” không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY).",
    ]
    assert _counts() == (0, 0, 0)


def test_a_changed_deadline_is_refused_by_row(people: People, tmp_path: Path) -> None:
    _import(_write(tmp_path, "a.csv", HEADER + GOOD_ROWS), "--commit")
    before = _counts()
    moved = GOOD_ROWS.replace("31/03/2026", "30/04/2026")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directives_import", str(_write(tmp_path, "b.csv", HEADER + moved)),
                     "--commit", stdout=io.StringIO(), stderr=errors)  # fmt: skip
    assert errors.getvalue().strip() == (
        "Dòng 3: hạn của nhiệm vụ NV-2 khác hạn đã giao; hạn chỉ đổi bằng gia hạn."
    )
    assert _counts() == before
    assert str(Task.objects.get(external_id="NV-2").deadline) == "2026-03-31"


def test_json_imports_the_same_rows(people: People, tmp_path: Path) -> None:
    rows: list[dict[str, object]] = list(csv.DictReader(io.StringIO(HEADER + GOOD_ROWS)))
    rows[0]["coordinating_agencies"] = ["ubnd-an-phu"]
    _import(_write(tmp_path, "a.json", json.dumps(rows, ensure_ascii=False)), "--commit")
    assert list(Task.objects.order_by("external_id").values_list("external_id", flat=True)) == [
        "NV-1",
        "NV-2",
    ]


def test_an_unreadable_json_document_is_refused(people: People, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as failure:
        _import(_write(tmp_path, "a.json", '{"not": "a list"}'), "--commit")
    assert str(failure.value) == "Tệp JSON phải là một danh sách các đối tượng."
    assert _counts() == (0, 0, 0)


def test_the_export_reads_back_as_an_import_that_changes_nothing(
    people: People, tmp_path: Path
) -> None:
    _import(_write(tmp_path, "a.csv", HEADER + GOOD_ROWS), "--commit")
    task = Task.objects.get(external_id="NV-2")
    services.task_accept(actor=people.construction_officer, task=task, at=vietnam(2026, 2, 13))
    out = io.StringIO()
    call_command("directives_export", stdout=out)
    exported = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["task_id"], row["status"], row["deadline"]) for row in exported] == [
        ("NV-1", "assigned", "2026-02-26"),
        ("NV-2", "accepted", "2026-03-31"),
    ]
    before = _counts()
    output = _import(_write(tmp_path, "back.csv", out.getvalue()), "--commit")
    assert output.strip().endswith("2 nhiệm vụ không đổi.")
    assert _counts() == before


def test_the_demo_loads_60_tasks_and_three_periodic_reports_once(db: None) -> None:
    for code in (*DEPARTMENTS, *COMMUNES_AFTER_REFORM, "ubnd-522-2014"):
        agency_create(code=code, name=code, kind=AgencyKind.DEPARTMENT)
    # 60 tasks assigned by the directives, and the 9 occurrences of their 3 periodic reports.
    assert directives_demo_load(today=datetime.date(2026, 12, 5)) == 69
    assert directives_demo_load(today=datetime.date(2026, 12, 5)) == 0
    assert Task.objects.count() == 69
    recurring = [
        (task.series.external_id if task.series else task.external_id, task.occurrence,
         task.recurrence, str(task.recurs_until), str(task.deadline), task.status,
         str(task.completed_on))
        for task in Task.objects.exclude(recurrence="").select_related("series")
        .order_by("directive__issued_on", "occurrence")
    ]  # fmt: skip
    assert recurring == [
        # The reform of the communes, quarterly until the end of 2025: 30 working days from
        # 12 May, 12 August and 12 November 2025.
        ("demo-06-4", 1, "quarterly", "2025-12-31", "2025-06-23", "done", "2025-06-21"),
        ("demo-06-4", 2, "quarterly", "2025-12-31", "2025-09-25", "done", "2025-09-24"),
        ("demo-06-4", 3, "quarterly", "2025-12-31", "2025-12-24", "done", "2025-12-23"),
        # Digital reception of dossiers, quarterly until 30 September 2026; one report late and
        # one overdue.
        ("demo-07-4", 1, "quarterly", "2026-09-30", "2025-09-17", "done", "2025-09-15"),
        ("demo-07-4", 2, "quarterly", "2026-09-30", "2025-12-16", "done", "2025-12-20"),
        ("demo-07-4", 3, "quarterly", "2026-09-30", "2026-03-25", "done", "2026-03-24"),
        ("demo-07-4", 4, "quarterly", "2026-09-30", "2026-06-15", "accepted", "None"),
        ("demo-07-4", 5, "quarterly", "2026-09-30", "2026-09-17", "done", "2026-09-16"),
        # The environment after Tết Bính Ngọ, monthly until 30 June 2026: 30 working days from
        # Wednesday 11 February 2026, across the holiday (16–20 February), is 1 April.
        ("demo-09-4", 1, "monthly", "2026-06-30", "2026-04-01", "done", "2026-04-10"),
        ("demo-09-4", 2, "monthly", "2026-06-30", "2026-04-22", "done", "2026-04-21"),
        ("demo-09-4", 3, "monthly", "2026-06-30", "2026-05-27", "done", "2026-05-31"),
        ("demo-09-4", 4, "monthly", "2026-06-30", "2026-06-22", "done", "2026-06-21"),
    ]
    tasks = Task.objects.filter(series__isnull=True)
    assert tasks.count() == 60
    issued = sorted({task.directive.issued_on.year for task in tasks.select_related("directive")})
    assert issued == [2024, 2025, 2026]
    assert tasks.filter(extension_count__gt=0).count() >= 5
    assert tasks.filter(status="done", completed_on__gt=F("deadline")).count() >= 5


def test_the_json_export_is_one_valid_document(people: People, tmp_path: Path) -> None:
    _import(_write(tmp_path, "a.csv", HEADER + GOOD_ROWS), "--commit")
    out = io.StringIO()
    call_command("directives_export", "--format", "json", stdout=out)
    exported = json.loads(out.getvalue())
    assert [(row["task_id"], row["lead_agency"], row["status"]) for row in exported] == [
        ("NV-1", "so-van-hoa", "assigned"),
        ("NV-2", "so-xay-dung", "assigned"),
    ]

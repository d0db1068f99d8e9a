"""The life of a task: every step, its event, its roles and its refusals (which change nothing)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from directives import services
from directives.models import Directive, ExtensionRequest, Task, TaskEvent
from directives.services import TaskSpecification
from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from tests.directives.conftest import People, make_directive, vietnam

pytestmark = pytest.mark.django_db


def _snapshot(task: Task) -> tuple[object, ...]:
    task.refresh_from_db()
    return (
        task.status,
        task.deadline,
        task.progress_percent,
        task.completed_on,
        task.extension_count,
        TaskEvent.objects.filter(task=task).count(),
        ExtensionRequest.objects.filter(task=task).count(),
    )


def test_a_task_goes_from_assigned_to_done_on_time_after_an_extension(
    people: People, task: Task
) -> None:
    services.task_accept(actor=people.culture_officer, task=task, at=vietnam(2026, 2, 11))
    services.task_report_progress(
        actor=people.culture_officer, task=task, text="Đã lập kế hoạch", percent=30,
        at=vietnam(2026, 3, 2),
    )  # fmt: skip
    services.task_request_extension(
        actor=people.culture_head, task=task, requested_deadline=datetime.date(2026, 4, 15),
        reason="Chờ kinh phí", at=vietnam(2026, 3, 20),
    )  # fmt: skip
    services.task_decide_extension(
        actor=people.chairman, task=task, grant=True, note="Đồng ý", at=vietnam(2026, 3, 23)
    )
    services.task_complete(
        actor=people.culture_officer, task=task, evidence="Lễ hội đã tổ chức",
        at=vietnam(2026, 4, 10, 16),
    )  # fmt: skip
    task.refresh_from_db()
    assert task.status == "done"
    assert task.deadline == datetime.date(2026, 4, 15)
    assert task.original_deadline == datetime.date(2026, 3, 31)
    assert task.completed_on == datetime.date(2026, 4, 10)
    assert task.extension_count == 1
    assert task.progress_percent == 100
    events = list(task.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert events == [
        ("assigned", "", "assigned", "quan-tri-vien"),
        ("accepted", "assigned", "accepted", "can-bo-van-hoa"),
        ("progress_reported", "accepted", "in_progress", "can-bo-van-hoa"),
        ("extension_requested", "in_progress", "in_progress", "giam-doc-van-hoa"),
        ("extension_granted", "in_progress", "in_progress", "chu-tich"),
        ("completed", "in_progress", "done", "can-bo-van-hoa"),
    ]
    granted = task.events.get(action="extension_granted")
    assert (granted.from_deadline, granted.to_deadline) == (
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 15),
    )


def test_progress_from_an_agency_that_does_not_hold_the_task_is_refused(
    people: People, task: Task
) -> None:
    services.task_accept(actor=people.culture_officer, task=task)
    before = _snapshot(task)
    with pytest.raises(PermissionDenied) as refusal:
        services.task_report_progress(
            actor=people.construction_officer, task=task, text="Xong một nửa", percent=50
        )
    assert refusal.value.code == "not_lead_agency"
    assert refusal.value.message == (
        "Chỉ đơn vị chủ trì “Sở Văn hóa, Thể thao và Du lịch” mới được báo cáo tiến độ "
        "nhiệm vụ này."
    )
    assert _snapshot(task) == before


def test_a_leader_who_did_not_sign_cannot_grant_an_extension(people: People, task: Task) -> None:
    services.task_request_extension(
        actor=people.culture_officer, task=task, requested_deadline=datetime.date(2026, 4, 30),
        reason="Mưa lớn",
    )  # fmt: skip
    before = _snapshot(task)
    with pytest.raises(PermissionDenied) as refusal:
        services.task_decide_extension(actor=people.other_leader, task=task, grant=True)
    assert refusal.value.code == "not_signer"
    assert _snapshot(task) == before
    assert ExtensionRequest.objects.get(task=task).status == "pending"


def test_an_administrator_may_grant_an_extension(people: People, task: Task) -> None:
    services.task_request_extension(
        actor=people.culture_officer, task=task, requested_deadline=datetime.date(2026, 4, 30),
        reason="Mưa lớn",
    )  # fmt: skip
    services.task_decide_extension(
        actor=people.administrator, task=task, grant=True, deadline=datetime.date(2026, 4, 20)
    )
    task.refresh_from_db()
    assert (task.deadline, task.extension_count) == (datetime.date(2026, 4, 20), 1)


def test_a_refused_extension_keeps_the_deadline(people: People, task: Task) -> None:
    services.task_request_extension(
        actor=people.culture_officer, task=task, requested_deadline=datetime.date(2026, 4, 30),
        reason="Mưa lớn",
    )  # fmt: skip
    services.task_decide_extension(actor=people.chairman, task=task, grant=False, note="Không")
    task.refresh_from_db()
    assert (task.deadline, task.extension_count) == (datetime.date(2026, 3, 31), 0)
    assert ExtensionRequest.objects.get(task=task).status == "refused"


def test_a_second_extension_request_while_one_is_pending_is_refused(
    people: People, task: Task
) -> None:
    services.task_request_extension(
        actor=people.culture_officer, task=task, requested_deadline=datetime.date(2026, 4, 30),
        reason="Mưa lớn",
    )  # fmt: skip
    before = _snapshot(task)
    with pytest.raises(Conflict) as refusal:
        services.task_request_extension(
            actor=people.culture_officer, task=task,
            requested_deadline=datetime.date(2026, 5, 30), reason="Thêm nữa",
        )  # fmt: skip
    assert refusal.value.code == "extension_pending"
    assert _snapshot(task) == before


def test_an_extension_to_an_earlier_date_is_refused(people: People, task: Task) -> None:
    before = _snapshot(task)
    with pytest.raises(InvalidInput) as refusal:
        services.task_request_extension(
            actor=people.culture_officer, task=task,
            requested_deadline=datetime.date(2026, 3, 31), reason="?",
        )  # fmt: skip
    assert refusal.value.code == "extension_not_later"
    assert _snapshot(task) == before


def test_completing_a_task_not_yet_accepted_is_refused(people: People, task: Task) -> None:
    before = _snapshot(task)
    with pytest.raises(Conflict) as refusal:
        services.task_complete(actor=people.culture_officer, task=task, evidence="Xong")
    assert refusal.value.message == (
        "Không thể hoàn thành nhiệm vụ khi đang ở trạng thái “Đã giao”."
    )
    assert _snapshot(task) == before


def test_only_the_signer_cancels_and_a_cancelled_task_takes_no_more_steps(
    people: People, task: Task
) -> None:
    before = _snapshot(task)
    with pytest.raises(PermissionDenied):
        services.task_cancel(actor=people.culture_head, task=task, reason="Không cần nữa")
    assert _snapshot(task) == before
    services.task_cancel(actor=people.chairman, task=task, reason="Lồng ghép kế hoạch khác")
    after_cancel = _snapshot(task)
    assert after_cancel[0] == "cancelled"
    with pytest.raises(Conflict):
        services.task_accept(actor=people.culture_officer, task=task)
    assert _snapshot(task) == after_cancel


def test_progress_must_be_a_percentage_below_one_hundred(people: People, task: Task) -> None:
    services.task_accept(actor=people.culture_officer, task=task)
    before = _snapshot(task)
    for percent in (-1, 100, 250):
        with pytest.raises(InvalidInput) as refusal:
            services.task_report_progress(
                actor=people.culture_officer, task=task, text="Báo cáo", percent=percent
            )
        assert refusal.value.code == "invalid_percent"
    assert _snapshot(task) == before


def test_a_deadline_before_the_directive_is_refused_and_nothing_is_created(
    people: People,
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        make_directive(people, issued_on=datetime.date(2026, 2, 10),
                       deadline=datetime.date(2026, 2, 9))  # fmt: skip
    assert refusal.value.code == "deadline_before_directive"
    assert refusal.value.message == (
        "Hạn hoàn thành 09/02/2026 trước ngày ban hành văn bản 10/02/2026."
    )
    assert Directive.objects.count() == 0
    assert Task.objects.count() == 0


def test_an_unknown_agency_is_refused_and_nothing_is_created(people: People) -> None:
    with pytest.raises(InvalidInput) as refusal:
        services.directive_create(
            number="1/QĐ", issued_on=datetime.date(2026, 1, 5), kind="decision",
            signer_name="Chủ tịch", subject="Thử",
            tasks=[
                TaskSpecification(lead_agency_code="so-van-hoa", content="A",
                                  deadline=datetime.date(2026, 2, 1)),
                TaskSpecification(lead_agency_code="so-khong-co", content="B",
                                  deadline=datetime.date(2026, 2, 1)),
            ],
        )  # fmt: skip
    assert refusal.value.code == "unknown_agency"
    assert refusal.value.message == "Không có đơn vị mã “so-khong-co”."
    assert (Directive.objects.count(), Task.objects.count(), TaskEvent.objects.count()) == (0, 0, 0)


def test_refusals_are_explained_in_english_too(people: People, task: Task) -> None:
    with translation.override("en"), pytest.raises(PermissionDenied) as refusal:
        services.task_accept(actor=people.construction_officer, task=task)
    assert refusal.value.message == (
        "Only the lead agency “Sở Văn hóa, Thể thao và Du lịch” may accept this task."
    )
    with translation.override("en"), pytest.raises(InvalidInput) as invalid:
        make_directive(people, deadline=datetime.date(2026, 1, 1))
    assert invalid.value.message == (
        "The deadline 01/01/2026 is before the directive's date 10/02/2026."
    )

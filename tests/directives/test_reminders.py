"""Reminders before the deadline, overdue notices to the agency head and the signer, the daily
digest: each planned once through the notifications outbox, whatever how often the beat runs."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase

from directives import reminders, services
from directives.models import AgencyDigest, Task, TaskReminder
from notifications.models import Notification
from tests.directives.conftest import People, make_directive, vietnam

pytestmark = pytest.mark.django_db


def _messages() -> list[tuple[str, str, str]]:
    return sorted(Notification.objects.values_list("kind", "recipient_role", "address"))


def test_a_task_due_soon_reminds_the_lead_agency_once(people: People, task: Task) -> None:
    # Deadline Tuesday 31 March 2026; on Thursday 26 March it is 3 working days away.
    with TestCase.captureOnCommitCallbacks(execute=False):
        first = reminders.directives_send_reminders(now=vietnam(2026, 3, 26, 8))
        again = reminders.directives_send_reminders(now=vietnam(2026, 3, 26, 9))
        next_day = reminders.directives_send_reminders(now=vietnam(2026, 3, 27, 8))
    assert (first.reminders, again.reminders, next_day.reminders) == (1, 0, 0)
    assert (first.digests, again.digests, next_day.digests) == (1, 0, 1)
    assert _messages() == [
        ("directive_agency_digest", "unit", "sovanhoa@example.test"),
        ("directive_agency_digest", "unit", "sovanhoa@example.test"),
        ("directive_task_reminder", "unit", "sovanhoa@example.test"),
    ]
    reminder = Notification.objects.get(kind="directive_task_reminder")
    assert reminder.subject == "Nhắc hạn nhiệm vụ: hạn 31/03/2026"
    assert reminder.body == (
        "Nhiệm vụ sắp đến hạn:\n- 21/TB-UBND: Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh "
        "(hạn 31/03/2026)"
    )
    assert list(TaskReminder.objects.values_list("kind", "deadline")) == [
        ("before_deadline", datetime.date(2026, 3, 31))
    ]
    assert AgencyDigest.objects.count() == 2


def test_nothing_is_sent_while_the_deadline_is_far(people: People, task: Task) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = reminders.directives_send_reminders(now=vietnam(2026, 3, 2, 8))
    assert (run.reminders, run.overdue_notices, run.digests) == (0, 0, 0)
    assert Notification.objects.count() == 0


def test_an_overdue_task_notifies_the_agency_head_and_the_signer_once(
    people: People, task: Task
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        first = reminders.directives_send_reminders(now=vietnam(2026, 4, 1, 8))
        again = reminders.directives_send_reminders(now=vietnam(2026, 4, 2, 8))
    assert (first.overdue_notices, again.overdue_notices) == (2, 0)
    overdue = sorted(
        Notification.objects.filter(kind="directive_task_overdue").values_list(
            "recipient_role", "address"
        )
    )
    assert overdue == [("leader", "chutich@example.test"), ("unit", "giamdoc@example.test")]
    assert Notification.objects.filter(kind="directive_task_overdue").first().subject == (  # type: ignore[union-attr]
        "Nhiệm vụ quá hạn từ 31/03/2026"
    )


def test_an_extended_deadline_earns_a_new_reminder(people: People, task: Task) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        reminders.directives_send_reminders(now=vietnam(2026, 3, 26, 8))
        services.task_request_extension(
            actor=people.culture_officer, task=task,
            requested_deadline=datetime.date(2026, 4, 20), reason="Mưa",
        )  # fmt: skip
        services.task_decide_extension(actor=people.chairman, task=task, grant=True)
        reminders.directives_send_reminders(now=vietnam(2026, 4, 15, 8))
    assert list(TaskReminder.objects.order_by("deadline").values_list("kind", "deadline")) == [
        ("before_deadline", datetime.date(2026, 3, 31)),
        ("before_deadline", datetime.date(2026, 4, 20)),
    ]


def test_a_done_task_is_not_reminded(people: People, task: Task) -> None:
    services.task_accept(actor=people.culture_officer, task=task)
    services.task_complete(actor=people.culture_officer, task=task, evidence="Xong")
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = reminders.directives_send_reminders(now=vietnam(2026, 4, 1, 8))
    assert (run.reminders, run.overdue_notices, run.digests) == (0, 0, 0)
    assert Notification.objects.count() == 0


def test_reminders_cross_tet_by_working_days(people: People) -> None:
    # Due Wednesday 25 February 2026: on Friday 13 February (before Tết, twelve calendar days
    # earlier) it is three working days away, so due soon; on Thursday 12 it is four.
    task = make_directive(people, deadline=datetime.date(2026, 2, 25)).tasks.get()
    with TestCase.captureOnCommitCallbacks(execute=False):
        before = reminders.directives_send_reminders(now=vietnam(2026, 2, 12, 8))
        on_friday = reminders.directives_send_reminders(now=vietnam(2026, 2, 13, 8))
    assert (before.reminders, on_friday.reminders) == (0, 1)
    assert TaskReminder.objects.get().task_id == task.pk


def test_the_daily_digest_lists_the_overdue_and_due_soon_tasks_across_tet(people: People) -> None:
    # On Friday 13 February 2026, the last working day before Tết Bính Ngọ (16–20 February off):
    # a task due Tuesday 10 February is overdue; one due Wednesday 25 February is three working
    # days away, so due soon, although twelve calendar days away; one due 31 March is neither.
    overdue = make_directive(
        people, issued_on=datetime.date(2026, 2, 2), deadline=datetime.date(2026, 2, 10)
    ).tasks.get()
    soon = make_directive(people, deadline=datetime.date(2026, 2, 25)).tasks.get()
    make_directive(people, deadline=datetime.date(2026, 3, 31))
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = reminders.directives_send_reminders(now=vietnam(2026, 2, 13, 8))
        again = reminders.directives_send_reminders(now=vietnam(2026, 2, 13, 17))
    assert (run.digests, again.digests) == (1, 0)
    digest = Notification.objects.get(kind="directive_agency_digest")
    assert (digest.address, digest.subject) == (
        "sovanhoa@example.test",
        "Tổng hợp nhiệm vụ ngày 13/02/2026",
    )
    assert digest.body == (
        "Tổng hợp nhiệm vụ ngày 13/02/2026 của Sở Văn hóa, Thể thao và Du lịch: 1 quá hạn, "
        "1 sắp đến hạn.\n"
        "- 21/TB-UBND: Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh (hạn 10/02/2026)\n"
        "- 21/TB-UBND: Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh (hạn 25/02/2026)"
    )
    assert list(AgencyDigest.objects.values_list("agency__code", "day")) == [
        ("so-van-hoa", datetime.date(2026, 2, 13))
    ]
    # The overdue task went to the head and the signer; the due-soon one to the agency.
    assert sorted(
        TaskReminder.objects.values_list("task_id", "kind", "deadline")
    ) == sorted([
        (overdue.pk, "overdue_agency_head", datetime.date(2026, 2, 10)),
        (overdue.pk, "overdue_signer", datetime.date(2026, 2, 10)),
        (soon.pk, "before_deadline", datetime.date(2026, 2, 25)),
    ])  # fmt: skip

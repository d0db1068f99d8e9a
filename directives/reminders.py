"""Reminders, escalation and the daily digest of tasks, through the notifications outbox.

Run hourly by Celery beat (`directives.send_reminders`); each run plans what is due and nothing
twice:

- before the deadline (a task due soon, `directives/deadlines.py`): to the lead agency;
- after it (an open task past its deadline): to the agency's head (its members with the manager
  role) and to the leader who signed the directive;
- once a day, to every agency with open tasks: the digest of its overdue and due-soon tasks.

Each message leaves a sent-marker (`TaskReminder` per task, kind and deadline; `AgencyDigest` per
agency and day) inserted with ON CONFLICT DO NOTHING in the same transaction as the outbox row:
the run that inserts the marker plans the message, a concurrent or later run finds it and plans
nothing. A granted extension is a new deadline, which earns its own reminders. A recipient without
an address gets no message and no marker, so adding the address later sends it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from directives.deadlines import due_soon_limit
from directives.models import (
    OPEN_STATUSES,
    AgencyDigest,
    ReminderKind,
    Task,
    TaskReminder,
)
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.selectors import working_calendar
from geoapp.sql import InsertUnlessExists
from notifications.models import NotificationChannel, RecipientRole
from notifications.services import notification_enqueue
from wards.models import Agency, AgencyMembership, AgencyRole

# The kinds of message this app plans (notifications knows nothing of them).
KIND_REMINDER = "directive_task_reminder"
KIND_OVERDUE = "directive_task_overdue"
KIND_DIGEST = "directive_agency_digest"
DIGEST_MAX_ITEMS = 30

_marker_insert = InsertUnlessExists(TaskReminder, conflict_fields=["task", "kind", "deadline"])
_digest_insert = InsertUnlessExists(AgencyDigest, conflict_fields=["agency", "day"])


@dataclass
class ReminderRun:
    reminders: int = 0
    overdue_notices: int = 0
    digests: int = 0
    planned: list[int] = field(default_factory=list)


def _task_line(task: Task) -> str:
    return _("- %(number)s: %(content)s (hạn %(deadline)s)") % {
        "number": task.directive.number,
        "content": task.content[:200],
        "deadline": f"{task.deadline:%d/%m/%Y}",
    }


def _agency_heads(agency_id: int) -> list[str]:
    return sorted(
        {
            email
            for email in AgencyMembership.objects.filter(
                agency_id=agency_id, role=AgencyRole.MANAGER, user__is_active=True
            ).values_list("user__email", flat=True)
            if email
        }
    )


def _plan(
    *,
    task: Task,
    kind: ReminderKind,
    message_kind: str,
    role: str,
    addresses: list[str],
    subject: str,
    body: str,
    run: ReminderRun,
    sent_at: datetime.datetime,
) -> bool:
    if not addresses:
        return False
    with transaction.atomic():
        marker = TaskReminder(task=task, kind=kind, deadline=task.deadline, sent_at=sent_at)
        if not _marker_insert(marker):
            return False
        for address in addresses:
            notification = notification_enqueue(
                dedupe_key=f"directives:{kind}:{task.pk}:{task.deadline}:{address}",
                kind=message_kind,
                channel=NotificationChannel.EMAIL,
                recipient_role=role,
                address=address,
                subject=subject,
                body=body,
                about=task,
            )
            run.planned.append(notification.pk)
    return True


def directives_send_reminders(*, now: datetime.datetime) -> ReminderRun:
    """Plan every reminder, overdue notice and digest due at `now` that was not sent yet."""
    today = now.astimezone(VIETNAM_TIME_ZONE).date()
    due_soon_until = due_soon_limit(working_calendar(), today)
    run = ReminderRun()
    open_tasks = Task.objects.filter(status__in=OPEN_STATUSES).select_related(
        "directive__signer", "lead_agency"
    )
    # Messages go to officials in the administration's language.
    with translation.override("vi"):
        for task in open_tasks.filter(deadline__gte=today, deadline__lte=due_soon_until):
            if _plan(
                task=task,
                kind=ReminderKind.BEFORE_DEADLINE,
                message_kind=KIND_REMINDER,
                role=RecipientRole.UNIT,
                addresses=[task.lead_agency.email] if task.lead_agency.email else [],
                subject=_("Nhắc hạn nhiệm vụ: hạn %(deadline)s")
                % {"deadline": f"{task.deadline:%d/%m/%Y}"},
                body=_("Nhiệm vụ sắp đến hạn:\n%(line)s") % {"line": _task_line(task)},
                run=run,
                sent_at=now,
            ):
                run.reminders += 1
        for task in open_tasks.filter(deadline__lt=today):
            subject = _("Nhiệm vụ quá hạn từ %(deadline)s") % {
                "deadline": f"{task.deadline:%d/%m/%Y}"
            }
            body = _("Nhiệm vụ đã quá hạn, đơn vị chủ trì %(agency)s:\n%(line)s") % {
                "agency": task.lead_agency.name,
                "line": _task_line(task),
            }
            if _plan(
                task=task,
                kind=ReminderKind.OVERDUE_AGENCY_HEAD,
                message_kind=KIND_OVERDUE,
                role=RecipientRole.UNIT,
                addresses=_agency_heads(task.lead_agency_id),
                subject=subject,
                body=body,
                run=run,
                sent_at=now,
            ):
                run.overdue_notices += 1
            signer = task.directive.signer
            if _plan(
                task=task,
                kind=ReminderKind.OVERDUE_SIGNER,
                message_kind=KIND_OVERDUE,
                role=RecipientRole.LEADER,
                addresses=[signer.email] if signer is not None and signer.email else [],
                subject=subject,
                body=body,
                run=run,
                sent_at=now,
            ):
                run.overdue_notices += 1
        run.digests = _digests_plan(today=today, due_soon_until=due_soon_until, now=now, run=run)
    return run


def _digests_plan(
    *,
    today: datetime.date,
    due_soon_until: datetime.date,
    now: datetime.datetime,
    run: ReminderRun,
) -> int:
    tasks_by_agency: dict[int, list[Task]] = defaultdict(list)
    for task in (
        Task.objects.filter(status__in=OPEN_STATUSES, deadline__lte=due_soon_until)
        .select_related("directive")
        .order_by("deadline", "id")
    ):
        tasks_by_agency[task.lead_agency_id].append(task)
    sent = 0
    for agency in Agency.objects.filter(pk__in=tasks_by_agency).exclude(email=""):
        tasks = tasks_by_agency[agency.pk]
        overdue = [task for task in tasks if task.deadline < today]
        due_soon = [task for task in tasks if task.deadline >= today]
        lines = [
            _(
                "Tổng hợp nhiệm vụ ngày %(day)s của %(agency)s: %(overdue)s quá hạn, %(soon)s sắp đến hạn."
            )
            % {
                "day": f"{today:%d/%m/%Y}",
                "agency": agency.name,
                "overdue": len(overdue),
                "soon": len(due_soon),
            },
            *(_task_line(task) for task in tasks[:DIGEST_MAX_ITEMS]),
        ]
        with transaction.atomic():
            if not _digest_insert(AgencyDigest(agency=agency, day=today, sent_at=now)):
                continue
            notification = notification_enqueue(
                dedupe_key=f"directives:digest:{agency.pk}:{today}",
                kind=KIND_DIGEST,
                channel=NotificationChannel.EMAIL,
                recipient_role=RecipientRole.UNIT,
                address=agency.email,
                subject=_("Tổng hợp nhiệm vụ ngày %(day)s") % {"day": f"{today:%d/%m/%Y}"},
                body="\n".join(lines),
                about=agency,
            )
            run.planned.append(notification.pk)
        sent += 1
    return sent

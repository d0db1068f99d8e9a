"""Every write of directives and tasks: creating them and every step of a task's life.

Each step is one transaction that locks the task's row (`select_for_update`: two officers
completing the same task at once, or a leader deciding an extension while the agency completes,
must see each other's result, not overwrite it), checks the actor's role and the state machine
(`directives/workflow.py`) on the locked row, changes it and writes its event. A refused step
raises a DomainError before writing anything, so it changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directives import workflow
from directives.deadlines import working_day_after
from directives.events import task_event
from directives.models import (
    Directive,
    DirectiveKind,
    ExtensionRequest,
    ExtensionStatus,
    Task,
    TaskAction,
    TaskPriority,
    TaskRecurrence,
    TaskStatus,
)
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import Conflict, InvalidInput
from geoapp.selectors import working_calendar
from wards.models import Agency, Area
from wards.selectors import agencies_by_code

TEXT_MAX_LENGTH = 5000


@dataclass(frozen=True)
class TaskSpecification:
    """A task to create: `deadline` as a date, or `deadline_working_days` after the directive."""

    lead_agency_code: str
    content: str
    deadline: datetime.date | None = None
    deadline_working_days: int | None = None
    coordinating_agency_codes: Sequence[str] = field(default_factory=tuple)
    field: str = ""
    recurrence: str = ""
    priority: str = TaskPriority.NORMAL
    place: Point | None = None
    area: Area | None = None
    external_id: str | None = None
    # The last day a recurring task's occurrences may be due (directives/recurrence.py); none
    # for a series that goes on until its first task is cancelled.
    recurs_until: datetime.date | None = None


def _local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(VIETNAM_TIME_ZONE).date()


def _required_text(value: str, *, label: str, limit: int = TEXT_MAX_LENGTH) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(_("Chưa nhập %(field)s.") % {"field": label}, code="required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s dài quá %(limit)s ký tự.") % {"field": label, "limit": limit},
            code="too_long",
        )
    return text


def task_deadline(
    *,
    issued_on: datetime.date,
    deadline: datetime.date | None,
    deadline_working_days: int | None,
) -> datetime.date:
    """The deadline date of a task, checked against its directive's date."""
    if (deadline is None) == (deadline_working_days is None):
        raise InvalidInput(
            _("Nhập hạn hoàn thành là một ngày, hoặc là số ngày làm việc kể từ ngày văn bản."),
            code="deadline_required",
        )
    if deadline_working_days is not None:
        if deadline_working_days < 1:
            raise InvalidInput(
                _("Số ngày làm việc của hạn hoàn thành phải từ 1 trở lên."),
                code="deadline_invalid",
            )
        return working_day_after(working_calendar(), issued_on, deadline_working_days)
    assert deadline is not None
    if deadline < issued_on:
        raise InvalidInput(
            _("Hạn hoàn thành %(deadline)s trước ngày ban hành văn bản %(issued)s.")
            % {"deadline": f"{deadline:%d/%m/%Y}", "issued": f"{issued_on:%d/%m/%Y}"},
            code="deadline_before_directive",
        )
    return deadline


def _agencies(codes: Sequence[str]) -> dict[str, Agency]:
    found = agencies_by_code(codes=codes)
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise InvalidInput(
            _("Không có đơn vị mã “%(codes)s”.") % {"codes": "”, “".join(unknown)},
            code="unknown_agency",
        )
    return found


def _choice(value: str, choices: type[TaskPriority] | type[TaskRecurrence], label: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("Giá trị “%(value)s” không hợp lệ cho %(field)s.") % {"value": value, "field": label},
            code="invalid_choice",
        )
    return value


@transaction.atomic
def directive_create(
    *,
    number: str,
    issued_on: datetime.date,
    kind: str,
    signer_name: str,
    subject: str,
    tasks: Sequence[TaskSpecification],
    signer: User | None = None,
    text: str = "",
    attachment: File[Any] | None = None,
    external_id: str | None = None,
    actor: User | None = None,
    at: datetime.datetime | None = None,
) -> Directive:
    """A directive and its tasks, each assigned to its lead agency (one event per task).

    Everything is checked before anything is written: a bad task refuses the whole directive.
    """
    moment = at or timezone.now()
    if kind not in DirectiveKind.values:
        raise InvalidInput(
            _("Loại văn bản “%(kind)s” không hợp lệ.") % {"kind": kind}, code="invalid_kind"
        )
    if not tasks:
        raise InvalidInput(_("Văn bản chỉ đạo phải giao ít nhất một nhiệm vụ."), code="no_tasks")
    directive = Directive(
        external_id=external_id or None,
        number=_required_text(number, label=_("số hiệu"), limit=100),
        issued_on=issued_on,
        kind=kind,
        signer=signer,
        signer_name=_required_text(signer_name, label=_("người ký"), limit=200),
        subject=_required_text(subject, label=_("trích yếu"), limit=500),
        text=text.strip(),
        created_at=moment,
    )
    directive_tasks_check(directive=directive, tasks=tasks)
    if attachment is not None:
        directive.attachment = attachment
    directive.save()
    directive_tasks_add(directive=directive, tasks=tasks, actor=actor, at=moment)
    return directive


def directive_tasks_check(*, directive: Directive, tasks: Sequence[TaskSpecification]) -> None:
    """Refuse tasks that `directive_tasks_add` would refuse, before anything is written."""
    codes = [
        code for spec in tasks for code in (spec.lead_agency_code, *spec.coordinating_agency_codes)
    ]
    agencies = _agencies(codes)
    for spec in tasks:
        _task_prepare(spec, directive, agencies, directive.created_at)


@transaction.atomic
def directive_tasks_add(
    *,
    directive: Directive,
    tasks: Sequence[TaskSpecification],
    actor: User | None = None,
    at: datetime.datetime | None = None,
) -> list[Task]:
    """New tasks of a saved directive, each assigned to its lead agency with its event."""
    moment = at or timezone.now()
    codes = [
        code for spec in tasks for code in (spec.lead_agency_code, *spec.coordinating_agency_codes)
    ]
    agencies = _agencies(codes)
    prepared = [(_task_prepare(spec, directive, agencies, moment), spec) for spec in tasks]
    created = []
    for task, spec in prepared:
        task.directive = directive
        task.save()
        task.coordinating_agencies.set([agencies[code] for code in spec.coordinating_agency_codes])
        task_event(task=task, action=TaskAction.ASSIGNED, actor=actor, at=moment)
        created.append(task)
    return created


@transaction.atomic
def task_update_from_document_system(
    *,
    task: Task,
    content: str,
    field: str,
    priority: str,
    recurrence: str,
    coordinating_agency_codes: Sequence[str],
    recurs_until: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> bool:
    """Apply what the document system changed in a task's text, field, priority, recurrence,
    end of recurrence or coordinating agencies; True when something changed (with an event),
    False when nothing did.

    The deadline is not among them: it moves only by an extension the signer decides. A
    series' recurrence and end are changed on its first task and copied to its occurrences; an
    occurrence's own must stay the series' (`task_recurrence_check`).
    """
    moment = at or timezone.now()
    task = Task.objects.select_for_update().get(pk=task.pk)
    agencies = _agencies(coordinating_agency_codes)
    content = _required_text(content, label=_("nội dung nhiệm vụ"))
    priority = _choice(priority, TaskPriority, _("mức độ"))
    if task.series_id is not None:
        # An occurrence takes its series' recurrence, copied when the first task's changes.
        recurrence, recurs_until = task.recurrence, task.recurs_until
    task_recurrence_check(task=task, recurrence=recurrence, recurs_until=recurs_until)
    current_codes = set(task.coordinating_agencies.values_list("code", flat=True))
    changed = [
        name
        for name, value in (
            ("content", content),
            ("field", field.strip()[:100]),
            ("priority", priority),
            ("recurrence", recurrence),
            ("recurs_until", recurs_until),
        )
        if getattr(task, name) != value
    ]
    codes_changed = current_codes != set(coordinating_agency_codes)
    if not changed and not codes_changed:
        return False
    task.content, task.field, task.priority, task.recurrence, task.recurs_until = (
        content, field.strip()[:100], priority, recurrence, recurs_until,
    )  # fmt: skip
    _save(task, moment, *changed)
    if task.series_id is None and ({"recurrence", "recurs_until"} & set(changed)):
        task.occurrences.update(recurrence=recurrence, recurs_until=recurs_until)
    if codes_changed:
        task.coordinating_agencies.set(list(agencies.values()))
    task_event(
        task=task, action=TaskAction.UPDATED, actor=None, at=moment, from_status=task.status,
        note=", ".join(changed + (["coordinating_agencies"] if codes_changed else [])),
    )  # fmt: skip
    return True


def task_recurrence_check(
    *, task: Task, recurrence: str, recurs_until: datetime.date | None
) -> None:
    """Refuse a recurrence the task cannot take: an unknown one, an end without a recurrence or
    before the first deadline, a series' kind changed once it has occurrences (their deadlines
    count periods of the kind they were made with; ending the series is `recurs_until`, or
    cancelling its first task), or an occurrence's differing from its series'."""
    recurrence = _choice(recurrence, TaskRecurrence, _("định kỳ"))
    if task.series_id is not None:
        if (recurrence, recurs_until) != (task.recurrence, task.recurs_until):
            raise InvalidInput(
                _("Định kỳ của một kỳ báo cáo chỉ đổi ở nhiệm vụ kỳ đầu."),
                code="occurrence_recurrence",
            )
        return
    if recurs_until is not None:
        if not recurrence:
            raise InvalidInput(
                _("Chỉ nhiệm vụ định kỳ mới có ngày kết thúc định kỳ."),
                code="recurs_until_without_recurrence",
            )
        if recurs_until < task.original_deadline:
            raise InvalidInput(
                _("Ngày kết thúc định kỳ %(until)s trước hạn hoàn thành kỳ đầu %(deadline)s.")
                % {
                    "until": f"{recurs_until:%d/%m/%Y}",
                    "deadline": f"{task.original_deadline:%d/%m/%Y}",
                },
                code="recurs_until_before_deadline",
            )
    if recurrence != task.recurrence and task.occurrences.exists():
        raise InvalidInput(
            _("Nhiệm vụ định kỳ đã có kỳ báo cáo: không đổi được kiểu định kỳ; kết thúc chuỗi bằng "
              "ngày kết thúc định kỳ hoặc hủy nhiệm vụ kỳ đầu."),
            code="recurrence_of_running_series",
        )  # fmt: skip


def _task_prepare(
    spec: TaskSpecification,
    directive: Directive,
    agencies: dict[str, Agency],
    moment: datetime.datetime,
) -> Task:
    deadline = task_deadline(
        issued_on=directive.issued_on,
        deadline=spec.deadline,
        deadline_working_days=spec.deadline_working_days,
    )
    if spec.lead_agency_code in spec.coordinating_agency_codes:
        raise InvalidInput(
            _("Đơn vị chủ trì không thể đồng thời là đơn vị phối hợp."), code="lead_coordinates"
        )
    recurrence = _choice(spec.recurrence, TaskRecurrence, _("định kỳ"))
    if spec.recurs_until is not None:
        if not recurrence:
            raise InvalidInput(
                _("Chỉ nhiệm vụ định kỳ mới có ngày kết thúc định kỳ."),
                code="recurs_until_without_recurrence",
            )
        if spec.recurs_until < deadline:
            raise InvalidInput(
                _("Ngày kết thúc định kỳ %(until)s trước hạn hoàn thành kỳ đầu %(deadline)s.")
                % {"until": f"{spec.recurs_until:%d/%m/%Y}", "deadline": f"{deadline:%d/%m/%Y}"},
                code="recurs_until_before_deadline",
            )
    return Task(
        external_id=spec.external_id or None,
        lead_agency=agencies[spec.lead_agency_code],
        content=_required_text(spec.content, label=_("nội dung nhiệm vụ")),
        field=spec.field.strip()[:100],
        deadline=deadline,
        original_deadline=deadline,
        deadline_working_days=spec.deadline_working_days,
        recurrence=recurrence,
        recurs_until=spec.recurs_until,
        priority=_choice(spec.priority, TaskPriority, _("mức độ")),
        place=spec.place,
        area=spec.area,
        created_at=moment,
        updated_at=moment,
    )


def _begin(*, actor: User, task: Task, action: str) -> Task:
    # The row is locked for the rest of the transaction and the checks read the locked copy,
    # so a step decided on a stale page (already completed by a colleague) is refused.
    locked = (
        Task.objects.select_for_update().select_related("directive", "lead_agency").get(pk=task.pk)
    )
    workflow.require_role(actor, locked, action)
    workflow.require_status(locked, action)
    return locked


def _save(task: Task, moment: datetime.datetime, *fields: str) -> None:
    task.updated_at = moment
    task.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def task_accept(
    *, actor: User, task: Task, note: str = "", at: datetime.datetime | None = None
) -> Task:
    """The lead agency confirms it has received the task."""
    moment = at or timezone.now()
    task = _begin(actor=actor, task=task, action="accept")
    from_status = task.status
    task.status = TaskStatus.ACCEPTED
    _save(task, moment, "status")
    task_event(
        task=task, action=TaskAction.ACCEPTED, actor=actor, at=moment, from_status=from_status,
        note=note.strip()[:TEXT_MAX_LENGTH],
    )  # fmt: skip
    return task


@transaction.atomic
def task_report_progress(
    *,
    actor: User,
    task: Task,
    text: str,
    percent: int,
    attachment: File[Any] | None = None,
    at: datetime.datetime | None = None,
) -> Task:
    """A progress report of the lead agency: what was done and how far, with an optional file."""
    moment = at or timezone.now()
    task = _begin(actor=actor, task=task, action="report_progress")
    text = _required_text(text, label=_("nội dung báo cáo"))
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 99:
        raise InvalidInput(
            _("Tiến độ phải là số nguyên từ 0 đến 99; khi xong, dùng “Hoàn thành”."),
            code="invalid_percent",
        )
    from_status = task.status
    task.status = TaskStatus.IN_PROGRESS
    task.progress_percent = percent
    _save(task, moment, "status", "progress_percent")
    task_event(
        task=task, action=TaskAction.PROGRESS_REPORTED, actor=actor, at=moment,
        from_status=from_status, note=text, progress_percent=percent, attachment=attachment,
    )  # fmt: skip
    return task


@transaction.atomic
def task_request_extension(
    *,
    actor: User,
    task: Task,
    requested_deadline: datetime.date,
    reason: str,
    at: datetime.datetime | None = None,
) -> ExtensionRequest:
    """The lead agency asks the signer for a later deadline, with its reason."""
    moment = at or timezone.now()
    task = _begin(actor=actor, task=task, action="request_extension")
    reason = _required_text(reason, label=_("lý do gia hạn"))
    if requested_deadline <= task.deadline:
        raise InvalidInput(
            _("Hạn đề nghị phải sau hạn hiện tại %(deadline)s.")
            % {"deadline": f"{task.deadline:%d/%m/%Y}"},
            code="extension_not_later",
        )
    if task.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(
            _("Nhiệm vụ đã có một đề nghị gia hạn đang chờ quyết định."),
            code="extension_pending",
        )
    request = ExtensionRequest.objects.create(
        task=task, requested_by=actor, requested_at=moment,
        requested_deadline=requested_deadline, reason=reason,
    )  # fmt: skip
    _save(task, moment)
    task_event(
        task=task, action=TaskAction.EXTENSION_REQUESTED, actor=actor, at=moment,
        from_status=task.status, note=reason, from_deadline=task.deadline,
        to_deadline=requested_deadline,
    )  # fmt: skip
    return request


@transaction.atomic
def task_decide_extension(
    *,
    actor: User,
    task: Task,
    grant: bool,
    note: str = "",
    deadline: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> ExtensionRequest:
    """The signer (or an administrator) grants the pending request, possibly with another date
    than asked, or refuses it."""
    moment = at or timezone.now()
    task = _begin(actor=actor, task=task, action="decide_extension")
    request = (
        ExtensionRequest.objects.select_for_update()
        .filter(task=task, status=ExtensionStatus.PENDING)
        .first()
    )
    if request is None:
        raise Conflict(
            _("Nhiệm vụ không có đề nghị gia hạn nào đang chờ quyết định."),
            code="no_pending_extension",
        )
    previous = task.deadline
    new_deadline = deadline or request.requested_deadline
    if grant and new_deadline <= previous:
        raise InvalidInput(
            _("Hạn mới phải sau hạn hiện tại %(deadline)s.") % {"deadline": f"{previous:%d/%m/%Y}"},
            code="extension_not_later",
        )
    request.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    request.decided_by = actor
    request.decided_at = moment
    request.decision_note = note.strip()[:TEXT_MAX_LENGTH]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if grant:
        task.deadline = new_deadline
        task.extension_count += 1
        _save(task, moment, "deadline", "extension_count")
    task_event(
        task=task,
        action=TaskAction.EXTENSION_GRANTED if grant else TaskAction.EXTENSION_REFUSED,
        actor=actor, at=moment, from_status=task.status, note=request.decision_note,
        from_deadline=previous, to_deadline=task.deadline,
    )  # fmt: skip
    return request


@transaction.atomic
def task_complete(
    *,
    actor: User,
    task: Task,
    evidence: str,
    attachment: File[Any] | None = None,
    at: datetime.datetime | None = None,
) -> Task:
    """The lead agency reports the task done, with its evidence; the day it is done (in Vietnam)
    decides on time or late."""
    moment = at or timezone.now()
    task = _begin(actor=actor, task=task, action="complete")
    evidence = _required_text(evidence, label=_("kết quả thực hiện"))
    from_status = task.status
    task.status = TaskStatus.DONE
    task.progress_percent = 100
    task.completed_on = _local_day(moment)
    _save(task, moment, "status", "progress_percent", "completed_on")
    # A pending request has no object once the task is done.
    task.extension_requests.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REFUSED, decided_at=moment,
        decision_note=_("Nhiệm vụ đã hoàn thành."),
    )  # fmt: skip
    task_event(
        task=task, action=TaskAction.COMPLETED, actor=actor, at=moment, from_status=from_status,
        note=evidence, progress_percent=100, attachment=attachment,
    )  # fmt: skip
    return task


@transaction.atomic
def task_cancel(
    *, actor: User, task: Task, reason: str, at: datetime.datetime | None = None
) -> Task:
    """The signer (or an administrator) withdraws the task."""
    moment = at or timezone.now()
    task = _begin(actor=actor, task=task, action="cancel")
    reason = _required_text(reason, label=_("lý do hủy"))
    from_status = task.status
    task.status = TaskStatus.CANCELLED
    _save(task, moment, "status")
    task.extension_requests.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REFUSED, decided_by=actor, decided_at=moment,
        decision_note=reason,
    )  # fmt: skip
    task_event(
        task=task, action=TaskAction.CANCELLED, actor=actor, at=moment, from_status=from_status,
        note=reason,
    )  # fmt: skip
    return task

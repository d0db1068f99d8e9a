"""Interchange with the document system (iOffice): directives and tasks in, task status out.

One row per task, keyed by the document system's identifiers (`directive_id`, `task_id`), in CSV
(a header row, UTF-8) or JSON (a list of objects with the same keys). The directive's columns repeat
on each of its tasks' rows and must agree.

Import (`directives_import`): every row is checked first and every error is reported with its row
number (CSV: the spreadsheet's line, the header being line 1; JSON: the object's position from 1).
With any error nothing is written, even with `commit`; without `commit` nothing is written either
(a dry run reports what would happen). Running the same file twice changes nothing the second
time: known directives and tasks are matched by their identifiers; a known task takes the changed
content, field, priority, recurrence, end of recurrence and coordinating agencies, but never a
changed deadline (that moves only by an extension the signer decides, so the row is refused; the
deadline the task has now, after an extension, is accepted as well as the one assigned).

Recurrence: `recurrence` ("", monthly, quarterly) and `recurs_until` (the last day an occurrence
may be due, empty for no end) on the row of a series' first task; the occurrences
`directives/recurrence.py` creates are exported as rows of their own with `series_task_id` (the
first task's `task_id`) and `occurrence` (2, 3, …), and the series' recurrence columns. The
document system does not create occurrences: an occurrence row must name one that exists (its
`task_id` as exported), and it cannot change the series' recurrence.

Identifiers: a directive or task made here (the form, the demo, an occurrence) has no identifier
of the document system; it is exported as `geoapp-<id>`, and such an identifier read back matches
that directive or task, so the export reads back as an import that changes nothing. A
`geoapp-<id>` that names nothing here is refused (the document system does not mint them).

Export (`task_status_rows`): the same columns, plus the task's status, standing, progress and
completion, so the document system can read it back by `task_id`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from directives import selectors, services
from directives.deadlines import standing
from directives.models import Directive, DirectiveKind, Task
from directives.services import TaskSpecification
from geoapp.exceptions import DomainError, InvalidInput

IMPORT_COLUMNS: Final = (
    "directive_id", "directive_number", "directive_date", "directive_kind", "signer", "subject",
    "task_id", "lead_agency", "coordinating_agencies", "content", "field", "deadline",
    "deadline_working_days", "priority", "recurrence", "recurs_until", "series_task_id",
    "occurrence",
)  # fmt: skip
STATUS_COLUMNS: Final = (
    "status", "standing", "progress_percent", "completed_on", "extension_count",
    "original_deadline",
)  # fmt: skip
EXPORT_COLUMNS: Final = (*IMPORT_COLUMNS, *STATUS_COLUMNS)
REQUIRED_COLUMNS: Final = ("directive_id", "directive_number", "directive_date", "directive_kind",
                           "signer", "subject", "task_id", "lead_agency", "content")  # fmt: skip


# The identifier a directive or task made here is exported with (it has none of the document
# system's): `geoapp-<primary key>`.
LOCAL_ID_PREFIX: Final = "geoapp-"
_LOCAL_ID = re.compile(r"^geoapp-([0-9]{1,18})$")


def directive_export_id(directive: Directive) -> str:
    return directive.external_id or f"{LOCAL_ID_PREFIX}{directive.pk}"


def task_export_id(task: Task) -> str:
    return task.external_id or f"{LOCAL_ID_PREFIX}{task.pk}"


def _local_ids(identifiers: Iterable[str]) -> dict[int, str]:
    """The primary keys named by `geoapp-<id>` identifiers, with the identifier."""
    found = {}
    for identifier in identifiers:
        match = _LOCAL_ID.match(identifier)
        if match:
            found[int(match.group(1))] = identifier
    return found


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Dòng %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportResult:
    committed: bool
    errors: list[RowError] = field(default_factory=list)
    directives_created: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_unchanged: int = 0


@dataclass
class _DirectivePlan:
    row: int
    external_id: str
    number: str
    issued_on: datetime.date
    kind: str
    signer_name: str
    subject: str
    existing: Directive | None
    new_tasks: list[TaskSpecification] = field(default_factory=list)
    task_rows: list[int] = field(default_factory=list)


def rows_read(content: str, *, file_format: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV or JSON document with their row numbers; InvalidInput when the document
    itself cannot be read."""
    if file_format == "csv":
        reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
        missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                _("Tệp thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)},
                code="missing_columns",
            )
        return [
            (number, {key: (value or "").strip() for key, value in row.items() if key})
            for number, row in enumerate(reader, start=2)
        ]
    if file_format == "json":
        try:
            document = json.loads(content)
        except json.JSONDecodeError as error:
            raise InvalidInput(
                _("Tệp JSON không đọc được: %(error)s.") % {"error": error}, code="invalid_json"
            ) from error
        if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
            raise InvalidInput(
                _("Tệp JSON phải là một danh sách các đối tượng."), code="invalid_json"
            )
        return [
            (number, {str(key): _text(value) for key, value in row.items()})
            for number, row in enumerate(document, start=1)
        ]
    raise InvalidInput(
        _("Định dạng “%(format)s” không hỗ trợ; dùng csv hoặc json.") % {"format": file_format},
        code="invalid_format",
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return str(value).strip()


def _date(value: str, *, label: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise InvalidInput(
        _("%(field)s “%(value)s” không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY).")
        % {"field": label, "value": value},
        code="invalid_date",
    )


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.replace(",", ";").split(";") if code.strip()]


def _specification(row: dict[str, str]) -> TaskSpecification:
    days_text = row.get("deadline_working_days", "")
    if days_text and not days_text.isdigit():
        raise InvalidInput(
            _("Số ngày làm việc “%(value)s” không phải số nguyên dương.") % {"value": days_text},
            code="deadline_invalid",
        )
    return TaskSpecification(
        external_id=row["task_id"],
        lead_agency_code=row["lead_agency"],
        coordinating_agency_codes=tuple(_codes(row.get("coordinating_agencies", ""))),
        content=row["content"],
        field=row.get("field", ""),
        deadline=_date(row["deadline"], label=_("Hạn")) if row.get("deadline") else None,
        deadline_working_days=int(days_text) if days_text else None,
        priority=row.get("priority") or "normal",
        recurrence=row.get("recurrence", ""),
        recurs_until=(
            _date(row["recurs_until"], label=_("Ngày kết thúc định kỳ"))
            if row.get("recurs_until")
            else None
        ),
    )


def _occurrence_number(row: dict[str, str]) -> int | None:
    """The occurrence a row names (2, 3, … with `series_task_id`), or None for a task that is not
    an occurrence (empty, or 1 without `series_task_id`: a series' first task)."""
    text = row.get("occurrence", "")
    series_task_id = row.get("series_task_id", "")
    if text and not text.isdigit():
        raise InvalidInput(
            _("Kỳ “%(value)s” không phải số nguyên dương.") % {"value": text},
            code="occurrence_invalid",
        )
    number = int(text) if text else None
    if series_task_id and (number is None or number < 2):
        raise InvalidInput(
            _("Dòng có series_task_id phải ghi kỳ từ 2 trở lên."), code="occurrence_invalid"
        )
    if number is not None and number >= 2 and not series_task_id:
        raise InvalidInput(
            _("Kỳ %(number)s phải ghi series_task_id (mã nhiệm vụ kỳ đầu).") % {"number": number},
            code="occurrence_invalid",
        )
    return number if series_task_id else None


def directives_import(rows: Sequence[tuple[int, dict[str, str]]], *, commit: bool) -> ImportResult:
    """Check every row, then (with `commit` and no error) write them all in one transaction."""
    result = ImportResult(committed=False)
    plans: dict[str, _DirectivePlan] = {}
    updates: list[tuple[int, Task, TaskSpecification]] = []
    seen_tasks: dict[str, int] = {}
    task_ids = [row.get("task_id", "") for _number, row in rows]
    directive_ids = [row.get("directive_id", "") for _number, row in rows]
    local_tasks = _local_ids(task_ids)
    local_directives = _local_ids(directive_ids)
    known_tasks: dict[str | None, Task] = {
        task_export_id(task): task
        for task in Task.objects.filter(
            Q(external_id__in=task_ids) | Q(pk__in=list(local_tasks), external_id__isnull=True)
        ).select_related("directive", "series")
    }
    known_directives: dict[str | None, Directive] = {
        directive_export_id(directive): directive
        for directive in Directive.objects.filter(
            Q(external_id__in=directive_ids)
            | Q(pk__in=list(local_directives), external_id__isnull=True)
        )
    }
    series_rows = _series_recurrences(rows)
    for number, row in rows:
        try:
            _row_plan(
                number, row, plans, updates, seen_tasks, known_tasks, known_directives, series_rows
            )
        except DomainError as error:
            result.errors.append(RowError(number, error.message))
    _tasks_check(plans, result)
    if result.errors:
        result.errors.sort(key=lambda error: error.row)
        return result
    result.directives_created = sum(1 for plan in plans.values() if plan.existing is None)
    result.tasks_created = sum(len(plan.new_tasks) for plan in plans.values())
    if not commit:
        result.tasks_updated = sum(
            1 for _number, task, spec in updates if _would_change(task, spec)
        )
        result.tasks_unchanged = len(updates) - result.tasks_updated
        return result
    with transaction.atomic():
        moment = timezone.now()
        for plan in plans.values():
            if plan.existing is None:
                services.directive_create(
                    external_id=plan.external_id, number=plan.number, issued_on=plan.issued_on,
                    kind=plan.kind, signer_name=plan.signer_name, subject=plan.subject,
                    tasks=plan.new_tasks, at=moment,
                )  # fmt: skip
            elif plan.new_tasks:
                services.directive_tasks_add(
                    directive=plan.existing, tasks=plan.new_tasks, at=moment
                )
        for _number, task, spec in updates:
            changed = services.task_update_from_document_system(
                task=task, content=spec.content, field=spec.field, priority=spec.priority,
                recurrence=spec.recurrence, recurs_until=spec.recurs_until,
                coordinating_agency_codes=spec.coordinating_agency_codes, at=moment,
            )  # fmt: skip
            if changed:
                result.tasks_updated += 1
            else:
                result.tasks_unchanged += 1
    result.committed = True
    return result


def _row_plan(
    number: int,
    row: dict[str, str],
    plans: dict[str, _DirectivePlan],
    updates: list[tuple[int, Task, TaskSpecification]],
    seen_tasks: dict[str, int],
    known_tasks: dict[str | None, Task],
    known_directives: dict[str | None, Directive],
    series_rows: dict[str, tuple[str, datetime.date | None]],
) -> None:
    missing = [name for name in REQUIRED_COLUMNS if not row.get(name)]
    if missing:
        raise InvalidInput(_("thiếu %(columns)s.") % {"columns": ", ".join(missing)})
    task_id = row["task_id"]
    if task_id in seen_tasks:
        raise InvalidInput(
            _("nhiệm vụ %(task)s trùng với dòng %(row)s.")
            % {"task": task_id, "row": seen_tasks[task_id]},
            code="duplicate_row",
        )
    seen_tasks[task_id] = number
    directive_id = row["directive_id"]
    issued_on = _date(row["directive_date"], label=_("Ngày văn bản"))
    if row["directive_kind"] not in DirectiveKind.values:
        raise InvalidInput(
            _("Loại văn bản “%(kind)s” không hợp lệ.") % {"kind": row["directive_kind"]},
            code="invalid_kind",
        )
    plan = plans.get(directive_id)
    if plan is None:
        existing = known_directives.get(directive_id)
        if existing is None and _LOCAL_ID.match(directive_id):
            raise InvalidInput(
                _("không có văn bản %(directive)s trên hệ thống này.")
                % {"directive": directive_id},
                code="unknown_local_id",
            )
        plan = plans[directive_id] = _DirectivePlan(
            row=number, external_id=directive_id, number=row["directive_number"],
            issued_on=existing.issued_on if existing else issued_on, kind=row["directive_kind"],
            signer_name=row["signer"], subject=row["subject"], existing=existing,
        )  # fmt: skip
    elif (plan.number, plan.issued_on, plan.kind) != (
        row["directive_number"],
        issued_on,
        row["directive_kind"],
    ):
        raise InvalidInput(
            _("văn bản %(directive)s có số, ngày hoặc loại khác với dòng %(row)s.")
            % {"directive": directive_id, "row": plan.row},
            code="directive_mismatch",
        )
    spec = _specification(row)
    occurrence = _occurrence_number(row)
    task = known_tasks.get(task_id)
    if task is None:
        if occurrence is not None:
            raise InvalidInput(
                _("không có kỳ %(number)s (%(task)s) của nhiệm vụ định kỳ %(series)s; các kỳ do "
                  "hệ thống này tạo, hệ thống văn bản chỉ giao kỳ đầu.")
                % {"number": occurrence, "task": task_id, "series": row["series_task_id"]},
                code="unknown_occurrence",
            )  # fmt: skip
        if _LOCAL_ID.match(task_id):
            raise InvalidInput(
                _("không có nhiệm vụ %(task)s trên hệ thống này.") % {"task": task_id},
                code="unknown_local_id",
            )
        if spec.deadline is not None and spec.deadline_working_days is not None:
            # The export writes both for a task given in working days: they must agree.
            computed = services.task_deadline(
                issued_on=plan.issued_on, deadline=None,
                deadline_working_days=spec.deadline_working_days,
            )  # fmt: skip
            if computed != spec.deadline:
                raise InvalidInput(
                    _("hạn %(deadline)s khác %(days)s ngày làm việc kể từ ngày văn bản "
                      "(%(computed)s).")
                    % {"deadline": f"{spec.deadline:%d/%m/%Y}",
                       "days": spec.deadline_working_days, "computed": f"{computed:%d/%m/%Y}"},
                    code="deadline_mismatch",
                )  # fmt: skip
            spec = dataclasses.replace(spec, deadline=None)
        services.task_deadline(
            issued_on=plan.issued_on,
            deadline=spec.deadline,
            deadline_working_days=spec.deadline_working_days,
        )
        plan.new_tasks.append(spec)
        plan.task_rows.append(number)
        return
    if directive_export_id(task.directive) != directive_id:
        raise InvalidInput(
            _("nhiệm vụ %(task)s đã thuộc văn bản khác (%(directive)s).")
            % {"task": task_id, "directive": directive_export_id(task.directive)},
            code="task_of_another_directive",
        )
    _known_deadline_check(task_id, task, spec, plan.issued_on)
    if task.series is not None or occurrence is not None:
        _occurrence_check(
            task_id, task, spec, occurrence, row.get("series_task_id", ""), series_rows
        )
        spec = _as_occurrence(task, spec)
    else:
        services.task_recurrence_check(
            task=task, recurrence=spec.recurrence, recurs_until=spec.recurs_until
        )
    updates.append((number, task, spec))


def _series_recurrences(
    rows: Sequence[tuple[int, dict[str, str]]],
) -> dict[str, tuple[str, datetime.date | None]]:
    """The recurrence and end the file gives each task that is not an occurrence, by `task_id`
    (a row whose end is not a date is left out: its own row reports it)."""
    found = {}
    for _number, row in rows:
        if row.get("series_task_id") or not row.get("task_id"):
            continue
        try:
            until = _date(row["recurs_until"], label="") if row.get("recurs_until") else None
        except InvalidInput:
            continue
        found[row["task_id"]] = (row.get("recurrence", ""), until)
    return found


def _as_occurrence(task: Task, spec: TaskSpecification) -> TaskSpecification:
    # An occurrence keeps the series' recurrence (the row's was checked equal to it).
    return dataclasses.replace(spec, recurrence=task.recurrence, recurs_until=task.recurs_until)


def _known_deadline_check(
    task_id: str, task: Task, spec: TaskSpecification, issued_on: datetime.date
) -> None:
    """A known task's row gives the deadline assigned, or the one it has now (after an
    extension, as exported); another one is refused."""
    if spec.deadline is not None:
        agrees = spec.deadline in (task.original_deadline, task.deadline)
    elif task.series is not None:
        # An occurrence's working days count from its own period: the row must give its date.
        agrees = False
    else:
        agrees = task.original_deadline == services.task_deadline(
            issued_on=issued_on, deadline=None, deadline_working_days=spec.deadline_working_days
        )
    if not agrees:
        raise InvalidInput(
            _("hạn của nhiệm vụ %(task)s khác hạn đã giao; hạn chỉ đổi bằng gia hạn.")
            % {"task": task_id},
            code="deadline_changed",
        )


def _occurrence_check(
    task_id: str,
    task: Task,
    spec: TaskSpecification,
    occurrence: int | None,
    series_task_id: str,
    series_rows: dict[str, tuple[str, datetime.date | None]],
) -> None:
    """An occurrence's row names its series and number as exported, and the series' recurrence:
    the one it has, or the one the first task's row in the same file gives it (only that row may
    change it)."""
    series = task.series
    if series is None or occurrence != task.occurrence or series_task_id != task_export_id(series):
        raise InvalidInput(
            _("nhiệm vụ %(task)s không phải kỳ %(number)s của nhiệm vụ định kỳ %(series)s.")
            % {"task": task_id, "number": occurrence or 1, "series": series_task_id or "—"},
            code="occurrence_mismatch",
        )
    given = (spec.recurrence, spec.recurs_until)
    if given != (series.recurrence, series.recurs_until) and given != series_rows.get(
        series_task_id
    ):
        raise InvalidInput(
            _("định kỳ của nhiệm vụ %(task)s chỉ đổi ở dòng của kỳ đầu (%(series)s).")
            % {"task": task_id, "series": series_task_id},
            code="occurrence_recurrence",
        )


def _tasks_check(plans: dict[str, _DirectivePlan], result: ImportResult) -> None:
    # Agencies, choices and texts of new tasks, checked one task at a time so that each error
    # names its row; nothing is written.
    for plan in plans.values():
        directive = plan.existing or Directive(
            issued_on=plan.issued_on, number=plan.number, created_at=timezone.now()
        )
        for number, spec in zip(plan.task_rows, plan.new_tasks, strict=True):
            try:
                services.directive_tasks_check(directive=directive, tasks=[spec])
            except DomainError as error:
                result.errors.append(RowError(number, error.message))


def _would_change(task: Task, spec: TaskSpecification) -> bool:
    return (task.content, task.field, task.priority, task.recurrence, task.recurs_until) != (
        spec.content.strip(),
        spec.field.strip()[:100],
        spec.priority,
        spec.recurrence,
        spec.recurs_until,
    ) or set(task.coordinating_agencies.values_list("code", flat=True)) != set(
        spec.coordinating_agency_codes
    )


def task_status_rows(*, scope: selectors.TaskScope) -> Iterator[dict[str, str]]:
    """Every visible task in the export shape (strings, dates as YYYY-MM-DD)."""
    today = selectors.today_of()
    for task in (
        selectors.tasks_visible(scope=scope)
        .select_related("directive", "lead_agency", "series")
        .prefetch_related("coordinating_agencies")
        .order_by("directive__issued_on", "directive_id", "id")
        .iterator(chunk_size=2000)
    ):
        yield _status_row(task, today)


def _status_row(task: Task, today: selectors.Today) -> dict[str, str]:
    directive = task.directive
    # An occurrence shows its series' recurrence: the first task's row is where it changes.
    series = task.series or task
    return {
        "directive_id": directive_export_id(directive),
        "directive_number": directive.number,
        "directive_date": directive.issued_on.isoformat(),
        "directive_kind": directive.kind,
        "signer": directive.signer_name,
        "subject": directive.subject,
        "task_id": task_export_id(task),
        "lead_agency": task.lead_agency.code,
        "coordinating_agencies": ";".join(
            sorted(agency.code for agency in task.coordinating_agencies.all())
        ),
        "content": task.content,
        "field": task.field,
        "deadline": task.deadline.isoformat(),
        "deadline_working_days": (
            str(task.deadline_working_days)
            if task.deadline_working_days is not None and task.series is None
            else ""
        ),
        "priority": task.priority,
        "recurrence": series.recurrence,
        "recurs_until": series.recurs_until.isoformat() if series.recurs_until else "",
        "series_task_id": task_export_id(task.series) if task.series else "",
        "occurrence": str(task.occurrence) if series.recurrence or task.series else "",
        "status": task.status,
        "standing": standing(
            status=task.status,
            deadline=task.deadline,
            completed_on=task.completed_on,
            today=today.day,
            due_soon_until=today.due_soon_until,
        ).value,  # fmt: skip
        "progress_percent": str(task.progress_percent),
        "completed_on": task.completed_on.isoformat() if task.completed_on else "",
        "extension_count": str(task.extension_count),
        "original_deadline": task.original_deadline.isoformat(),
    }


def rows_write(
    rows: Iterable[dict[str, str]], *, file_format: str, stream: TextIO | io.TextIOBase
) -> int:
    """Write rows as CSV or JSON; the number written."""
    count = 0
    if file_format == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    materialised = list(rows)
    json.dump(materialised, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
    return len(materialised)

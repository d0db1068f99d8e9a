"""`procedures_import_dossiers`: dossiers from an external one-stop system, CSV or JSON.

All or nothing and idempotent: every row is checked, then all are written in one transaction
that a dry run (or any error) rolls back. A row is an upsert by `external_code`. A new dossier is
received through `services.dossier_receive`, so its code, routing and appointment are exactly the
desk's; its history (pauses, status, finish) is then applied with the rules of the life-cycle
services (a pause pushes the appointment by the working time paused, the outcome compares Vietnam
dates). A stored dossier whose history equals the row's is left alone, so the same file imported
twice changes nothing; the receipt itself (procedure, unit, moment, channel, place) is fixed at
receipt, as on the desk, and a row that would change it is an error.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError, InvalidInput
from geoapp.file_imports import DryRun, ImportRejected, ImportReport
from geoapp.selectors import working_calendar
from geoapp.working_calendar import WorkingCalendar
from procedures import services, workflow
from procedures.models import (
    Dossier,
    DossierChannel,
    DossierEvent,
    DossierPause,
    DossierStatus,
    PauseKind,
    Procedure,
)

COLUMNS: Final = (
    "external_code", "procedure_code", "receiving_unit", "received_at", "channel", "status",
    "finished_at", "pauses", "applicant_name", "applicant_id_number", "applicant_phone", "lat",
    "lon", "address",
)  # fmt: skip
REQUIRED: Final = ("external_code", "procedure_code", "receiving_unit", "received_at", "channel",
                   "status")  # fmt: skip
# A dossier enters the import already received: "submitted online" has no code yet.
IMPORT_STATUSES: Final = tuple(
    s for s in DossierStatus.values if s != DossierStatus.SUBMITTED_ONLINE
)
# Lengths of the stored text columns (models.Dossier), checked so a long cell is a row error.
_LENGTHS: Final = {"external_code": 100, "applicant_name": 200, "applicant_id_number": 20,
                   "applicant_phone": 30, "address": 300}  # fmt: skip
IMPORT_ACTION: Final = "import"


@dataclass
class DossierImportReport(ImportReport):
    codes: dict[str, str] = field(default_factory=dict)  # external code -> dossier code


@dataclass(frozen=True)
class Row:
    """One row, parsed and checked against everything but the database."""

    number: int
    external_code: str
    procedure_code: str
    unit_code: str
    received_at: datetime.datetime
    channel: str
    status: str
    finished_at: datetime.datetime | None
    pauses: tuple[tuple[datetime.datetime, datetime.datetime | None], ...]
    applicant: dict[str, str]
    location: Point | None


def dossiers_import(*, path: Path, commit: bool) -> DossierImportReport:
    records = _records(path)
    errors: list[tuple[int, str]] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for number, record in records:
        try:
            row = _parse(number, record)
        except InvalidInput as invalid:
            errors.append((number, invalid.message))
            continue
        if row.external_code in seen:
            errors.append(
                (
                    number,
                    _("trùng external_code “%(code)s” với dòng %(first)d.")
                    % {"code": row.external_code, "first": seen[row.external_code]},
                )
            )
            continue  # fmt: skip
        seen[row.external_code] = number
        rows.append(row)
    report = DossierImportReport()
    calendar = working_calendar()
    try:
        with transaction.atomic():
            for row in rows:
                # A savepoint per row: a refused row leaves no half-written dossier behind while
                # the others are still checked, so one run lists every error of the file.
                try:
                    with transaction.atomic():
                        _upsert(row, report, calendar)
                except DomainError as problem:
                    errors.append((row.number, problem.message))
            if errors:
                raise ImportRejected(errors)
            if not commit:
                raise DryRun
    except DryRun:
        return report
    report.committed = True
    return report


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows numbered as a person sees them: CSV lines (the header is line 1), or the
    position (from 1) in a JSON list."""
    if not path.exists():
        raise InvalidInput(_("Không tìm thấy tệp %(path)s.") % {"path": path}, code="missing_file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("Tệp %(path)s không phải văn bản UTF-8.") % {"path": path.name},
            code="invalid_encoding",
        ) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidInput(
                _("Tệp JSON không hợp lệ (dòng %(line)d): %(reason)s.")
                % {"line": error.lineno, "reason": error.msg},
                code="invalid_json",
            ) from None
        if isinstance(data, dict):
            data = data.get("dossiers")
        if not isinstance(data, list):
            raise InvalidInput(
                _('Tệp JSON phải là một danh sách hồ sơ (hoặc {"dossiers": [...]}).'),
                code="invalid_json",
            )
        return list(enumerate(data, start=1))
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        raise InvalidInput(_("Tệp %(path)s trống.") % {"path": path.name}, code="empty_file")
    header = [cell.strip() for cell in lines[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InvalidInput(
            _("Tệp thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    records = []
    for number, line in enumerate(lines[1:], start=2):
        if any(cell.strip() for cell in line):
            padded = line + [""] * (len(header) - len(line))
            records.append((number, dict(zip(header, padded, strict=False))))
    return records


def _moment(text: str, *, column: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("cột %(column)s: “%(text)s” không phải thời điểm ISO 8601.")
            % {"column": column, "text": text}
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(
            _("cột %(column)s: “%(text)s” thiếu múi giờ (ví dụ +07:00).")
            % {"column": column, "text": text}
        )
    return moment


def _parse(number: int, record: Any) -> Row:
    if not isinstance(record, dict):
        raise InvalidInput(_("mỗi hồ sơ phải là một đối tượng JSON."))
    cells = {column: record.get(column) for column in COLUMNS}
    for column, value in cells.items():
        if value is not None and not isinstance(value, str | int | float):
            raise InvalidInput(_("cột %(column)s phải là văn bản.") % {"column": column})
    text = {column: "" if value is None else str(value).strip() for column, value in cells.items()}
    for column in REQUIRED:
        if not text[column]:
            raise InvalidInput(_("thiếu %(column)s.") % {"column": column})
    for column, length in _LENGTHS.items():
        if len(text[column]) > length:
            raise InvalidInput(_("cột %(column)s dài quá %(length)d ký tự.")
                               % {"column": column, "length": length})  # fmt: skip
    if text["channel"] not in DossierChannel.values:
        raise InvalidInput(_("kênh “%(value)s” không hợp lệ (online, counter, post).")
                           % {"value": text["channel"]})  # fmt: skip
    status = text["status"]
    if status not in IMPORT_STATUSES:
        raise InvalidInput(_("trạng thái “%(value)s” không hợp lệ.") % {"value": status})
    received_at = _moment(text["received_at"], column="received_at")
    finished_at = (
        _moment(text["finished_at"], column="finished_at") if text["finished_at"] else None
    )
    if status in workflow.FINISHED and finished_at is None:
        raise InvalidInput(_("hồ sơ “%(status)s” cần finished_at.") % {"status": status})
    if status in workflow.IN_PROGRESS and finished_at is not None:
        raise InvalidInput(_("hồ sơ đang xử lý phải để trống finished_at."))
    if finished_at is not None and finished_at < received_at:
        raise InvalidInput(_("finished_at trước received_at."))
    pauses = _pauses(text["pauses"], received_at=received_at, finished_at=finished_at,
                     status=status)  # fmt: skip
    location = None
    if text["lat"] or text["lon"]:
        try:
            lat, lon = float(text["lat"]), float(text["lon"])
        except ValueError:
            raise InvalidInput(_("lat và lon phải cùng có và là số.")) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput(_("lat, lon ngoài phạm vi."))
        location = Point(lon, lat, srid=4326)
    return Row(
        number=number, external_code=text["external_code"],
        procedure_code=text["procedure_code"], unit_code=text["receiving_unit"],
        received_at=received_at, channel=text["channel"], status=status,
        finished_at=finished_at, pauses=pauses,
        applicant={"name": text["applicant_name"], "id_number": text["applicant_id_number"],
                   "phone": text["applicant_phone"], "address": text["address"]},
        location=location,
    )  # fmt: skip


def _pauses(
    text: str, *, received_at: datetime.datetime, finished_at: datetime.datetime | None,
    status: str,
) -> tuple[tuple[datetime.datetime, datetime.datetime | None], ...]:  # fmt: skip
    pauses: list[tuple[datetime.datetime, datetime.datetime | None]] = []
    parts = [part.strip() for part in text.split(";") if part.strip()]
    for index, part in enumerate(parts):
        start_text, slash, end_text = part.partition("/")
        if not slash:
            raise InvalidInput(_("pauses: “%(part)s” phải có dạng bắt đầu/kết thúc.")
                               % {"part": part})  # fmt: skip
        start = _moment(start_text.strip(), column="pauses")
        end = _moment(end_text.strip(), column="pauses") if end_text.strip() else None
        if end is None and not (index == len(parts) - 1 and status in workflow.PAUSED):
            raise InvalidInput(_("pauses: chỉ lần tạm dừng cuối của hồ sơ đang tạm dừng được "
                                 "để trống thời điểm kết thúc."))  # fmt: skip
        if end is not None and end < start:
            raise InvalidInput(_("pauses: lần tạm dừng kết thúc trước khi bắt đầu."))
        if start < received_at or (pauses and start < (pauses[-1][1] or start)):
            raise InvalidInput(_("pauses: các lần tạm dừng phải sau received_at, theo thứ tự "
                                 "và không chồng nhau."))  # fmt: skip
        if finished_at is not None and (end or start) > finished_at:
            raise InvalidInput(_("pauses: lần tạm dừng kết thúc sau finished_at."))
        pauses.append((start, end))
    return tuple(pauses)


def _upsert(row: Row, report: DossierImportReport, calendar: WorkingCalendar) -> None:
    stored = Dossier.objects.select_for_update().filter(external_code=row.external_code).first()
    if stored is None:
        dossier = services.dossier_receive(
            procedure_code=row.procedure_code, unit_code=row.unit_code,
            received_at=row.received_at, channel=row.channel, applicant=row.applicant,
            location=row.location, external_code=row.external_code, calendar=calendar,
        )  # fmt: skip
        _apply_history(dossier, row, calendar)
        report.created += 1
        report.codes[row.external_code] = dossier.code
        return
    _check_same_receipt(stored, row)
    report.codes[row.external_code] = stored.code
    if _same_history(stored, row):
        report.unchanged += 1
        return
    if stored.events.exclude(action__in=["receive", IMPORT_ACTION]).exists():
        raise InvalidInput(_("hồ sơ %(code)s đã được xử lý tại đây sau khi nhập; không ghi đè "
                             "lịch sử của nó.") % {"code": stored.code})  # fmt: skip
    _undo_history(stored)
    _apply_history(stored, row, calendar)
    report.updated += 1


def _check_same_receipt(stored: Dossier, row: Row) -> None:
    procedure = Procedure.objects.filter(pk=stored.procedure_id).values_list("code", flat=True)
    same = (
        procedure.first() == row.procedure_code
        and stored.receiving_unit.code == row.unit_code
        and stored.received_at == row.received_at
        and stored.channel == row.channel
        and _same_point(stored.location, row.location)
    )
    if not same:
        raise InvalidInput(
            _("hồ sơ %(code)s đã nhập với thủ tục, đơn vị, thời điểm, kênh hoặc vị trí khác; "
              "phần tiếp nhận không sửa được.") % {"code": stored.code}
        )  # fmt: skip


def _same_point(a: Point | None, b: Point | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a.x - b.x) < 1e-9 and abs(a.y - b.y) < 1e-9


def _same_history(stored: Dossier, row: Row) -> bool:
    pauses = tuple(stored.pauses.order_by("started_at").values_list("started_at", "ended_at"))
    return (
        stored.status == row.status
        and stored.finished_at == row.finished_at
        and pauses == row.pauses
        and stored.applicant_name == row.applicant["name"]
        and stored.applicant_id_number == row.applicant["id_number"]
        and stored.applicant_phone == row.applicant["phone"]
        and stored.applicant_address == row.applicant["address"]
    )


def _undo_history(dossier: Dossier) -> None:
    """Take back what a previous import applied: its finish from the tally, its pauses."""
    if dossier.status in workflow.FINISHED and dossier.finished_at is not None:
        services.finish_untally(dossier)
    dossier.pauses.all().delete()
    dossier.appointment_at = dossier.original_appointment_at
    dossier.paused_since = None
    dossier.finished_at = None
    dossier.outcome = ""
    dossier.working_days = None


def _apply_history(dossier: Dossier, row: Row, calendar: WorkingCalendar) -> None:
    """Pauses, status and finish as the life-cycle services would have left them."""
    procedure = dossier.procedure
    open_kind = PauseKind.PAYMENT if row.status == DossierStatus.PAYMENT_REQUESTED else (
        PauseKind.SUPPLEMENT)  # fmt: skip
    for start, end in row.pauses:
        kind = open_kind if end is None else PauseKind.SUPPLEMENT
        counts = (procedure.payment_pauses_clock if kind == PauseKind.PAYMENT
                  else procedure.supplement_pauses_clock)  # fmt: skip
        if not counts:
            continue
        DossierPause.objects.create(dossier=dossier, kind=kind, started_at=start, ended_at=end)
        if end is None:
            dossier.paused_since = start
        else:
            paused = calendar.working_time_between(start, end)
            dossier.appointment_at = calendar.add_working_time(dossier.appointment_at, paused)
    previous = dossier.status
    dossier.status = row.status
    if row.finished_at is not None:
        if row.status in workflow.FINISHED:
            services.finish_tally(dossier, row.finished_at, calendar)
        else:
            dossier.finished_at = row.finished_at
    dossier.applicant_name = row.applicant["name"]
    dossier.applicant_id_number = row.applicant["id_number"]
    dossier.applicant_phone = row.applicant["phone"]
    dossier.applicant_address = row.applicant["address"]
    dossier.save()
    if previous != row.status:
        DossierEvent.objects.create(
            dossier=dossier, at=row.finished_at or row.received_at, action=IMPORT_ACTION,
            from_status=previous, to_status=row.status, unit_id=dossier.current_unit_id,
        )  # fmt: skip

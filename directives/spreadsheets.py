"""XLSX exports of the boards' lists (openpyxl, write-only: rows stream to the file instead of
living in memory, so an export of 100,000 tasks stays small in memory)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from directives.deadlines import Standing
from directives.models import TaskStatus


def task_columns() -> list[tuple[str, str]]:
    return [
        ("directive__number", _("Số văn bản")),
        ("directive__issued_on", _("Ngày văn bản")),
        ("external_id", _("Mã nhiệm vụ")),
        ("content", _("Nội dung")),
        ("lead_agency__name", _("Đơn vị chủ trì")),
        ("field", _("Lĩnh vực")),
        ("deadline", _("Hạn")),
        ("original_deadline", _("Hạn ban đầu")),
        ("status", _("Trạng thái")),
        ("standing", _("Tình trạng")),
        ("progress_percent", _("Tiến độ (%)")),
        ("completed_on", _("Ngày hoàn thành")),
        ("extension_count", _("Số lần gia hạn")),
    ]


def _cell(key: str, value: Any) -> Any:
    if key == "status":
        return str(TaskStatus(value).label)
    if key == "standing":
        return str(Standing(value).label)
    if isinstance(value, datetime.date):
        return value
    return "" if value is None else value


def tasks_workbook(rows: Iterable[dict[str, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Nhiệm vụ"))
    columns = task_columns()
    sheet.append([str(label) for _key, label in columns])
    for row in rows:
        sheet.append([_cell(key, row.get(key)) for key, _label in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

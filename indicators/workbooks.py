"""The XLSX entry template: the import's header, one row per commune of the period, ready to
fill and give back to `indicators_import_values`."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from indicators.models import Indicator, IndicatorKind, IndicatorValue
from indicators.periods import Period
from indicators.services.value_import import VALUE_COLUMNS
from wards.models import Area


def entry_template_xlsx(
    *, indicator: Indicator, period: Period, areas: list[Area], stored: dict[int, IndicatorValue]
) -> bytes:
    """The workbook: sheet 1 the rows the import reads (stored figures filled in, so a corrected
    file re-imports idempotently), sheet 2 a note on how to fill it. Area names are on sheet 1
    after the import's columns, which the import ignores."""
    from openpyxl import Workbook  # only templates and XLSX imports pay for loading openpyxl

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "values"
    sheet.append([*VALUE_COLUMNS, "area_name"])
    for area in areas:
        value = stored.get(area.pk)
        sheet.append(
            [
                indicator.code,
                area.code,
                period.text,
                None if value is None or indicator.kind == IndicatorKind.RATIO else value.value,
                None if value is None else value.numerator,
                None if value is None else value.denominator,
                "" if value is None else value.comment,
                area.name,
            ]
        )
    sheet.column_dimensions["H"].width = 30
    notes = workbook.create_sheet("notes")
    notes.append([indicator.name_vi, indicator.name_en, indicator.unit])
    if indicator.kind == IndicatorKind.RATIO:
        notes.append([_("Chỉ tiêu tỷ lệ: điền tử số và mẫu số; để trống cột value.")])
    else:
        notes.append([_("Điền cột value; để trống numerator và denominator.")])
    notes.append([_("Nhập tệp: python manage.py indicators_import_values TỆP --commit")])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

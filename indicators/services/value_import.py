"""`indicators_import_values`: values from a CSV or XLSX file, all or nothing, by row.

Set-based, so that a national file is imported in seconds (100,000 values, docs/benchmarks.md):
the file is read into rows of text in Python, copied into a temporary table (COPY), checked by a
few statements over all its rows (indicators/services/value_import_sql.py), and written with one
INSERT … ON CONFLICT … DO UPDATE that also writes the audit event of every value created or
changed. Python only parses the file, reads the few distinct periods and words the messages of
the refused rows.

Each row is refused for the first check it fails, in this order: the indicator (unknown, or
computed), the period (invalid, or of another type than the indicator's), the area (unknown
code, no area of that code in the period, not a commune), the number cells (numerator,
denominator, value), the value's checks (value_checked), a duplicate of an earlier row, the
indicator's validation rules, and last a change to an approved (locked) value. Every refused row
is listed, in row order; nothing is written when one is.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from geoapp.file_imports import DryRun, ImportReport, RowErrors
from indicators.imports import decimal_or_none, not_a_number_message
from indicators.models import Indicator, ValidationRule
from indicators.periods import Period, period_before, period_parse
from indicators.services import value_import_sql as sql
from indicators.services.validation import rules_checked
from indicators.services.values import period_checked, value_checked
from indicators.table_files import table_cells

VALUE_COLUMNS = ("indicator", "area_code", "period", "value", "numerator", "denominator", "comment")


def values_import(*, path: Path, commit: bool) -> ImportReport:
    """Create or update the values of a file. Idempotent: a row equal to the stored value
    changes nothing; a row for an approved (locked) value is an error. Imported values wait for
    review (submitted)."""
    rows = table_cells(path=path, columns=VALUE_COLUMNS)
    periods, period_errors = _periods(texts={str(row[3]) for row in rows})
    indicators = Indicator.objects.in_bulk({str(row[1]) for row in rows}, field_name="code")
    ruled = sorted(
        set(
            ValidationRule.objects.filter(
                indicator__in=indicators.values(), is_active=True
            ).values_list("indicator_id", flat=True)
        )
    )
    report = ImportReport()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The statements over the whole file would be compiled by JIT (their estimates are
            # in the hundred thousands), which costs more than running them.
            cursor.execute("SET LOCAL jit = off")
            # The duplicates are found by sorting the whole file: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(sql.CREATE_ROWS)
            with cursor.copy(sql.COPY_ROWS) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("ANALYZE value_import_row")
            cursor.execute(
                sql.CREATE_CHECKED,
                {
                    "period_texts": [period.text for period in periods.values()],
                    "period_types": [str(period.period_type) for period in periods.values()],
                    "period_starts": [period.start for period in periods.values()],
                    "period_ends": [period.end for period in periods.values()],
                    "period_befores": [period_before(period).text for period in periods.values()],
                },
            )
            # A table made by CREATE … AS has no statistics: without them the rules' self-join
            # was planned as a nested loop over the file twice (26 s for 10,000 rows).
            cursor.execute("ANALYZE value_import_checked")
            if ruled:
                cursor.execute(sql.MARK_BROKEN_RULES, {"ruled": ruled})
            cursor.execute(sql.CREATE_STORED)
            cursor.execute(sql.ERRORS)
            errors = RowErrors()
            refused_rows = cursor.fetchall()
            rules = ValidationRule.objects.in_bulk({row[9] for row in refused_rows if row[9]})
            for refused in refused_rows:
                errors.add(refused[0], _message(refused, indicators, rules, periods, period_errors))
            errors.raise_if_any()
            cursor.execute(sql.WRITE, {"now": timezone.now()})
            report.created, report.updated, report.unchanged = cursor.fetchone()
            cursor.execute(sql.DROP)
            if not commit:
                raise DryRun
    except DryRun:
        return report
    report.committed = True
    return report


def _periods(*, texts: set[str]) -> tuple[dict[str, Period], dict[str, str]]:
    """The file's distinct periods parsed, and the message of each one that is not a period."""
    periods: dict[str, Period] = {}
    errors: dict[str, str] = {}
    for text in texts:
        try:
            periods[text] = period_parse(text)
        except InvalidInput as invalid:
            errors[text] = invalid.message
    return periods, errors


# One refused row as the ERRORS statement gives it.
_Refused = tuple[
    int, str, str, str, str, str, str, str, int | None, int | None, Decimal | None, str | None
]


def _message(
    refused: _Refused,
    indicators: dict[str, Indicator],
    rules: dict[int, ValidationRule],
    periods: dict[str, Period],
    period_errors: dict[str, str],
) -> str:
    """The sentence for a refused row: the same sentences as the checks of one value at entry
    (value_checked, rules_checked), which are asked again for the rows refused by them."""
    (_row, error, code, area_code, period_text, value, numerator, denominator,
     first_row, rule_id, previous, area_name) = refused  # fmt: skip
    if error == "indicator_unknown":
        return _("không có chỉ tiêu mã “%(code)s”.") % {"code": code}
    indicator = indicators[code]
    if error == "indicator_computed":
        return _("Chỉ tiêu %(code)s được tính tự động; không nhập tay.") % {"code": indicator.code}
    if error == "period_invalid":
        return period_errors[period_text]
    period = periods[period_text]
    if error == "area_unknown":
        return _("không có đơn vị hành chính mã %(code)s.") % {"code": area_code}
    if error == "area_not_in_period":
        return _("đơn vị mã %(code)s không tồn tại trong kỳ %(period)s.") % {
            "code": area_code,
            "period": period.text,
        }
    if error == "area_not_commune":
        return _("%(name)s (%(code)s) không phải đơn vị cấp xã; số liệu nhập cho cấp xã.") % {
            "name": area_name,
            "code": area_code,
        }
    for column, text in (("numerator", numerator), ("denominator", denominator)):
        if error == f"{column}_not_number":
            return not_a_number_message(column=column, text=text)
    if error == "value_not_number":
        return not_a_number_message(column="value", text=value)
    if error == "duplicate":
        return _("trùng với dòng %(first)d (cùng chỉ tiêu, đơn vị và kỳ).") % {"first": first_row}
    if error == "locked":
        return _("số liệu kỳ %(period)s của đơn vị này đã được duyệt và khóa.") % {
            "period": period.text
        }
    try:
        if error == "period_type":
            period_checked(indicator=indicator, period=period)
        numbers = {
            column: decimal_or_none(text, column=column)
            for column, text in (("numerator", numerator), ("denominator", denominator))
        }
        checked = value_checked(
            indicator=indicator, value=decimal_or_none(value, column="value"), **numbers
        )
        if error == "rule":
            rules_checked(
                rules=[rules[rule_id]] if rule_id else [], value=checked,
                previous=previous, **numbers,
            )  # fmt: skip
    except InvalidInput as invalid:
        return invalid.message
    # The statements and the checks of one value disagree: a fault of this module, not of
    # the file, and not one to pass over.
    raise RuntimeError(f"the import refused row {_row} ({error}) but its check passes")

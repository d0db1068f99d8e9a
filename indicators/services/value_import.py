"""`indicators_import_values`: values from a CSV or XLSX file, all or nothing, by row.

Fast enough for a national file (100,000 values in seconds, docs/benchmarks.md): the file is
checked in Python against the indicators, areas and stored values read once, then written with
bulk statements; an audit event is written for every value created or changed.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from geoapp.file_imports import DryRun, ImportReport, RowErrors
from indicators.imports import decimal_or_none
from indicators.models import (
    Indicator,
    IndicatorKind,
    IndicatorValue,
    IndicatorValueEvent,
    ValueAction,
    ValueStatus,
)
from indicators.periods import Period, period_before, period_parse
from indicators.services.validation import active_rules, previous_values, rules_checked
from indicators.services.values import (
    area_for_period,
    period_checked,
    value_checked,
    value_snapshot,
)
from indicators.table_files import table_rows
from wards import selectors as ward_selectors

VALUE_COLUMNS = ("indicator", "area_code", "period", "value", "numerator", "denominator", "comment")

_BATCH = 5000


def values_import(*, path: Path, commit: bool) -> ImportReport:
    """Create or update the values of a file. Idempotent: a row equal to the stored value
    changes nothing; a row for an approved (locked) value is an error. Imported values wait for
    review (submitted)."""
    rows = table_rows(path=path, columns=VALUE_COLUMNS)
    indicators = Indicator.objects.in_bulk({row["indicator"] for _, row in rows}, field_name="code")
    areas = ward_selectors.areas_with_codes(codes=[row["area_code"] for _, row in rows])
    periods: dict[str, Period] = {}
    errors = RowErrors()
    parsed: list[tuple[int, IndicatorValue]] = []
    seen: dict[tuple[int, int, str], int] = {}
    for number, row in rows:
        try:
            indicator = indicators.get(row["indicator"])
            if indicator is None:
                raise InvalidInput(
                    _("không có chỉ tiêu mã “%(code)s”.") % {"code": row["indicator"]}
                )
            if indicator.computed_from or indicator.kind == IndicatorKind.FORMULA:
                raise InvalidInput(
                    _("Chỉ tiêu %(code)s được tính tự động; không nhập tay.")
                    % {"code": indicator.code}
                )
            period = periods.get(row["period"])
            if period is None:
                period = periods[row["period"]] = period_parse(row["period"])
            period_checked(indicator=indicator, period=period)
            area = area_for_period(
                candidates=areas.get(row["area_code"], []), code=row["area_code"], period=period
            )
            numerator = decimal_or_none(row["numerator"], column="numerator")
            denominator = decimal_or_none(row["denominator"], column="denominator")
            value = value_checked(
                indicator=indicator,
                value=decimal_or_none(row["value"], column="value"),
                numerator=numerator,
                denominator=denominator,
            )
        except InvalidInput as invalid:
            errors.add(number, invalid.message)
            continue
        key = (indicator.pk, area.pk, period.text)
        if key in seen:
            errors.add(
                number,
                _("trùng với dòng %(first)d (cùng chỉ tiêu, đơn vị và kỳ).") % {"first": seen[key]},
            )
            continue
        seen[key] = number
        parsed.append(
            (
                number,
                IndicatorValue(
                    indicator_id=indicator.pk, area_id=area.pk, period=period.text,
                    period_start=period.start, period_end=period.end,
                    value=value, numerator=numerator, denominator=denominator,
                    comment=row["comment"], status=ValueStatus.SUBMITTED,
                ),
            )
        )  # fmt: skip

    _rules_checked(parsed, errors)
    report = ImportReport()
    try:
        with transaction.atomic():
            # Rows refused above and rows refused against the stored values (locked ones) are
            # reported together: one run lists every error of the file.
            _write(parsed, errors, report)
            if not commit:
                raise DryRun
    except DryRun:
        return report
    report.committed = True
    return report


def _rules_checked(parsed: list[tuple[int, IndicatorValue]], errors: RowErrors) -> None:
    """Apply the indicators' validation rules to the parsed rows; a row that breaks one is an
    error of its own and is dropped from the write (which will not happen: errors refuse the
    file). Growth compares with the previous period's value in the file, else the stored one."""
    rules = active_rules(indicator_ids={value.indicator_id for _, value in parsed})
    if not rules:
        return
    previous_key: dict[int, tuple[int, int, str]] = {}
    in_file = {(v.indicator_id, v.area_id, v.period): v.value for _, v in parsed}
    for number, value in parsed:
        if value.indicator_id in rules:
            before = period_before(period_parse(value.period)).text
            previous_key[number] = (value.indicator_id, value.area_id, before)
    stored = previous_values(keys=[k for k in previous_key.values() if k not in in_file])
    kept = []
    for number, value in parsed:
        key = previous_key.get(number)
        if key is None:
            kept.append((number, value))
            continue
        previous = in_file[key] if key in in_file else stored.get(key)
        try:
            rules_checked(
                rules=rules[value.indicator_id], value=value.value, numerator=value.numerator,
                denominator=value.denominator, previous=previous,
            )  # fmt: skip
        except InvalidInput as invalid:
            errors.add(number, invalid.message)
            continue
        kept.append((number, value))
    parsed[:] = kept


def _stored_values(
    parsed: list[tuple[int, IndicatorValue]],
) -> dict[tuple[int, int, str], IndicatorValue]:
    """The stored values the file's rows may collide with, locked until the import ends, so a
    reviewer cannot approve one between the check below and the write."""
    indicator_ids = sorted({value.indicator_id for _, value in parsed})
    period_texts = sorted({value.period for _, value in parsed})
    area_ids = sorted({value.area_id for _, value in parsed})
    stored = IndicatorValue.objects.select_for_update().filter(
        indicator_id__in=indicator_ids, period__in=period_texts, area_id__in=area_ids
    )
    return {(value.indicator_id, value.area_id, value.period): value for value in stored}


def _same(stored: IndicatorValue, new: IndicatorValue) -> bool:
    return (
        stored.value == new.value
        and stored.numerator == new.numerator
        and stored.denominator == new.denominator
        and stored.comment == new.comment
    )


def _write(
    parsed: list[tuple[int, IndicatorValue]], errors: RowErrors, report: ImportReport
) -> None:
    stored = _stored_values(parsed)
    now = timezone.now()
    created: list[IndicatorValue] = []
    updated: list[tuple[IndicatorValue, dict[str, object]]] = []
    for number, value in parsed:
        existing = stored.get((value.indicator_id, value.area_id, value.period))
        if existing is None:
            created.append(value)
        elif _same(existing, value):
            report.unchanged += 1
        elif existing.status == ValueStatus.APPROVED:
            errors.add(
                number,
                _("số liệu kỳ %(period)s của đơn vị này đã được duyệt và khóa.")
                % {"period": value.period},
            )
        else:
            before = value_snapshot(existing)
            existing.value, existing.numerator = value.value, value.numerator
            existing.denominator, existing.comment = value.denominator, value.comment
            existing.status = ValueStatus.SUBMITTED
            existing.updated_at = now  # bulk_update does not apply auto_now
            updated.append((existing, before))
    errors.raise_if_any()

    created_ids = _insert_created(created, now)
    IndicatorValue.objects.bulk_update(
        [value for value, _ in updated],
        ["value", "numerator", "denominator", "comment", "status", "updated_at"],
        batch_size=_BATCH,
    )
    _insert_created_events(created, created_ids, now)
    events = [
        IndicatorValueEvent(
            value=value, action=ValueAction.IMPORTED, from_status=str(before["status"]),
            to_status=value.status, before=before, after=value_snapshot(value),
        )
        for value, before in updated
    ]  # fmt: skip
    IndicatorValueEvent.objects.bulk_create(events, batch_size=_BATCH)
    report.created += len(created)
    report.updated += len(updated)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _insert_created(created: list[IndicatorValue], now: datetime.datetime) -> list[int]:
    """Insert the new values in one statement per batch, their columns sent as one JSON document
    (jsonb_to_recordset), and return their ids in the order given (the file's keys are unique).
    bulk_create spent most of a 10,000-row import preparing each field of each object in Python,
    and arrays of values are quoted one element at a time (docs/benchmarks.md)."""
    ids: list[int] = []
    with connection.cursor() as cursor:
        for first in range(0, len(created), _BATCH):
            batch = created[first : first + _BATCH]
            rows = [
                [v.indicator_id, v.area_id, v.period, v.period_start.isoformat(),
                 v.period_end.isoformat(), _number(v.value), _number(v.numerator),
                 _number(v.denominator), v.status, v.comment]
                for v in batch
            ]  # fmt: skip
            cursor.execute(
                """
                INSERT INTO indicators_indicatorvalue
                    (indicator_id, area_id, period, period_start, period_end, value, numerator,
                     denominator, status, comment, updated_at)
                SELECT (r->>0)::bigint, (r->>1)::bigint, r->>2, (r->>3)::date, (r->>4)::date,
                       (r->>5)::numeric, (r->>6)::numeric, (r->>7)::numeric, r->>8, r->>9, %s
                FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS row(r, position)
                ORDER BY position
                RETURNING id, indicator_id, area_id, period
                """,
                [now, json.dumps(rows, ensure_ascii=False)],
            )
            # Matched by key, not by the order RETURNING happens to keep.
            by_key = {(row[1], row[2], row[3]): row[0] for row in cursor.fetchall()}
            ids += [by_key[(v.indicator_id, v.area_id, v.period)] for v in batch]
    for value, pk in zip(created, ids, strict=True):
        value.pk, value.updated_at = pk, now
    return ids


def _insert_created_events(
    created: list[IndicatorValue], ids: list[int], now: datetime.datetime
) -> None:
    """The audit event of each new value, in one statement per batch."""
    with connection.cursor() as cursor:
        for first in range(0, len(created), _BATCH):
            batch = created[first : first + _BATCH]
            rows = [
                [pk, v.status, value_snapshot(v)]
                for pk, v in zip(ids[first : first + _BATCH], batch, strict=True)
            ]
            cursor.execute(
                """
                INSERT INTO indicators_indicatorvalueevent
                    (value_id, action, at, from_status, to_status, before, after, note)
                SELECT (r->>0)::bigint, %s, %s, '', r->>1, NULL, r->2, ''
                FROM jsonb_array_elements(%s::jsonb) AS row(r)
                """,
                [ValueAction.IMPORTED, now, json.dumps(rows, ensure_ascii=False)],
            )

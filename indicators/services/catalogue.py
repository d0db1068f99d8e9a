"""The indicator catalogue: `indicators_import_catalogue` and the admin write through here."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from geoapp.file_imports import DryRun, ImportReport, RowErrors
from indicators.formulas import formula_parse
from indicators.imports import decimal_or_none
from indicators.models import (
    AreaAggregation,
    Direction,
    Indicator,
    IndicatorKind,
    TimeAggregation,
)
from indicators.periods import PERIOD_TYPE_RANK, PeriodType
from indicators.selectors.aggregation import formula_of
from indicators.table_files import table_rows

CATALOGUE_COLUMNS = (
    "code",
    "name_vi",
    "name_en",
    "unit",
    "kind",
    "factor",
    "area_aggregation",
    "time_aggregation",
    "direction",
    "period_type",
)
# Optional columns a catalogue file may add (docs/indicators.md): `formula` for kind `formula`,
# `weight` (the weight indicator's code) for area aggregation `weighted_mean`.
CATALOGUE_OPTIONAL_COLUMNS = (
    "definition", "source", "allows_negative", "minimum", "maximum", "computed_from", "formula",
)  # fmt: skip
WEIGHT_COLUMN = "weight"
# What the file may say in each closed column: the catalogue's CSV vocabulary of issue 12, with
# the two kinds it names but gives no word for (`formula`, `weighted_mean`).
_CHOICES: dict[str, list[str]] = {
    "kind": [IndicatorKind.VALUE, IndicatorKind.RATIO, IndicatorKind.FORMULA],
    "area_aggregation": [
        AreaAggregation.SUM,
        AreaAggregation.MEAN,
        AreaAggregation.WEIGHTED_MEAN,
        AreaAggregation.RATIO,
        AreaAggregation.MIN,
        AreaAggregation.MAX,
        AreaAggregation.NONE,
    ],  # fmt: skip
    "time_aggregation": list(TimeAggregation.values),
    "direction": list(Direction.values),
    "period_type": list(PeriodType.values),
}
_COMPARED_FIELDS = (*CATALOGUE_COLUMNS[1:], *CATALOGUE_OPTIONAL_COLUMNS)


def indicator_from_row(row: dict[str, str]) -> Indicator:
    """An unsaved Indicator from a catalogue row; InvalidInput naming the first wrong cell."""
    for column, allowed in _CHOICES.items():
        if row[column] not in allowed:
            raise InvalidInput(
                _("cột %(column)s phải là một trong %(allowed)s, không phải “%(value)s”.")
                % {"column": column, "allowed": ", ".join(allowed), "value": row[column]}
            )
    factor = decimal_or_none(row["factor"], column="factor") or Decimal(1)
    if factor <= 0:
        raise InvalidInput(_("cột factor phải lớn hơn 0."))
    if row["kind"] == IndicatorKind.RATIO and row["area_aggregation"] not in ("ratio", "none"):
        raise InvalidInput(
            _("chỉ tiêu tỷ lệ phải tổng hợp theo tỷ số của các tổng (ratio), không cộng các tỷ lệ.")
        )
    formula = row.get("formula", "").strip()
    if row["kind"] == IndicatorKind.FORMULA:
        if not formula:
            raise InvalidInput(_("chỉ tiêu loại công thức cần cột formula."))
        formula_parse(formula)
    elif formula:
        raise InvalidInput(_("chỉ chỉ tiêu loại công thức (kind formula) mới có cột formula."))
    weighted = row["area_aggregation"] == AreaAggregation.WEIGHTED_MEAN
    if weighted != bool(row.get(WEIGHT_COLUMN, "").strip()):
        raise InvalidInput(
            _("tổng hợp weighted_mean cần cột weight (mã chỉ tiêu trọng số), và chỉ nó.")
        )
    indicator = Indicator(
        code=row["code"],
        name_vi=row["name_vi"],
        name_en=row["name_en"],
        unit=row["unit"],
        kind=row["kind"],
        factor=factor,
        area_aggregation=row["area_aggregation"],
        time_aggregation=row["time_aggregation"],
        direction=row["direction"],
        period_type=row["period_type"],
        definition=row.get("definition", ""),
        source=row.get("source", ""),
        allows_negative=row.get("allows_negative", "").lower() in ("1", "true", "yes", "có"),
        minimum=decimal_or_none(row.get("minimum", ""), column="minimum"),
        maximum=decimal_or_none(row.get("maximum", ""), column="maximum"),
        computed_from=row.get("computed_from", ""),
        formula=formula,
    )
    try:
        indicator.full_clean(validate_unique=False, validate_constraints=False)
    except Exception as invalid:  # django ValidationError: say which fields, in one sentence
        messages = getattr(invalid, "message_dict", {})
        raise InvalidInput(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in messages.items())
            or str(invalid)
        ) from None
    return indicator


def catalogue_import(*, path: Path, commit: bool) -> ImportReport:
    """Create or update the indicators of a catalogue file, all or nothing, by code.

    Idempotent: a row equal to the stored indicator changes nothing. Without `commit` the work
    is done inside a transaction that is rolled back, so a dry run meets every check a real
    run would.
    """
    rows = table_rows(path=path, columns=CATALOGUE_COLUMNS)
    errors = RowErrors()
    parsed: list[tuple[int, Indicator]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        if row["code"] in seen:
            errors.add(
                number,
                _("mã %(code)s đã có ở dòng %(first)d.")
                % {"code": row["code"], "first": seen[row["code"]]},
            )
            continue
        seen[row["code"]] = number
        try:
            parsed.append((number, indicator_from_row(row)))
        except InvalidInput as invalid:
            errors.add(number, invalid.message)
    errors.raise_if_any()

    report = ImportReport()
    try:
        with transaction.atomic():
            stored = Indicator.objects.in_bulk(
                [indicator.code for _, indicator in parsed], field_name="code"
            )
            weights = _weights(parsed, rows, errors)
            for _number, indicator in parsed:
                existing = stored.get(indicator.code)
                if existing is None:
                    indicator.save()
                    report.created += 1
                elif any(
                    getattr(existing, name) != getattr(indicator, name) for name in _COMPARED_FIELDS
                ) or existing.weight_indicator_id != weights.get(indicator.code):
                    indicator.pk = existing.pk
                    indicator.save()
                    report.updated += 1
                else:
                    indicator.pk = existing.pk
                    report.unchanged += 1
            _links_checked(parsed, weights, errors)
            if not commit:
                raise DryRun
    except DryRun:
        return report
    report.committed = True
    return report


def _weights(
    parsed: list[tuple[int, Indicator]], rows: list[tuple[int, dict[str, str]]], errors: RowErrors
) -> dict[str, int | None]:
    """The weight indicators' ids by weighted indicator code. A weight named in the file but
    not yet stored is created first, so one file may hold both, in either order."""
    named = {row["code"]: row.get(WEIGHT_COLUMN, "").strip() for _, row in rows}
    in_file = {indicator.code: indicator for _, indicator in parsed}
    ids: dict[str, int | None] = {}
    for number, indicator in parsed:
        weight_code = named.get(indicator.code, "")
        if not weight_code:
            ids[indicator.code] = None
            continue
        existing = Indicator.objects.filter(code=weight_code).first()
        weight = in_file.get(weight_code) or existing
        problem = None
        if weight is None:
            problem = _("không có chỉ tiêu trọng số mã “%(code)s”.") % {"code": weight_code}
        elif weight_code == indicator.code or weight.kind == IndicatorKind.FORMULA:
            problem = _("chỉ tiêu trọng số phải là một chỉ tiêu khác, không phải công thức.")
        elif (
            PERIOD_TYPE_RANK[PeriodType(weight.period_type)]
            < PERIOD_TYPE_RANK[PeriodType(indicator.period_type)]
        ):
            problem = _("chỉ tiêu trọng số %(code)s báo cáo theo kỳ ngắn hơn chỉ tiêu này.") % {
                "code": weight_code
            }
        elif weight.area_aggregation == AreaAggregation.WEIGHTED_MEAN:
            problem = _("chỉ tiêu trọng số không được tự tổng hợp theo trung bình có trọng số.")
        if problem:
            errors.add(number, problem)
            continue
        assert weight is not None
        if existing is not None:
            weight_id = existing.pk
        else:  # in the file, not yet stored: stored first
            if weight.pk is None:
                weight.save()
            weight_id = weight.pk
        ids[indicator.code] = weight_id
        indicator.weight_indicator_id = weight_id
    errors.raise_if_any()
    return ids


def _links_checked(
    parsed: list[tuple[int, Indicator]], weights: dict[str, int | None], errors: RowErrors
) -> None:
    """Once every row is stored: each formula's operands exist, are not formulas and report by
    the formula's period type."""
    for number, indicator in parsed:
        if indicator.kind == IndicatorKind.FORMULA:
            try:
                formula_of(indicator)
            except InvalidInput as invalid:
                errors.add(number, invalid.message)
    errors.raise_if_any()

"""Aggregation of an indicator's values over areas and time, in SQL, by the indicator's rules.

One statement answers "the value of indicator I for period P on every area of level L valid on
day B": it descends from each target area to its communes valid on B, follows the succession
table backwards from those communes to every unit whose values now belong to them (a whole
merge passes everything, a split passes its recorded share, chains such as Nghĩa An → An Phú
(2025-01-01) → Xã An Phú (2025-07-01) are followed to the end), then aggregates the values found:
first over the areas of each period of the indicator's type (sum, mean, min, max, or the sums of
numerators and denominators for a ratio), then over the periods inside P (sum, mean or last).
Ratios are always computed from the aggregated numerator and denominator, never by adding
percentages.

Completeness counts, per target, the (commune, period) pairs that should have reported (the
communes valid on each period's last day, as the import reads an area code) and those that did.

Raw SQL because the ORM has no recursive queries; every value is a parameter, and the only text
put into the statement is chosen from the fixed expressions below by the indicator's stored
aggregation types (choices of the model), never from input.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from indicators.formulas import Node, formula_evaluate, formula_operands, formula_parse
from indicators.models import (
    AreaAggregation,
    Indicator,
    IndicatorKind,
    IndicatorTarget,
    TimeAggregation,
)
from indicators.periods import (
    PERIOD_TYPE_INTERVAL,
    PERIOD_TYPE_RANK,
    Period,
    PeriodType,
    periods_between,
)
from wards.models import AreaLevel

# A map of more areas than this is a national one, seen whole at zoom 6–8 where a pixel is
# 0.6–2.4 km: its outlines are simplified again to about 200 m (0.002°), which takes 60 % off
# the document and the browser's drawing. A province's map keeps the stored outlines (55 m).
NATIONAL_AREAS = 1000
NATIONAL_TOLERANCE = 0.002
# Deeper chains of successions than this are a data error (a cycle), not history.
MAX_SUCCESSION_DEPTH = 8

# Aggregation over the areas of one period: `contribution` rows carry the value, the weight
# (the product of shares along the succession chain) and the raw value.
_SPACE_VALUE = {
    AreaAggregation.SUM: "SUM(value * weight)",
    AreaAggregation.MEAN: "SUM(value * weight) / NULLIF(SUM(weight), 0)",
    # Σ(v·w)/Σw, w the weight indicator's value (`w`) times the succession share (`weight`).
    AreaAggregation.WEIGHTED_MEAN: (
        "SUM(value * weight * w) / NULLIF(SUM(CASE WHEN value IS NOT NULL THEN weight * w END), 0)"
    ),
    AreaAggregation.MIN: "MIN(value)",
    AreaAggregation.MAX: "MAX(value)",
    AreaAggregation.NONE: "MAX(value)",  # one row at most: the target's own value
    AreaAggregation.RATIO: "NULL::numeric",  # computed from numerator and denominator
}
# Aggregation over the periods inside the one asked for, of an expression `{x}`.
_TIME = {
    TimeAggregation.SUM: "SUM({x})",
    TimeAggregation.MEAN: "AVG({x})",
    TimeAggregation.LAST: "(array_agg({x} ORDER BY period_start DESC))[1]",
}
# Periods' names as the catalogue writes them, from their first day.
_PERIOD_TEXT = {
    PeriodType.MONTH: "to_char(sub_start, 'YYYY-MM')",
    PeriodType.QUARTER: "to_char(sub_start, 'YYYY-\"Q\"Q')",
    PeriodType.YEAR: "to_char(sub_start, 'YYYY')",
}


@dataclass(frozen=True)
class AggregateRow:
    area_id: int
    area_code: str
    area_name: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    reported: int
    expected: int
    reaggregated: bool


@dataclass(frozen=True)
class SeriesPoint:
    period: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    reported: int
    expected: int
    reaggregated: bool


def _statement_parts(indicator: Indicator, *, single_area: bool) -> str:
    """The common table expressions every aggregation shares, ending with `per_period`: one row
    per target area and period of the indicator's type that has values."""
    if indicator.area_aggregation == AreaAggregation.WEIGHTED_MEAN:
        # Each value weighs by the weight indicator's value of the same area for the period
        # containing it (a yearly population weighs monthly or yearly rates), times the share
        # passed along the succession chain; values without a weight count in neither sum.
        weight_join = """
        LEFT JOIN indicators_indicatorvalue weight_value
          ON weight_value.indicator_id = %(weight_id)s AND weight_value.area_id = value.area_id
         AND weight_value.period_start <= value.period_start
         AND weight_value.period_end >= value.period_end"""
        weight_column = "weight_value.value"
    else:
        weight_join, weight_column = "", "NULL::numeric"
    # "Not aggregable": only an area's own values, on the boundaries they were entered on.
    used_filter = (
        "depth = 0 AND area_id = target_id"
        if indicator.area_aggregation == AreaAggregation.NONE
        else "TRUE"
    )
    # A target is passed up by succession and summed only when the values are summed.
    target_filter = "TRUE" if indicator.area_aggregation == AreaAggregation.SUM else (
        "used.depth = 0 AND used.area_id = used.target_id"
    )  # fmt: skip
    area_filter = "AND id = %(area_id)s" if single_area else ""
    # period_start bounded on both sides, so that the (indicator, period_start, area) index
    # reads only the requested periods (with `>=` alone it read every later month: 1.5 million
    # index entries for one month of the national choropleth).
    values = """indicators_indicatorvalue value
          WHERE value.indicator_id = %(indicator_id)s
            AND value.period_start BETWEEN %(start)s AND %(end)s
            AND value.period_end <= %(end)s"""
    if single_area:
        # One area and its few predecessors: each one's values through the (area, indicator)
        # index. OFFSET 0 keeps PostgreSQL from flattening the lateral subqueries into a hash
        # join over every value of the indicator (its estimate of the areas is in thousands):
        # 640 ms instead of a few for a five-year series of one commune.
        value_join = f"""CROSS JOIN LATERAL (
            SELECT * FROM {values} AND value.area_id = used.area_id OFFSET 0) value"""
        area_join = """CROSS JOIN LATERAL (
                SELECT valid_from, valid_to FROM wards_area WHERE id = used.area_id OFFSET 0
            ) area"""
    else:
        value_join = f"JOIN (SELECT * FROM {values}) value ON value.area_id = used.area_id"
        area_join = "JOIN wards_area area ON area.id = used.area_id"
    return f"""
    WITH RECURSIVE
    target AS (
        SELECT id, code, name FROM wards_area
        WHERE level = %(level)s AND valid_from <= %(day)s
          AND (valid_to IS NULL OR valid_to >= %(day)s) {area_filter}
    ),
    descent(target_id, area_id, level) AS (
        SELECT id, id, %(level)s::varchar FROM target
        UNION ALL
        SELECT descent.target_id, child.id, child.level
        FROM descent
        JOIN wards_area child ON child.parent_id = descent.area_id
        WHERE descent.level <> 'commune' AND child.valid_from <= %(day)s
          AND (child.valid_to IS NULL OR child.valid_to >= %(day)s)
    ),
    source(target_id, area_id, weight, depth) AS (
        SELECT target_id, area_id, 1::numeric, 0 FROM descent WHERE level = 'commune'
        UNION ALL
        SELECT source.target_id, succession.predecessor_id, source.weight * succession.share,
               source.depth + 1
        FROM source
        JOIN wards_areasuccession succession ON succession.successor_id = source.area_id
        JOIN wards_area predecessor
          ON predecessor.id = succession.predecessor_id AND predecessor.level = 'commune'
        WHERE source.depth < {MAX_SUCCESSION_DEPTH}
    ),
    used AS (SELECT * FROM source WHERE {used_filter}),
    subperiod AS (
        SELECT day::date AS sub_start,
               (day + %(step)s::interval - interval '1 day')::date AS sub_end
        FROM generate_series(%(start)s::date, %(end)s::date, %(step)s::interval) AS day
    ),
    contribution AS (
        SELECT used.target_id, used.area_id, used.weight, used.depth, value.period_start,
               value.value, value.numerator, value.denominator, {weight_column} AS w
        FROM used
        {value_join}{weight_join}
    ),
    expected AS (
        SELECT target_id, sub_start AS period_start, count(*) AS expected
        FROM (
            SELECT used.target_id, subperiod.sub_start, used.area_id
            FROM used
            {area_join}
            JOIN subperiod
              ON area.valid_from <= subperiod.sub_end
             AND (area.valid_to IS NULL OR area.valid_to >= subperiod.sub_end)
            UNION
            SELECT target_id, period_start, area_id FROM contribution
        ) pair
        GROUP BY 1, 2
    ),
    per_period AS (
        SELECT target_id, period_start,
               {_SPACE_VALUE[AreaAggregation(indicator.area_aggregation)]} AS value,
               SUM(numerator * weight) AS numerator,
               SUM(denominator * weight) AS denominator,
               count(DISTINCT area_id) AS reported,
               bool_or(depth > 0) AS reaggregated
        FROM contribution
        GROUP BY 1, 2
    ),
    target_value AS (
        SELECT used.target_id, goal.period, SUM(goal.value * used.weight) AS value
        FROM used
        JOIN indicators_indicatortarget goal ON goal.area_id = used.area_id
        WHERE goal.indicator_id = %(indicator_id)s AND goal.period = ANY(%(target_periods)s)
          AND {target_filter}
        GROUP BY 1, 2
    )
    """


@contextmanager
def _statement_cursor() -> Iterator[Any]:
    """A cursor in a transaction with JIT compilation off. The recursive expressions' row
    estimates are in the millions (the real rows are thousands), which makes PostgreSQL compile
    the statement with JIT: 2.7 s of compiling for a statement that runs in tens of ms."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield cursor


def _ratio(indicator: Indicator, numerator: str, denominator: str) -> str:
    if indicator.area_aggregation != AreaAggregation.RATIO:
        return ""
    return f"{numerator} / NULLIF({denominator}, 0) * %(factor)s"


def _parameters(
    indicator: Indicator,
    *,
    start: datetime.date,
    end: datetime.date,
    level: str,
    day: datetime.date,
    target_periods: list[str],
    area_id: int | None = None,
) -> dict[str, Any]:
    return {
        "indicator_id": indicator.pk,
        "level": level,
        "day": day,
        "start": start,
        "end": end,
        "step": PERIOD_TYPE_INTERVAL[PeriodType(indicator.period_type)],
        "factor": indicator.factor,
        "target_periods": target_periods,
        "area_id": area_id,
        "weight_id": indicator.weight_indicator_id,
    }


def aggregation_request_check(indicator: Indicator, period: Period, level: str) -> None:
    if level not in AreaLevel.values:
        raise InvalidInput(
            _("Cấp “%(level)s” không hợp lệ; dùng một trong %(levels)s.")
            % {"level": level, "levels": ", ".join(AreaLevel.values)},
            code="invalid_level",
        )
    if PERIOD_TYPE_RANK[period.period_type] < PERIOD_TYPE_RANK[PeriodType(indicator.period_type)]:
        raise InvalidInput(
            _("Chỉ tiêu %(code)s báo cáo theo %(type)s; không tách được ra kỳ “%(period)s”.")
            % {
                "code": indicator.code,
                "type": PeriodType(indicator.period_type).label,
                "period": period.text,
            },
            code="invalid_period",
        )


def _time_aggregated_sql(indicator: Indicator, *, single_area: bool) -> str:
    time = _TIME[TimeAggregation(indicator.time_aggregation)]
    numerator = time.format(x="numerator")
    denominator = time.format(x="denominator")
    value = _ratio(indicator, numerator, denominator) or time.format(x="value")
    return f"""
    {_statement_parts(indicator, single_area=single_area)},
    over_time AS (
        SELECT target_id, {value} AS value, {numerator} AS numerator,
               {denominator} AS denominator, SUM(reported) AS reported,
               bool_or(reaggregated) AS reaggregated
        FROM per_period GROUP BY target_id
    ),
    -- Grouped once and joined: as a subquery per target it was run 3,321 times (80 s).
    expected_total AS (
        SELECT target_id, SUM(expected) AS expected FROM expected GROUP BY target_id
    ),
    result AS (
        SELECT target.id AS area_id, target.code AS area_code, target.name AS area_name,
               round(over_time.value, 6) AS value, round(over_time.numerator, 6) AS numerator,
               round(over_time.denominator, 6) AS denominator,
               round(target_value.value, 6) AS target,
               COALESCE(over_time.reported, 0) AS reported,
               COALESCE(expected_total.expected, 0) AS expected,
               COALESCE(over_time.reaggregated, false) AS reaggregated
        FROM target
        LEFT JOIN over_time ON over_time.target_id = target.id
        LEFT JOIN target_value ON target_value.target_id = target.id
        LEFT JOIN expected_total ON expected_total.target_id = target.id
    )
    """


def indicator_aggregates(
    *, indicator: Indicator, period: Period, level: str, boundaries: datetime.date
) -> list[AggregateRow]:
    """The indicator's value for `period` on every area of `level` valid on `boundaries`."""
    aggregation_request_check(indicator, period, level)
    if indicator.kind == IndicatorKind.FORMULA:
        return _formula_aggregates(
            indicator=indicator, period=period, level=level, boundaries=boundaries
        )
    sql = (
        _time_aggregated_sql(indicator, single_area=False)
        + """
        SELECT area_id, area_code, area_name, value, numerator, denominator, target,
               reported, expected, reaggregated
        FROM result ORDER BY area_code
    """
    )
    parameters = _parameters(
        indicator, start=period.start, end=period.end, level=level, day=boundaries,
        target_periods=[period.text],
    )  # fmt: skip
    with _statement_cursor() as cursor:
        cursor.execute(sql, parameters)
        return [
            AggregateRow(
                area_id=row[0], area_code=row[1], area_name=row[2], value=row[3],
                numerator=row[4], denominator=row[5], target=row[6], reported=int(row[7]),
                expected=int(row[8]), reaggregated=row[9],
            )
            for row in cursor.fetchall()
        ]  # fmt: skip


def indicator_aggregates_geojson(
    *,
    indicator: Indicator,
    period: Period,
    level: str,
    boundaries: datetime.date,
) -> tuple[str, list[Decimal | None]]:
    """The same answer as `indicator_aggregates`, as a GeoJSON FeatureCollection string built by
    PostgreSQL on the areas' simplified outlines (`Area.outline`, simplified again above
    NATIONAL_AREAS areas), with 5 decimals (about 1 m);
    and the values in feature order, for the caller's classification.

    Built in SQL, on the outlines: serialising 3,321 full boundaries in Python took 6.7–10 s
    (docs/benchmarks.md, "Indicators").
    """
    aggregation_request_check(indicator, period, level)
    if indicator.kind == IndicatorKind.FORMULA:
        rows = _formula_aggregates(
            indicator=indicator, period=period, level=level, boundaries=boundaries
        )
        return _rows_geojson(rows), [row.value for row in rows]
    sql = (
        _time_aggregated_sql(indicator, single_area=False)
        + """
        SELECT json_build_object(
                   'type', 'FeatureCollection',
                   'features', COALESCE(json_agg(json_build_object(
                       'type', 'Feature',
                       'id', result.area_id,
                       'geometry', ST_AsGeoJSON(CASE
                           WHEN (SELECT count(*) FROM result) > %(national_areas)s
                           THEN ST_SimplifyPreserveTopology(area.outline, %(national_tolerance)s)
                           ELSE area.outline END, 5)::json,
                       'properties', json_build_object(
                           'area_code', result.area_code, 'area_name', result.area_name,
                           'value', result.value, 'numerator', result.numerator,
                           'denominator', result.denominator, 'target', result.target,
                           'completeness', json_build_object(
                               'reported', result.reported, 'expected', result.expected),
                           'reaggregated', result.reaggregated)
                   ) ORDER BY result.area_code), '[]'::json)
               )::text,
               array_agg(result.value ORDER BY result.area_code)
        FROM result JOIN wards_area area ON area.id = result.area_id
    """
    )
    parameters = _parameters(
        indicator, start=period.start, end=period.end, level=level, day=boundaries,
        target_periods=[period.text],
    )  # fmt: skip
    parameters.update(national_areas=NATIONAL_AREAS, national_tolerance=NATIONAL_TOLERANCE)
    with _statement_cursor() as cursor:
        cursor.execute(sql, parameters)
        document, values = cursor.fetchone()
    return document, list(values or [])


def indicator_series(
    *,
    indicator: Indicator,
    area_id: int,
    level: str,
    boundaries: datetime.date,
    start: Period,
    end: Period,
) -> list[SeriesPoint]:
    """The indicator for each period of its type from `start` to `end` on one area valid on
    `boundaries`, with values entered on its predecessors re-aggregated into it."""
    periods = periods_between(indicator.period_type, start.start, end.end)
    if indicator.kind == IndicatorKind.FORMULA:
        tree, operands = formula_of(indicator)
        by_code = {
            code: indicator_series(
                indicator=operand,
                area_id=area_id,
                level=level,
                boundaries=boundaries,
                start=start,
                end=end,
            )  # fmt: skip
            for code, operand in operands.items()
        }
        targets = _own_targets(indicator, [area_id], [period.text for period in periods])
        return [
            SeriesPoint(
                period=period.text,
                target=targets.get((area_id, period.text)),
                numerator=None,
                denominator=None,
                **_combined(tree, {code: points[index] for code, points in by_code.items()}),
            )  # fmt: skip
            for index, period in enumerate(periods)
        ]
    numerator, denominator = "per_period.numerator", "per_period.denominator"
    value = _ratio(indicator, numerator, denominator) or "per_period.value"
    sql = (
        _statement_parts(indicator, single_area=True)
        + f"""
        SELECT {_PERIOD_TEXT[PeriodType(indicator.period_type)]} AS period,
               round({value}, 6), round({numerator}, 6), round({denominator}, 6),
               round(target_value.value, 6),
               COALESCE(per_period.reported, 0), COALESCE(expected.expected, 0),
               COALESCE(per_period.reaggregated, false)
        FROM subperiod
        LEFT JOIN per_period ON per_period.period_start = subperiod.sub_start
        LEFT JOIN expected ON expected.period_start = subperiod.sub_start
        LEFT JOIN target_value
          ON target_value.period = {_PERIOD_TEXT[PeriodType(indicator.period_type)]}
        ORDER BY subperiod.sub_start
    """
    )
    parameters = _parameters(
        indicator, start=periods[0].start, end=periods[-1].end, level=level, day=boundaries,
        target_periods=[period.text for period in periods], area_id=area_id,
    )  # fmt: skip
    with _statement_cursor() as cursor:
        cursor.execute(sql, parameters)
        return [
            SeriesPoint(
                period=row[0], value=row[1], numerator=row[2], denominator=row[3],
                target=row[4], reported=int(row[5]), expected=int(row[6]), reaggregated=row[7],
            )
            for row in cursor.fetchall()
        ]  # fmt: skip


# Formulas (kind `formula`): each operand is aggregated by its own rules, in SQL, on the same
# areas, period and boundaries; the formula is then computed over those aggregates, area by
# area (so `ho-ngheo / so-ho * 100` on a merged commune is the sum of its poor households over
# the sum of its households, never a mean of percentages).


def formula_of(indicator: Indicator) -> tuple[Node, dict[str, Indicator]]:
    """The parsed formula of an indicator and its operands by code; InvalidInput if an operand
    is missing from the catalogue, is itself a formula, or reports by another period type."""
    tree = formula_parse(indicator.formula)
    codes = formula_operands(tree)
    if not codes:
        raise InvalidInput(
            _("công thức của %(indicator)s phải dùng ít nhất một chỉ tiêu.")
            % {"indicator": indicator.code}
        )
    operands = Indicator.objects.in_bulk(codes, field_name="code")
    for code in codes:
        operand = operands.get(code)
        if operand is None:
            raise InvalidInput(
                _("công thức của %(indicator)s dùng chỉ tiêu %(code)s không có trong danh mục.")
                % {"indicator": indicator.code, "code": code}
            )
        if operand.kind == IndicatorKind.FORMULA or operand.period_type != indicator.period_type:
            raise InvalidInput(
                _(
                    "công thức của %(indicator)s chỉ dùng được chỉ tiêu không phải công thức, "
                    "cùng kỳ báo cáo; %(code)s không thỏa."
                )
                % {"indicator": indicator.code, "code": code}
            )
    return tree, {code: operands[code] for code in codes}


def _combined(tree: Node, parts: dict[str, AggregateRow | SeriesPoint]) -> dict[str, Any]:
    """The formula's value from its operands' aggregates. It is complete where every operand
    is: reported is the least of the operands', expected the greatest."""
    value = formula_evaluate(tree, {code: part.value for code, part in parts.items()})
    return {
        "value": None if value is None else value.quantize(Decimal("0.000001")),
        "reported": min((part.reported for part in parts.values()), default=0),
        "expected": max((part.expected for part in parts.values()), default=0),
        "reaggregated": any(part.reaggregated for part in parts.values()),
    }


def _own_targets(
    indicator: Indicator, area_ids: list[int], periods: list[str]
) -> dict[tuple[int, str], Decimal]:
    """A formula's targets: those set on the area itself (a target of a rate is not summed)."""
    return {
        (area_id, period): value
        for area_id, period, value in IndicatorTarget.objects.filter(
            indicator=indicator, area_id__in=area_ids, period__in=periods
        ).values_list("area_id", "period", "value")
    }


def _formula_aggregates(
    *, indicator: Indicator, period: Period, level: str, boundaries: datetime.date
) -> list[AggregateRow]:
    tree, operands = formula_of(indicator)
    by_code = {
        code: {
            row.area_id: row
            for row in indicator_aggregates(
                indicator=operand, period=period, level=level, boundaries=boundaries
            )
        }
        for code, operand in operands.items()
    }
    areas = next(iter(by_code.values()))
    targets = _own_targets(indicator, list(areas), [period.text])
    return [
        AggregateRow(
            area_id=area_id,
            area_code=row.area_code,
            area_name=row.area_name,
            numerator=None,
            denominator=None,
            target=targets.get((area_id, period.text)),
            **_combined(tree, {code: rows[area_id] for code, rows in by_code.items()}),
        )  # fmt: skip
        for area_id, row in areas.items()
    ]


def _json_number(number: Decimal | None) -> str:
    return "null" if number is None else format(number, "f")


def _rows_geojson(rows: list[AggregateRow]) -> str:
    """A FeatureCollection of computed rows, on the outlines PostgreSQL writes (5 decimals)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ST_AsGeoJSON(outline, 5) FROM wards_area WHERE id = ANY(%s)",
            [[row.area_id for row in rows]],
        )
        outlines = dict(cursor.fetchall())
    features = []
    for row in rows:
        properties = {
            "area_code": row.area_code, "area_name": row.area_name, "value": None,
            "numerator": None, "denominator": None, "target": None,
            "completeness": {"reported": row.reported, "expected": row.expected},
            "reaggregated": row.reaggregated,
        }  # fmt: skip
        text = json.dumps(properties, ensure_ascii=False)
        for name in ("value", "target"):  # exact decimals, as PostgreSQL writes them
            number = _json_number(getattr(row, name))
            text = text.replace(f'"{name}": null', f'"{name}": {number}', 1)
        features.append(
            f'{{"type": "Feature", "id": {row.area_id}, '
            f'"geometry": {outlines.get(row.area_id) or "null"}, "properties": {text}}}'
        )
    return '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"

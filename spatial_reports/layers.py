"""The report builder's other layers: dossiers and indicator values, per commune.

Both read their app's selectors and nothing of its tables: dossiers are counts from procedures'
daily tally (procedures.selectors.dossier_counts: no dossier, applicant, address or point is
read), indicator values are the indicators' aggregates per commune and period
(indicators.selectors.aggregation.indicator_aggregates, on the boundaries valid on each period's
last day). A place narrows them to communes: the codes given (every commune that carried the
code), or the communes a drawn polygon or buffer meets — dossiers are counted in the commune they
were routed to, whose area is what a polygon selects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.db import connection
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from indicators.periods import Period, period_before, periods_between
from indicators.selectors.aggregation import indicator_aggregates
from indicators.selectors.catalogue import indicator_get
from procedures.selectors import DossierCount, dossier_counts
from spatial_reports.queries import INDICATOR_MAX_PERIODS, ReportQuery
from spatial_reports.selectors import Summary, SummaryRow

_DOSSIER_DIMENSIONS: Final = {
    "commune": ("area",),
    "field": ("field",),
    "month": ("month",),
    "none": (),
}

# The columns of a dossier download: one row per commune and field. Ten characters at most, so
# that a Shapefile keeps them whole.
DOSSIER_COLUMNS: Final = (
    "commune",
    "commune_nm",
    "validity",
    "field",
    "period",
    "received",
    "finished",
    "on_time",
    "late",
    "on_time_pc",
)
# An indicator download: one row per commune and period.
INDICATOR_COLUMNS: Final = (
    "commune",
    "commune_nm",
    "validity",
    "indicator",
    "unit",
    "period",
    "value",
    "previous",
    "target",
    "reported",
    "expected",
)


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str
    validity: str
    area_km2: float


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator's value on a commune for a period, and for the period before (aggregated
    onto the same commune's boundaries)."""

    area_id: int
    code: str
    name: str
    validity: str
    period: str
    value: Decimal | None
    previous: Decimal | None
    target: Decimal | None
    reported: int
    expected: int

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class AreaTable:
    """A download of an area layer: its columns, rows and each row's commune boundary (WKB)."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    boundaries: list[bytes]


def query_area_ids(query: ReportQuery) -> list[int] | None:
    """The communes the query's place names (None: no place, every commune)."""
    if not query.area_codes and query.polygon is None:
        return None
    conditions = ["level = 'commune'"]
    parameters: dict[str, Any] = {}
    if query.area_codes:
        conditions.append("code = ANY(%(codes)s)")
        parameters["codes"] = list(query.area_codes)
    if query.polygon is not None:
        conditions.append("ST_Intersects(boundary, ST_GeomFromEWKB(%(polygon)s))")
        parameters["polygon"] = bytes(query.polygon.ewkb)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM wards_area WHERE {' AND '.join(conditions)} ORDER BY id", parameters
        )
        return [row[0] for row in cursor.fetchall()]


def communes_get(ids: list[int]) -> dict[int, Commune]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, code, name, valid_from::text || '/' || coalesce(valid_to::text, ''), "
            "area_km2 FROM wards_area WHERE id = ANY(%s)",
            [ids],
        )
        return {row[0]: Commune(*row) for row in cursor.fetchall()}


# Dossiers


def _counts(
    query: ReportQuery, dimensions: tuple[str, ...], *, previous: bool = False
) -> list[DossierCount]:
    date_from, date_to = query.previous_period if previous else (query.date_from, query.date_to)
    return dossier_counts(
        date_from=date_from,
        date_to=date_to,
        dimensions=dimensions,
        area_ids=query_area_ids(query),
        fields=list(query.procedure_fields) or None,
    )


def dossier_summary(query: ReportQuery) -> Summary:
    """Dossiers received in the period per group, with the period before, finished and finished
    by the appointment (early or on time); per commune also the density per km²."""
    dimensions = _DOSSIER_DIMENSIONS[query.grouping]
    with_previous = query.grouping != "month"
    current = {count.key: count for count in _counts(query, dimensions)}
    before = (
        {count.key: count.received for count in _counts(query, dimensions, previous=True)}
        if with_previous
        else {}
    )
    keys = sorted(set(current) | set(before))
    communes: dict[int, Commune] = {}
    if query.grouping == "commune":
        # Dossiers routed to no commune have no row per commune.
        keys = [key for key in keys if key[0]]
        communes = communes_get([int(key[0]) for key in keys])
    rows = []
    for key in keys:
        count = current.get(key)
        commune = communes.get(int(key[0])) if communes else None
        rows.append(
            SummaryRow(
                key=commune.code if commune else (key[0] if key else ""),
                label=commune.name if commune else (key[0] if key else ""),
                validity=commune.validity if commune else "",
                reports=count.received if count else 0,
                previous_reports=before.get(key, 0) if with_previous else None,
                resolved=count.finished if count else 0,
                resolved_on_time=count.on_time if count else 0,
                area_km2=commune.area_km2 if commune else None,
            )
        )
    if communes:
        rows.sort(key=lambda row: (row.key, row.validity))
    return Summary(
        rows=rows,
        reports=sum(row.reports for row in rows),
        previous_reports=sum(row.previous_reports or 0 for row in rows) if with_previous else None,
        resolved=sum(row.resolved for row in rows),
        resolved_on_time=sum(row.resolved_on_time for row in rows),
    )


def dossier_table(query: ReportQuery) -> AreaTable:
    """The download of the dossier layer: counts per commune and field over the period."""
    counts = [count for count in _counts(query, ("area", "field")) if count.key[0]]
    communes = communes_get(sorted({int(count.key[0]) for count in counts}))
    period = f"{query.date_from.isoformat()}/{query.date_to.isoformat()}"
    counts.sort(key=lambda count: (communes[int(count.key[0])].code, count.key))
    rows = [
        (
            communes[int(count.key[0])].code,
            communes[int(count.key[0])].name,
            communes[int(count.key[0])].validity,
            count.key[1],
            period,
            count.received,
            count.finished,
            count.on_time,
            count.late,
            round(100 * count.on_time / count.finished, 1) if count.finished else None,
        )
        for count in counts
    ]
    return AreaTable(
        title="Hồ sơ thủ tục hành chính theo xã và lĩnh vực / Dossiers per commune and field",
        columns=DOSSIER_COLUMNS,
        rows=rows,
        boundaries=_boundaries([int(count.key[0]) for count in counts]),
    )


# Indicator values


def _indicator_periods(query: ReportQuery, period_type: str) -> list[Period]:
    periods = periods_between(period_type, query.date_from, query.date_to)
    if len(periods) > INDICATOR_MAX_PERIODS:
        raise InvalidInput(
            _("Khoảng thời gian có %(count)d kỳ của chỉ tiêu, nhiều hơn mức tối đa %(limit)d.")
            % {"count": len(periods), "limit": INDICATOR_MAX_PERIODS},
            code="too_many_periods",
        )
    return periods


def indicator_rows(query: ReportQuery) -> list[IndicatorRow]:
    """The indicator's value per commune and period of its type within the query's dates, on the
    communes valid on each period's last day, with the period before on the same boundaries.
    Communes with neither value are left out."""
    indicator = indicator_get(code=query.indicator)
    wanted = query_area_ids(query)
    wanted_set = set(wanted) if wanted is not None else None
    rows: list[IndicatorRow] = []
    for period in _indicator_periods(query, indicator.period_type):
        previous = {
            row.area_id: row.value
            for row in indicator_aggregates(
                indicator=indicator,
                period=period_before(period),
                level="commune",
                boundaries=period.end,
            )
        }
        current = indicator_aggregates(
            indicator=indicator, period=period, level="commune", boundaries=period.end
        )
        kept = [
            row
            for row in current
            if (wanted_set is None or row.area_id in wanted_set)
            and (row.value is not None or previous.get(row.area_id) is not None)
        ]
        communes = communes_get([row.area_id for row in kept])
        rows.extend(
            IndicatorRow(
                area_id=row.area_id,
                code=row.area_code,
                name=row.area_name,
                validity=communes[row.area_id].validity,
                period=period.text,
                value=row.value,
                previous=previous.get(row.area_id),
                target=row.target,
                reported=row.reported,
                expected=row.expected,
            )
            for row in kept
        )
    return rows


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def indicator_table(query: ReportQuery) -> AreaTable:
    indicator = indicator_get(code=query.indicator)
    found = indicator_rows(query)
    rows = [
        (
            row.code, row.name, row.validity, indicator.code, indicator.unit, row.period,
            _number(row.value), _number(row.previous), _number(row.target), row.reported,
            row.expected,
        )
        for row in found
    ]  # fmt: skip
    return AreaTable(
        title=f"Chỉ tiêu {indicator.code} ({indicator.name_vi}) theo xã và kỳ / Indicator "
        f"{indicator.code} ({indicator.name_en}) per commune and period",
        columns=INDICATOR_COLUMNS,
        rows=rows,
        boundaries=_boundaries([row.area_id for row in found]),
    )


def area_table(query: ReportQuery) -> AreaTable:
    return dossier_table(query) if query.layer == "dossiers" else indicator_table(query)


def _boundaries(ids: list[int]) -> list[bytes]:
    """Each id's boundary as WKB, in the order given (an id may repeat)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ST_AsBinary(boundary) FROM wards_area WHERE id = ANY(%s)", [list(set(ids))]
        )
        found = {row[0]: bytes(row[1]) for row in cursor.fetchall()}
    return [found[identifier] for identifier in ids]


def area_features(query: ReportQuery) -> dict[str, Any]:
    """The map of an area layer: each commune's outline with its figure — dossiers received in
    the period, or the indicator's value of the last period."""
    values: dict[int, float | int | None] = {}
    if query.layer == "dossiers":
        for count in _counts(query, ("area",)):
            if count.key[0]:
                values[int(count.key[0])] = count.received
    else:
        rows = indicator_rows(query)
        last = rows[-1].period if rows else None
        values = {row.area_id: _number(row.value) for row in rows if row.period == last}
    with connection.cursor() as cursor:
        # The outlines (wards.Area.outline, simplified to about 55 m) keep the page light.
        cursor.execute(
            "SELECT id, code, name, ST_AsGeoJSON(outline, 5) FROM wards_area "
            "WHERE id = ANY(%s) ORDER BY code, valid_from",
            [list(values)],
        )
        found = cursor.fetchall()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(outline) if outline else None,
                "properties": {"code": code, "name": name, "value": values[identifier]},
            }
            for identifier, code, name, outline in found
        ],
        "truncated": False,
    }

"""Reads of procedures: the catalogue, a dossier for the public and for staff, a unit's queue,
and the statistics, which read the daily tally rather than the dossiers themselves."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput, NotFound
from procedures import workflow
from procedures.models import Dossier, DossierEvent, Procedure


def procedures_list() -> QuerySet[Procedure]:
    return Procedure.objects.order_by("code")


def dossier_get(*, code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related("procedure", "receiving_unit", "current_unit", "area")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không có hồ sơ mã %(code)s.") % {"code": code}, code="unknown_dossier")
    return dossier


def dossier_public(*, code: str) -> dict[str, Any]:
    """What anyone holding the code may see: never the applicant, the location or the notes."""
    dossier = dossier_get(code=code.strip())
    steps = [
        {"action": event.action, "status": event.to_status, "at": event.at}
        for event in DossierEvent.objects.filter(dossier=dossier).order_by("at", "id")
    ]
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name},
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "receiving_unit": dossier.receiving_unit.name,
        "received_at": dossier.received_at.astimezone(VIETNAM_TIME_ZONE),
        "appointment_at": dossier.appointment_at.astimezone(VIETNAM_TIME_ZONE),
        "steps": steps,
    }


def unit_queue(
    *, unit_ids: list[int], limit: int = 200, area_id: int | None = None
) -> list[Dossier]:
    """A unit's dossiers in progress, the nearest deadline first (index dossier_queue); only
    those routed to `area_id` when given (the map's click-through)."""
    dossiers = Dossier.objects.filter(current_unit_id__in=unit_ids, status__in=workflow.IN_PROGRESS)
    if area_id is not None:
        dossiers = dossiers.filter(area_id=area_id)
    return list(
        dossiers.select_related("procedure")
        .only(
            "code",
            "status",
            "appointment_at",
            "received_at",
            "procedure__code",
            "procedure__name",
            "current_unit_id",
        )  # fmt: skip
        .order_by("appointment_at")[:limit]
    )


GROUPINGS: Final = ("unit", "area", "field", "procedure", "level", "month")


def _grouping(group_by: str, *, unit: str, day: str) -> tuple[str, str, str, str]:
    """(the narrow key over the rows t and their procedure p, the join that labels a group,
    key, label) of a grouping; `unit` and `day` name t's unit column and Vietnam-date expression.
    Whitelisted SQL fragments, never built from the request. Each statement aggregates by the
    narrow key first (an id, a field, a month) and joins the names to the few groups after:
    the rows sorted or hashed then hold integers, not names."""
    return {
        "unit": (unit, "JOIN wards_agency u ON u.id = m.k", "u.code", "u.name"),
        "area": ("t.area_id", "LEFT JOIN wards_area a ON a.id = m.k",
                 "a.code || '@' || a.valid_from", "a.name"),
        "procedure": ("t.procedure_id", "JOIN procedures_procedure p ON p.id = m.k", "p.code",
                      "p.name"),
        "field": ("p.field", "", "m.k", "m.k"),
        "level": ("p.level", "", "m.k", "m.k"),
        "month": (f"to_char({day}, 'YYYY-MM')", "", "m.k", "m.k"),
    }[group_by]  # fmt: skip


_TALLY_SQL: Final = """
SELECT {key} AS key, {label} AS label, m.received, m.online, m.finished, m.early, m.on_time,
       m.late, m.days
FROM (
    SELECT {inner} AS k, sum(t.received) AS received, sum(t.received_online) AS online,
           sum(t.finished) AS finished, sum(t.early) AS early, sum(t.on_time) AS on_time,
           sum(t.late) AS late, sum(t.working_days_sum) AS days
    FROM procedures_dossierdailytally t
    JOIN procedures_procedure p ON p.id = t.procedure_id
    WHERE t.day BETWEEN %(from)s AND %(to)s
    GROUP BY 1
) m
{join}
"""

# The processing times of the dossiers finished in the period, one per dossier (a median needs
# them all; the tally keeps sums). percentile_cont interpolates: with an even count the median
# is the mean of the middle two.
_FINISHED_SQL: Final = """
SELECT {key} AS key, {label} AS label, m.median
FROM (
    SELECT {inner} AS k, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.working_days) AS median
    FROM procedures_dossier t
    JOIN procedures_procedure p ON p.id = t.procedure_id
    WHERE t.finished_at >= %(start)s AND t.finished_at < %(end)s AND t.working_days IS NOT NULL
    GROUP BY 1
) m
{join}
"""

# The same per month, in two steps: the tally's rows summed per day, then the days per month, so
# that the month's label is computed once per day rather than once per row (at a million
# dossiers a year holds ~50,000 tally rows); no join, since every tally row has its unit and
# procedure (foreign keys) and the month needs neither's name.
_TALLY_BY_MONTH_SQL: Final = """
SELECT to_char(d.day, 'YYYY-MM') AS key, to_char(d.day, 'YYYY-MM') AS label,
       sum(d.received), sum(d.received_online), sum(d.finished), sum(d.early), sum(d.on_time),
       sum(d.late), sum(d.working_days_sum)
FROM (
    SELECT t.day, sum(t.received) AS received, sum(t.received_online) AS received_online,
           sum(t.finished) AS finished, sum(t.early) AS early, sum(t.on_time) AS on_time,
           sum(t.late) AS late, sum(t.working_days_sum) AS working_days_sum
    FROM procedures_dossierdailytally t
    WHERE t.day BETWEEN %(from)s AND %(to)s
    GROUP BY t.day
) AS d
GROUP BY 1, 2
"""

# Dossiers still open at the end of the period: a small set (an index on status), read directly.
_OPEN_SQL: Final = """
SELECT {key} AS key, {label} AS label, m.within, m.overdue, m.paused
FROM (
    SELECT {inner} AS k, count(*) FILTER (WHERE t.appointment_at >= %(end)s) AS within,
           count(*) FILTER (WHERE t.appointment_at < %(end)s) AS overdue,
           count(*) FILTER (WHERE t.status IN ('supplement_requested', 'payment_requested'))
               AS paused
    FROM procedures_dossier t
    JOIN procedures_procedure p ON p.id = t.procedure_id
    WHERE t.status IN ('received', 'processing', 'transferred', 'supplement_requested',
                       'payment_requested')
      AND t.received_at < %(end)s
    GROUP BY 1
) m
{join}
"""


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    def as_dict(self) -> dict[str, Any]:
        # A zero denominator has no rate: null, never 100 %.
        value = self.numerator / self.denominator if self.denominator else None
        return {"numerator": self.numerator, "denominator": self.denominator, "value": value}


def dossier_statistics(
    *, date_from: datetime.date, date_to: datetime.date, group_by: str, open_dossiers: bool = True
) -> list[dict[str, Any]]:
    """Counts and rates per group for receipts and finishes dated within [from, to] (Vietnam
    dates), with the dossiers still open at the end of `to` (docs/procedures.md gives formulas).
    Without `open_dossiers`, the open counts are left at zero, the median at null, and the
    dossiers are not read (only the daily tally is): for a caller that shows the receipts and
    finishes only."""
    if group_by not in GROUPINGS:
        raise InvalidInput(
            _("group_by phải là một trong: %(choices)s.") % {"choices": ", ".join(GROUPINGS)},
            code="bad_group_by",
        )
    if date_to < date_from:
        raise InvalidInput(_("Ngày kết thúc phải sau ngày bắt đầu."), code="bad_period")
    start = datetime.datetime.combine(date_from, datetime.time(0), VIETNAM_TIME_ZONE)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time(0), VIETNAM_TIME_ZONE
    )
    rows: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        inner, join, key, label = _grouping(group_by, unit="t.unit_id", day="t.day")
        tally = (
            _TALLY_BY_MONTH_SQL
            if group_by == "month"
            else _TALLY_SQL.format(inner=inner, join=join, key=key, label=label)
        )
        cursor.execute(tally, {"from": date_from, "to": date_to})
        for group, name, received, online, finished, early, on_time, late, days in cursor:
            rows[group] = _row(group, name) | {
                "received": received, "received_online": online, "finished": finished,
                "early": early, "on_time": on_time, "late": late, "working_days_sum": days,
            }  # fmt: skip
        if not open_dossiers:
            return [_with_rates(row) for _key, row in sorted(rows.items(), key=lambda i: str(i[0]))]
        inner, join, key, label = _grouping(
            group_by, unit="t.receiving_unit_id",
            day="(t.finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
        )  # fmt: skip
        cursor.execute(
            _FINISHED_SQL.format(inner=inner, join=join, key=key, label=label),
            {"start": start, "end": end},
        )
        for group, name, median in cursor:
            rows.setdefault(group, _row(group, name))["median_working_days"] = median
        inner, join, key, label = _grouping(
            group_by, unit="t.receiving_unit_id",
            day="(t.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
        )  # fmt: skip
        cursor.execute(_OPEN_SQL.format(inner=inner, join=join, key=key, label=label), {"end": end})
        for group, name, within, overdue, paused in cursor:
            row = rows.setdefault(group, _row(group, name))
            row.update(in_progress_within=within, in_progress_overdue=overdue, paused=paused)
    return [_with_rates(row) for _key, row in sorted(rows.items(), key=lambda item: str(item[0]))]


@dataclass(frozen=True)
class InProgress:
    within: int
    overdue: int


# The `_OPEN_SQL` totals over the covering partial index dossier_in_progress_area: an index-only
# scan, whatever the size of the table.
_IN_PROGRESS_SQL: Final = """
SELECT count(*) FILTER (WHERE appointment_at >= %(end)s),
       count(*) FILTER (WHERE appointment_at < %(end)s)
FROM procedures_dossier
WHERE status IN ('received', 'processing', 'transferred', 'supplement_requested',
                 'payment_requested')
  AND received_at < %(end)s {area}
"""


def dossiers_in_progress(*, on: datetime.date, area_id: int | None = None) -> InProgress:
    """The dossiers in progress at the end of `on` (Vietnam's day), within their appointment
    and past it: the totals of `dossier_statistics`' in_progress_within and
    in_progress_overdue over every group, or over one area's dossiers."""
    end = datetime.datetime.combine(
        on + datetime.timedelta(days=1), datetime.time(0), VIETNAM_TIME_ZONE
    )
    with connection.cursor() as cursor:
        # One of two fixed texts, so that the planner sees the area's equality when there is one.
        condition = "" if area_id is None else "AND area_id = %(area)s"
        cursor.execute(_IN_PROGRESS_SQL.format(area=condition), {"end": end, "area": area_id})
        within, overdue = cursor.fetchone()
    return InProgress(within=within, overdue=overdue)


def _row(group: Any, name: Any) -> dict[str, Any]:
    return {
        "key": str(group), "label": str(name), "received": 0, "received_online": 0,
        "finished": 0, "early": 0, "on_time": 0, "late": 0, "working_days_sum": 0,
        "in_progress_within": 0, "in_progress_overdue": 0, "paused": 0,
        "median_working_days": None,
    }  # fmt: skip


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    finished = int(row["finished"])
    days = int(row.pop("working_days_sum"))
    return row | {
        "on_time_rate": Rate(int(row["early"]) + int(row["on_time"]), finished).as_dict(),
        "online_rate": Rate(int(row.pop("received_online")), int(row["received"])).as_dict(),
        "average_working_days": days / finished if finished else None,
        "median_working_days": row.pop("median_working_days"),
    }


# Per area on a day (Vietnam dates): receipts and finishes of that day from the tally, and the
# dossiers open at the end of that day from the dossiers themselves. "Open at the end of the day"
# is rebuilt from the moments stored on each dossier (received before the end, not finished
# before it, and not refused, withdrawn or stopped), so a past date counts the dossiers that were
# open then, not those open now. Areas are the communes valid on the day, plus any other area a
# dossier of that day was routed to (received before the 2025 reform, say): nothing is dropped.
_BY_AREA_SQL: Final = """
WITH day_tally AS (
    SELECT area_id, sum(received) AS received, sum(finished) AS finished, sum(late) AS late
    FROM procedures_dossierdailytally
    WHERE day = %(on)s AND area_id IS NOT NULL
    GROUP BY area_id
), open_then AS (
    SELECT area_id, count(*) AS open, count(*) FILTER (WHERE appointment_at < %(end)s) AS overdue
    FROM procedures_dossier
    WHERE area_id IS NOT NULL AND received_at < %(end)s
      AND (finished_at IS NULL OR finished_at >= %(end)s)
      AND status NOT IN ('refused', 'withdrawn', 'stopped', 'submitted_online')
    GROUP BY area_id
)
SELECT a.id, a.code, a.name, a.valid_from,
       a.valid_from <= %(on)s AND (a.valid_to IS NULL OR a.valid_to >= %(on)s) AS current,
       coalesce(t.received, 0), coalesce(t.finished, 0), coalesce(t.late, 0),
       coalesce(o.open, 0), coalesce(o.overdue, 0),
       CASE WHEN %(outlines)s THEN ST_AsGeoJSON(a.outline, 5) END
FROM wards_area a
LEFT JOIN day_tally t ON t.area_id = a.id
LEFT JOIN open_then o ON o.area_id = a.id
WHERE (a.level = 'commune' AND a.valid_from <= %(on)s AND (a.valid_to IS NULL OR a.valid_to >= %(on)s))
   OR t.area_id IS NOT NULL OR o.area_id IS NOT NULL
ORDER BY a.code, a.valid_from
"""


def dossiers_by_area(*, on: datetime.date, outlines: bool = False) -> list[dict[str, Any]]:
    """Counts per area on `on` and the share late: (finished late that day + open and past the
    appointment at the end of the day) / (finished that day + open at the end of the day).
    Counts only: no dossier, applicant or place is named (docs/procedures.md)."""
    end = datetime.datetime.combine(
        on + datetime.timedelta(days=1), datetime.time(0), VIETNAM_TIME_ZONE
    )
    with connection.cursor() as cursor:
        cursor.execute(_BY_AREA_SQL, {"on": on, "end": end, "outlines": outlines})
        fetched = cursor.fetchall()
    results = []
    for area_id, code, name, valid_from, current, received, finished, late, open_, overdue, outline in fetched:  # fmt: skip
        row: dict[str, Any] = {
            "area_id": area_id, "area_code": code, "area_name": name,
            "area_valid_from": valid_from, "valid_on_date": current,
            "received": int(received), "finished": int(finished), "finished_late": int(late),
            "open": int(open_), "open_overdue": int(overdue),
            "late_rate": Rate(int(late) + int(overdue), int(finished) + int(open_)).as_dict(),
        }  # fmt: skip
        if outlines:
            row["outline"] = json.loads(outline) if outline else None
        results.append(row)
    return results


# The report builder's dossier layer (spatial_reports): counts from the daily tally, by any of
# these dimensions, narrowed to communes and fields. Whitelisted SQL fragments, never input.
TALLY_DIMENSIONS: Final = {
    "area": "t.area_id::text",
    "field": "p.field",
    "month": "to_char(t.day, 'YYYY-MM')",
}


@dataclass(frozen=True)
class DossierCount:
    """Counts of one group: `key` holds one text per dimension asked for (an area's id as text)."""

    key: tuple[str, ...]
    received: int
    finished: int
    on_time: int  # early or on time
    late: int


def dossier_fields() -> list[str]:
    """The fields (lĩnh vực) of the procedure catalogue, sorted."""
    return sorted(set(Procedure.objects.values_list("field", flat=True)))


def dossier_counts(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    dimensions: tuple[str, ...],
    area_ids: list[int] | None = None,
    fields: list[str] | None = None,
) -> list[DossierCount]:
    """Dossiers received and finished on the days [from, to] (Vietnam dates) per group of
    `dimensions` (any of TALLY_DIMENSIONS; none is one group), counted in the commune each was
    routed to. `area_ids` keeps those areas only (dossiers with no area are then left out);
    `fields` those fields only. Counts only: no dossier or applicant is read."""
    unknown = [dimension for dimension in dimensions if dimension not in TALLY_DIMENSIONS]
    if unknown:
        raise InvalidInput(
            _("Không nhóm được hồ sơ theo %(value)s.") % {"value": ", ".join(unknown)},
            code="bad_group_by",
        )
    keys = [TALLY_DIMENSIONS[dimension] for dimension in dimensions] or ["''"]
    conditions = ["t.day BETWEEN %(from)s AND %(to)s"]
    parameters: dict[str, Any] = {"from": date_from, "to": date_to}
    if area_ids is not None:
        conditions.append("t.area_id = ANY(%(areas)s)")
        parameters["areas"] = area_ids
    if fields:
        conditions.append("p.field = ANY(%(fields)s)")
        parameters["fields"] = fields
    columns = ", ".join(keys)
    positions = ", ".join(str(position) for position in range(1, len(keys) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, sum(t.received), sum(t.finished), sum(t.early + t.on_time), "
            "sum(t.late) FROM procedures_dossierdailytally t "
            "JOIN procedures_procedure p ON p.id = t.procedure_id "
            f"WHERE {' AND '.join(conditions)} GROUP BY {positions} ORDER BY {positions}",
            parameters,
        )
        width = len(keys)
        return [
            DossierCount(
                key=tuple("" if value is None else str(value) for value in row[:width]),
                received=int(row[width]), finished=int(row[width + 1]),
                on_time=int(row[width + 2]), late=int(row[width + 3]),
            )
            for row in cursor.fetchall()
        ]  # fmt: skip

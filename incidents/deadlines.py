"""Deadlines of a report from its category's norms, its priority and the working-day calendar.

| priority | acknowledge by                                  | resolve by                                     |
|----------|-------------------------------------------------|------------------------------------------------|
| urgent   | + `urgent_acknowledge_within_hours` working hours | + `urgent_resolve_within_hours` working hours  |
| normal   | + `acknowledge_within_hours` working hours       | + `normal_resolve_within_days` working days    |
| complex  | + `acknowledge_within_hours` working hours       | + `complex_resolve_within_days` working days   |

Both are counted from the report's `deadlines_from`: the moment it was reported, or the moment it
was transferred to another unit, or reopened (see docs/incidents.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from geoapp.working_calendar import WorkingCalendar
from incidents.models import Category, IncidentPriority


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    resolve_by: datetime


def deadlines_compute(
    *,
    calendar: WorkingCalendar,
    category: Category,
    priority: IncidentPriority | str,
    counted_from: datetime,
) -> Deadlines:
    if priority == IncidentPriority.URGENT:
        return Deadlines(
            acknowledge_by=calendar.add_working_hours(
                counted_from, category.urgent_acknowledge_within_hours
            ),
            resolve_by=calendar.add_working_hours(
                counted_from, category.urgent_resolve_within_hours
            ),
        )
    resolve_within_days = (
        category.complex_resolve_within_days
        if priority == IncidentPriority.COMPLEX
        else category.normal_resolve_within_days
    )
    return Deadlines(
        acknowledge_by=calendar.add_working_hours(counted_from, category.acknowledge_within_hours),
        resolve_by=calendar.add_working_days(counted_from, resolve_within_days),
    )

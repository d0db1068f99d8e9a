"""Monthly figures of citizen feedback per commune, for the operational indicators that the
`indicators` app computes (reports per 10,000 inhabitants, handled on time, handling time,
satisfaction). A read of this app's data for another app: counts only, never a person.

Decision 766/QĐ-TTg (2022) measures feedback by the share handled on time among those handled
in the period, and satisfaction by the share of satisfied ratings among those rated; the
denominators are returned with the counts so that the figures aggregate as ratios of sums.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from geoapp.clock import VIETNAM_TIME_ZONE

# A rating of 4 or 5 out of 5 is "satisfied" (hài lòng, rất hài lòng).
SATISFIED_RATING = 4


@dataclass(frozen=True)
class FeedbackMonth:
    area_id: int
    reported: int  # reports filed in the month (rejected ones excluded)
    handled: int  # reports resolved in the month
    handled_on_time: int  # of those, resolved by their deadline
    handling_days: float  # the sum of their handling times, in days from filing to resolution
    rated: int  # ratings given in the month
    satisfied: int  # of those, 4 or 5


_SQL = """
SELECT area_id,
       count(*) FILTER (WHERE reported_at >= %(start)s AND reported_at < %(end)s
                        AND status <> 'rejected'),
       count(*) FILTER (WHERE resolved_at >= %(start)s AND resolved_at < %(end)s),
       count(*) FILTER (WHERE resolved_at >= %(start)s AND resolved_at < %(end)s
                        AND resolved_at <= resolve_by),
       coalesce(sum(extract(epoch FROM resolved_at - reported_at) / 86400.0)
                FILTER (WHERE resolved_at >= %(start)s AND resolved_at < %(end)s), 0),
       count(*) FILTER (WHERE rated_at >= %(start)s AND rated_at < %(end)s),
       count(*) FILTER (WHERE rated_at >= %(start)s AND rated_at < %(end)s
                        AND rating >= %(satisfied)s)
FROM incidents_incident
WHERE (reported_at >= %(start)s AND reported_at < %(end)s)
   OR (resolved_at >= %(start)s AND resolved_at < %(end)s)
   OR (rated_at >= %(start)s AND rated_at < %(end)s)
GROUP BY area_id
"""


def feedback_monthly_figures(
    *, first_day: datetime.date, last_day: datetime.date
) -> list[FeedbackMonth]:
    """The figures of every commune with any feedback between the two days (Vietnam dates,
    both included), one statement."""
    start = datetime.datetime.combine(first_day, datetime.time(0), VIETNAM_TIME_ZONE)
    end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time(0), VIETNAM_TIME_ZONE
    )
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"start": start, "end": end, "satisfied": SATISFIED_RATING})
        return [
            FeedbackMonth(
                area_id=row[0],
                reported=row[1],
                handled=row[2],
                handled_on_time=row[3],
                handling_days=float(row[4]),
                rated=row[5],
                satisfied=row[6],
            )  # fmt: skip
            for row in cursor.fetchall()
        ]

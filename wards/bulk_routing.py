"""Routing many points at once: one set-based statement instead of one lookup per point.

For a choropleth of reports per commune, or to check a new set of boundaries against a million
past reports, looking each point up (`selectors.areas_containing_point`) costs a round trip and
a point-in-polygon test against a freshly read polygon per point. One statement does it all,
provided the polygons are on the outer side of the join: PostGIS then keeps each polygon's
prepared geometry and edge index in its cache while it tests every candidate point against it.
With the points outside, each test reads and decompresses another polygon: about seven times
slower at the national scale of 3,321 communes, where the planner picks that plan on its own
(docs/benchmarks.md).
"""

from __future__ import annotations

import datetime
import re

from django.db import connection

from geoapp.sql import valid_on
from wards.models import AreaLevel

# A table or column name given by the calling code, possibly qualified by its schema.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def points_count_by_area_sql(*, table: str, location_column: str = "location") -> str:
    """The statement behind `points_count_by_area`, with %(level)s and %(day)s parameters.

    The count is aggregated inside a LATERAL subquery: PostgreSQL cannot pull an aggregating
    subquery up into the join, so whatever the statistics say, the plan is a nested loop over
    the areas that runs the index scan of the points once per polygon. Points outside every
    area are not counted; a point exactly on a border shared by two areas counts in both.
    """
    table_sql = _quoted_identifier(table)
    location_sql = _quoted_identifier(location_column)
    # Raw SQL because the ORM cannot express a LATERAL join; the two names interpolated here are
    # checked and quoted identifiers chosen by the calling code, every value is a parameter.
    return f"""
        SELECT area.id, counted.points
        FROM wards_area area
        CROSS JOIN LATERAL (
            SELECT count(*) AS points
            FROM {table_sql} point
            WHERE ST_Covers(area.boundary, point.{location_sql})
        ) counted
        WHERE area.level = %(level)s
          AND {valid_on("day", table="area")}
    """


def points_count_by_area(
    *,
    table: str,
    on: datetime.date,
    level: AreaLevel = AreaLevel.COMMUNE,
    location_column: str = "location",
) -> dict[int, int]:
    """How many points of `table` lie in each area of `level` valid on `on`: {area id: count}.

    Every such area is in the answer, with 0 when no point falls in it. `table` must hold
    points in SRID 4326 in `location_column`, with a GiST index on it; both names come from the
    calling code, never from user input.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            points_count_by_area_sql(table=table, location_column=location_column),
            {"level": AreaLevel(level).value, "day": on},
        )
        return dict(cursor.fetchall())


def _quoted_identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a table or column name: {name!r}")
    return ".".join(connection.ops.quote_name(part) for part in name.split("."))

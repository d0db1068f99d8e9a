"""What each summary of citizen feedback holds (`incidents/summary_models.py`), as SQL over a
relation of signed report rows `c` (`sign`, then the columns of `incidents_incident`): the key and
counted columns of every summary, as each migration made them, and the pending map changes'
columns. `incidents.summaries` turns these into the triggers, the fold and the rebuild.

Every statement piece here is fixed text built from the constants below; nothing comes from input.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, replace

from incidents.models import OPEN_STATUSES, IncidentStatus, RejectionReason
from incidents.summary_models import (
    HOTSPOT_HEXAGON_SIDE_METRES,
    MAP_ZOOM_BANDS,
    METRES_PER_DEGREE_EAST,
    METRES_PER_DEGREE_NORTH,
    PAST_DAY,
)

# The public rule of `incidents.models.public_incidents_condition`, over the signed rows `c`.
PUBLICLY_VISIBLE_SQL = (
    f"(c.is_public AND NOT (c.status = '{IncidentStatus.REJECTED.value}' "
    f"AND c.rejection_reason = '{RejectionReason.SPAM.value}'))"
)
# A coordinate as an exact decimal (see IncidentMapCell.longitude_total).
_LONGITUDE = "round(ST_X(c.location)::numeric, 12)"
_LATITUDE = "round(ST_Y(c.location)::numeric, 12)"
# A band's cell side, 90/2^band degrees: exactly `cell_size_degrees(band)` of the map, in the
# same double precision, so the grid is the one the map draws.
_CELL = "(90.0::double precision / (2::double precision ^ band.zoom))"
_OPEN = "c.status IN ({})".format(", ".join(f"'{status}'" for status in sorted(OPEN_STATUSES)))
PAST_DAY_SQL = f"DATE '{PAST_DAY.isoformat()}'"


def _deadline_day(deadline: str) -> str:
    """The day (Vietnam's calendar) of an open report's deadline, PAST_DAY once it is finished."""
    return (
        f"CASE WHEN {_OPEN} THEN (c.{deadline} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
        f"ELSE {PAST_DAY_SQL} END"
    )


@dataclass(frozen=True)
class Summary:
    """One summary table: its key and counted columns, each with its SQL over the signed rows
    `c`, and the conditions and joins its rows need. The key columns are those of the table's
    unique key, which the upserts name (a unique index with included columns is not a
    constraint that ON CONFLICT ON CONSTRAINT could name)."""

    table: str
    keys: tuple[tuple[str, str], ...]
    values: tuple[tuple[str, str], ...]
    joins: str = ""
    condition: str = "true"
    # Key columns that are deadline days: the days before a given one may be folded into
    # PAST_DAY (see PAST_DAY), in the recomputation and in the table alike.
    day_keys: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.keys + self.values]

    @property
    def key_columns(self) -> list[str]:
        return [name for name, _ in self.keys]

    def delta_sql(self, signed_rows: str, *, fold_before: datetime.date | None = None) -> str:
        """The summary's rows as computed from `signed_rows`; a key whose counts cancel out (a
        row updated without changing anything the summary counts) is left out. With
        `fold_before`, deadline days before it are PAST_DAY."""
        selected = [
            f"{_folded(expression, fold_before) if name in self.day_keys else expression} AS {name}"
            for name, expression in self.keys
        ]
        selected += [f"sum(c.sign * ({expression})) AS {name}" for name, expression in self.values]
        sums = ", ".join(f"sum(c.sign * ({expression}))" for _, expression in self.values)
        zeros = ", ".join("0" for _ in self.values)
        keys = ", ".join(str(position) for position in range(1, len(self.keys) + 1))
        return (
            f"SELECT {', '.join(selected)} FROM {signed_rows} AS c {self.joins} "
            f"WHERE {self.condition} GROUP BY {keys} HAVING ({sums}) <> ({zeros}) "
            # Every statement takes the summary rows' locks in the same order, so two filings
            # that touch the same rows wait for each other instead of deadlocking.
            f"ORDER BY {keys}"
        )


def _folded(day: str, before: datetime.date | None) -> str:
    if before is None:
        return day
    return f"(CASE WHEN ({day}) < DATE '{before.isoformat()}' THEN {PAST_DAY_SQL} ELSE ({day}) END)"


# The daily summary as migrations 0010–0014 made it, before its resolve deadline day (migration
# 0015 adds it): the triggers and the fill of those migrations use this.
DAILY_BEFORE_RESOLVE_DAY = Summary(
    table="incidents_incidentdailysummary",
    keys=(
        ("day", "(c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"),
        ("area_id", "c.area_id"),
        ("agency_id", "c.agency_id"),
        ("category_id", "c.category_id"),
        ("status", "c.status"),
        ("publicly_visible", PUBLICLY_VISIBLE_SQL),
    ),
    values=(
        ("reports", "1"),
        ("resolved", "(c.resolved_at IS NOT NULL)::int"),
        ("resolved_on_time", "(c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_by)::int"),
        ("rated", "(c.rating IS NOT NULL)::int"),
        ("rating_total", "coalesce(c.rating, 0)"),
        ("satisfied", "(coalesce(c.rating, 0) >= 4)::int"),
    ),
)

# The unit and map summaries as migrations 0010–0012 made them, before the deadline days
# (migration 0014 adds those): the triggers and the fill of those migrations use these.
UNIT_BEFORE_DEADLINE_DAYS = Summary(
    table="incidents_incidentunitsummary",
    keys=(
        ("agency_id", "c.agency_id"),
        ("status", "c.status"),
        ("publicly_visible", PUBLICLY_VISIBLE_SQL),
    ),
    values=(("reports", "1"),),
)

MAP_CELLS_BEFORE_DEADLINE_DAYS = Summary(
    table="incidents_incidentmapcell",
    keys=(
        ("zoom", "band.zoom"),
        ("cell_column", f"floor(ST_X(c.location) / {_CELL})::bigint"),
        ("cell_row", f"floor(ST_Y(c.location) / {_CELL})::bigint"),
        ("category_id", "c.category_id"),
        ("status", "c.status"),
    ),
    values=(
        ("reports", "1"),
        ("longitude_total", _LONGITUDE),
        ("latitude_total", _LATITUDE),
        ("incident_id_total", "c.id"),
    ),
    joins="CROSS JOIN unnest(ARRAY[{}]::smallint[]) AS band(zoom)".format(
        ", ".join(str(band) for band in MAP_ZOOM_BANDS)
    ),
    condition=PUBLICLY_VISIBLE_SQL,
)

SUMMARIES_OF_0011 = (
    DAILY_BEFORE_RESOLVE_DAY,
    UNIT_BEFORE_DEADLINE_DAYS,
    MAP_CELLS_BEFORE_DEADLINE_DAYS,
)

UNIT = replace(
    UNIT_BEFORE_DEADLINE_DAYS,
    keys=UNIT_BEFORE_DEADLINE_DAYS.keys
    + (
        ("resolve_day", _deadline_day("resolve_by")),
        ("deadline_day", _deadline_day("current_deadline")),
    ),
    day_keys=("resolve_day", "deadline_day"),
)
MAP_CELLS = replace(
    MAP_CELLS_BEFORE_DEADLINE_DAYS,
    keys=MAP_CELLS_BEFORE_DEADLINE_DAYS.keys + (("resolve_day", _deadline_day("resolve_by")),),
    day_keys=("resolve_day",),
)

# The summaries as migration 0014 left them.
SUMMARIES_OF_0014 = (DAILY_BEFORE_RESOLVE_DAY, UNIT, MAP_CELLS)

DAILY = replace(
    DAILY_BEFORE_RESOLVE_DAY,
    keys=DAILY_BEFORE_RESOLVE_DAY.keys + (("resolve_day", _deadline_day("resolve_by")),),
    day_keys=("resolve_day",),
)


def _double(value: float) -> str:
    """A Python float as the same double precision value in SQL."""
    return f"'{value!r}'::double precision"


def _hexagon_join(x: str, y: str) -> str:
    """The hotspot hexagon (see HOTSPOT_HEXAGON_SIDE_METRES) of the point whose longitude and
    latitude (doubles) are `x` and `y`, as a lateral relation `hexagon(q, r)`: the point in
    hexagon sides east and north, its axial coordinates (q, r), then cube rounding (the hexagon
    whose centre is nearest: round the three cube coordinates and recompute the one that moved
    most from the other two). The same arithmetic on the same doubles wherever it runs (the
    rebuild over the reports, the fold and the readers over the pending changes), so every
    report lands in the same hexagon."""
    return f"""CROSS JOIN LATERAL (
    SELECT CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN -rr - rs
                ELSE rq END::integer AS q,
           CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN rr
                WHEN abs(rr - r) > abs(rs - s) THEN -rq - rs
                ELSE rr END::integer AS r
    FROM (SELECT q, r, -q - r AS s, round(q) AS rq, round(r) AS rr, round(-q - r) AS rs
          FROM (SELECT {_double(2.0 / 3.0)} * x AS q,
                       {_double(-1.0 / 3.0)} * x + {_double(math.sqrt(3.0) / 3.0)} * y AS r
                FROM (SELECT {x} * {_double(METRES_PER_DEGREE_EAST)}
                             / {_double(HOTSPOT_HEXAGON_SIDE_METRES)} AS x,
                             {y} * {_double(METRES_PER_DEGREE_NORTH)}
                             / {_double(HOTSPOT_HEXAGON_SIDE_METRES)} AS y) AS plane
               ) AS axial
         ) AS rounded
) AS hexagon"""


# Of a report row (the rebuild, and the triggers of migrations 0015–0018).
_HEXAGON = _hexagon_join("ST_X(c.location)", "ST_Y(c.location)")

HOTSPOTS = Summary(
    table="incidents_incidenthotspotcell",
    keys=(
        ("day", "(c.reported_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"),
        ("hexagon_column", "hexagon.q"),
        ("hexagon_row", "hexagon.r"),
        ("category_id", "c.category_id"),
        ("area_id", "c.area_id"),
    ),
    values=(("reports", "1"),),
    joins=_HEXAGON,
)

# The summaries as migration 0015 left them.
SUMMARIES_OF_0015 = (DAILY, UNIT, MAP_CELLS, HOTSPOTS)

# The grid of the grouped map without a category filter (IncidentMapOverviewCell): the
# category grid without its category.
MAP_OVERVIEW_CELLS = replace(
    MAP_CELLS,
    table="incidents_incidentmapoverviewcell",
    keys=tuple((name, expression) for name, expression in MAP_CELLS.keys if name != "category_id"),
)

SUMMARIES = (DAILY, UNIT, MAP_CELLS, MAP_OVERVIEW_CELLS, HOTSPOTS)

# Since migration 0019 the triggers keep these in the same statement; the two map grids (since
# 0018) and the hotspot hexagons (since 0019) get one pending change row per changed report
# instead (IncidentMapChange), folded into them by `summaries_fold_map_changes`: the grids' 12
# upserts were over half of what the summaries added to a filing, the hotspot upsert (with the
# hotspot tiles' version trigger it fired) half of what was left (issue 13).
SUMMARIES_KEPT_BY_TRIGGERS = (DAILY, UNIT)
MAP_GRIDS = (MAP_CELLS, MAP_OVERVIEW_CELLS)
SUMMARIES_FOLDED = (*MAP_GRIDS, HOTSPOTS)

MAP_CHANGES_TABLE = "incidents_incidentmapchange"
MAP_CHANGE_COLUMNS = (
    "sign, incident_id, category_id, status, resolve_day, longitude, latitude, "
    "exact_longitude, exact_latitude, publicly_visible, area_id, reported_day"
)
# A signed report row as a pending change: what the grids' and the hotspots' keys and sums
# need, with the resolve deadline day, the exact decimals and the reported day as the summaries
# compute them, the point's own doubles (from which the fold computes the grid cells and the
# hexagon) and whether the public sees the report (the grids count only those, the hotspots
# every report).
MAP_CHANGE_VALUES = (
    f"c.id, c.category_id, c.status, {_deadline_day('resolve_by')}, "
    f"ST_X(c.location), ST_Y(c.location), {_LONGITUDE}, {_LATITUDE}, "
    f"{PUBLICLY_VISIBLE_SQL}, c.area_id, {HOTSPOTS.keys[0][1]}"
)


def _from_map_changes(grid: Summary) -> Summary:
    """`grid` computed from pending change rows `c` (IncidentMapChange) rather than from report
    rows: the same cells (the same floor of the same double by the same cell side), the exact
    decimals and the resolve day the trigger computed as the grids do; of the public reports
    only."""
    over_changes = {
        "cell_column": f"floor(c.longitude / {_CELL})::bigint",
        "cell_row": f"floor(c.latitude / {_CELL})::bigint",
        "resolve_day": "c.resolve_day",
        "longitude_total": "c.exact_longitude",
        "latitude_total": "c.exact_latitude",
        "incident_id_total": "c.incident_id",
    }
    return replace(
        grid,
        keys=tuple((name, over_changes.get(name, sql)) for name, sql in grid.keys),
        values=tuple((name, over_changes.get(name, sql)) for name, sql in grid.values),
        condition="c.publicly_visible",
        day_keys=(),
    )


# The hexagon of a pending change's point: the rebuild's arithmetic on the same doubles.
HOTSPOT_HEXAGON_OF_CHANGE = _hexagon_join("c.longitude", "c.latitude")

# The hotspot hexagons computed from pending change rows `c`: every report, public or not.
HOTSPOTS_FROM_CHANGES = replace(
    HOTSPOTS,
    keys=(
        ("day", "c.reported_day"),
        ("hexagon_column", "hexagon.q"),
        ("hexagon_row", "hexagon.r"),
        ("category_id", "c.category_id"),
        ("area_id", "c.area_id"),
    ),
    joins=HOTSPOT_HEXAGON_OF_CHANGE,
)

SUMMARIES_FOLDED_FROM_CHANGES = (
    *(_from_map_changes(grid) for grid in MAP_GRIDS),
    HOTSPOTS_FROM_CHANGES,
)

# The pending changes as hotspot summary rows (day, hexagon_column, hexagon_row, category_id,
# area_id, reports), for the readers that add them to the summary's (the operations centre's
# layer, tiles and overview: `incidents.operations_selectors.hotspot_counts_sql`).
HOTSPOT_PENDING_CELLS_SQL = f"""(
    SELECT c.reported_day AS day, hexagon.q AS hexagon_column, hexagon.r AS hexagon_row,
           c.category_id, c.area_id, c.sign AS reports
    FROM {MAP_CHANGES_TABLE} AS c {HOTSPOT_HEXAGON_OF_CHANGE}
)"""

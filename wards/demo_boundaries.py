"""The boundaries the demo gives its units: the real ones of 2025, and the units before the reform
derived from them (approximate). Pure geometry, no database: `wards/demo_territory.py` stores the
plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy
import shapely
from django.utils.translation import gettext as _
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geoapp.exceptions import InvalidInput
from wards.demo_facts import (
    REFORM_DAY,
    AreaKey,
    UnitFact,
    current_successor,
    successor_fact,
)
from wards.models import AreaLevel

# What an area's `source` says, and how a later run recognises the areas the demo made itself.
REAL_BOUNDARY_SOURCE = (
    "Cổng thông tin địa giới hành chính quốc gia (2025), qua thanglequoc/vietnamese-provinces-"
    "database (MIT): fixtures/geo/qn2025_wards_province_96.geojson"
)
PROVINCE_SOURCE = "geoapp demo: union of the 96 real commune-level units of 2025 (fixtures/geo)"
DEMO_SOURCE = "geoapp demo: derived from the real 2025 boundaries (approximate)"
# Every area of the demo before it used the real boundaries; a run replaces them in place.
VORONOI_DEMO_SOURCE = "geoapp demo: Voronoi cells around unit centres (approximate)"

# In the national code list, commune codes 21xxx belong to the former Quảng Ngãi and 23xxx to the
# former Kon Tum, which joined Quảng Ngãi on 1 July 2025 (Nghị quyết 202/2025/QH15). The province
# before the reform is therefore the union of the current units whose codes start with "21".
FORMER_PROVINCE_COMMUNE_CODE_PREFIX = "21"

# UTM zone 48N on WGS 84: the plane where Voronoi diagrams and buffers are drawn, in metres. Not
# VN-2000 / UTM 48N (EPSG:3405): its datum shift would make the round trip back to WGS 84 depend
# on the transformation pyproj picks, whereas a pure projection comes back exactly.
METRIC_CRS = "EPSG:32648"
# Voronoi diagrams reach this far beyond what they split, so that once their cells are
# reprojected (edges bend slightly) they still cover it entirely.
DIAGRAM_MARGIN_METRES = 1_000.0
# Every overlay (clipping, union) happens in WGS 84, the stored system, snapped to a grid of about
# 1 mm. Overlays done in metres and reprojected afterwards would not tile: a former commune's
# corner in the middle of its successor's edge leaves that edge's straight line once reprojected.
GRID_DEGREES = 1e-8
# A generator point moved into its successor's cell goes this far inside it, so that the moved
# point does not sit on an edge shared with a neighbour.
MOVED_GENERATOR_INSET_METRES = 100.0


@dataclass(frozen=True)
class PlannedArea:
    """A unit with the boundary the demo gives it (WGS 84) and where that boundary comes from.

    `generator` is the point its Voronoi cell grew around (None for the real units and the units
    made as unions); `generator_moved` says the unit's centre lay outside the real unit it merged
    into and was moved in.
    """

    fact: UnitFact
    boundary: BaseGeometry
    source: str = DEMO_SOURCE
    generator: shapely.Point | None = None
    generator_moved: bool = False

    @property
    def is_approximate(self) -> bool:
        return self.source == DEMO_SOURCE

    @property
    def is_imported(self) -> bool:
        """Loaded from the commune file by the import core, not written by the demo itself."""
        return self.source == REAL_BOUNDARY_SOURCE


# --- planning the boundaries ---------------------------------------------------------------------


def _polygonal(geometry: BaseGeometry, *, fact: UnitFact) -> BaseGeometry:
    """The polygons of an overlay's result; an empty cell means the facts cannot be drawn."""
    if geometry.geom_type == "GeometryCollection":
        geometry = shapely.union_all(
            [part for part in geometry.geoms if part.geom_type in ("Polygon", "MultiPolygon")]
        )
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(
            _("Không tạo được ranh giới cho %(name)s (%(code)s): ô Voronoi rỗng.")
            % {"name": fact.name, "code": fact.code}
        )
    return geometry


def _reprojector(source: str, target: str) -> Callable[[BaseGeometry], BaseGeometry]:
    transformer = Transformer.from_crs(source, target, always_xy=True)

    def reproject(geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geometry,
            lambda coordinates: numpy.column_stack(
                transformer.transform(coordinates[:, 0], coordinates[:, 1])
            ),
        )

    return reproject


@dataclass(frozen=True)
class _Projection:
    to_metric: Callable[[BaseGeometry], BaseGeometry]
    to_wgs84: Callable[[BaseGeometry], BaseGeometry]


def _voronoi_cells(
    generators: list[shapely.Point],
    *,
    within: BaseGeometry,
    facts: list[UnitFact],
    projection: _Projection,
) -> list[BaseGeometry]:
    """The Voronoi cells of `generators` (WGS 84), in their order, clipped to `within`.

    The diagram is drawn in metres, so the cells split distances fairly; the clipping is done in
    WGS 84 (see GRID_DEGREES).
    """
    if len(generators) == 1:
        return [within]
    metric_generators = [projection.to_metric(generator) for generator in generators]
    for index, generator in enumerate(metric_generators):
        for other_index in range(index + 1, len(generators)):
            if generator.distance(metric_generators[other_index]) < 1.0:
                raise InvalidInput(
                    _("%(first)s và %(second)s có cùng tọa độ trung tâm.")
                    % {"first": facts[index].name, "second": facts[other_index].name}
                )
    diagram = shapely.voronoi_polygons(
        shapely.MultiPoint(metric_generators),
        extend_to=projection.to_metric(within).buffer(DIAGRAM_MARGIN_METRES),
        ordered=True,
    )
    return [
        _polygonal(
            shapely.intersection(projection.to_wgs84(cell), within, grid_size=GRID_DEGREES),
            fact=fact,
        )
        for cell, fact in zip(diagram.geoms, facts, strict=True)
    ]


def _generator_inside(
    centre: shapely.Point, cell: BaseGeometry, *, projection: _Projection
) -> tuple[shapely.Point, bool]:
    """The centre itself when it lies in `cell`, else the nearest point well inside it.

    The centres of the former communes are approximate, so one can fall just outside the real
    unit it merged into; its own cell must still lie inside that unit, so its generator moves in
    (and the plan says so).
    """
    if cell.contains(centre):
        return centre, False
    metric_cell = projection.to_metric(cell)
    inset = metric_cell.buffer(-MOVED_GENERATOR_INSET_METRES)
    target = metric_cell if inset.is_empty else inset
    return projection.to_wgs84(nearest_points(target, projection.to_metric(centre))[0]), True


def _centre(fact: UnitFact) -> shapely.Point:
    if fact.centre is None:
        raise InvalidInput(
            _("%(name)s (%(code)s) thiếu tọa độ trung tâm (centre_lat, centre_lon).")
            % {"name": fact.name, "code": fact.code}
        )
    return shapely.Point(*fact.centre)


def demo_territory_plan(
    *, facts: list[UnitFact], commune_boundaries: dict[str, BaseGeometry]
) -> list[PlannedArea]:
    """A boundary for every unit of `facts`: provinces first, then districts, then communes.

    - Current communes (valid from the reform day): their real boundaries, `commune_boundaries`
      (by code), which must hold exactly those units.
    - The province from the reform day: the union of the real communes, not the published
      outline, which is generalised: about 0.5 % of the communes' land lies outside it, where a
      report would find no province and miss the province-wide routing rules.
    - Former communes without predecessors (approximate): each real current unit is split into
      Voronoi cells around the centres of the former communes that ended up in it (following
      successions), so every former commune lies inside the unit it merged into and the former
      communes tile.
    - Former communes made by a merger (An Phú, 2025-01-01): the union of their predecessors.
    - Districts: the union of their communes on their first day; the province before the reform:
      the union of the real current units of its code range (approximate).
    """
    projection = _Projection(
        to_metric=_reprojector("EPSG:4326", METRIC_CRS),
        to_wgs84=_reprojector(METRIC_CRS, "EPSG:4326"),
    )
    communes = [fact for fact in facts if fact.level == AreaLevel.COMMUNE]
    current = [fact for fact in communes if fact.valid_from >= REFORM_DAY]
    former = [fact for fact in communes if fact.valid_from < REFORM_DAY]
    if not current:
        raise InvalidInput(_("Danh sách đơn vị không có đơn vị cấp xã nào từ ngày 01/07/2025."))
    _require_same_codes(commune_boundaries, current)

    cells: dict[AreaKey, BaseGeometry] = {}
    generators: dict[AreaKey, tuple[shapely.Point, bool]] = {}
    for fact in current:
        cells[fact.key] = commune_boundaries[fact.code]

    predecessors: dict[AreaKey, list[UnitFact]] = defaultdict(list)
    for fact in former:
        successor = successor_fact(facts, fact)
        if successor is not None:
            predecessors[successor.key].append(fact)
    merged = [fact for fact in former if predecessors[fact.key]]
    seeds = [fact for fact in former if not predecessors[fact.key]]

    seeds_by_current_unit: dict[AreaKey, list[UnitFact]] = defaultdict(list)
    for fact in seeds:
        seeds_by_current_unit[current_successor(facts, fact).key].append(fact)
    for current_key, group in seeds_by_current_unit.items():
        unit_cell = cells[current_key]
        placed = [
            _generator_inside(_centre(fact), unit_cell, projection=projection) for fact in group
        ]
        group_cells = _voronoi_cells(
            [generator for generator, _moved in placed],
            within=unit_cell,
            facts=group,
            projection=projection,
        )
        for fact, generator_and_moved, cell in zip(group, placed, group_cells, strict=True):
            cells[fact.key] = cell
            generators[fact.key] = generator_and_moved

    def merged_cell(fact: UnitFact) -> BaseGeometry:
        if fact.key not in cells:
            parts = [merged_cell(predecessor) for predecessor in predecessors[fact.key]]
            cells[fact.key] = shapely.union_all(parts, grid_size=GRID_DEGREES)
        return cells[fact.key]

    for fact in merged:
        merged_cell(fact)

    for fact in facts:
        if fact.level == AreaLevel.DISTRICT:
            children = [
                cells[commune.key]
                for commune in former
                if commune.parent_code == fact.code and commune.is_valid_on(fact.valid_from)
            ]
            if not children:
                raise InvalidInput(
                    _("%(name)s (%(code)s) không có đơn vị cấp xã nào để tạo ranh giới.")
                    % {"name": fact.name, "code": fact.code}
                )
            cells[fact.key] = shapely.union_all(children, grid_size=GRID_DEGREES)
        elif fact.level == AreaLevel.PROVINCE:
            after_reform = fact.valid_from >= REFORM_DAY
            members = [
                cells[commune.key]
                for commune in current
                if after_reform or commune.code.startswith(FORMER_PROVINCE_COMMUNE_CODE_PREFIX)
            ]
            # Unions of the real units only, whose vertices already lie on a 1e-6 degree grid:
            # no snapping needed, and without it the union takes a third of the time.
            cells[fact.key] = shapely.union_all(members)

    planned = []
    for fact in in_plan_order(facts):
        generator, moved = generators.get(fact.key, (None, False))
        planned.append(
            PlannedArea(
                fact=fact,
                boundary=_polygonal(cells[fact.key], fact=fact),
                source=planned_source(fact),
                generator=generator,
                generator_moved=moved,
            )
        )
    return planned


def planned_source(fact: UnitFact) -> str:
    """What the `source` of the unit's area says when the demo made it."""
    if fact.valid_from < REFORM_DAY:
        return DEMO_SOURCE
    return PROVINCE_SOURCE if fact.level == AreaLevel.PROVINCE else REAL_BOUNDARY_SOURCE


def in_plan_order(facts: list[UnitFact]) -> list[UnitFact]:
    """Provinces, then districts, then communes, each by validity: parents before children."""
    level_order: dict[str, int] = {
        AreaLevel.PROVINCE: 0,
        AreaLevel.DISTRICT: 1,
        AreaLevel.COMMUNE: 2,
    }
    return sorted(facts, key=lambda fact: (level_order[fact.level], fact.valid_from))


def _require_same_codes(boundaries: dict[str, BaseGeometry], current: list[UnitFact]) -> None:
    expected = {fact.code for fact in current}
    missing, extra = sorted(expected - set(boundaries)), sorted(set(boundaries) - expected)
    if missing or extra:
        raise InvalidInput(
            _(
                "Tệp ranh giới không khớp danh sách đơn vị cấp xã từ ngày 01/07/2025: "
                "thiếu %(missing)s; thừa %(extra)s."
            )
            % {"missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"}
        )

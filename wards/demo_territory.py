"""The demo territory that `make run` loads: the units of fixtures/geo/units.csv, their boundaries,
successions, agencies and routing rules.

The 96 commune-level units from 1 July 2025 have their real boundaries, open data of the national
administrative-boundary portal carried in fixtures/geo/ (see its README), loaded by the same import
core as `wards_import_areas`; the province from that day is their union. Nobody publishes the
boundaries of the units before the reform, so the demo derives them from the real ones and marks
them `is_approximate`: each former commune of the city is a Voronoi cell, around its centre, of the
real unit it merged into; the former city and the former province are unions of those.

The loader never touches an area that came from an official import, and replaces in place (same
id) the approximate areas an earlier version of the demo made (Voronoi cells everywhere).
"""

from __future__ import annotations

import csv
import datetime
import json
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import shapely
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geoapp.exceptions import InvalidInput
from wards import services
from wards.boundary_import import ImportReport, areas_import
from wards.models import (
    Agency,
    AgencyKind,
    Area,
    AreaLevel,
    AreaSuccession,
    AreaType,
    RoutingRule,
)

# What an area's `source` says, and how a later run recognises the areas the demo made itself.
REAL_BOUNDARY_SOURCE = (
    "Cổng thông tin địa giới hành chính quốc gia (2025), qua thanglequoc/vietnamese-provinces-"
    "database (MIT): fixtures/geo/qn2025_wards_province_96.geojson"
)
PROVINCE_SOURCE = "geoapp demo: union of the 96 real commune-level units of 2025 (fixtures/geo)"
DEMO_SOURCE = "geoapp demo: derived from the real 2025 boundaries (approximate)"
# Every area of the demo before it used the real boundaries; a run replaces them in place.
VORONOI_DEMO_SOURCE = "geoapp demo: Voronoi cells around unit centres (approximate)"

FIXTURES_DIRECTORY: Path = settings.BASE_DIR / "fixtures" / "geo"
DEFAULT_UNITS_CSV = FIXTURES_DIRECTORY / "units.csv"
DEFAULT_COMMUNE_BOUNDARIES = FIXTURES_DIRECTORY / "qn2025_wards_province_96.geojson"
# The field of the commune file whose text starts with the unit type ("Phường Cẩm Thành").
COMMUNE_NAME_FIELD = "fullName"
DEFAULT_AGENCIES_CSV = FIXTURES_DIRECTORY / "agencies.csv"
DEFAULT_ROUTING_RULES_CSV = FIXTURES_DIRECTORY / "routing_rules.csv"

REFORM_DAY = datetime.date(2025, 7, 1)
PROVINCE_CODE = "51"

# In the national code list, commune codes 21xxx belong to the former Quảng Ngãi and 23xxx to the
# former Kon Tum, which joined Quảng Ngãi on 1 July 2025 (Nghị quyết 202/2025/QH15). The province
# before the reform is therefore the union of the current cells whose codes start with "21".
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

COMMITTEE_NAME_PREFIX = "Ủy ban nhân dân"
ENGLISH_AREA_TYPES = {
    AreaType.WARD: "Ward",
    AreaType.COMMUNE: "Commune",
    AreaType.TOWNSHIP: "Township",
    AreaType.SPECIAL_ZONE: "Special Zone",
}
# Under the reserved top-level domain .example (RFC 2606): no demo address can reach a real
# mailbox, even if a demo machine is configured to send mail.
DEMO_EMAIL_DOMAIN = "quangngai.gov.vn.example"

UNIT_COLUMNS = (
    "code",
    "name",
    "type",
    "level",
    "parent_code",
    "valid_from",
    "valid_to",
    "successor_code",
    "centre_lat",
    "centre_lon",
)
AGENCY_COLUMNS = (
    "code",
    "name",
    "name_en",
    "kind",
    "parent_code",
    "jurisdiction",
    "email",
    "phone",
    "address",
)
ROUTING_RULE_COLUMNS = ("category_code", "area_code", "area_valid_from", "agency_code", "note")

AreaKey = tuple[str, datetime.date]  # (code, valid_from): what identifies an area


@dataclass(frozen=True)
class UnitFact:
    """One row of units.csv: an administrative unit during one validity period."""

    code: str
    name: str
    area_type: str
    level: str
    parent_code: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    successor_code: str
    centre: tuple[float, float] | None  # (longitude, latitude) in WGS 84

    @property
    def key(self) -> AreaKey:
        return (self.code, self.valid_from)

    @property
    def succession_day(self) -> datetime.date | None:
        """The day the successor takes over: the day after this unit's last day."""
        if not self.successor_code or self.valid_to is None:
            return None
        return self.valid_to + datetime.timedelta(days=1)

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class AgencyFact:
    """One row of agencies.csv; jurisdiction lists areas as (code, valid_from)."""

    code: str
    name: str
    name_en: str
    kind: str
    parent_code: str
    jurisdiction: tuple[AreaKey, ...]
    email: str
    phone: str
    address: str


@dataclass(frozen=True)
class RoutingRuleFact:
    category_code: str
    area: AreaKey
    agency_code: str
    note: str


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


@dataclass(frozen=True)
class DemoLoadReport:
    areas_created: int
    successions_created: int
    agencies_created: int
    routing_rules_created: int
    # Units left alone because an official area with the same code and validity exists.
    areas_skipped_official: tuple[str, ...] = ()
    # Approximate areas of the earlier Voronoi demo given their new boundary, keeping their id.
    areas_replaced: int = 0

    @property
    def nothing_loaded(self) -> bool:
        return not (
            self.areas_created
            or self.areas_replaced
            or self.successions_created
            or self.agencies_created
            or self.routing_rules_created
        )

    def summary(self) -> str:
        """One line for the administrator; `make run` shows the lines that start with "Loaded"."""
        if self.nothing_loaded:
            return "Demo territory already loaded: nothing to do"
        line = (
            f"Loaded demo territory: {self.areas_created} areas, "
            f"{self.successions_created} successions, {self.agencies_created} agencies, "
            f"{self.routing_rules_created} routing rules"
        )
        if self.areas_replaced:
            line += f"; replaced {self.areas_replaced} areas of the earlier approximate demo"
        if self.areas_skipped_official:
            line += (
                f"; left {len(self.areas_skipped_official)} officially imported areas alone: "
                + ", ".join(self.areas_skipped_official)
            )
        return line


# --- reading the fixtures -----------------------------------------------------------------------


def _csv_rows(*, path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV with their line numbers, after checking its header."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            missing = [column for column in columns if column not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInput(
                    _("Tệp %(path)s thiếu cột: %(columns)s.")
                    % {"path": path, "columns": ", ".join(missing)}
                )
            return [
                (reader.line_num, {key: (value or "").strip() for key, value in row.items()})
                for row in reader
            ]
    except FileNotFoundError:
        raise InvalidInput(_("Không tìm thấy tệp %(path)s.") % {"path": path}) from None


def _parse_day(text: str, *, path: Path, line: int) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Tệp %(path)s, dòng %(line)s: ngày “%(text)s” không đúng dạng YYYY-MM-DD.")
            % {"path": path, "line": line, "text": text}
        ) from None


def _parse_area_key(text: str, *, path: Path, line: int) -> AreaKey:
    """`51@2025-07-01`: an area named by its code and the first day of its validity."""
    code, separator, day = text.partition("@")
    if not separator or not code:
        raise InvalidInput(
            _("Tệp %(path)s, dòng %(line)s: “%(text)s” phải có dạng mã@YYYY-MM-DD.")
            % {"path": path, "line": line, "text": text}
        )
    return (code, _parse_day(day, path=path, line=line))


def unit_facts_read(*, path: Path) -> list[UnitFact]:
    facts = []
    for line, row in _csv_rows(path=path, columns=UNIT_COLUMNS):
        if row["level"] not in AreaLevel.values:
            raise InvalidInput(
                _("Tệp %(path)s, dòng %(line)s: cấp “%(level)s” không hợp lệ.")
                % {"path": path, "line": line, "level": row["level"]}
            )
        if row["type"] not in AreaType.values:
            raise InvalidInput(
                _("Tệp %(path)s, dòng %(line)s: loại đơn vị “%(type)s” không hợp lệ.")
                % {"path": path, "line": line, "type": row["type"]}
            )
        centre = None
        if row["centre_lat"] and row["centre_lon"]:
            try:
                centre = (float(row["centre_lon"]), float(row["centre_lat"]))
            except ValueError:
                raise InvalidInput(
                    _("Tệp %(path)s, dòng %(line)s: tọa độ trung tâm không phải là số.")
                    % {"path": path, "line": line}
                ) from None
        facts.append(
            UnitFact(
                code=row["code"],
                name=row["name"],
                area_type=row["type"],
                level=row["level"],
                parent_code=row["parent_code"],
                valid_from=_parse_day(row["valid_from"], path=path, line=line),
                valid_to=(
                    _parse_day(row["valid_to"], path=path, line=line) if row["valid_to"] else None
                ),
                successor_code=row["successor_code"],
                centre=centre,
            )
        )
    return facts


def agency_facts_read(*, path: Path) -> list[AgencyFact]:
    facts = []
    for line, row in _csv_rows(path=path, columns=AGENCY_COLUMNS):
        if row["kind"] not in AgencyKind.values:
            raise InvalidInput(
                _("Tệp %(path)s, dòng %(line)s: loại đơn vị “%(kind)s” không hợp lệ.")
                % {"path": path, "line": line, "kind": row["kind"]}
            )
        facts.append(
            AgencyFact(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                kind=row["kind"],
                parent_code=row["parent_code"],
                jurisdiction=tuple(
                    _parse_area_key(token, path=path, line=line)
                    for token in row["jurisdiction"].split()
                ),
                email=row["email"],
                phone=row["phone"],
                address=row["address"],
            )
        )
    return facts


def routing_rule_facts_read(*, path: Path) -> list[RoutingRuleFact]:
    return [
        RoutingRuleFact(
            category_code=row["category_code"],
            area=(row["area_code"], _parse_day(row["area_valid_from"], path=path, line=line)),
            agency_code=row["agency_code"],
            note=row["note"],
        )
        for line, row in _csv_rows(path=path, columns=ROUTING_RULE_COLUMNS)
    ]


def _geojson_features(path: Path) -> list[dict]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(_("Không tìm thấy tệp %(path)s.") % {"path": path}) from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            _("Tệp %(path)s không phải là GeoJSON hợp lệ.") % {"path": path}
        ) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise InvalidInput(_("Tệp %(path)s không phải là GeoJSON hợp lệ.") % {"path": path})
    return features


def commune_boundaries_read(*, path: Path) -> dict[str, BaseGeometry]:
    """The boundary of each feature of a GeoJSON file in WGS 84, by its `code` property.

    Only what the plan needs; the file is checked in full, and stored, by the import core.
    """
    boundaries = {}
    for feature in _geojson_features(path):
        code = str((feature.get("properties") or {}).get("code") or "").strip()
        geometry = shape(feature["geometry"]) if feature.get("geometry") else None
        if not code or geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInput(_("Tệp %(path)s không phải là GeoJSON hợp lệ.") % {"path": path})
        boundaries[code] = geometry if geometry.is_valid else shapely.make_valid(geometry)
    return boundaries


# --- planning the boundaries ---------------------------------------------------------------------


def _fact_valid_on(facts: Iterable[UnitFact], *, code: str, day: datetime.date) -> UnitFact:
    for fact in facts:
        if fact.code == code and fact.is_valid_on(day):
            return fact
    raise InvalidInput(
        _("Không có đơn vị mã %(code)s còn hiệu lực vào ngày %(date)s trong danh sách đơn vị.")
        % {"code": code, "date": day.strftime("%d/%m/%Y")}
    )


def _successor_fact(facts: list[UnitFact], fact: UnitFact) -> UnitFact | None:
    day = fact.succession_day
    if day is None:
        return None
    return _fact_valid_on(facts, code=fact.successor_code, day=day)


def _parent_fact(facts: list[UnitFact], fact: UnitFact) -> UnitFact | None:
    if not fact.parent_code:
        return None
    return _fact_valid_on(facts, code=fact.parent_code, day=fact.valid_from)


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
        successor = _successor_fact(facts, fact)
        if successor is not None:
            predecessors[successor.key].append(fact)
    merged = [fact for fact in former if predecessors[fact.key]]
    seeds = [fact for fact in former if not predecessors[fact.key]]

    seeds_by_current_unit: dict[AreaKey, list[UnitFact]] = defaultdict(list)
    for fact in seeds:
        seeds_by_current_unit[_current_successor(facts, fact).key].append(fact)
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
            cells[fact.key] = shapely.union_all(members, grid_size=GRID_DEGREES)

    planned = []
    for fact in _in_plan_order(facts):
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


def _in_plan_order(facts: list[UnitFact]) -> list[UnitFact]:
    """Provinces, then districts, then communes, each by validity: parents before children."""
    level_order = {AreaLevel.PROVINCE: 0, AreaLevel.DISTRICT: 1, AreaLevel.COMMUNE: 2}
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


def _current_successor(facts: list[UnitFact], fact: UnitFact) -> UnitFact:
    """The unit valid from the reform that `fact` ended up in, following its successions."""
    unit = fact
    for _step in range(len(facts)):
        if unit.valid_from >= REFORM_DAY:
            return unit
        successor = _successor_fact(facts, unit)
        if successor is None:
            break
        unit = successor
    raise InvalidInput(
        _("%(name)s (%(code)s) không có đơn vị kế thừa từ ngày 01/07/2025.")
        % {"name": fact.name, "code": fact.code}
    )


# --- loading -------------------------------------------------------------------------------------


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def committee_code(fact: UnitFact) -> str:
    """`ubnd-21025-2025`: the year tells the committees of the same code apart across reforms."""
    return f"ubnd-{fact.code}-{fact.valid_from.year}"


def _committee_names(area: Area) -> tuple[str, str]:
    """Named after the stored area: an imported name may place a tone mark differently ("Thuỷ")
    from units.csv ("Thủy"), and the committee should read as its area does."""
    bare_name = area.name.removeprefix(f"{area.area_type} ")
    english_type = ENGLISH_AREA_TYPES.get(AreaType(area.area_type), "")
    english = f"People's Committee of {_without_diacritics(bare_name)} {english_type}".strip()
    return f"{COMMITTEE_NAME_PREFIX} {area.name}", english


@dataclass
class _AreasLoad:
    areas: dict[AreaKey, Area]
    created: int = 0
    replaced: int = 0
    skipped_official: list[str] = field(default_factory=list)


def _existing_areas(facts: list[UnitFact]) -> dict[AreaKey, Area]:
    return {
        (area.code, area.valid_from): area
        for area in Area.objects.filter(code__in={fact.code for fact in facts}).defer(
            "boundary", "label_point"
        )
    }


def _is_to_write(area: Area | None) -> bool:
    """Missing, or made by the earlier Voronoi demo: what a run (re)writes."""
    return area is None or area.source == VORONOI_DEMO_SOURCE


def _kept_area(load: _AreasLoad, *, fact: UnitFact, area: Area) -> None:
    """Use an area that stays as it is; name it in the report if an official import made it."""
    if not area.is_approximate and area.source != planned_source(fact):
        load.skipped_official.append(f"{fact.code} from {fact.valid_from.isoformat()}")
    load.areas[fact.key] = area


def _areas_load(
    *,
    plan: list[PlannedArea],
    facts: list[UnitFact],
    existing: dict[AreaKey, Area],
    commune_boundaries: Path,
) -> _AreasLoad:
    """Every planned area, stored unless it exists; the earlier Voronoi demo's are replaced.

    The demo writes its own areas (the province and the approximate units) with the area
    services, then hands the real communes to the import core, which checks and stores the file
    as `wards_import_areas` would (and replaces a Voronoi cell in place, keeping its id).
    """
    load = _AreasLoad(areas={})

    def is_missing_or_voronoi(planned: PlannedArea) -> bool:
        return _is_to_write(existing.get(planned.fact.key))

    for planned in plan:
        fact = planned.fact
        area = existing.get(fact.key)
        if area is not None and not is_missing_or_voronoi(planned):
            _kept_area(load, fact=fact, area=area)
        elif planned.is_imported:
            continue  # below, with the other real communes, in one import
        elif area is not None:
            load.areas[fact.key] = services.area_replace_boundary(
                area=area,
                name=fact.name,
                boundary=planned.boundary,
                source=planned.source,
                is_approximate=planned.is_approximate,
            )
            load.replaced += 1
        else:
            parent_fact = _parent_fact(facts, fact)
            load.areas[fact.key] = services.area_create(
                code=fact.code,
                name=fact.name,
                area_type=fact.area_type,
                level=fact.level,
                boundary=planned.boundary,
                valid_from=fact.valid_from,
                valid_to=fact.valid_to,
                parent=load.areas[parent_fact.key] if parent_fact else None,
                is_approximate=planned.is_approximate,
                source=planned.source,
            )
            load.created += 1

    to_import = {
        planned.fact.code
        for planned in plan
        if planned.is_imported and is_missing_or_voronoi(planned)
    }
    if to_import:
        report = _real_communes_import(path=commune_boundaries, codes=to_import)
        load.created += len(report.added)
        load.replaced += len(report.replaced)
        for area in Area.objects.filter(code__in=to_import, valid_from=REFORM_DAY).defer(
            "boundary", "label_point"
        ):
            load.areas[(area.code, area.valid_from)] = area
    return load


def _real_communes_import(*, path: Path, codes: set[str]) -> ImportReport:
    """Import the features of the commune file whose codes are in `codes` under province 51.

    All of them on a fresh database, straight from the file; the few an official import has not
    already given, from a copy of the file holding only those.
    """
    arguments = {
        "level": AreaLevel.COMMUNE,
        "valid_from": REFORM_DAY,
        "name_field": COMMUNE_NAME_FIELD,
        "parent_code": PROVINCE_CODE,
        "source": REAL_BOUNDARY_SOURCE,
        "commit": True,
    }
    features = _geojson_features(path)
    if len(codes) == len(features):
        return areas_import(path=path, **arguments)
    with tempfile.TemporaryDirectory() as directory:
        subset = Path(directory) / path.name
        subset.write_text(
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        feature
                        for feature in features
                        if str(feature["properties"]["code"]).strip() in codes
                    ],
                }
            ),
            encoding="utf-8",
        )
        return areas_import(path=subset, **arguments)


def _successions_load(*, facts: list[UnitFact], areas: dict[AreaKey, Area]) -> int:
    existing = set(
        AreaSuccession.objects.filter(
            predecessor__in=[area.pk for area in areas.values()]
        ).values_list("predecessor_id", "successor_id")
    )
    created = 0
    for fact in facts:
        successor_fact = _successor_fact(facts, fact)
        if successor_fact is None:
            continue
        predecessor, successor = areas[fact.key], areas[successor_fact.key]
        if (predecessor.pk, successor.pk) in existing:
            continue
        services.area_succession_create(
            predecessor=predecessor, successor=successor, effective_on=fact.succession_day
        )
        created += 1
    return created


def _agencies_load(
    *, agency_facts: list[AgencyFact], facts: list[UnitFact], areas: dict[AreaKey, Area]
) -> tuple[dict[str, Agency], int]:
    """The agencies of the CSV, then one People's Committee per commune-level unit.

    A commune's committee reports to the committee whose jurisdiction holds the commune's parent
    area: the city's before the reform, the province's after it.
    """
    communes = [fact for fact in facts if fact.level == AreaLevel.COMMUNE]
    committee_codes = [committee_code(fact) for fact in communes]
    all_codes = [fact.code for fact in agency_facts] + committee_codes
    duplicates = sorted({code for code in all_codes if all_codes.count(code) > 1})
    if duplicates:
        raise InvalidInput(_("Mã đơn vị bị trùng: %(codes)s.") % {"codes": ", ".join(duplicates)})
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=all_codes)}
    created = 0

    def area_of(key: AreaKey, *, agency_code: str) -> Area:
        if key not in areas:
            raise InvalidInput(
                _(
                    "Đơn vị %(agency)s phụ trách địa bàn %(code)s từ %(date)s, không có trong danh sách đơn vị."
                )
                % {"agency": agency_code, "code": key[0], "date": key[1].strftime("%d/%m/%Y")}
            )
        return areas[key]

    for fact in agency_facts:
        if fact.code in agencies:
            continue
        parent = None
        if fact.parent_code:
            parent = agencies.get(fact.parent_code)
            if parent is None:
                raise InvalidInput(
                    _("Đơn vị cấp trên “%(parent)s” của %(agency)s phải đứng trước nó trong tệp.")
                    % {"parent": fact.parent_code, "agency": fact.code}
                )
        agencies[fact.code] = services.agency_create(
            code=fact.code,
            name=fact.name,
            name_en=fact.name_en,
            kind=fact.kind,
            parent=parent,
            jurisdiction=[area_of(key, agency_code=fact.code) for key in fact.jurisdiction],
            email=fact.email,
            phone=fact.phone,
            address=fact.address,
        )
        created += 1

    missing_committees = [
        (fact, code)
        for fact, code in zip(communes, committee_codes, strict=True)
        if code not in agencies
    ]
    if not missing_committees:
        return agencies, created
    # One query for the higher committees (province, former city) the new ones report to.
    committee_of_area = {
        area_id: agencies[agency_code]
        for area_id, agency_code in Agency.jurisdiction.through.objects.filter(
            agency__code__in=[fact.code for fact in agency_facts],
            agency__kind=AgencyKind.PEOPLES_COMMITTEE,
        ).values_list("area_id", "agency__code")
    }
    for fact, code in missing_committees:
        area = areas[fact.key]
        name, name_en = _committee_names(area)
        agencies[code] = services.agency_create(
            code=code,
            name=name,
            name_en=name_en,
            kind=AgencyKind.PEOPLES_COMMITTEE,
            parent=committee_of_area.get(area.parent_id),
            jurisdiction=[area],
            email=f"{code}@{DEMO_EMAIL_DOMAIN}",
        )
        created += 1
    return agencies, created


def _routing_rules_load(
    *,
    rule_facts: list[RoutingRuleFact],
    areas: dict[AreaKey, Area],
    agencies: dict[str, Agency],
) -> int:
    existing = set(
        RoutingRule.objects.filter(area__in=[area.pk for area in areas.values()]).values_list(
            "category_code", "area_id"
        )
    )
    created = 0
    for fact in rule_facts:
        area = areas.get(fact.area)
        agency = agencies.get(fact.agency_code)
        if area is None or agency is None:
            raise InvalidInput(
                _(
                    "Quy tắc %(category)s: không tìm thấy địa bàn %(code)s từ %(date)s hoặc đơn vị %(agency)s."
                )
                % {
                    "category": fact.category_code,
                    "code": fact.area[0],
                    "date": fact.area[1].strftime("%d/%m/%Y"),
                    "agency": fact.agency_code,
                }
            )
        if (fact.category_code, area.pk) in existing:
            continue
        services.routing_rule_create(
            area=area, agency=agency, category_code=fact.category_code, note=fact.note
        )
        created += 1
    return created


@transaction.atomic
def demo_territory_load(
    *,
    units_csv: Path = DEFAULT_UNITS_CSV,
    agencies_csv: Path = DEFAULT_AGENCIES_CSV,
    routing_rules_csv: Path = DEFAULT_ROUTING_RULES_CSV,
    commune_boundaries: Path = DEFAULT_COMMUNE_BOUNDARIES,
) -> DemoLoadReport:
    """Load whatever part of the demo territory is missing, in one transaction.

    Idempotent: areas are matched by (code, valid_from), successions by their two areas, agencies
    by code and routing rules by (category, area); what exists is left as it is, so a second run
    changes nothing. An area that came from an official import (not approximate) is never
    touched: the demo uses it where it would have used its own, and the report names it. The
    areas of the earlier demo (Voronoi cells, `VORONOI_DEMO_SOURCE`) are replaced in place, so
    a developer database loaded with it moves onto the real communes and keeps its records.
    All input is read and every boundary planned before the first write.
    """
    facts = unit_facts_read(path=units_csv)
    agency_facts = agency_facts_read(path=agencies_csv)
    rule_facts = routing_rule_facts_read(path=routing_rules_csv)
    existing = _existing_areas(facts)
    if any(_is_to_write(existing.get(fact.key)) for fact in facts):
        plan = demo_territory_plan(
            facts=facts, commune_boundaries=commune_boundaries_read(path=commune_boundaries)
        )
        load = _areas_load(
            plan=plan, facts=facts, existing=existing, commune_boundaries=commune_boundaries
        )
    else:
        # Every area is there: planning (reading 5 MB of boundaries, uniting a hundred
        # polygons, about 1.5 s) would only be thrown away.
        load = _AreasLoad(areas={})
        for fact in _in_plan_order(facts):
            _kept_area(load, fact=fact, area=existing[fact.key])
    successions_created = _successions_load(facts=facts, areas=load.areas)
    agencies, agencies_created = _agencies_load(
        agency_facts=agency_facts, facts=facts, areas=load.areas
    )
    rules_created = _routing_rules_load(rule_facts=rule_facts, areas=load.areas, agencies=agencies)
    return DemoLoadReport(
        areas_created=load.created,
        successions_created=successions_created,
        agencies_created=agencies_created,
        routing_rules_created=rules_created,
        areas_skipped_official=tuple(load.skipped_official),
        areas_replaced=load.replaced,
    )

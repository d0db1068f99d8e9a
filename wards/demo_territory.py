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

Reading the fixtures is `wards/demo_facts.py`, planning the boundaries `wards/demo_boundaries.py`;
this module writes.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from wards import services
from wards.boundary_import import ImportReport, areas_import
from wards.demo_boundaries import (
    REAL_BOUNDARY_SOURCE,
    VORONOI_DEMO_SOURCE,
    PlannedArea,
    demo_territory_plan,
    in_plan_order,
    planned_source,
)
from wards.demo_facts import (
    DEFAULT_AGENCIES_CSV,
    DEFAULT_COMMUNE_BOUNDARIES,
    DEFAULT_ROUTING_RULES_CSV,
    DEFAULT_UNITS_CSV,
    AgencyFact,
    AreaKey,
    RoutingRuleFact,
    UnitFact,
    agency_facts_read,
    commune_boundaries_read,
    geojson_features,
    parent_fact,
    routing_rule_facts_read,
    successor_fact,
    unit_facts_read,
)
from wards.demo_facts import (
    REFORM_DAY as REFORM_DAY,  # re-exported: the demo reports date themselves around it
)
from wards.models import (
    Agency,
    AgencyKind,
    Area,
    AreaLevel,
    AreaSuccession,
    AreaType,
    RoutingRule,
)

PROVINCE_CODE = "51"
# The field of the commune file whose text starts with the unit type ("Phường Cẩm Thành").
COMMUNE_NAME_FIELD = "fullName"

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


# --- loading -------------------------------------------------------------------------------------


def without_diacritics(text: str) -> str:
    """Vietnamese letters without their marks (đ as d): for English names and e-mail addresses."""
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
    english = f"People's Committee of {without_diacritics(bare_name)} {english_type}".strip()
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
            parent = parent_fact(facts, fact)
            load.areas[fact.key] = services.area_create(
                code=fact.code,
                name=fact.name,
                area_type=fact.area_type,
                level=fact.level,
                boundary=planned.boundary,
                valid_from=fact.valid_from,
                valid_to=fact.valid_to,
                parent=load.areas[parent.key] if parent else None,
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

    def import_file(file: Path) -> ImportReport:
        return areas_import(
            path=file,
            level=AreaLevel.COMMUNE,
            valid_from=REFORM_DAY,
            name_field=COMMUNE_NAME_FIELD,
            parent_code=PROVINCE_CODE,
            source=REAL_BOUNDARY_SOURCE,
            commit=True,
        )

    features = geojson_features(path)
    if len(codes) == len(features):
        return import_file(path)
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
        return import_file(subset)


def _successions_load(*, facts: list[UnitFact], areas: dict[AreaKey, Area]) -> int:
    existing = set(
        AreaSuccession.objects.filter(
            predecessor__in=[area.pk for area in areas.values()]
        ).values_list("predecessor_id", "successor_id")
    )
    created = 0
    for fact in facts:
        successor, day = successor_fact(facts, fact), fact.succession_day
        if successor is None or day is None:
            continue
        predecessor_area, successor_area = areas[fact.key], areas[successor.key]
        if (predecessor_area.pk, successor_area.pk) in existing:
            continue
        services.area_succession_create(
            predecessor=predecessor_area,
            successor=successor_area,
            effective_on=day,
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
    for unit, code in missing_committees:
        area = areas[unit.key]
        name, name_en = _committee_names(area)
        agencies[code] = services.agency_create(
            code=code,
            name=name,
            name_en=name_en,
            kind=AgencyKind.PEOPLES_COMMITTEE,
            parent=committee_of_area.get(area.parent_id) if area.parent_id else None,
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
        for fact in in_plan_order(facts):
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

"""The demo territory: the real communes of 2025, the approximate units before the reform derived
from them, successions, agencies and routing rules.

The demo is loaded once for the class `TestTheLoadedDemo`, inside a transaction rolled back after
its last test (a load takes seconds; each test still runs in its own savepoint). The tests that
need another starting point (an empty database, an official import, the earlier Voronoi demo)
come after the class.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from shapely.geometry import box, shape

from geoapp.exceptions import InvalidInput
from wards import services
from wards.demo_boundaries import (
    DEMO_SOURCE,
    PROVINCE_SOURCE,
    REAL_BOUNDARY_SOURCE,
    VORONOI_DEMO_SOURCE,
    PlannedArea,
    demo_territory_plan,
)
from wards.demo_facts import (
    DEFAULT_AGENCIES_CSV,
    DEFAULT_COMMUNE_BOUNDARIES,
    DEFAULT_ROUTING_RULES_CSV,
    DEFAULT_UNITS_CSV,
    FIXTURES_DIRECTORY,
    commune_boundaries_read,
    unit_facts_read,
)
from wards.demo_territory import DemoLoadReport, committee_code, demo_territory_load
from wards.geometry import to_shapely
from wards.models import Agency, Area, AreaLevel, AreaSuccession, RoutingRule
from wards.selectors import areas_containing_point, route_point

REFORM_DAY = datetime.date(2025, 7, 1)
IN_2024 = datetime.date(2024, 6, 1)
AFTER_THE_AN_PHU_MERGER = datetime.date(2025, 3, 1)
IN_2026 = datetime.date(2026, 1, 1)
FORMER_CITY_UNITS = {"21025", "21028", "21172", "21034", "21211", "21109"}
# The administrative centre of Phường Cẩm Thành (Thành ủy Quảng Ngãi), from the CSV.
CAM_THANH_CENTRE = Point(108.812, 15.1135, srid=4326)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


UNIT_ROWS = csv_rows(DEFAULT_UNITS_CSV)
AGENCY_ROWS = csv_rows(DEFAULT_AGENCIES_CSV)
RULE_ROWS = csv_rows(DEFAULT_ROUTING_RULES_CSV)
COMMUNE_ROWS = [row for row in UNIT_ROWS if row["level"] == "commune"]
CURRENT_COMMUNE_ROWS = [row for row in COMMUNE_ROWS if row["valid_from"] == "2025-07-01"]
COMMUNE_FEATURES = json.loads(DEFAULT_COMMUNE_BOUNDARIES.read_text(encoding="utf-8"))["features"]
# The official full names, which place two tone marks otherwise than units.csv ("Thủy").
OFFICIAL_NAMES = {
    feature["properties"]["code"]: feature["properties"]["fullName"] for feature in COMMUNE_FEATURES
}


def counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "successions": AreaSuccession.objects.count(),
        "agencies": Agency.objects.count(),
        "rules": RoutingRule.objects.count(),
    }


def ids() -> dict[str, set[int]]:
    return {
        "areas": set(Area.objects.values_list("id", flat=True)),
        "successions": set(AreaSuccession.objects.values_list("id", flat=True)),
        "agencies": set(Agency.objects.values_list("id", flat=True)),
        "rules": set(RoutingRule.objects.values_list("id", flat=True)),
    }


def lonlat(point: shapely.Point) -> Point:
    return Point(point.x, point.y, srid=4326)


def chain(point: Point, on: datetime.date) -> list[tuple[str, datetime.date]]:
    return [(area.code, area.valid_from) for area in areas_containing_point(point=point, on=on)]


def union_and_sum_of_areas_km2(*, level: str, on: datetime.date) -> tuple[float, float, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_Area(ST_Union(boundary)::geography) / 1e6,
                   SUM(ST_Area(boundary::geography)) / 1e6, COUNT(*)
            FROM wards_area
            WHERE level = %s AND valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)
            """,
            [level, on, on],
        )
        return cursor.fetchone()


@pytest.fixture(scope="module")
def plan() -> list[PlannedArea]:
    return demo_territory_plan(
        facts=unit_facts_read(path=DEFAULT_UNITS_CSV),
        commune_boundaries=commune_boundaries_read(path=DEFAULT_COMMUNE_BOUNDARIES),
    )


@pytest.fixture(scope="class")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoLoadReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_territory_load()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded", "db")
class TestTheLoadedDemo:
    def test_it_creates_every_area_succession_agency_and_rule_the_fixtures_describe(
        self, loaded: DemoLoadReport
    ) -> None:
        expected_successions = sum(1 for row in UNIT_ROWS if row["successor_code"])
        expected_agencies = len(AGENCY_ROWS) + len(COMMUNE_ROWS)

        assert loaded == DemoLoadReport(
            areas_created=len(UNIT_ROWS),
            successions_created=expected_successions,
            agencies_created=expected_agencies,
            routing_rules_created=len(RULE_ROWS),
        )
        assert counts() == {"areas": 123, "successions": 25, "agencies": 129, "rules": 15}
        assert Area.objects.on(IN_2026).filter(level=AreaLevel.COMMUNE).count() == 96
        assert Area.objects.on(IN_2024).filter(level=AreaLevel.COMMUNE).count() == 23
        assert (
            Area.objects.on(AFTER_THE_AN_PHU_MERGER).filter(level=AreaLevel.COMMUNE).count() == 22
        )
        # What `wards_load_demo` prints, and `make run` shows.
        assert loaded.summary() == (
            "Loaded demo territory: 123 areas, 25 successions, 129 agencies, 15 routing rules"
        )

    def test_the_units_from_the_reform_are_real_and_those_before_it_approximate(self) -> None:
        sources = Counter(Area.objects.values_list("valid_from", "is_approximate", "source"))

        assert sources == {
            (REFORM_DAY, False, REAL_BOUNDARY_SOURCE): 96,
            (REFORM_DAY, False, PROVINCE_SOURCE): 1,
            (datetime.date(2014, 4, 1), True, DEMO_SOURCE): 24,
            (datetime.date(2025, 1, 1), True, DEMO_SOURCE): 1,
            (datetime.date(1989, 7, 1), True, DEMO_SOURCE): 1,
        }

    def test_the_api_answers_the_96_real_communes_of_2026_with_their_official_codes(
        self,
    ) -> None:
        response = Client().get("/api/v1/areas/", {"level": "commune", "date": "2026-01-01"})

        assert response.status_code == 200
        features = response.json()["features"]
        assert len(features) == 96
        assert {
            feature["properties"]["code"]: feature["properties"]["name"] for feature in features
        } == OFFICIAL_NAMES
        assert {feature["properties"]["is_approximate"] for feature in features} == {False}
        assert {feature["properties"]["valid_from"] for feature in features} == {"2025-07-01"}

    def test_each_real_commune_has_exactly_the_boundary_of_the_file(self) -> None:
        stored = {
            area.code: to_shapely(area.boundary)
            for area in Area.objects.filter(level=AreaLevel.COMMUNE, valid_from=REFORM_DAY)
        }

        assert len(stored) == 96
        for feature in COMMUNE_FEATURES:
            code = feature["properties"]["code"]
            assert stored[code].equals(shape(feature["geometry"])), code

    def test_every_area_carries_the_type_level_validity_and_parent_of_its_csv_row(self) -> None:
        renamed = []
        for row in UNIT_ROWS:
            area = Area.objects.select_related("parent").get(
                code=row["code"], valid_from=row["valid_from"]
            )
            parent = area.parent
            if area.name != row["name"]:
                renamed.append((row["name"], area.name))
            assert (area.area_type, area.level) == (row["type"], row["level"])
            assert area.valid_to == (
                datetime.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
            )
            assert (parent.code if parent else "") == row["parent_code"]
            if parent is not None:
                assert parent.is_valid_on(area.valid_from)
        # The real communes carry the file's official names: two tone marks placed otherwise.
        assert renamed == [
            ("Xã Sơn Thủy", "Xã Sơn Thuỷ"),
            ("Xã Đặng Thùy Trâm", "Xã Đặng Thuỳ Trâm"),
        ]

    def test_loading_again_changes_nothing_and_the_command_prints_nothing(self) -> None:
        before_counts, before_ids = counts(), ids()
        output = io.StringIO()

        report = demo_territory_load()
        call_command("wards_load_demo", stdout=output)

        assert report == DemoLoadReport(0, 0, 0, 0)
        assert report.nothing_loaded
        assert output.getvalue() == ""
        assert counts() == before_counts
        assert ids() == before_ids

    def test_each_current_unit_centre_falls_in_its_own_commune_under_the_province(self) -> None:
        for row in CURRENT_COMMUNE_ROWS:
            centre = Point(float(row["centre_lon"]), float(row["centre_lat"]), srid=4326)

            assert chain(centre, IN_2026) == [(row["code"], REFORM_DAY), ("51", REFORM_DAY)]

    def test_each_former_commune_generator_falls_in_that_commune_in_2024_under_the_city(
        self, plan: list[PlannedArea]
    ) -> None:
        seeds = [
            planned
            for planned in plan
            if planned.fact.level == AreaLevel.COMMUNE and planned.fact.valid_from < REFORM_DAY
            if planned.generator is not None
        ]

        assert len(seeds) == 23
        # Every approximate centre lies inside the real unit its commune merged into.
        assert [planned.fact.code for planned in seeds if planned.generator_moved] == []
        for planned in seeds:
            assert chain(lonlat(planned.generator), IN_2024) == [
                (planned.fact.code, datetime.date(2014, 4, 1)),
                ("522", datetime.date(2014, 4, 1)),
                ("51", datetime.date(1989, 7, 1)),
            ]

    def test_the_centres_of_nghia_an_and_nghia_phu_fall_in_an_phu_in_2025(self) -> None:
        nghia_an = Point(108.89708, 15.11856, srid=4326)
        nghia_phu = Point(108.88527, 15.13516, srid=4326)

        for centre in (nghia_an, nghia_phu):
            assert chain(centre, AFTER_THE_AN_PHU_MERGER) == [
                ("21262", datetime.date(2025, 1, 1)),
                ("522", datetime.date(2014, 4, 1)),
                ("51", datetime.date(1989, 7, 1)),
            ]
        assert chain(nghia_an, IN_2024)[0] == ("21262", datetime.date(2014, 4, 1))
        assert chain(nghia_phu, IN_2024)[0] == ("21253", datetime.date(2014, 4, 1))

    def test_a_point_in_the_former_city_dated_2026_gives_the_new_unit_and_the_province(
        self,
    ) -> None:
        former_nguyen_nghiem_centre = Point(108.80469, 15.12231, srid=4326)

        areas = areas_containing_point(point=former_nguyen_nghiem_centre, on=IN_2026)

        assert [(area.code, area.name) for area in areas] == [
            ("21025", "Phường Cẩm Thành"),
            ("51", "Tỉnh Quảng Ngãi"),
        ]
        assert chain(former_nguyen_nghiem_centre, IN_2024)[0] == (
            "21025",
            datetime.date(2014, 4, 1),
        )

    @pytest.mark.parametrize(
        ("on", "expected_cells", "covering_code", "covering_valid_from"),
        [
            (IN_2024, 23, "522", datetime.date(2014, 4, 1)),
            (AFTER_THE_AN_PHU_MERGER, 22, "522", datetime.date(2014, 4, 1)),
            (IN_2026, 96, "51", REFORM_DAY),
        ],
    )
    def test_the_communes_of_each_time_slice_tile_their_parent_without_overlap(
        self,
        on: datetime.date,
        expected_cells: int,
        covering_code: str,
        covering_valid_from: datetime.date,
    ) -> None:
        union_km2, sum_km2, cells = union_and_sum_of_areas_km2(level=AreaLevel.COMMUNE, on=on)
        covering = Area.objects.get(code=covering_code, valid_from=covering_valid_from)

        assert cells == expected_cells
        assert sum_km2 == pytest.approx(union_km2, rel=1e-4)
        assert covering.area_km2 == pytest.approx(union_km2, rel=1e-4)

    def test_the_province_before_the_reform_is_the_union_of_the_real_21xxx_units(self) -> None:
        former_province = Area.objects.get(code="51", valid_from=datetime.date(1989, 7, 1))
        from_former_province = [
            row["code"] for row in CURRENT_COMMUNE_ROWS if row["code"][:2] == "21"
        ]
        units_km2 = sum(
            Area.objects.get(code=code, valid_from=REFORM_DAY).area_km2
            for code in from_former_province
        )

        assert len(from_former_province) == 56
        assert former_province.area_km2 == pytest.approx(units_km2, rel=1e-4)
        assert round(former_province.area_km2) == 5154
        assert Area.objects.get(code="522").parent == former_province

    def test_the_province_differs_from_the_generalised_official_outline_by_a_coastal_fringe(
        self,
    ) -> None:
        # Why the demo's province is the union of the communes (see demo_territory_plan): the
        # published outline leaves out 89 km² of the communes and takes in 71 km² of none.
        outline = FIXTURES_DIRECTORY / "qn2025_province_boundary.geojson"
        outline_wkt = shape(
            json.loads(outline.read_text(encoding="utf-8"))["features"][0]["geometry"]
        ).wkt
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT ST_Area(ST_Difference(boundary, published_outline)::geography) / 1e6,
                       ST_Area(ST_Difference(published_outline, boundary)::geography) / 1e6,
                       area_km2, ST_Area(published_outline::geography) / 1e6
                FROM wards_area, ST_GeomFromText(%s, 4326) AS published_outline
                WHERE code = '51' AND valid_from = %s
                """,
                [outline_wkt, REFORM_DAY],
            )
            only_communes, only_outline, province_km2, outline_km2 = cursor.fetchone()

        assert (round(only_communes), round(only_outline)) == (89, 71)
        assert (round(province_km2), round(outline_km2)) == (14825, 14807)

    def test_every_former_commune_lies_inside_the_unit_it_merged_into(self) -> None:
        with connection.cursor() as cursor:
            # Planar areas on purpose: a millimetre-wide sliver many kilometres long (what
            # snapping the vertices to the grid may leave) measured with geodesic edges looks
            # much larger.
            cursor.execute(
                """
                SELECT predecessor.code, predecessor.valid_from,
                       ST_Area(ST_Difference(predecessor.boundary, successor.boundary))
                       / ST_Area(predecessor.boundary)
                FROM wards_areasuccession succession
                JOIN wards_area predecessor ON predecessor.id = succession.predecessor_id
                JOIN wards_area successor ON successor.id = succession.successor_id
                WHERE predecessor.level = 'commune'
                """
            )
            outside_shares = {
                (code, valid_from): share for code, valid_from, share in cursor.fetchall()
            }

        assert len(outside_shares) == 24
        assert max(outside_shares.values()) < 1e-6

    def test_successions_follow_the_csv_and_take_effect_the_day_after_the_last_day(self) -> None:
        nghia_phu = AreaSuccession.objects.select_related("successor").get(
            predecessor__code="21253"
        )
        nghia_an = AreaSuccession.objects.select_related("successor").get(
            predecessor__code="21262", predecessor__valid_from=datetime.date(2014, 4, 1)
        )
        an_phu_2025 = AreaSuccession.objects.select_related("successor").get(
            predecessor__code="21262", predecessor__valid_from=datetime.date(2025, 1, 1)
        )
        province = AreaSuccession.objects.select_related("successor").get(predecessor__code="51")

        assert (nghia_phu.successor.name, nghia_phu.effective_on) == (
            "Xã An Phú",
            datetime.date(2025, 1, 1),
        )
        assert nghia_an.successor == nghia_phu.successor
        assert (an_phu_2025.successor.code, an_phu_2025.successor.valid_from) == (
            "21034",
            REFORM_DAY,
        )
        assert (province.successor.valid_from, province.effective_on) == (REFORM_DAY, REFORM_DAY)
        assert set(AreaSuccession.objects.values_list("share", flat=True)) == {1}
        assert not AreaSuccession.objects.filter(predecessor__code="522").exists()

    def test_every_agency_row_of_the_csv_exists_with_its_parent_and_jurisdiction(self) -> None:
        for row in AGENCY_ROWS:
            agency = Agency.objects.get(code=row["code"])
            jurisdiction = sorted(
                f"{area.code}@{area.valid_from.isoformat()}" for area in agency.jurisdiction.all()
            )

            assert (agency.name, agency.name_en, agency.kind) == (
                row["name"],
                row["name_en"],
                row["kind"],
            )
            assert (agency.email, agency.phone, agency.address) == (
                row["email"],
                row["phone"],
                row["address"],
            )
            assert (agency.parent.code if agency.parent else "") == row["parent_code"]
            assert jurisdiction == sorted(row["jurisdiction"].split())

    def test_each_commune_level_unit_has_its_own_peoples_committee_named_as_its_area(
        self,
    ) -> None:
        cam_thanh = Agency.objects.get(code="ubnd-21025-2025")
        nguyen_nghiem = Agency.objects.get(code="ubnd-21025-2014")
        ly_son = Agency.objects.get(code="ubnd-21548-2025")
        son_thuy = Agency.objects.get(code="ubnd-21319-2025")

        assert (cam_thanh.name, cam_thanh.name_en) == (
            "Ủy ban nhân dân Phường Cẩm Thành",
            "People's Committee of Cam Thanh Ward",
        )
        assert ly_son.name_en == "People's Committee of Ly Son Special Zone"
        assert son_thuy.name == "Ủy ban nhân dân Xã Sơn Thuỷ"
        assert cam_thanh.parent is not None and cam_thanh.parent.code == "ubnd-tinh-quang-ngai"
        assert nguyen_nghiem.parent is not None
        assert nguyen_nghiem.parent.code == "ubnd-522-2014"
        assert [area.name for area in nguyen_nghiem.jurisdiction.all()] == ["Phường Nguyễn Nghiêm"]
        assert Agency.objects.filter(code__startswith="ubnd-2").count() == len(COMMUNE_ROWS) == 120

    def test_waste_in_cam_thanh_goes_to_the_urban_environment_company(self) -> None:
        routing = route_point(
            point=CAM_THANH_CENTRE, category_code="ve-sinh-moi-truong", on=IN_2026
        )

        assert routing.agency.code == "cong-ty-moi-truong-do-thi-quang-ngai"
        assert routing.rule is not None
        assert (routing.rule.area.code, routing.commune.code) == ("21025", "21025")

    def test_building_in_cam_thanh_goes_to_the_ward_committee_with_no_rule(self) -> None:
        routing = route_point(point=CAM_THANH_CENTRE, category_code="xay-dung", on=IN_2026)

        assert (routing.agency.code, routing.rule) == ("ubnd-21025-2025", None)

    def test_the_same_point_dated_2024_goes_to_the_former_communes_committee(self) -> None:
        for category_code in ("xay-dung", "ve-sinh-moi-truong", "giao-thong"):
            routing = route_point(point=CAM_THANH_CENTRE, category_code=category_code, on=IN_2024)

            assert (routing.commune.code, routing.commune.name) == ("21019", "Phường Nghĩa Chánh")
            assert (routing.agency.code, routing.rule) == ("ubnd-21019-2014", None)

    def test_province_wide_categories_go_to_their_department_police_or_utility(self) -> None:
        expected = {
            "giao-thong": "so-xay-dung",
            "cap-thoat-nuoc": "cong-ty-cap-thoat-nuoc-quang-ngai",
            "an-ninh-trat-tu": "cong-an-tinh-quang-ngai",
            "chieu-sang": "cong-ty-moi-truong-do-thi-quang-ngai",
        }
        for category_code, agency_code in expected.items():
            routing = route_point(point=CAM_THANH_CENTRE, category_code=category_code, on=IN_2026)
            assert routing.agency.code == agency_code

    def test_street_lighting_outside_the_former_city_goes_to_the_commune_committee(self) -> None:
        kon_tum_ward_centre = Point(108.013, 14.3545, srid=4326)

        routing = route_point(point=kon_tum_ward_centre, category_code="chieu-sang", on=IN_2026)

        assert (routing.commune.name, routing.agency.code) == ("Phường Kon Tum", "ubnd-23293-2025")

    def test_routing_rules_are_only_on_current_areas_and_the_former_city_units(self) -> None:
        local_rule_areas = set(
            RoutingRule.objects.filter(area__level=AreaLevel.COMMUNE).values_list(
                "area__code", flat=True
            )
        )

        assert local_rule_areas == FORMER_CITY_UNITS
        assert not RoutingRule.objects.filter(area__valid_from__lt=REFORM_DAY).exists()


def test_committee_codes_tell_apart_the_same_code_before_and_after_the_reform(
    plan: list[PlannedArea],
) -> None:
    facts = {(planned.fact.code, planned.fact.valid_from.year): planned.fact for planned in plan}

    assert committee_code(facts[("21034", 2014)]) == "ubnd-21034-2014"
    assert committee_code(facts[("21034", 2025)]) == "ubnd-21034-2025"


def test_an_officially_imported_area_is_left_alone_and_named_in_the_report(db: None) -> None:
    province = services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type="Tỉnh", level=AreaLevel.PROVINCE,
        boundary=box(107.5, 14.0, 109.5, 15.6), valid_from=REFORM_DAY, is_approximate=True,
        source="an earlier approximate import",
    )  # fmt: skip
    official = services.area_create(
        code="21025", name="Phường Cẩm Thành", area_type="Phường", level=AreaLevel.COMMUNE,
        boundary=box(108.79, 15.10, 108.83, 15.13), valid_from=REFORM_DAY, parent=province,
        source="official import",
    )  # fmt: skip
    official_before = Area.objects.values().get(pk=official.pk)

    report = demo_territory_load()

    assert report.areas_skipped_official == ("21025 from 2025-07-01",)
    assert (report.areas_created, report.areas_replaced) == (121, 0)
    assert report.summary().endswith(
        "; left 1 officially imported areas alone: 21025 from 2025-07-01"
    )
    assert Area.objects.values().get(pk=official.pk) == official_before
    # An approximate area of another origin is used as it is, not named.
    assert (
        Area.objects.get(code="51", valid_from=REFORM_DAY).source == "an earlier approximate import"
    )
    # The import core loaded the 95 other real communes from a copy of the file without 21025.
    assert Area.objects.filter(source=REAL_BOUNDARY_SOURCE).count() == 95
    assert Area.objects.filter(code="21025", valid_from=REFORM_DAY).count() == 1
    assert list(Agency.objects.get(code="ubnd-21025-2025").jurisdiction.all()) == [official]
    assert RoutingRule.objects.filter(area=official).count() == 2
    assert demo_territory_load().nothing_loaded


def test_the_areas_of_the_earlier_voronoi_demo_are_replaced_in_place(db: None) -> None:
    def voronoi_area(code: str, name: str, area_type: str, level: str, **fields: Any) -> Area:
        return services.area_create(
            code=code, name=name, area_type=area_type, level=level, is_approximate=True,
            source=VORONOI_DEMO_SOURCE, **fields,
        )  # fmt: skip

    earlier = [
        former_province := voronoi_area(
            "51", "Tỉnh Quảng Ngãi", "Tỉnh", AreaLevel.PROVINCE, boundary=box(108, 14, 109.5, 16),
            valid_from=datetime.date(1989, 7, 1), valid_to=datetime.date(2025, 6, 30),
        ),
        city := voronoi_area(
            "522", "Thành phố Quảng Ngãi", "Thành phố", AreaLevel.DISTRICT,
            boundary=box(108.7, 15, 108.95, 15.25), valid_from=datetime.date(2014, 4, 1),
            valid_to=datetime.date(2025, 6, 30), parent=former_province,
        ),
        voronoi_area(
            "21025", "Phường Nguyễn Nghiêm", "Phường", AreaLevel.COMMUNE,
            boundary=box(108.8, 15.1, 108.81, 15.13), valid_from=datetime.date(2014, 4, 1),
            valid_to=datetime.date(2025, 6, 30), parent=city,
        ),
        province := voronoi_area(
            "51", "Tỉnh Quảng Ngãi", "Tỉnh", AreaLevel.PROVINCE, boundary=box(107, 13.5, 110, 16),
            valid_from=REFORM_DAY,
        ),
        voronoi_area(
            "21025", "Phường Cẩm Thành", "Phường", AreaLevel.COMMUNE,
            boundary=box(108.79, 15.10, 108.83, 15.13), valid_from=REFORM_DAY, parent=province,
        ),
    ]  # fmt: skip

    report = demo_territory_load()

    assert (report.areas_created, report.areas_replaced) == (118, 5)
    assert report.summary().endswith("; replaced 5 areas of the earlier approximate demo")
    kept = Area.objects.in_bulk([area.pk for area in earlier])
    assert [(kept[area.pk].code, kept[area.pk].source) for area in earlier] == [
        ("51", DEMO_SOURCE),
        ("522", DEMO_SOURCE),
        ("21025", DEMO_SOURCE),
        ("51", PROVINCE_SOURCE),
        ("21025", REAL_BOUNDARY_SOURCE),
    ]
    cam_thanh = kept[earlier[4].pk]
    assert not cam_thanh.is_approximate
    official = next(f for f in COMMUNE_FEATURES if f["properties"]["code"] == "21025")
    assert to_shapely(cam_thanh.boundary).equals(shape(official["geometry"]))
    assert not Area.objects.filter(source=VORONOI_DEMO_SOURCE).exists()
    assert counts()["areas"] == 123
    assert demo_territory_load().nothing_loaded


def test_a_former_commune_without_a_centre_is_refused_and_nothing_is_loaded(
    db: None, tmp_path: Path
) -> None:
    units_csv = tmp_path / "units.csv"
    text = DEFAULT_UNITS_CSV.read_text(encoding="utf-8")
    units_csv.write_text(
        text.replace(
            "2014-04-01,2025-06-30,21025,15.12231,108.80469",
            "2014-04-01,2025-06-30,21025,,",
        ),
        encoding="utf-8",
    )

    with pytest.raises(
        InvalidInput, match=r"Phường Nguyễn Nghiêm \(21025\) thiếu tọa độ trung tâm"
    ):
        demo_territory_load(units_csv=units_csv)

    assert counts() == {"areas": 0, "successions": 0, "agencies": 0, "rules": 0}


def test_a_boundary_file_without_a_unit_of_the_list_is_refused_and_nothing_is_loaded(
    db: None, tmp_path: Path
) -> None:
    boundaries = tmp_path / "communes.geojson"
    boundaries.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature
                    for feature in COMMUNE_FEATURES
                    if feature["properties"]["code"] != "21548"
                ],
            }
        ),
        encoding="utf-8",
    )

    with pytest.raises(InvalidInput, match=r"từ ngày 01/07/2025: thiếu 21548; thừa -\.$"):
        demo_territory_load(commune_boundaries=boundaries)

    assert counts() == {"areas": 0, "successions": 0, "agencies": 0, "rules": 0}


def test_a_routing_rule_on_an_unknown_area_rolls_back_everything_already_written(
    db: None, tmp_path: Path
) -> None:
    rules_csv = tmp_path / "routing_rules.csv"
    rules_csv.write_text(
        "category_code,area_code,area_valid_from,agency_code,note\n"
        "giao-thong,99999,2025-07-01,so-xay-dung,\n",
        encoding="utf-8",
    )

    with pytest.raises(InvalidInput, match="không tìm thấy địa bàn 99999 từ 01/07/2025"):
        demo_territory_load(routing_rules_csv=rules_csv)

    assert counts() == {"areas": 0, "successions": 0, "agencies": 0, "rules": 0}


def test_the_command_reports_a_missing_file_in_vietnamese_and_loads_nothing(
    db: None, tmp_path: Path
) -> None:
    missing = tmp_path / "absent.csv"

    with pytest.raises(CommandError, match="Không tìm thấy tệp .*absent.csv"):
        call_command("wards_load_demo", "--agencies-csv", str(missing), stdout=io.StringIO())

    assert counts() == {"areas": 0, "successions": 0, "agencies": 0, "rules": 0}

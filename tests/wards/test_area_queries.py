import datetime

from django.contrib.gis.geos import Point
from django.db import connection

from wards.models import Area

IN_FORMER_NGUYEN_NGHIEM = Point(108.75, 15.05, srid=4326)
IN_FORMER_NGHIA_DUNG = Point(108.85, 15.15, srid=4326)


def codes_and_names(areas) -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in areas]


def test_a_lookup_dated_2024_returns_the_pre_reform_commune_district_and_province(territory):
    areas = Area.objects.containing(IN_FORMER_NGUYEN_NGHIEM, on=datetime.date(2024, 5, 1))

    assert codes_and_names(areas) == [
        ("21025", "Phường Nguyễn Nghiêm"),
        ("522", "Thành phố Quảng Ngãi"),
        ("51", "Tỉnh Quảng Ngãi"),
    ]


def test_a_lookup_dated_2026_returns_the_new_unit_under_the_same_code_and_the_province(territory):
    areas = list(Area.objects.containing(IN_FORMER_NGUYEN_NGHIEM, on=datetime.date(2026, 1, 5)))

    assert codes_and_names(areas) == [("21025", "Phường Cẩm Thành"), ("51", "Tỉnh Quảng Ngãi")]
    assert areas[1] == territory.province_after


def test_the_same_code_names_different_areas_on_either_side_of_the_reform(territory):
    before = Area.objects.containing(IN_FORMER_NGHIA_DUNG, on=datetime.date(2025, 6, 30)).first()
    after = Area.objects.containing(IN_FORMER_NGHIA_DUNG, on=datetime.date(2025, 7, 1)).first()

    assert (before.code, before.name) == ("21034", "Xã Nghĩa Dũng")
    assert (after.code, after.name) == ("21034", "Xã An Phú")


def test_a_point_on_a_shared_edge_is_covered_by_both_neighbours(territory):
    on_the_edge = Point(108.8, 15.05, srid=4326)

    communes = Area.objects.containing(on_the_edge, on=datetime.date(2024, 1, 1)).filter(
        level="commune"
    )

    assert [area.code for area in communes] == ["21025", "21034"]


def test_on_a_date_keeps_only_areas_valid_that_day(territory):
    assert sorted(Area.objects.on(datetime.date(2025, 6, 30)).values_list("name", flat=True)) == [
        "Phường Nguyễn Nghiêm",
        "Thành phố Quảng Ngãi",
        "Tỉnh Quảng Ngãi",
        "Xã Nghĩa Dũng",
    ]
    assert Area.objects.on(datetime.date(1980, 1, 1)).count() == 0


def test_current_areas_are_those_valid_today_in_vietnam(territory):
    assert set(Area.objects.current()) == {
        territory.province_after,
        territory.cam_thanh,
        territory.an_phu,
    }


def test_area_and_label_point_are_derived_from_the_boundary(territory):
    # 0.2° × 0.1° at latitude 15°; PostGIS's geography (spheroid) area is the independent check.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Area(boundary::geography) / 1e6 FROM wards_area WHERE id = %s",
            [territory.cam_thanh.pk],
        )
        (spheroid_km2,) = cursor.fetchone()

    assert round(territory.cam_thanh.area_km2, 3) == round(spheroid_km2, 3) == 237.952
    assert territory.cam_thanh.boundary.covers(territory.cam_thanh.label_point)

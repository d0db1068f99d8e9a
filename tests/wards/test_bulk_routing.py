import datetime

import pytest
from django.db import connection

from wards.bulk_routing import points_count_by_area
from wards.models import Area, AreaLevel

AFTER_REFORM = datetime.date(2026, 3, 2)
BEFORE_REFORM = datetime.date(2024, 3, 1)

# (longitude, latitude): three in the south half of the former city, one in the north, one in
# the province outside every commune, one far outside the territory (Hà Nội).
POINTS = [
    (108.75, 15.05),
    (108.85, 15.05),
    (108.78, 15.08),
    (108.75, 15.15),
    (108.20, 14.70),
    (105.85, 21.03),
]


@pytest.fixture
def points_table(territory):
    # A table made in the test's transaction, so it disappears with the rollback.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_bulk_points (id serial PRIMARY KEY, "
            "location geometry(Point, 4326) NOT NULL)"
        )
        cursor.execute("CREATE INDEX ON test_bulk_points USING gist (location)")
        cursor.executemany(
            "INSERT INTO test_bulk_points (location) VALUES (ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
            POINTS,
        )
    return "test_bulk_points"


def test_it_counts_the_points_in_each_commune_of_the_day(territory, points_table):
    counts = points_count_by_area(table=points_table, on=AFTER_REFORM)

    assert counts == {territory.cam_thanh.id: 3, territory.an_phu.id: 1}


def test_before_the_reform_it_counts_in_the_former_communes(territory, points_table):
    counts = points_count_by_area(table=points_table, on=BEFORE_REFORM)

    assert counts == {territory.nguyen_nghiem.id: 3, territory.nghia_dung.id: 1}


def test_a_point_on_a_border_shared_by_two_communes_counts_in_both(territory, points_table):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO test_bulk_points (location) VALUES (ST_SetSRID(ST_MakePoint(108.8, 15.05), 4326))"
        )

    counts = points_count_by_area(table=points_table, on=BEFORE_REFORM)

    assert counts == {territory.nguyen_nghiem.id: 4, territory.nghia_dung.id: 2}


def test_it_counts_per_province_and_keeps_areas_with_no_point(territory, points_table):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM test_bulk_points")

    assert points_count_by_area(table=points_table, on=AFTER_REFORM, level=AreaLevel.PROVINCE) == {
        territory.province_after.id: 0
    }


def test_a_province_count_includes_points_outside_every_commune(territory, points_table):
    counts = points_count_by_area(table=points_table, on=AFTER_REFORM, level=AreaLevel.PROVINCE)

    assert counts == {territory.province_after.id: 5}


@pytest.mark.parametrize(
    ("table", "location_column"),
    [("points; DROP TABLE wards_area", "location"), ("points", "location)--"), ("", "location")],
)
def test_it_refuses_a_name_that_is_not_an_identifier(territory, table, location_column):
    with pytest.raises(ValueError, match="not a table or column name"):
        points_count_by_area(table=table, on=AFTER_REFORM, location_column=location_column)

    assert Area.objects.count() == 7

"""Bad input to the report builder: a clear error in the user's language, with its code."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from geoapp.exceptions import InvalidInput
from spatial_reports.models import SpatialReportExport
from spatial_reports.queries import report_query_parse
from tests.conftest import Territory


def polygon(*ring: tuple[float, float]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[list(point) for point in ring]]})


INSIDE = polygon((108.7, 15.0), (108.8, 15.0), (108.8, 15.1), (108.7, 15.1), (108.7, 15.0))


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({"tu": "2025-13-01"}, "invalid_date"),
        ({"tu": "2025-07-01", "den": "2025-06-01"}, "invalid_period"),
        ({"nhom": "province"}, "invalid_grouping"),
        ({"linh_vuc": ["khong-co"]}, "unknown_category"),
        ({"trang_thai": ["lost"]}, "unknown_status"),
        ({"ma_xa": "2102"}, "invalid_area_code"),
        ({"ma_xa": "99999"}, "unknown_area_code"),
        ({"vung": "{not json"}, "invalid_geojson"),
        (
            {"vung": json.dumps({"type": "MultiPoint", "coordinates": [[108.8, 15.1]]})},
            "invalid_geojson",
        ),
        ({"vung": json.dumps({"type": "Polygon", "coordinates": [[["a", 1]]]})}, "invalid_geojson"),
        (
            {"vung": polygon((108.7, 15.0), (108.8, 15.0), (108.8, 15.1), (108.7, 15.1))},
            "polygon_not_closed",
        ),
        (
            {
                "vung": polygon(
                    (108.7, 15.0), (108.8, 15.1), (108.8, 15.0), (108.7, 15.1), (108.7, 15.0)
                )
            },
            "self_intersecting_polygon",
        ),
        (
            {"vung": polygon((108.7, 95.0), (108.8, 95.0), (108.8, 95.1), (108.7, 95.0))},
            "invalid_coordinates",
        ),
        (
            {
                "vung": polygon(
                    (106.6, 10.7), (106.8, 10.7), (106.8, 10.9), (106.6, 10.9), (106.6, 10.7)
                )
            },
            "polygon_outside_territory",
        ),
        # A buffer of a thousand kilometres, a negative or fractional one, and a point alone.
        (
            {"vung": json.dumps({"type": "Point", "coordinates": [108.8, 15.1]}),
             "ban_kinh": "1000000"},
            "invalid_buffer",
        ),
        ({"vung": json.dumps({"type": "Point", "coordinates": [108.8, 15.1]}), "ban_kinh": "-5"},
         "invalid_buffer"),
        ({"vung": json.dumps({"type": "Point", "coordinates": [108.8, 15.1]}), "ban_kinh": "2.5"},
         "invalid_buffer"),
        ({"vung": json.dumps({"type": "Point", "coordinates": [108.8, 15.1]})}, "buffer_required"),
    ],
)  # fmt: skip
def test_it_refuses_bad_input(
    territory: Territory, parameters: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        report_query_parse(parameters)

    assert refused.value.code == code


def test_it_recognises_latitude_and_longitude_swapped(territory: Territory) -> None:
    swapped = polygon((15.0, 108.7), (15.1, 108.7), (15.1, 108.8), (15.0, 108.8), (15.0, 108.7))

    with pytest.raises(InvalidInput) as refused:
        report_query_parse({"vung": swapped})

    assert refused.value.code == "swapped_coordinates"


def test_the_error_is_in_the_users_language(territory: Territory) -> None:
    outside = polygon((106.6, 10.7), (106.8, 10.7), (106.8, 10.9), (106.6, 10.9), (106.6, 10.7))
    with pytest.raises(InvalidInput) as in_vietnamese:
        report_query_parse({"vung": outside})
    with translation.override("en"), pytest.raises(InvalidInput) as in_english:
        report_query_parse({"vung": outside})

    assert in_vietnamese.value.message == "Vùng nằm ngoài địa bàn tỉnh Quảng Ngãi."
    assert in_english.value.message == "The area is outside the territory of Quảng Ngãi province."


def test_a_good_query_is_a_url_again(territory: Territory) -> None:
    query = report_query_parse(
        {
            "tu": "2025-07-01",
            "den": "2025-12-31",
            "ma_xa": "21034, 21025",
            "vung": INSIDE,
            "nhom": "unit",
        }
    )

    assert query.parameters() == {
        "tu": "2025-07-01",
        "den": "2025-12-31",
        "nhom": "unit",
        "ma_xa": "21025,21034",
        "vung": INSIDE,
    }
    assert report_query_parse(query.parameters()) == query


def test_a_point_with_a_buffer_becomes_a_disc_of_that_radius(territory: Territory) -> None:
    point = json.dumps({"type": "Point", "coordinates": [108.8, 15.1]})

    query = report_query_parse({"vung": point, "ban_kinh": "1000"})

    assert query.polygon is not None
    assert query.buffer_metres == 1000
    assert query.parameters()["ban_kinh"] == "1000"
    # About π km² in square degrees at latitude 15.1 (1° ≈ 110.6 km of latitude, 107.5 km of
    # longitude).
    assert query.polygon.area * 110.6 * 107.5 == pytest.approx(3.14, rel=0.02)


def test_a_thousand_kilometre_buffer_is_refused_on_the_page_with_its_reason(
    territory: Territory, planner: User
) -> None:
    client = Client()
    client.force_login(planner)
    point = json.dumps({"type": "LineString", "coordinates": [[108.75, 15.05], [108.85, 15.1]]})

    page = client.get("/bao-cao-khong-gian/", {"vung": point, "ban_kinh": "1000000"})
    download = client.post(
        "/bao-cao-khong-gian/tai-ve/", {"vung": point, "ban_kinh": "1000000", "dinh_dang": "gpkg"}
    )

    message = "Bán kính vùng đệm phải là số mét nguyên từ 1 đến 50000."
    assert page.status_code == 400 and message in page.content.decode()
    assert download.status_code == 400 and message in download.content.decode()
    assert not SpatialReportExport.objects.exists()

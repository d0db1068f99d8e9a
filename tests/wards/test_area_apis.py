import json
import re

import pytest

from wards import services
from wards.models import Area, RoutingRule

LOOKUP = "/api/v1/areas/lookup/"


def summary(area: Area) -> dict:
    return {
        "id": area.id,
        "code": area.code,
        "name": area.name,
        "type": area.area_type,
        "level": area.level,
        "valid_from": area.valid_from.isoformat(),
        "valid_to": area.valid_to.isoformat() if area.valid_to else None,
    }


def test_lookup_dated_2024_returns_commune_district_and_province_lowest_first(client, territory):
    response = client.get(LOOKUP, {"lat": "15.05", "lon": "108.75", "date": "2024-03-01"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            summary(territory.nguyen_nghiem),
            summary(territory.district),
            summary(territory.province_before),
        ]
    }


def test_lookup_dated_2026_returns_the_new_unit_and_the_province(client, territory):
    response = client.get(LOOKUP, {"lat": "15.05", "lon": "108.75", "date": "2026-01-01"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [summary(territory.cam_thanh), summary(territory.province_after)]
    }


def test_lookup_without_a_date_uses_today(client, territory):
    response = client.get(LOOKUP, {"lat": "15.15", "lon": "108.85"})

    assert [area["name"] for area in response.json()["results"]] == [
        "Xã An Phú",
        "Tỉnh Quảng Ngãi",
    ]


def test_it_rejects_a_point_outside_the_territory_with_404_and_a_clear_message(client, territory):
    response = client.get(LOOKUP, {"lat": "21.0285", "lon": "105.8542", "date": "2026-01-01"})

    assert response.status_code == 404
    assert response.json() == {
        "detail": "Vị trí (21.028500, 105.854200) nằm ngoài địa bàn phục vụ vào ngày 01/01/2026. "
        "Hãy chọn một điểm trong tỉnh Quảng Ngãi.",
        "code": "outside_territory",
    }


def test_it_answers_in_english_when_asked(client, territory):
    response = client.get(
        LOOKUP, {"lat": "108.75", "lon": "15.05"}, headers={"accept-language": "en"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "swapped_coordinates"
    assert "swapped" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"lat": "108.75", "lon": "15.05"}, "swapped_coordinates"),
        ({"lat": "NaN", "lon": "108.75"}, "invalid_coordinate"),
        ({"lat": "inf", "lon": "108.75"}, "invalid_coordinate"),
        ({"lat": "15.05", "lon": "181"}, "coordinate_out_of_range"),
        ({"lat": "-91", "lon": "-181"}, "coordinate_out_of_range"),
        ({"lat": "fifteen", "lon": "108.75"}, "invalid_coordinate"),
        ({"lon": "108.75"}, "missing_coordinate"),
        ({"lat": "15.05", "lon": "108.75", "date": "2025-02-30"}, "invalid_date"),
        ({"lat": "15.05", "lon": "108.75", "date": "yesterday"}, "invalid_date"),
    ],
)
def test_it_rejects_invalid_input_with_400(client, territory, query, code):
    response = client.get(LOOKUP, query)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_swapped_coordinates_are_explained_in_vietnamese(client, territory):
    response = client.get(LOOKUP, {"lat": "108.75", "lon": "15.05"})

    assert response.json()["detail"] == (
        "Vĩ độ 108.75 nằm ngoài khoảng −90 đến 90: có thể vĩ độ và kinh độ đã bị đảo ngược "
        "(lat là vĩ độ, khoảng 15 ở Quảng Ngãi; lon là kinh độ, khoảng 108)."
    )


def test_area_list_is_a_geojson_feature_collection_of_areas_valid_on_the_date(client, territory):
    response = client.get("/api/v1/areas/", {"level": "commune", "date": "2024-01-01"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(response.content)
    assert document["type"] == "FeatureCollection"
    assert [feature["properties"]["name"] for feature in document["features"]] == [
        "Phường Nguyễn Nghiêm",
        "Xã Nghĩa Dũng",
    ]
    first = document["features"][0]
    assert first["id"] == territory.nguyen_nghiem.id
    assert first["geometry"]["type"] == "MultiPolygon"
    assert first["properties"]["parent_id"] == territory.district.id
    assert first["properties"]["valid_to"] == "2025-06-30"


def test_area_list_filters_by_parent(client, territory):
    response = client.get(
        "/api/v1/areas/", {"parent": territory.province_after.id, "date": "2026-01-01"}
    )

    names = [feature["properties"]["name"] for feature in json.loads(response.content)["features"]]
    assert names == ["Phường Cẩm Thành", "Xã An Phú"]


def test_area_list_simplifies_with_a_tolerance_in_metres(client, territory):
    # A square with 4 extra vertices 1 m off its edges: 20 m of tolerance removes them.
    from shapely.geometry import Polygon

    jagged = Polygon(
        [(109.5, 15.0), (109.55, 15.00001), (109.6, 15.0), (109.6, 15.1), (109.5, 15.1)]
    )
    services.area_create(
        code="99999", name="Xã Thử", area_type="Xã", level="commune", boundary=jagged,
        valid_from=territory.cam_thanh.valid_from,
    )  # fmt: skip

    def vertex_count(query: dict) -> int:
        features = json.loads(client.get("/api/v1/areas/", query).content)["features"]
        (feature,) = [f for f in features if f["properties"]["code"] == "99999"]
        return len(feature["geometry"]["coordinates"][0][0])

    assert vertex_count({"level": "commune"}) == 6
    assert vertex_count({"level": "commune", "simplify": "20"}) == 5


@pytest.mark.parametrize(
    "query", [{"level": "hamlet"}, {"simplify": "-5"}, {"simplify": "abc"}, {"parent": "x"}]
)
def test_area_list_rejects_invalid_filters(client, territory, query):
    response = client.get("/api/v1/areas/", query)

    assert response.status_code == 400
    assert response.json()["detail"]


def test_area_detail_has_parent_children_and_neighbours(client, territory):
    response = client.get(f"/api/v1/areas/{territory.district.id}/")

    assert response.status_code == 200
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "MultiPolygon"
    properties = feature["properties"]
    assert properties["code"] == "522"
    assert properties["parent"] == summary(territory.province_before)
    assert properties["children"] == [
        summary(territory.nguyen_nghiem),
        summary(territory.nghia_dung),
    ]
    assert properties["neighbours"] == []


def test_area_neighbours_are_touching_areas_of_the_same_level_and_period(client, territory):
    response = client.get(f"/api/v1/areas/{territory.cam_thanh.id}/")

    # Nghĩa Dũng overlaps in space but ended before Cẩm Thành began: not a neighbour.
    assert response.json()["properties"]["neighbours"] == [summary(territory.an_phu)]


def test_area_detail_of_an_unknown_area_is_404(client, territory):
    response = client.get("/api/v1/areas/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_successors_lists_where_an_area_went_and_where_it_came_from(client, territory):
    services.area_succession_create(
        predecessor=territory.nguyen_nghiem,
        successor=territory.cam_thanh,
        effective_on=territory.cam_thanh.valid_from,
    )

    went = client.get(f"/api/v1/areas/{territory.nguyen_nghiem.id}/successors/").json()
    came = client.get(f"/api/v1/areas/{territory.cam_thanh.id}/successors/").json()

    assert went == {
        "area": summary(territory.nguyen_nghiem),
        "successors": [
            {"area": summary(territory.cam_thanh), "effective_on": "2025-07-01", "share": "1.0000"}
        ],
        "predecessors": [],
    }
    assert came["predecessors"] == [
        {"area": summary(territory.nguyen_nghiem), "effective_on": "2025-07-01", "share": "1.0000"}
    ]


def test_routing_api_names_the_commune_committee_by_default(client, territory):
    response = client.get(
        "/api/v1/routing/", {"lat": "15.15", "lon": "108.85", "date": "2026-02-01"}
    )

    assert response.status_code == 200
    body = response.json()
    assert [area["code"] for area in body["areas"]] == ["21034", "51"]
    assert body["agency"]["name"] == "Ủy ban nhân dân Xã An Phú"
    assert body["rule_id"] is None


def test_routing_api_refuses_a_point_outside_the_territory(client, territory):
    rules_before = RoutingRule.objects.count()

    response = client.get("/api/v1/routing/", {"lat": "10.0", "lon": "106.0"})

    assert response.status_code == 404
    assert response.json()["code"] == "outside_territory"
    assert RoutingRule.objects.count() == rules_before


def test_the_openapi_schema_documents_the_area_endpoints(client, db):
    response = client.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert {
        "/api/v1/areas/",
        "/api/v1/areas/lookup/",
        "/api/v1/areas/{area_id}/",
        "/api/v1/areas/{area_id}/successors/",
        "/api/v1/routing/",
    } <= set(paths)


def test_the_api_docs_page_loads_its_assets_from_the_app_itself(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html and "http://" not in html
    # Every script is a file of the app: the security policy allows no inline script.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []

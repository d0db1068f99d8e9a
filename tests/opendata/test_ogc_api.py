"""OGC API – Features at /ogc/: conformance, paging, filters, CRS, errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from pyproj import Transformer

from incidents.models import Incident
from tests.conftest import Territory
from tests.opendata.conftest import PERSONAL_VALUES, Reports

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_3406 = "http://www.opengis.net/def/crs/EPSG/0/3406"
ITEMS = "/ogc/collections/phan-anh/items"

pytestmark = pytest.mark.django_db


def get(path: str, *, language: str | None = None) -> Any:
    if language is None:
        return Client().get(path)
    return Client().get(path, headers={"Accept-Language": language})


def codes(document: dict[str, Any]) -> list[str]:
    return [feature["id"] for feature in document["features"]]


def link(document: dict[str, Any], rel: str) -> str | None:
    found = [item["href"] for item in document["links"] if item["rel"] == rel]
    return found[0] if found else None


def test_the_landing_page_links_the_definition_the_conformance_and_the_collections() -> None:
    document = get("/ogc/").json()
    relations = {item["rel"]: item["href"] for item in document["links"]}
    assert relations["self"] == "http://testserver/ogc/"
    assert relations["service-desc"] == "http://testserver/ogc/api"
    assert relations["conformance"] == "http://testserver/ogc/conformance"
    assert relations["data"] == "http://testserver/ogc/collections"


def test_it_declares_core_geojson_openapi_and_crs_conformance() -> None:
    assert get("/ogc/conformance").json() == {
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        ]
    }


def test_the_openapi_document_gives_the_limit_maximum(reports: Reports) -> None:
    response = get("/ogc/api")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = response.json()
    assert document["openapi"] == "3.0.3"
    parameters = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    limit = next(item for item in parameters if item["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}


def test_collections_list_the_public_layers_with_their_crs(reports: Reports) -> None:
    document = get("/ogc/collections").json()
    assert [item["id"] for item in document["collections"]] == [
        "phan-anh",
        "xa-phuong",
        "xa-phuong-hien-hanh",
        "ho-so-theo-thang",
        "chi-tieu",
    ]
    reports_collection = document["collections"][0]
    assert reports_collection["crs"] == [CRS84, EPSG_4326, EPSG_3406]
    assert reports_collection["storageCrs"] == CRS84
    assert reports_collection["extent"]["spatial"]["bbox"] == [[107.5, 14.0, 109.0, 15.5]] or (
        reports_collection["extent"]["spatial"]["bbox"] == [[108.7, 15.0, 108.9, 15.2]]
    )
    assert reports_collection["extent"]["temporal"]["interval"] == [["2025-08-01T02:00:00Z", None]]


def test_items_give_the_public_reports_newest_first_with_their_public_properties(
    reports: Reports,
) -> None:
    response = get(ITEMS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == f"<{CRS84}>"
    document = response.json()
    assert codes(document) == [incident.tracking_code for incident in reports.public]
    assert document["numberMatched"] == 4
    assert document["numberReturned"] == 4
    first = document["features"][-1]
    assert first["geometry"] == {"type": "Point", "coordinates": [108.8, 15.05]}
    assert first["properties"] == {
        "tracking_code": reports.public[-1].tracking_code,
        "category": "giao-thong",
        "status": "new",
        "reported_at": "2025-08-01T02:00:00+00:00",
        "summary": "Ổ gà sâu giữa đường Hùng Vương",
        "supporters_count": 0,
        "commune_code": "21025",
    }
    # The hidden description is not summarised.
    assert document["features"][0]["properties"]["summary"] is None
    for value in PERSONAL_VALUES:
        assert value.encode() not in response.content


def test_paging_visits_every_report_once_in_order(reports: Reports) -> None:
    seen: list[str] = []
    path: str | None = f"{ITEMS}?limit=3"
    pages = []
    while path is not None:
        document = get(path).json()
        pages.append(document)
        seen.extend(codes(document))
        path = link(document, "next")
        if path is not None:
            path = urlsplit(path).path + "?" + urlsplit(path).query
    assert seen == [incident.tracking_code for incident in reports.public]
    assert [page["numberReturned"] for page in pages] == [3, 1]
    assert all(page["numberMatched"] == 4 for page in pages)
    assert link(pages[0], "prev") is None
    assert (
        link(pages[1], "prev")
        == "http://testserver/ogc/collections/phan-anh/items?limit=3&offset=0"
    )


def test_an_exactly_full_last_page_has_no_next_link(reports: Reports) -> None:
    document = get(f"{ITEMS}?limit=2&offset=2").json()
    assert codes(document) == [incident.tracking_code for incident in reports.public[2:]]
    assert link(document, "next") is None
    assert (
        link(document, "prev")
        == "http://testserver/ogc/collections/phan-anh/items?limit=2&offset=0"
    )


def test_the_count_is_left_out_above_the_exact_count_limit(reports: Reports, settings: Any) -> None:
    settings.OGC_EXACT_COUNT_LIMIT = 3
    document = get(f"{ITEMS}?limit=2").json()
    assert "numberMatched" not in document
    assert document["numberReturned"] == 2
    assert link(document, "next") is not None


def test_bbox_selects_the_reports_inside_in_any_supported_crs(reports: Reports) -> None:
    south_west = {reports.public[2].tracking_code, reports.public[3].tracking_code}
    by_lon_lat = get(f"{ITEMS}?bbox=108.74,15.01,108.81,15.06").json()
    assert set(codes(by_lon_lat)) == south_west
    by_lat_lon = get(f"{ITEMS}?bbox=15.01,108.74,15.06,108.81&bbox-crs={EPSG_4326}").json()
    assert set(codes(by_lat_lon)) == south_west
    to_metres = Transformer.from_crs(4326, 3406, always_xy=True)
    west, south = to_metres.transform(108.74, 15.01)
    east, north = to_metres.transform(108.81, 15.06)
    in_metres = get(f"{ITEMS}?bbox={west},{south},{east},{north}&bbox-crs={EPSG_3406}").json()
    assert set(codes(in_metres)) == south_west


def test_datetime_selects_by_the_moment_reported(reports: Reports) -> None:
    newest, third, second, first = (incident.tracking_code for incident in reports.public)
    assert codes(get(f"{ITEMS}?datetime=2025-09-10").json()) == [second]
    assert codes(get(f"{ITEMS}?datetime=2025-09-10T10:00:00%2B07:00").json()) == [second]
    assert codes(get(f"{ITEMS}?datetime=2025-09-01/2025-10-31").json()) == [third, second]
    assert codes(get(f"{ITEMS}?datetime=../2025-09-10").json()) == [second, first]
    assert codes(get(f"{ITEMS}?datetime=2025-10-20T01:00:00Z/..").json()) == [newest, third]


def test_property_filters_select_exactly(reports: Reports) -> None:
    assert codes(get(f"{ITEMS}?category=cay-xanh").json()) == [reports.public[1].tracking_code]
    assert codes(get(f"{ITEMS}?commune_code=21034").json()) == [reports.public[1].tracking_code]
    assert codes(get(f"{ITEMS}?category=cay-xanh&commune_code=21025").json()) == []


def test_coordinates_are_transformed_to_the_asked_crs(reports: Reports) -> None:
    first = reports.public[-1].tracking_code
    metres = get(f"{ITEMS}/{first}?crs={EPSG_3406}")
    assert metres["Content-Crs"] == f"<{EPSG_3406}>"
    assert metres.json()["geometry"]["coordinates"] == [263294.45, 1665151.62]
    latitude_first = get(f"{ITEMS}/{first}?crs={EPSG_4326}")
    assert latitude_first["Content-Crs"] == f"<{EPSG_4326}>"
    assert latitude_first.json()["geometry"]["coordinates"] == [15.05, 108.8]
    page = get(f"{ITEMS}?crs={EPSG_3406}&limit=1&offset=3").json()
    assert page["features"][0]["geometry"]["coordinates"] == [263294.45, 1665151.62]


def test_a_single_item_carries_its_links(reports: Reports) -> None:
    code = reports.public[0].tracking_code
    document = get(f"{ITEMS}/{code}").json()
    assert document["id"] == code
    assert link(document, "collection") == "http://testserver/ogc/collections/phan-anh"


@pytest.mark.parametrize("which", [0, 1])
def test_reports_the_public_may_not_see_are_not_found(reports: Reports, which: int) -> None:
    hidden = reports.private[which]
    response = get(f"{ITEMS}/{hidden.tracking_code}")
    assert response.status_code == 404
    assert response.json() == {
        "code": "NotFound",
        "description": f"Không có đối tượng “{hidden.tracking_code}”.",
    }


def test_communes_on_a_date_follow_the_boundaries_valid_then(territory: Territory) -> None:
    before = get("/ogc/collections/xa-phuong/items?datetime=2025-06-30").json()
    assert sorted(f["properties"]["name"] for f in before["features"]) == [
        "Phường Nguyễn Nghiêm",
        "Xã Nghĩa Dũng",
    ]
    after = get("/ogc/collections/xa-phuong/items?datetime=2025-07-01&code=21025").json()
    assert [f["properties"]["name"] for f in after["features"]] == ["Phường Cẩm Thành"]
    assert after["features"][0]["properties"]["valid_from"] == "2025-07-01"
    current = get("/ogc/collections/xa-phuong-hien-hanh/items").json()
    assert sorted(f["properties"]["name"] for f in current["features"]) == [
        "Phường Cẩm Thành",
        "Xã An Phú",
    ]
    every = get("/ogc/collections/xa-phuong/items").json()
    assert every["numberMatched"] == 4
    one = get(f"/ogc/collections/xa-phuong/items/{territory.an_phu.pk}").json()
    assert one["properties"]["code"] == "21034"
    assert one["geometry"]["type"] == "MultiPolygon"


BAD_PARAMETERS = [
    ("bbox=1,2,3", "bbox phải gồm 4 số: nhỏ nhất rồi lớn nhất của từng trục."),
    ("bbox=108.9,15,108.7,15.2", "bbox không hợp lệ: giá trị nhỏ nhất lớn hơn giá trị lớn nhất."),
    ("bbox=200,15,201,16", "bbox nằm ngoài phạm vi kinh độ, vĩ độ."),
    ("bbox=a,b,c,d", "bbox phải gồm 4 số: nhỏ nhất rồi lớn nhất của từng trục."),
    ("datetime=2025-13-01", "datetime không hợp lệ: 2025-13-01."),
    (
        "datetime=2025-10-01/2025-09-01",
        "datetime không hợp lệ: thời điểm bắt đầu sau thời điểm kết thúc.",
    ),
    ("datetime=../..", "datetime không được để mở cả hai đầu."),
    ("limit=1001", "limit phải là số nguyên từ 1 đến 1000."),
    ("limit=0", "limit phải là số nguyên từ 1 đến 1000."),
    ("offset=-1", "offset phải là số nguyên từ 0 đến 10000000."),
    ("colour=red", "Tham số không được hỗ trợ: colour."),
    ("f=html", "Định dạng không được hỗ trợ: html (chỉ có json)."),
    (f"bbox-crs={EPSG_4326}", "bbox-crs chỉ dùng cùng với bbox."),
]


@pytest.mark.parametrize(("query", "message"), BAD_PARAMETERS)
def test_bad_parameters_get_an_ogc_exception_in_vietnamese(
    reports: Reports, query: str, message: str
) -> None:
    before = Incident.objects.count()
    response = get(f"{ITEMS}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "InvalidParameterValue", "description": message}
    assert Incident.objects.count() == before


def test_an_unsupported_crs_is_refused_with_the_supported_list(reports: Reports) -> None:
    response = get(f"{ITEMS}?crs=http://www.opengis.net/def/crs/EPSG/0/3857")
    assert response.status_code == 400
    assert response.json()["description"] == (
        "crs không được hỗ trợ: http://www.opengis.net/def/crs/EPSG/0/3857. "
        f"Hỗ trợ: {CRS84}, {EPSG_4326}, {EPSG_3406}."
    )


def test_errors_are_in_english_when_asked(reports: Reports) -> None:
    response = get(f"{ITEMS}?limit=5000", language="en")
    assert response.status_code == 400
    assert response.json() == {
        "code": "InvalidParameterValue",
        "description": "limit must be a whole number from 1 to 1000.",
    }
    unknown = get("/ogc/collections/khong-co", language="en")
    assert unknown.status_code == 404
    assert unknown.json() == {"code": "NotFound", "description": "No data layer “khong-co”."}


def test_an_unknown_address_under_ogc_is_an_ogc_exception() -> None:
    response = get("/ogc/khong-co")
    assert response.status_code == 404
    assert response.json() == {
        "code": "NotFound",
        "description": "Không có tài nguyên nào ở địa chỉ này.",
    }

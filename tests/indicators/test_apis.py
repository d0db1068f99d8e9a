"""The indicators API: catalogue, values on chosen boundaries (JSON and GeoJSON), series."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from indicators.models import Indicator
from tests.indicators.conftest import Chain, make_indicator
from tests.indicators.test_aggregation import population, put


def test_the_catalogue_lists_every_indicator(chain: Chain, client: Client) -> None:
    make_indicator("population", name_vi="Dân số", name_en="Population")
    answer = client.get("/api/v1/indicators/")
    assert answer.status_code == 200
    assert [(i["code"], i["name_vi"], i["name_en"]) for i in answer.json()["results"]] == [
        ("population", "Dân số", "Population")
    ]


def test_values_of_2024_on_the_2026_communes(chain: Chain, client: Client) -> None:
    population(chain)
    answer = client.get(
        "/api/v1/indicators/population/values/?period=2024&level=commune&boundaries=2026-01-01"
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "indicator": "population",
        "period": "2024",
        "boundaries": "2026-01-01",
        "results": [
            {
                "area_code": "21025", "area_name": "Phường Cẩm Thành", "value": 12000.0,
                "numerator": None, "denominator": None, "target": None,
                "completeness": {"reported": 2, "expected": 2}, "reaggregated": True,
            },
            {
                "area_code": "21034", "area_name": "Xã An Phú", "value": 8000.0,
                "numerator": None, "denominator": None, "target": None,
                "completeness": {"reported": 3, "expected": 3}, "reaggregated": True,
            },
        ],
    }  # fmt: skip


def test_values_as_geojson_carry_outlines_and_a_classification(
    chain: Chain, client: Client
) -> None:
    population(chain)
    answer = client.get(
        "/api/v1/indicators/population/values/?period=2024&boundaries=2026-01-01"
        "&format=geojson&classification=equal_interval&classes=2"
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/geo+json"
    collection = answer.json()
    assert [f["properties"]["value"] for f in collection["features"]] == [12000.0, 8000.0]
    assert collection["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert (collection["indicator"], collection["period"]) == ("population", "2024")
    assert collection["classification"] == {
        "method": "equal_interval",
        "classes": [
            {"lower": 8000.0, "upper": 10000.0, "closed": False, "colour": "#d73027", "count": 1},
            {"lower": 10000.0, "upper": 12000.0, "closed": True, "colour": "#1a9850", "count": 1},
        ],
        "no_data": {"colour": "#d1d5db", "count": 0},
    }


def test_a_series_crosses_the_reform_on_the_new_commune(chain: Chain, client: Client) -> None:
    indicator = population(chain)
    put(indicator, chain.territory.an_phu, "2025", "8100")
    answer = client.get(
        "/api/v1/indicators/population/series/?area=21034&from=2024&to=2025&boundaries=2026-01-01"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["area_name"], [(p["period"], p["value"]) for p in body["results"]]) == (
        "Xã An Phú",
        [("2024", 8000.0), ("2025", 8100.0)],
    )


def test_bad_requests_are_explained_in_the_readers_language(chain: Chain, client: Client) -> None:
    population(chain)
    unknown = client.get("/api/v1/indicators/gdp/values/")
    bad_period = client.get("/api/v1/indicators/population/values/?period=2024-13")
    finer = client.get("/api/v1/indicators/population/values/?period=2024-07")
    english = client.get(
        "/api/v1/indicators/population/values/?level=ward", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "Không có chỉ tiêu mã “gdp”.",
    )
    assert (bad_period.status_code, bad_period.json()["code"]) == (400, "invalid_period")
    assert (finer.status_code, finer.json()["code"]) == (400, "invalid_period")
    assert english.status_code == 400
    assert english.json()["detail"] == (
        "Level “ward” is not valid; use one of province, district, commune."
    )
    assert Indicator.objects.get().code == "population"
    assert Decimal(1) == Indicator.objects.get().factor

"""The OGC API collections of dossier counts per commune and month and of indicator values per
commune and period: exact features, the datetime and property filters, public columns only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import Territory

pytestmark = pytest.mark.django_db


def items(collection: str, **parameters: str) -> dict[str, Any]:
    response = Client().get(f"/ogc/collections/{collection}/items", parameters)
    assert response.status_code == 200, response.content[:300]
    body: dict[str, Any] = response.json()
    return body


def test_dossiers_are_counted_per_commune_and_month(territory: Territory, layers: None) -> None:
    body = items("ho-so-theo-thang")

    assert body["numberMatched"] == body["numberReturned"] == 3
    assert [
        (feature["properties"]["commune_code"], feature["properties"]["month"],
         feature["properties"]["received"], feature["geometry"]["type"])
        for feature in body["features"]
    ] == [
        ("21025", "2026-03", 2, "MultiPolygon"),
        ("21034", "2026-03", 1, "MultiPolygon"),
        ("21025", "2026-04", 1, "MultiPolygon"),
    ]  # fmt: skip
    assert body["features"][0]["id"] == f"{territory.cam_thanh.id}-2026-03"
    assert set(body["features"][0]["properties"]) == {
        "commune_code", "commune_name", "month", "received", "finished", "on_time", "late",
    }  # fmt: skip
    text = str(body)
    assert "Lê Thị Hoa" not in text and "051090001234" not in text


def test_datetime_and_property_filters_select_the_months(layers: None) -> None:
    april = items("ho-so-theo-thang", datetime="2026-04-10T00:00:00Z")
    an_phu = items("ho-so-theo-thang", commune_code="21034")

    assert [f["properties"]["month"] for f in april["features"]] == ["2026-04"]
    assert [f["properties"]["commune_code"] for f in an_phu["features"]] == ["21034"]


def test_indicator_values_are_the_approved_ones_per_commune_and_period(layers: None) -> None:
    body = items("chi-tieu")
    of_2026 = items("chi-tieu", period="2026", indicator="dan-so")

    assert [
        (f["properties"]["indicator"], f["properties"]["period"],
         f["properties"]["commune_code"], float(f["properties"]["value"]))
        for f in body["features"]
    ] == [
        ("dan-so", "2025", "21025", 100.0),
        ("dan-so", "2025", "21034", 100.0),
        ("dan-so", "2026", "21025", 100.0),  # An Phú's 2026 value is a draft: not published
    ]  # fmt: skip
    assert of_2026["numberMatched"] == 1

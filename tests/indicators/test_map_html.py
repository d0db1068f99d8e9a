"""The choropleth as one HTML file built with folium, which opens offline."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from django.test import Client

from indicators.models import Indicator
from tests.indicators.conftest import Chain
from tests.indicators.test_aggregation import population

URL = (
    "/chi-tieu/ban-do.html?indicator=population&period=2024&level=commune"
    "&boundaries=2026-01-01&classification=equal_interval&classes=2"
)


class Page(HTMLParser):
    """Every element's tag, the legend's rows and the scripts' text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self.legend: list[str] = []
        self._in_script = False
        self._in_legend_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        if tag == "li":
            self._in_legend_row = True
            self.legend.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script
        self._in_legend_row = False if tag == "li" else self._in_legend_row

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        if self._in_legend_row:
            self.legend[-1] += data


def features_of(scripts: list[str]) -> list[dict[str, Any]]:
    """The GeoJSON folium wrote into the map's script (`geo_json_…_add({...})`)."""
    text = next(script for script in scripts if '_add({"features"' in script)
    start = text.index('_add({"features"') + len("_add(")
    collection, _end = json.JSONDecoder().raw_decode(text[start:])
    features: list[dict[str, Any]] = collection["features"]
    return features


def test_the_map_as_an_html_file_holds_every_commune_the_legend_and_nothing_from_outside(
    chain: Chain,
) -> None:
    indicator = population(chain)
    Indicator.objects.filter(pk=indicator.pk).update(source="Cục Thống kê")
    response = Client().get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ban-do-population-2024-commune.html"'
    )
    body = response.content.decode()
    page = Page()
    page.feed(body)
    page.close()
    assert page.tags.count("html") == 1 and page.tags.count("script") >= 2
    properties = [feature["properties"] for feature in features_of(page.scripts)]
    assert [(p["area_code"], p["value_text"], p["fill"]) for p in properties] == [
        ("21025", "12.000 người", "#1a9850"),
        ("21034", "8.000 người", "#d73027"),
    ]
    assert page.legend == [
        "[8.000 – 10.000) người (1)", "[10.000 – 12.000] người (1)", "Không có số liệu (0)",
    ]  # fmt: skip
    assert "population — 2024" in body
    assert "Ranh giới có hiệu lực ngày 01/01/2026" in body
    assert "Nguồn: Cục Thống kê" in body
    # The app's Leaflet is inside; the only addresses are Leaflet's attribution prefix (replaced
    # by the word when the map starts) and the SVG namespace's name: nothing is fetched.
    assert "L.map" in body or "L.Map" in body
    assert sorted(set(re.findall(r"https?://[^\s\"'<>)]+", body))) == [
        "http://www.w3.org/2000/svg",
        "https://leafletjs.com",
    ]
    assert not re.search(r"<(script|link)[^>]+(src|href)=", body)


def test_a_bad_html_request_is_refused(chain: Chain) -> None:
    population(chain)
    response = Client().get(URL.replace("classes=2", "classes=9"))
    assert (response.status_code, response.content.decode()) == (400, "Số lớp phải từ 2 đến 7.")

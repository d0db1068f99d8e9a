"""The choropleth as one self-contained HTML file, built with folium (issue 12, section 5): the
same areas, values, classes and colours as the map page and its PNG, with a tooltip per area
(name and value), the legend with counts and the no-data class, the title, period, boundaries
date and source.

It must open offline, from a USB stick or an e-mail: folium links Leaflet, jQuery and Bootstrap
from CDNs by default, so the map is given none of those (`default_js`/`default_css` emptied, no
tiles) and the app's own Leaflet script and stylesheet (django-leaflet's static files) are
written into the file. The only addresses left in it are inside Leaflet's code: its attribution
prefix (https://leafletjs.com, replaced by the word "Leaflet" as on the app's pages) and the SVG
namespace name; nothing is fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import folium
from branca.element import MacroElement
from django.contrib.staticfiles import finders
from django.utils.html import escape
from jinja2 import Template

from indicators.selectors.classification import NO_DATA_COLOUR, Classification


class _AttributionPrefix(MacroElement):
    """Written into the map's script after the map is made."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.setPrefix('Leaflet');"
        "{% endmacro %}"
    )


def _static_text(path: str) -> str:
    found = finders.find(path)
    assert isinstance(found, str), f"static file {path} not found"
    return Path(found).read_text(encoding="utf-8")


def _css_without_comments(path: str) -> str:
    """A stylesheet without its comments (Leaflet's name a bug tracker's address)."""
    return re.sub(r"/\*.*?\*/", "", _static_text(path), flags=re.DOTALL)


def _points(geometry: dict[str, Any] | None) -> Iterator[list[float]]:
    if not geometry:
        return
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def choropleth_html(
    *,
    collection: str,
    classification: Classification,
    value_texts: Sequence[str],
    title: str,
    subtitle: str,
    legend: Sequence[str],
    no_data_label: str,
    source: str,
    labels: tuple[str, str],
) -> bytes:
    """The HTML file of a FeatureCollection whose features are in the classification's order;
    `value_texts` are the values as the reader writes them, `labels` the tooltip's two names."""
    document = json.loads(collection)
    features = document["features"]
    for feature, index, text in zip(features, classification.classes, value_texts, strict=True):
        properties = feature["properties"]
        properties["fill"] = classification.colour_of(index)
        properties["value_text"] = text
    figure = folium.Map(location=[15.0, 108.0], zoom_start=8, tiles=None, prefer_canvas=True)
    # Nothing from a CDN: the app's Leaflet is written into the file below.
    figure.default_js = []
    figure.default_css = []
    header = figure.get_root().header  # type: ignore[attr-defined]
    header.add_child(
        folium.Element(f"<style>{_css_without_comments('leaflet/leaflet.css')}</style>"),
        name="leaflet_css",
    )
    header.add_child(
        folium.Element(f"<script>{_static_text('leaflet/leaflet.js')}</script>"), name="leaflet_js"
    )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=title,
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "color": "#374151",
            "weight": 1,
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["area_name", "value_text"], aliases=list(labels)),
    ).add_to(figure)
    points = [point for feature in features for point in _points(feature.get("geometry"))]
    if points:
        figure.fit_bounds(
            [
                [min(p[1] for p in points), min(p[0] for p in points)],
                [max(p[1] for p in points), max(p[0] for p in points)],
            ]
        )
    swatch = "display:inline-block;width:18px;height:12px;margin-right:6px;border:1px solid #555"
    rows = "".join(
        f'<li><span style="{swatch};background:{colour}"></span>{escape(text)}</li>'
        for colour, text in (
            *zip(classification.colours, legend, strict=True),
            (NO_DATA_COLOUR, no_data_label),
        )
    )
    panel = (
        '<div id="map-legend" style="position:fixed;top:10px;right:10px;z-index:1000;'
        "background:#fff;padding:8px 12px;border:1px solid #999;font:14px sans-serif;"
        'max-width:340px">'
        f'<h1 style="font-size:17px;margin:0 0 4px">{escape(title)}</h1>'
        f'<p style="margin:0 0 6px">{escape(subtitle)}</p>'
        f'<ul style="list-style:none;margin:0;padding:0">{rows}</ul>'
        f'<p style="margin:6px 0 0;color:#555">{escape(source)}</p></div>'
    )
    figure.get_root().html.add_child(folium.Element(panel))  # type: ignore[attr-defined]
    # Leaflet's own prefix links to its website; as on the app's pages, the word alone.
    _AttributionPrefix().add_to(figure)
    return figure.get_root().render().encode()

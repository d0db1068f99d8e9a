"""A static PNG of the choropleth, for reports (issue 12, section 5): the same areas, values,
classes and colours as the map page, drawn with Pillow from the values API's GeoJSON (the
simplified outlines), with a title, a legend with counts and the no-data class.

No tiles and nothing fetched: the image is the boundaries alone, so it can be pasted into a
document. Longitudes are scaled by cos(latitude) around the map's centre (an equirectangular
view), which at Quảng Ngãi's 15° N is within 1 % of the true shape.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from indicators.selectors.classification import NO_DATA_COLOUR, Classification

WIDTH, HEIGHT = 1200, 900
MAP_BOX = (20, 70, 860, 880)  # left, top, right, bottom of the map inside the image
LEGEND_X = 880
# DejaVu covers Vietnamese; Pillow's own font is the fallback where it is not installed.
_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_PATHS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _rings(geometry: dict[str, Any]) -> Iterator[list[tuple[float, float]]]:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    for polygon in polygons:
        for ring in polygon:
            yield [(float(x), float(y)) for x, y in ring]


def choropleth_png(
    *,
    collection: str,
    classification: Classification,
    title: str,
    subtitle: str,
    legend: Sequence[str],
    no_data_label: str,
) -> bytes:
    """The PNG of a FeatureCollection whose features are in the classification's order."""
    features = json.loads(collection)["features"]
    points = [
        point
        for feature in features
        if feature.get("geometry")
        for ring in _rings(feature["geometry"])
        for point in ring
    ]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 14), title, fill="#222222", font=_font(26))
    draw.text((20, 46), subtitle, fill="#555555", font=_font(16))
    if points:
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        squeeze = math.cos(math.radians((south + north) / 2))
        left, top, right, bottom = MAP_BOX
        scale = min(
            (right - left) / max((east - west) * squeeze, 1e-9),
            (bottom - top) / max(north - south, 1e-9),
        )

        def pixel(point: tuple[float, float]) -> tuple[float, float]:
            return (
                left + (point[0] - west) * squeeze * scale,
                top + (north - point[1]) * scale,
            )

        for feature, index in zip(features, classification.classes, strict=True):
            colour = classification.colour_of(index)
            for ring in _rings(feature["geometry"]):
                draw.polygon([pixel(p) for p in ring], fill=colour, outline="#555555")
    font = _font(16)
    y = 90
    for colour, text in (
        *zip(classification.colours, legend, strict=True),
        (NO_DATA_COLOUR, no_data_label),
    ):
        draw.rectangle((LEGEND_X, y, LEGEND_X + 28, y + 20), fill=colour, outline="#555555")
        draw.text((LEGEND_X + 38, y + 1), text, fill="#222222", font=font)
        y += 32
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()

"""Charts and maps drawn on the server as SVG: the pages and the weekly report show the same
drawing, no script runs in the browser (CSP: scripts and styles from the app only, none inline),
and nothing is fetched from elsewhere.

Colours are SVG presentation attributes (`fill`, `stroke`), which the CSP's style rules do not
cover; the classes name what the stylesheet may restyle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from incidents.operations_selectors import (
    METRES_PER_DEGREE_EAST,
    METRES_PER_DEGREE_NORTH,
    Hexagon,
)
from ioc.selectors import Choropleth, CommuneOutline

# Light to dark red: more reports, hotter.
HOTSPOT_PALETTE = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
WIDTH, HEIGHT, MARGIN = 640, 240, 36
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    css_class: str


def bar_chart(*, labels: Sequence[str], values: Sequence[int], title: str) -> SafeString:
    """A bar per label, the value written above it."""
    top = max([*values, 1])
    step = (WIDTH - 2 * MARGIN) / max(len(values), 1)
    parts = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - 2 * MARGIN) * value / top
        x = MARGIN + index * step
        y = HEIGHT - MARGIN - height
        parts.append(
            format_html(
                '<g class="bar"><title>{}: {}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#2b6cb0"></rect>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="9">{}</text></g>',
                label,
                value,
                f"{x + step * 0.15:.1f}",
                f"{y:.1f}",
                f"{step * 0.7:.1f}",
                f"{height:.1f}",
                f"{x + step / 2:.1f}",
                f"{y - 3:.1f}",
                value,
                f"{x + step / 2:.1f}",
                HEIGHT - MARGIN + 14,
                label,
            )  # fmt: skip
        )
    return _frame(title, parts)


def percent_chart(*, labels: Sequence[str], series: Sequence[Series], title: str) -> SafeString:
    """Lines of rates from 0 to 100 %; a missing rate (no denominator) breaks the line."""
    step = (WIDTH - 2 * MARGIN) / max(len(labels) - 1, 1)
    parts = [
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc"></line>'
            '<text x="4" y="{}" font-size="9">{}%</text>',
            MARGIN,
            WIDTH - MARGIN,
            y,
            y,
            y + 3,
            percent,
        )  # fmt: skip
        for percent in (0, 50, 100)
        for y in [HEIGHT - MARGIN - (HEIGHT - 2 * MARGIN) * percent / 100]
    ]
    for index, label in enumerate(labels):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="9">{}</text>',
                f"{MARGIN + index * step:.1f}",
                HEIGHT - MARGIN + 14,
                label,
            )  # fmt: skip
        )
    for line_index, line in enumerate(series):
        points = [
            (MARGIN + index * step, HEIGHT - MARGIN - (HEIGHT - 2 * MARGIN) * value)
            for index, value in enumerate(line.values)
            if value is not None
        ]
        colour = ("#2f855a", "#c05621", "#2b6cb0")[line_index % 3]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            format_html(
                '<g class="{}"><title>{}</title><polyline points="{}" fill="none" stroke="{}" '
                'stroke-width="2"></polyline>{}'
                '<text x="{}" y="{}" font-size="10" fill="{}">{}</text></g>',
                line.css_class,
                line.name,
                path,
                colour,
                mark_safe(  # noqa: S308 - built from numbers only
                    "".join(
                        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"></circle>'
                        for x, y in points
                    )
                ),
                MARGIN + 8 + 160 * line_index,
                14,
                colour,
                line.name,
            )  # fmt: skip
        )
    return _frame(title, parts)


def _frame(title: str, parts: list[SafeString]) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH, HEIGHT, title, title, mark_safe("".join(parts)),  # noqa: S308 - escaped parts
    )  # fmt: skip


def hotspot_colours(hexagons: Sequence[Hexagon]) -> list[tuple[int, str]]:
    """Each hexagon's class by quintiles of the counts, and its colour."""
    counts = sorted(hexagon.reports for hexagon in hexagons)
    if not counts:
        return []
    bounds = [counts[min(len(counts) - 1, len(counts) * k // 5)] for k in range(1, 5)]
    classes = []
    for hexagon in hexagons:
        index = sum(1 for bound in bounds if hexagon.reports > bound)
        classes.append((index, HOTSPOT_PALETTE[index]))
    return classes


@dataclass(frozen=True)
class MapFrame:
    """The area maps' viewBox in SVG units (x: longitude × `scale`, y: minus the latitude),
    with a margin of 2 % around the outlines."""

    left: float
    top: float
    width: float
    height: float
    scale: float

    def place(self, longitude: float, latitude: float) -> tuple[float, float]:
        """Where a point falls on the map, as fractions (0–1) of its width and height."""
        return (
            (longitude * self.scale - self.left) / self.width,
            (-latitude - self.top) / self.height,
        )


def map_frame(outlines: Sequence[CommuneOutline]) -> MapFrame:
    numbers = [float(n) for outline in outlines for n in _NUMBER.findall(outline.svg_path)]
    xs, ys = numbers[0::2], numbers[1::2]
    scale = METRES_PER_DEGREE_EAST / METRES_PER_DEGREE_NORTH
    left, right, top, bottom = min(xs) * scale, max(xs) * scale, min(ys), max(ys)
    pad = max(right - left, bottom - top) * 0.02
    return MapFrame(
        left=left - pad,
        top=top - pad,
        width=right - left + 2 * pad,
        height=bottom - top + 2 * pad,
        scale=scale,
    )


def area_map(
    *,
    outlines: Sequence[CommuneOutline],
    title: str,
    link: Callable[[CommuneOutline], str],
    choropleth: Choropleth | None = None,
    hexagons: Sequence[Hexagon] = (),
    for_print: bool = False,
) -> SafeString:
    """The communes' outlines, each a link to its area page; filled by the choropleth's classes,
    or with the hotspot hexagons over them. Longitudes are scaled by the province's east-west
    metres per degree so the map is not stretched.

    `for_print`: the outlines' width in the map's own units (a 700th of its width) instead of a
    `non-scaling-stroke` of 0.8 pixel, which WeasyPrint (the weekly report's PDF) does not know:
    it would draw 0.8 degree wide strokes over the whole map."""
    if not outlines:
        return format_html('<p class="empty">{}</p>', title)
    frame = map_frame(outlines)
    left, top, scale = frame.left, frame.top, frame.scale
    fills = {} if choropleth is None else {a.outline.area_id: a for a in choropleth.areas}
    if for_print:
        stroke = format_html('stroke-width="{}"', f"{frame.width / 700:.6f}")
    else:
        stroke = mark_safe('stroke-width="0.8" vector-effect="non-scaling-stroke"')  # noqa: S308
    parts = []
    for outline in outlines:
        shown = fills.get(outline.area_id)
        fill = (shown.colour or "#eeeeee") if shown else "none"
        label = outline.name if shown is None else f"{outline.name}: {shown.label}"
        parts.append(
            format_html(
                '<a href="{}"><path class="commune" d="{}" fill="{}" stroke="#555" {}>'
                "<title>{}</title></path></a>",
                link(outline),
                outline.svg_path,
                fill,
                stroke,
                label,
            )  # fmt: skip
        )
    for hexagon, (_index, colour) in zip(hexagons, hotspot_colours(hexagons), strict=True):
        corners = " ".join(f"{lon:.5f},{-lat:.5f}" for lon, lat in hexagon.corners)
        parts.append(
            format_html(
                '<polygon class="hexagon" points="{}" fill="{}" fill-opacity="0.75" '
                'stroke="none"><title>{}</title></polygon>',
                corners,
                colour,
                hexagon.reports,
            )  # fmt: skip
        )
    return format_html(
        '<svg class="ioc-area-map" viewBox="{} {} {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<g transform="scale({} 1)">{}</g></svg>',
        f"{left:.5f}", f"{top:.5f}", f"{frame.width:.5f}",
        f"{frame.height:.5f}", title, title, f"{scale:.6f}",
        mark_safe("".join(parts)),  # noqa: S308 - every part escaped by format_html
    )  # fmt: skip


def hexagons_geojson(hexagons: Sequence[Hexagon]) -> dict[str, object]:
    """The hotspot layer as a GeoJSON FeatureCollection (the map's data request)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"column": h.column, "row": h.row, "reports": h.reports},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[*map(list, h.corners), list(h.corners[0])]],
                },
            }
            for h in hexagons
        ],
    }

"""The weekly report's maps as the PDF prints them: the drawing as an image, with a link box over
each commune that opens the commune's page (its lists of open and overdue reports and dossiers).

Why boxes: the PDF draws each map as an image of its SVG (ioc/services.py says why), and
WeasyPrint renders no link inside an SVG anyway; it does render links on HTML elements, as link
annotations on their boxes. Each box is a small square centred on a point inside the commune
(`ST_PointOnSurface`, which lies inside even a crescent-shaped outline), so no box covers a
neighbour's label point, whatever the communes' shapes.

The page built here goes to WeasyPrint only (never to a browser), so its boxes are placed by
inline styles.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence

from django.db import connection
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ioc.charts import map_frame
from ioc.selectors import CommuneOutline

# The printed map's largest size: the A4 page's width inside its margins (ioc-report-pdf.css),
# and the height two maps share a page with their headings.
PRINTED_MAP_WIDTH_MM = 186.0
PRINTED_MAP_HEIGHT_MM = 118.0
# The link boxes' side: large enough to hit with a pointer on a province of a hundred communes,
# small enough not to overlap where there are thousands.
LINK_BOX_LARGEST_MM = 7.0
LINK_BOX_SMALLEST_MM = 1.5


def commune_label_points(
    outlines: Sequence[CommuneOutline],
) -> dict[int, tuple[float, float]]:
    """A point inside each of these communes (longitude, latitude), by the area's id."""
    # Raw SQL for ST_PointOnSurface, which GeoDjango does not wrap; over the outline that
    # ioc.selectors.commune_outlines draws.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, ST_X(point), ST_Y(point)
            FROM (SELECT id, ST_PointOnSurface(outline) AS point
                  FROM wards_area
                  WHERE id = ANY(%(ids)s) AND outline IS NOT NULL) inside
            """,
            {"ids": [outline.area_id for outline in outlines]},
        )
        return {area_id: (longitude, latitude) for area_id, longitude, latitude in cursor}


def linked_map(
    *,
    svg: str,
    outlines: Sequence[CommuneOutline],
    points: dict[int, tuple[float, float]],
    link: Callable[[CommuneOutline], str],
) -> SafeString:
    """The map `svg` (drawn by ioc.charts.area_map over `outlines`) as an image sized to its own
    proportions, with a link box over each commune that has a point."""
    image = format_html(
        '<img class="ioc-area-map" src="data:image/svg+xml;base64,{}" alt="">',
        base64.b64encode(svg.encode()).decode("ascii"),
    )
    if not outlines:
        return image
    frame = map_frame(outlines)
    ratio = frame.width / frame.height
    width = min(PRINTED_MAP_WIDTH_MM, PRINTED_MAP_HEIGHT_MM * ratio)
    height = width / ratio
    side = max(
        LINK_BOX_SMALLEST_MM,
        min(LINK_BOX_LARGEST_MM, 0.5 * math.sqrt(width * height / len(outlines))),
    )
    boxes = []
    for outline in outlines:
        point = points.get(outline.area_id)
        if point is None:
            continue
        across, down = frame.place(*point)
        boxes.append(
            (
                link(outline),
                outline.name,
                f"{across * width - side / 2:.2f}",
                f"{down * height - side / 2:.2f}",
                f"{side:.2f}",
                f"{side:.2f}",
            )
        )
    return format_html(
        '<div class="ioc-linked-map" style="width: {}mm; height: {}mm">{}{}</div>',
        f"{width:.2f}",
        f"{height:.2f}",
        image,
        format_html_join(
            "",
            '<a class="ioc-map-link" href="{}" title="{}" '
            'style="left: {}mm; top: {}mm; width: {}mm; height: {}mm"></a>',
            boxes,
        ),
    )

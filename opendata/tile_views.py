"""Vector tiles at /tiles/<layer>/<z>/<x>/<y>.mvt (and .pbf) and a TileJSON document per layer.

Caching: each tile carries an ETag (its content's hash; If-None-Match gets 304) and
Cache-Control. Low-zoom report tiles, commune tiles and choropleth tiles are kept in the cache
under the version of what they are drawn from (the grid's refresh, the set of communes, the
indicators' answers' revision), so new data makes the old entries unreachable instead of being
served stale; point tiles from zoom 16 are built fresh.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geoapp.api import HTTP_STATUS_OF_ERROR
from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import DomainError
from indicators.periods import period_parse
from indicators.selectors.catalogue import indicator_current_period, indicator_get
from indicators.selectors.choropleth import (
    answers_revision,
    choropleth_area_classes,
    choropleth_query,
)
from opendata.services import report_grid_version
from opendata.tile_selectors import (
    LAYERS,
    MAX_ZOOM,
    MIN_ZOOM,
    POINTS_FROM_ZOOM,
    commune_tile,
    communes_version,
    indicator_tile,
    report_tile,
)

MVT = "application/vnd.mapbox-vector-tile"
# The choropleth layer takes the indicators' values API's parameters (docs/indicators.md).
CHOROPLETH_PARAMETERS = {"indicator", "period", "boundaries", "classification", "classes", "breaks"}
CACHE_SECONDS = 3600
BROWSER_CACHE_SECONDS = 60


def _refusal(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"code": "InvalidParameterValue" if status == 400 else "NotFound",
                         "description": message}, status=status)  # fmt: skip


@require_GET
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    if layer not in LAYERS:
        return _refusal(_("Không có lớp bản đồ “%(name)s”.") % {"name": layer}, status=404)
    if not MIN_ZOOM <= z <= MAX_ZOOM or x >= 2**z or y >= 2**z:
        return _refusal(
            _("Ô bản đồ %(z)d/%(x)d/%(y)d nằm ngoài phạm vi (mức phóng %(min)d–%(max)d).")
            % {"z": z, "x": x, "y": y, "min": MIN_ZOOM, "max": MAX_ZOOM}
        )
    unknown = set(request.GET) - (CHOROPLETH_PARAMETERS if layer == "chi-tieu" else {"ngay"})
    if unknown:
        return _refusal(
            _("Tham số không được hỗ trợ: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if layer == "phan-anh":
        if z >= POINTS_FROM_ZOOM:
            content = report_tile(z=z, x=x, y=y)
        else:
            key = f"opendata:tile:phan-anh:{report_grid_version()}:{z}/{x}/{y}"
            content = _cached(key, lambda: report_tile(z=z, x=x, y=y))
    elif layer == "chi-tieu":
        try:
            content = _indicator_tile(request, z=z, x=x, y=y)
        except DomainError as error:
            return _refusal(error.message, status=HTTP_STATUS_OF_ERROR[error.kind])
    else:
        text = request.GET.get("ngay")
        try:
            day = datetime.date.fromisoformat(text) if text else vietnam_today()
        except ValueError:
            return _refusal(_("Ngày không hợp lệ: %(value)s (YYYY-MM-DD).") % {"value": text})
        key = f"opendata:tile:xa-phuong:{communes_version()}:{day}:{z}/{x}/{y}"
        content = _cached(key, lambda: commune_tile(z=z, x=x, y=y, day=day))
    etag = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type=MVT)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BROWSER_CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _indicator_tile(request: HttpRequest, *, z: int, x: int, y: int) -> bytes:
    """A tile of an indicator's choropleth on the communes, classified as the indicators' map
    classifies it; cached under the answers' revision, which every write of values, targets,
    indicators, areas or successions renews (built fresh inside a transaction that wrote them)."""
    code = request.GET.get("indicator") or ""
    indicator = indicator_get(code=code)
    period_text = request.GET.get("period") or indicator_current_period(indicator)
    query = choropleth_query(
        indicator=indicator,
        period=period_parse(period_text),
        level="commune",
        boundaries=parse_date(request.GET.get("boundaries"), default=vietnam_today()),
        parameters=request.GET,
    )
    revision = answers_revision()

    def build() -> bytes:
        classes = choropleth_area_classes(query, revision=revision)
        return indicator_tile(z=z, x=x, y=y, day=query.boundaries, classes=classes)

    if revision is None:
        return build()
    return _cached(f"opendata:tile:chi-tieu:{query.key(revision)}:{z}/{x}/{y}", build)


def _cached(key: str, build: object) -> bytes:
    content = cache.get(key)
    if content is None:
        assert callable(build)
        content = build()
        cache.set(key, content, timeout=CACHE_SECONDS)
    return bytes(content)


@require_GET
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    if layer not in LAYERS:
        return _refusal(_("Không có lớp bản đồ “%(name)s”.") % {"name": layer}, status=404)
    template = request.build_absolute_uri(f"/tiles/{layer}/") + "{z}/{x}/{y}.mvt"
    fields = (
        {"report_count": "Number", "tracking_code": "String", "category": "String",
         "status": "String", "reported_at": "String", "supporters_count": "Number"}
        if layer == "phan-anh"
        else {"area_code": "String", "area_name": "String", "value": "Number",
              "class": "Number", "colour": "String"}
        if layer == "chi-tieu"
        else {"code": "String", "name": "String", "area_type": "String"}
    )  # fmt: skip
    return JsonResponse(
        {
            "tilejson": "3.0.0",
            "name": layer,
            "scheme": "xyz",
            "tiles": [template],
            "minzoom": MIN_ZOOM,
            "maxzoom": MAX_ZOOM,
            "vector_layers": [{"id": layer, "fields": fields}],
        },
        json_dumps_params={"ensure_ascii": False},
    )

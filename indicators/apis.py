"""REST interface of indicators: parse, call one selector, render."""

from __future__ import annotations

import gzip
import re
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geoapp.api import NOT_FOUND_RESPONSE
from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import InvalidInput
from indicators.models import Indicator
from indicators.periods import period_parse
from indicators.selectors.aggregation import (
    AggregateRow,
    indicator_aggregates,
    indicator_series,
)
from indicators.selectors.catalogue import indicator_current_period, indicator_get, indicator_list
from indicators.selectors.choropleth import (
    ChoroplethQuery,
    answers_revision,
    choropleth_compressed,
    choropleth_query,
)
from wards import selectors as ward_selectors

# As Django's GZipMiddleware reads the header.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


_CATALOGUE_FIELDS = (
    "code", "name_vi", "name_en", "unit", "definition", "source", "kind", "area_aggregation",
    "time_aggregation", "direction", "period_type",
)  # fmt: skip


def _indicator_json(indicator: Indicator) -> dict[str, Any]:
    return {
        **{name: getattr(indicator, name) for name in _CATALOGUE_FIELDS},
        "factor": float(indicator.factor),
        "formula": indicator.formula or None,
        "weight_indicator": indicator.weight_indicator.code if indicator.weight_indicator else None,
    }


class IndicatorListApi(APIView):
    """The indicator catalogue."""

    authentication_classes: list[Any] = []

    @extend_schema(operation_id="indicators_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({"results": [_indicator_json(i) for i in indicator_list()]})


def _row_json(row: AggregateRow) -> dict[str, Any]:
    return {
        "area_code": row.area_code,
        "area_name": row.area_name,
        "value": _number(row.value),
        "numerator": _number(row.numerator),
        "denominator": _number(row.denominator),
        "target": _number(row.target),
        "completeness": {"reported": row.reported, "expected": row.expected},
        "reaggregated": row.reaggregated,
    }


class GeoJsonRenderer(JSONRenderer):
    """Lets `?format=geojson` through DRF's content negotiation, which reads `format` as the
    name of a renderer; the collection itself comes from PostgreSQL as text, and errors are
    rendered as JSON. Its media type is JSON's so that a client asking for JSON (browsers'
    fetch, the map page) is not refused with 406; the collection is sent as
    application/geo+json."""

    media_type = "application/json"
    format = "geojson"


class IndicatorValuesApi(APIView):
    """An indicator aggregated for one period on the areas of one level valid on a date."""

    authentication_classes: list[Any] = []
    renderer_classes = [JSONRenderer, GeoJsonRenderer]

    @extend_schema(
        operation_id="indicators_values",
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="2024, 2024-Q3 hoặc 2024-07"),
            OpenApiParameter("level", OpenApiTypes.STR, description="commune, district, province"),
            OpenApiParameter("boundaries", OpenApiTypes.DATE, description="Ranh giới của ngày"),
            OpenApiParameter("format", OpenApiTypes.STR, description="json hoặc geojson"),
            OpenApiParameter("classification", OpenApiTypes.STR),
            OpenApiParameter("classes", OpenApiTypes.INT),
            OpenApiParameter("breaks", OpenApiTypes.STR),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND_RESPONSE},
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        indicator = indicator_get(code=code)
        parameters = request.query_params
        period = period_parse(parameters.get("period") or indicator_current_period(indicator))
        level = parameters.get("level") or "commune"
        boundaries = parse_date(parameters.get("boundaries"), default=vietnam_today())
        answer_format = parameters.get("format") or "json"
        head = {
            "indicator": indicator.code,
            "period": period.text,
            "boundaries": boundaries.isoformat(),
        }
        if answer_format == "geojson":
            return _choropleth_response(
                request,
                choropleth_query(
                    indicator=indicator, period=period, level=level, boundaries=boundaries,
                    parameters=parameters,
                ),
            )  # fmt: skip
        if answer_format != "json":
            raise InvalidInput(
                _("Định dạng “%(format)s” không hợp lệ; dùng json hoặc geojson.")
                % {"format": answer_format},
                code="invalid_format",
            )
        rows = indicator_aggregates(
            indicator=indicator, period=period, level=level, boundaries=boundaries
        )
        return Response({**head, "results": [_row_json(row) for row in rows]})


def _choropleth_response(request: Request, query: ChoroplethQuery) -> HttpResponse:
    """The cached document: 304 when the client holds it (its ETag changes with the answers'
    revision), gzip-compressed when the client accepts it."""
    revision = answers_revision()
    cache_headers = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if revision is not None:
        etag = cache_headers["ETag"] = query.etag(revision)
        held = parse_etags(request.headers.get("If-None-Match", ""))
        if etag in held or "*" in held:
            return HttpResponse(status=304, headers=cache_headers)
    compressed = choropleth_compressed(query, revision=revision)
    if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        return HttpResponse(
            compressed,
            content_type="application/geo+json",
            headers={**cache_headers, "Content-Encoding": "gzip"},
        )
    return HttpResponse(
        gzip.decompress(compressed), content_type="application/geo+json", headers=cache_headers
    )


class IndicatorSeriesApi(APIView):
    """An indicator period by period on one area, across the reform."""

    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="indicators_series",
        parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, required=True, description="Mã đơn vị"),
            OpenApiParameter("from", OpenApiTypes.STR),
            OpenApiParameter("to", OpenApiTypes.STR),
            OpenApiParameter("boundaries", OpenApiTypes.DATE),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND_RESPONSE},
    )
    def get(self, request: Request, code: str) -> Response:
        indicator = indicator_get(code=code)
        parameters = request.query_params
        boundaries = parse_date(parameters.get("boundaries"), default=vietnam_today())
        area_code = parameters.get("area") or ""
        area = next(
            (
                candidate
                for candidate in ward_selectors.areas_with_codes(codes=[area_code]).get(
                    area_code, []
                )
                if candidate.is_valid_on(boundaries)
            ),
            None,
        )
        if area is None:
            raise InvalidInput(
                _("Không có đơn vị mã “%(code)s” có hiệu lực ngày %(date)s.")
                % {"code": area_code, "date": boundaries.strftime("%d/%m/%Y")},
                code="unknown_area",
            )
        end = period_parse(parameters.get("to") or indicator_current_period(indicator))
        start = period_parse(parameters.get("from") or str(end.start.year - 4))
        if start.start > end.end:
            raise InvalidInput(_("Kỳ bắt đầu phải trước kỳ kết thúc."), code="invalid_period")
        points = indicator_series(
            indicator=indicator, area_id=area.pk, level=area.level, boundaries=boundaries,
            start=start, end=end,
        )  # fmt: skip
        return Response(
            {
                "indicator": indicator.code,
                "area_code": area.code,
                "area_name": area.name,
                "boundaries": boundaries.isoformat(),
                "results": [
                    {
                        "period": point.period,
                        "value": _number(point.value),
                        "numerator": _number(point.numerator),
                        "denominator": _number(point.denominator),
                        "target": _number(point.target),
                        "completeness": {"reported": point.reported, "expected": point.expected},
                        "reaggregated": point.reaggregated,
                    }
                    for point in points
                ],
            }
        )

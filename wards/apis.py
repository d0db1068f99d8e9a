"""REST interface of administrative areas: parse, call one selector, render."""

from typing import Any, TypeVar

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoapp.api import NOT_FOUND_RESPONSE, name_nested_serializers_for_the_schema
from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date, parse_point
from geoapp.exceptions import InvalidInput
from wards import selectors
from wards.models import Area, AreaLevel, AreaType

Number = TypeVar("Number", int, float)


# Declared field by field rather than as a ModelSerializer: a ModelSerializer rebuilds its fields
# from the model on every use, 0.2 ms per lookup answer, as long as the lookup itself
# (docs/benchmarks.md).
class AreaSummarySerializer(serializers.Serializer):
    """An administrative area without its boundary."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(source="area_type", choices=AreaType.choices, read_only=True)
    level = serializers.ChoiceField(choices=AreaLevel.choices, read_only=True)
    valid_from = serializers.DateField(read_only=True)
    valid_to = serializers.DateField(read_only=True, allow_null=True)


# One serializer, built once, renders every lookup answer: instantiating a serializer deep-copies
# and binds its fields, 0.1–0.2 ms a request, ten times what rendering two areas takes
# (docs/benchmarks.md). to_representation only reads the bound fields, so sharing is safe.
_AREA_SUMMARY = AreaSummarySerializer()


class AreaLookupApi(APIView):
    """Which areas contain a point on a date (lowest level first)."""

    authentication_classes: list = []

    class OutputSerializer(serializers.Serializer):
        results = AreaSummarySerializer(many=True)

    @extend_schema(
        operation_id="areas_lookup",
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="Vĩ độ WGS 84"),
            OpenApiParameter(
                "lon", OpenApiTypes.DOUBLE, required=True, description="Kinh độ WGS 84"
            ),
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="Ngày tra cứu; mặc định hôm nay"
            ),
        ],
        responses={200: OutputSerializer, 404: NOT_FOUND_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        point = parse_point(request.query_params.get("lat"), request.query_params.get("lon"))
        day = parse_date(request.query_params.get("date"), default=vietnam_today())
        areas = selectors.areas_containing_point(point=point, on=day)
        return Response({"results": [_AREA_SUMMARY.to_representation(area) for area in areas]})


class AreaListApi(APIView):
    """The areas valid on a date as a GeoJSON FeatureCollection."""

    authentication_classes: list = []

    @extend_schema(
        operation_id="areas_list",
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=AreaLevel.values),
            OpenApiParameter("date", OpenApiTypes.DATE, description="Mặc định hôm nay"),
            OpenApiParameter("parent", OpenApiTypes.INT, description="Mã số (id) đơn vị cấp trên"),
            OpenApiParameter(
                "simplify", OpenApiTypes.DOUBLE, description="Dung sai đơn giản hoá (m)"
            ),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        level = params.get("level") or None
        if level is not None and level not in AreaLevel.values:
            raise InvalidInput(
                _("Cấp “%(level)s” không hợp lệ; dùng một trong: %(choices)s.")
                % {"level": level, "choices": ", ".join(AreaLevel.values)},
                code="invalid_level",
            )
        document = selectors.areas_feature_collection(
            on=parse_date(params.get("date"), default=vietnam_today()),
            level=level,
            parent_id=_optional_number(params.get("parent"), name="parent", kind=int),
            simplify_metres=_optional_number(params.get("simplify"), name="simplify", kind=float)
            or 0.0,
        )
        # The document is already JSON built by PostgreSQL; re-parsing it would cost more than the query.
        return HttpResponse(document, content_type="application/geo+json")


def _optional_number(text: str | None, *, name: str, kind: type[Number]) -> Number | None:
    if text in (None, ""):
        return None
    try:
        value = kind(text)
    except ValueError:
        value = None
    # `value != value` is NaN, which float() accepts.
    if value is None or value < 0 or value != value or value == float("inf"):
        raise InvalidInput(
            _("Tham số %(name)s phải là một số không âm, nhận được “%(value)s”.")
            % {"name": name, "value": text},
            code="invalid_number",
        )
    return value


class AreaDetailSerializer(GeoFeatureModelSerializer):
    """One area as a GeoJSON Feature with its place in the hierarchy and its neighbours."""

    type = serializers.CharField(source="area_type")
    parent = AreaSummarySerializer(allow_null=True)
    # Read by the view from selectors and passed in the context ("children", "neighbours"), so
    # the serializer runs no queries of its own.
    children = serializers.SerializerMethodField()
    neighbours = serializers.SerializerMethodField()

    class Meta:
        model = Area
        geo_field = "boundary"
        fields = [
            "id", "code", "name", "type", "level", "valid_from", "valid_to", "area_km2",
            "is_approximate", "source", "parent", "children", "neighbours",
        ]  # fmt: skip

    @extend_schema_field(AreaSummarySerializer(many=True))
    def get_children(self, area: Area) -> Any:
        return AreaSummarySerializer(self.context["children"], many=True).data

    @extend_schema_field(AreaSummarySerializer(many=True))
    def get_neighbours(self, area: Area) -> Any:
        return AreaSummarySerializer(self.context["neighbours"], many=True).data


class AreaDetailApi(APIView):
    authentication_classes: list = []

    @extend_schema(operation_id="areas_retrieve", responses={200: AreaDetailSerializer})
    def get(self, request: Request, area_id: int) -> Response:
        area = selectors.area_get(area_id=area_id)
        context = {
            "children": selectors.area_children(area=area),
            "neighbours": selectors.area_neighbours(area=area),
        }
        return Response(AreaDetailSerializer(area, context=context).data)


class AreaSuccessorsApi(APIView):
    """Where an area went at a reform (successors) and where it came from (predecessors)."""

    authentication_classes: list = []

    class SuccessionSerializer(serializers.Serializer):
        area = AreaSummarySerializer()
        effective_on = serializers.DateField()
        share = serializers.DecimalField(max_digits=5, decimal_places=4)

    class OutputSerializer(serializers.Serializer):
        area = AreaSummarySerializer()
        successors = serializers.ListField()
        predecessors = serializers.ListField()

    @extend_schema(operation_id="areas_successors", responses={200: OutputSerializer})
    def get(self, request: Request, area_id: int) -> Response:
        area = selectors.area_get(area_id=area_id)
        successions = [
            {"area": s.successor, "effective_on": s.effective_on, "share": s.share}
            for s in selectors.area_successions(area=area)
        ]
        predecessions = [
            {"area": s.predecessor, "effective_on": s.effective_on, "share": s.share}
            for s in selectors.area_predecessions(area=area)
        ]
        return Response(
            {
                "area": AreaSummarySerializer(area).data,
                "successors": self.SuccessionSerializer(successions, many=True).data,
                "predecessors": self.SuccessionSerializer(predecessions, many=True).data,
            }
        )


class AgencySummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()


class RoutingApi(APIView):
    """Where a point falls on a date and which unit handles a category there."""

    authentication_classes: list = []

    class OutputSerializer(serializers.Serializer):
        areas = AreaSummarySerializer(many=True)
        agency = AgencySummarySerializer()
        rule_id = serializers.IntegerField(allow_null=True)

    @extend_schema(
        operation_id="routing_retrieve",
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="Vĩ độ"),
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="Kinh độ"),
            OpenApiParameter("date", OpenApiTypes.DATE, description="Mặc định hôm nay"),
            OpenApiParameter("category", OpenApiTypes.STR, description="Mã lĩnh vực"),
        ],
        responses={200: OutputSerializer, 404: NOT_FOUND_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        routing = selectors.route_point(
            point=parse_point(params.get("lat"), params.get("lon")),
            category_code=params.get("category", ""),
            on=parse_date(params.get("date"), default=vietnam_today()),
        )
        return Response(
            self.OutputSerializer(
                {
                    "areas": routing.areas,
                    "agency": routing.agency,
                    "rule_id": routing.rule.id if routing.rule else None,
                }
            ).data
        )


name_nested_serializers_for_the_schema(globals())

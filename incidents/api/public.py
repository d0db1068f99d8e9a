"""The public REST interface of citizen feedback: anyone may read public reports, file one,
support one; the reporter (with the secret of the private link) rates, reopens, adds information."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from geoapp.api import (
    IDEMPOTENCY_HEADER,
    NOT_FOUND_RESPONSE,
    name_nested_serializers_for_the_schema,
    query_choice,
    query_integer,
)
from geoapp.coordinates import parse_date, parse_point
from geoapp.exceptions import InvalidInput
from geoapp.throttling import (
    IncidentCreateContactThrottle,
    IncidentCreateThrottle,
    IncidentSupportThrottle,
    PhotoMetadataThrottle,
    ReporterActionThrottle,
    client_identity,
)
from incidents import permissions, selectors, services
from incidents.api import output as serializers_out
from incidents.models import (
    Category,
    Incident,
    IncidentChannel,
    IncidentStatus,
)

_ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class CategoryAttributeSerializer(serializers.Serializer):
    code = serializers.CharField()
    datatype = serializers.CharField()
    description = serializers.CharField()
    description_en = serializers.CharField()
    # DRF's metaclass moves declared fields out of the class, so this field does not shadow
    # Field.required at run time; the stubs cannot know that.
    required = serializers.BooleanField()  # type: ignore[assignment]
    variable = serializers.BooleanField()
    order = serializers.IntegerField()
    values = serializers.JSONField()


class CategoryListApi(APIView):
    """The categories a citizen can report in (the Open311 services), with their extra questions."""

    authentication_classes: list = []

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        name_en = serializers.CharField()
        group = serializers.CharField()
        group_en = serializers.CharField()
        description = serializers.CharField()
        description_en = serializers.CharField()
        keywords = serializers.CharField()
        acknowledge_within_hours = serializers.IntegerField()
        urgent_acknowledge_within_hours = serializers.IntegerField()
        urgent_resolve_within_hours = serializers.IntegerField()
        normal_resolve_within_days = serializers.IntegerField()
        complex_resolve_within_days = serializers.IntegerField()
        duplicate_radius_metres = serializers.IntegerField()
        attributes = CategoryAttributeSerializer(many=True, source="attributes.all")

    @extend_schema(operation_id="categories_list", responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        categories: list[Category] = selectors.category_list()
        return Response(self.OutputSerializer(categories, many=True).data)


# Public reports


def _attributes_from_form(data: Any) -> dict[str, object]:
    """Open311-style `attribute[CODE]` (or `attribute[CODE][]` for several values) form fields."""
    answers: dict[str, object] = {}
    if not hasattr(data, "getlist"):
        return answers
    for key in data:
        match = _ATTRIBUTE_FIELD.match(key)
        if match is None:
            continue
        values = data.getlist(key)
        answers[match.group(1)] = values if match.group(2) or len(values) > 1 else values[0]
    return answers


class IncidentsApi(APIView):
    """GET: the public map of reports (GeoJSON). POST: file a report (anonymous allowed)."""

    class CreateInputSerializer(serializers.Serializer):
        category = serializers.CharField(help_text="Mã lĩnh vực, ví dụ giao-thong")
        description = serializers.CharField(allow_blank=True, trim_whitespace=False)
        lat = serializers.CharField(help_text="Vĩ độ WGS 84, khoảng 15 ở Quảng Ngãi")
        lon = serializers.CharField(help_text="Kinh độ WGS 84, khoảng 108,8")
        address = serializers.CharField(required=False, allow_blank=True, default="")
        attributes = serializers.JSONField(
            required=False,
            default=dict,
            help_text="Trả lời câu hỏi bổ sung: {mã câu hỏi: giá trị}; hoặc trường attribute[MÃ]",
        )
        reporter_name = serializers.CharField(required=False, allow_blank=True, default="")
        reporter_phone = serializers.CharField(required=False, allow_blank=True, default="")
        reporter_email = serializers.CharField(required=False, allow_blank=True, default="")
        reporter_may_be_contacted = serializers.BooleanField(required=False, default=False)
        is_public = serializers.BooleanField(required=False, default=True)
        photos = serializers.ListField(
            child=serializers.FileField(), required=False, default=list, max_length=20
        )

    class CreateOutputSerializer(serializers.Serializer):
        tracking_code = serializers.CharField()
        reporter_token = serializers.CharField(
            help_text="Mã bí mật để bổ sung thông tin, đánh giá, mở lại; chỉ trả về cho người gửi."
        )
        status = serializers.CharField()
        category = serializers_out.CategorySummarySerializer()
        area = serializers_out.IncidentAreaSerializer()
        agency = serializers_out.AgencyPublicSerializer()
        reported_at = serializers.DateTimeField()
        acknowledge_by = serializers.DateTimeField()
        resolve_by = serializers.DateTimeField()
        photos_count = serializers.IntegerField()

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method != "POST":
            return []
        # Counted per client and per reporter contact, before the input is checked: what the
        # contact fields hold is hashed as it is (a refused form still spent the allowance).
        data = self.request.data
        contacts = (
            [data.get("reporter_phone"), data.get("reporter_email")]
            if isinstance(data, dict)
            else []
        )
        return [IncidentCreateThrottle(), *IncidentCreateContactThrottle.for_contacts(*contacts)]

    @extend_schema(
        operation_id="incidents_list",
        description=(
            "Phản ánh công khai dạng GeoJSON FeatureCollection, mới nhất trước. Không có thông tin "
            "cá nhân."
        ),
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minlon,minlat,maxlon,maxlat"),
            OpenApiParameter("category", OpenApiTypes.STR, description="Mã lĩnh vực"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=IncidentStatus.values),
            OpenApiParameter("area", OpenApiTypes.STR, description="Mã đơn vị hành chính"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Phản ánh từ ngày"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Phản ánh đến hết ngày"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Mặc định 1000"),
            OpenApiParameter("offset", OpenApiTypes.INT, description="Mặc định 0"),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        filters = selectors.PublicIncidentFilters(
            bbox=selectors.parse_bbox(params.get("bbox")),
            category=params.get("category") or None,
            status=query_choice(params.get("status"), name="status", choices=IncidentStatus.values),
            area_code=params.get("area") or None,
            # parse_date gives back `default` as it is, None included; its annotation (in
            # geoapp.coordinates) says date only.
            reported_from=parse_date(params.get("from"), default=None),  # type: ignore[arg-type]
            reported_to=parse_date(params.get("to"), default=None),  # type: ignore[arg-type]
        )
        maximum = settings.INCIDENT_LIST_MAX_LIMIT
        document = selectors.incidents_public_feature_collection(
            filters=filters,
            limit=query_integer(
                params.get("limit"), name="limit", default=min(1000, maximum), maximum=maximum
            ),
            offset=query_integer(params.get("offset"), name="offset", default=0, maximum=10**9),
        )
        # Already JSON, built by PostgreSQL; parsing and re-rendering it would cost more than
        # the query.
        return HttpResponse(document, content_type="application/geo+json")

    @extend_schema(
        operation_id="incidents_create",
        description=(
            "Gửi phản ánh (không cần tài khoản). Gửi kèm tiêu đề Idempotency-Key để một lần gửi "
            "lại không tạo phản ánh thứ hai: khi đó trả về 200 với cùng phản ánh."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="Khóa duy nhất cho mỗi phản ánh, ví dụ một UUID",
            )
        ],
        request={
            "multipart/form-data": CreateInputSerializer,
            "application/json": CreateInputSerializer,
        },
        responses={
            201: CreateOutputSerializer,
            200: CreateOutputSerializer,
            # No commune or no responsible unit at the point.
            404: NOT_FOUND_RESPONSE,
        },
        examples=[
            OpenApiExample(
                "Ổ gà",
                value={
                    "category": "giao-thong",
                    "description": "Ổ gà lớn trước số 12 Hùng Vương",
                    "lat": "15.1205",
                    "lon": "108.7923",
                    "attributes": {"loai-hu-hong": "o-ga"},
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.CreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attributes = (
            dict(data["attributes"] or {}) if isinstance(data["attributes"], dict) else None
        )
        if attributes is None:
            raise InvalidInput(
                _("attributes phải là một đối tượng JSON {mã câu hỏi: giá trị}."),
                code="invalid_attributes",
            )
        attributes.update(_attributes_from_form(request.data))
        user = request.user if request.user is not None and request.user.is_authenticated else None
        creation = services.incident_create(
            category_code=data["category"],
            description=data["description"],
            point=parse_point(data["lat"], data["lon"]),
            address=data["address"],
            channel=IncidentChannel.API,
            attributes=attributes,
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            reporter_email=data["reporter_email"],
            reporter_may_be_contacted=data["reporter_may_be_contacted"],
            is_public=data["is_public"],
            photos=data["photos"],
            client_identity=client_identity(request),
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
            actor=user if user is not None and permissions.is_staff_member(user) else None,
        )
        incident = creation.incident
        output = self.CreateOutputSerializer(
            {
                "tracking_code": incident.tracking_code,
                "reporter_token": creation.reporter_token,
                "status": incident.status,
                "category": incident.category,
                "area": incident.area,
                "agency": incident.agency,
                "reported_at": incident.reported_at,
                "acknowledge_by": incident.acknowledge_by,
                "resolve_by": incident.resolve_by,
                "photos_count": incident.photos.count(),
            }
        )
        return Response(
            output.data, status=status.HTTP_201_CREATED if creation.created else status.HTTP_200_OK
        )


class IncidentDetailApi(APIView):
    """A public report by its tracking code, with its public timeline and photos."""

    authentication_classes: list = []

    @extend_schema(
        operation_id="incidents_retrieve", responses={200: serializers_out.PublicIncidentSerializer}
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        return Response(serializers_out.public_incident_render(request, tracking_code))


class IncidentDuplicatesApi(APIView):
    """Open public reports of the same category near a point: "has someone reported this?"."""

    authentication_classes: list = []

    class OutputItemSerializer(serializers.Serializer):
        tracking_code = serializers.CharField(source="incident.tracking_code")
        distance_metres = serializers.FloatField()
        status = serializers.CharField(source="incident.status")
        description = serializers.CharField(source="incident.public_description", allow_null=True)
        address = serializers.CharField(source="incident.public_address")
        reported_at = serializers.DateTimeField(source="incident.reported_at")
        supporters_count = serializers.IntegerField(source="incident.supporters_count")
        location = serializers_out.LocationSerializer(source="incident.location")

    class OutputSerializer(serializers.Serializer):
        results = serializers.ListField()

    @extend_schema(
        operation_id="incidents_duplicates",
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("category", OpenApiTypes.STR, required=True),
        ],
        responses={200: OutputItemSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        candidates = selectors.duplicate_candidates(
            point=parse_point(params.get("lat"), params.get("lon")),
            category_code=params.get("category", ""),
        )
        return Response({"results": self.OutputItemSerializer(candidates, many=True).data})


class PhotoMetadataApi(APIView):
    """Read a photo's EXIF position and time to propose them for a report; stores nothing."""

    authentication_classes: list = []
    throttle_classes = [PhotoMetadataThrottle]

    class InputSerializer(serializers.Serializer):
        photo = serializers.FileField()

    class OutputSerializer(serializers.Serializer):
        lat = serializers.FloatField(allow_null=True)
        lon = serializers.FloatField(allow_null=True)
        taken_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="incidents_photo_metadata",
        request={"multipart/form-data": InputSerializer},
        responses={200: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        metadata = services.photo_metadata_read(file=serializer.validated_data["photo"])
        return Response(
            self.OutputSerializer(
                {
                    "lat": metadata.point.y if metadata.point else None,
                    "lon": metadata.point.x if metadata.point else None,
                    "taken_at": metadata.taken_at,
                }
            ).data
        )


class IncidentSupportApi(APIView):
    """ "+1": I am affected too. Once per client: the account, the API key, or else the network
    address (from the trusted proxies).

    An e-mail address sent with it is still accepted, so that existing clients keep working, but
    ignored: nobody proves owning it, so counting it would let one client invent supporters.
    """

    throttle_classes = [IncidentSupportThrottle]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(
            required=False,
            allow_blank=True,
            default="",
            help_text="Không còn dùng: được chấp nhận nhưng bỏ qua. Mỗi tài khoản hoặc địa chỉ "
            "mạng ủng hộ một phản ánh một lần.",
        )

    class OutputSerializer(serializers.Serializer):
        tracking_code = serializers.CharField()
        supporters_count = serializers.IntegerField()

    @extend_schema(
        operation_id="incidents_support",
        request=InputSerializer,
        responses={200: OutputSerializer},
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_support(
            incident=selectors.incident_get_public_by_code(tracking_code=tracking_code),
            supporter_identity=client_identity(request),
        )
        return Response(self.OutputSerializer(incident).data)


class _ReporterActionApi(APIView):
    """An action of the reporter, proven by the token they received when filing the report."""

    authentication_classes: list = []
    throttle_classes = [ReporterActionThrottle]

    def _incident(self, tracking_code: str) -> Incident:
        return selectors.incident_get_by_code(tracking_code=tracking_code)

    def _render(self, request: Request, incident: Incident) -> Response:
        if not incident.is_public:
            return Response({"tracking_code": incident.tracking_code, "status": incident.status})
        return Response(serializers_out.public_incident_render(request, incident.tracking_code))


class IncidentRateApi(_ReporterActionApi):
    """The reporter rates the result (1–5), once, after resolution."""

    class InputSerializer(serializers.Serializer):
        reporter_token = serializers.CharField()
        rating = serializers.IntegerField()
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="incidents_rate",
        request=InputSerializer,
        responses={200: serializers_out.PublicIncidentSerializer},
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = services.incident_rate(
            incident=self._incident(tracking_code),
            reporter_token=data["reporter_token"],
            rating=data["rating"],
            comment=data["comment"],
        )
        return self._render(request, incident)


class IncidentReopenApi(_ReporterActionApi):
    """The reporter reopens a resolved report within INCIDENT_REOPEN_DAYS days, with a reason."""

    class InputSerializer(serializers.Serializer):
        reporter_token = serializers.CharField()
        reason = serializers.CharField(allow_blank=True)

    @extend_schema(
        operation_id="incidents_reopen",
        request=InputSerializer,
        responses={200: serializers_out.PublicIncidentSerializer},
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = services.incident_reopen(
            incident=self._incident(tracking_code),
            reporter_token=data["reporter_token"],
            reason=data["reason"],
        )
        return self._render(request, incident)


class IncidentProvideInformationApi(_ReporterActionApi):
    """The reporter answers the unit's request for more information."""

    class InputSerializer(serializers.Serializer):
        reporter_token = serializers.CharField()
        information = serializers.CharField(allow_blank=True)

    @extend_schema(
        operation_id="incidents_provide_information",
        request=InputSerializer,
        responses={200: serializers_out.PublicIncidentSerializer},
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = services.incident_provide_information(
            incident=self._incident(tracking_code),
            reporter_token=data["reporter_token"],
            information=data["information"],
        )
        return self._render(request, incident)


name_nested_serializers_for_the_schema(globals())

"""REST interface of citizen feedback: parse, call one service or selector, render.

Public endpoints never render a reporter's name, phone, email or token (except the token, once, to
the reporter who filed the report), internal events, hidden texts or photos, or EXIF data. Staff
endpoints are scoped to the caller's units (leaders and administrators: everything) and render a
reporter's contact only to staff with a role on that report.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from geoapp.api_keys import api_client_identity
from geoapp.coordinates import parse_date, parse_point
from geoapp.exceptions import InvalidInput, NotFound
from geoapp.models import ApiClient
from incidents import permissions, selectors, services
from incidents.models import (
    Category,
    Incident,
    IncidentChannel,
    IncidentEvent,
    IncidentPhoto,
    IncidentPriority,
    IncidentStatus,
    RejectionReason,
)
from wards.models import Agency

IDEMPOTENCY_HEADER = "Idempotency-Key"
_ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def client_identity(request: Request) -> str:
    """Who is calling, for rate limits and idempotency: the integration client (by its API key),
    the account, or else the network address."""
    # `auth` exists on DRF requests only; pages pass Django's own request.
    if isinstance(getattr(request, "auth", None), ApiClient):
        return api_client_identity(request.auth)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{BaseThrottle().get_ident(request)}"


class IncidentCreateThrottle(SimpleRateThrottle):
    """Reports filed per client, counted in the shared Redis cache (every web process sees it)."""

    scope = "incident_create"

    def get_rate(self) -> str:
        return settings.INCIDENT_CREATE_RATE

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_identity(request)}


class PhotoMetadataThrottle(IncidentCreateThrottle):
    # Decoding a 10 MB photo costs CPU: limited like filing a report, with its own count.
    scope = "incident_photo_metadata"


# Shared output pieces


class CategorySummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class IncidentAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class AgencyPublicSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()


class LocationSerializer(serializers.Serializer):
    lat = serializers.FloatField(source="y")
    lon = serializers.FloatField(source="x")


class PublicPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    # Photos are served by views that check who may see them (a hidden photo never sits at a
    # public address); the storage's own URL (/media/...) is not served at all.
    url_name = "incident-photo"
    thumbnail_url_name = "incident-photo-thumbnail"

    def _address(self, photo: IncidentPhoto, url_name: str) -> str:
        arguments = self._url_arguments(photo)
        return self.context["request"].build_absolute_uri(reverse(url_name, args=arguments))

    def _url_arguments(self, photo: IncidentPhoto) -> list[object]:
        return [photo.incident.tracking_code, photo.pk]

    def get_url(self, photo: IncidentPhoto) -> str:
        return self._address(photo, self.url_name)

    def get_thumbnail_url(self, photo: IncidentPhoto) -> str:
        return self._address(photo, self.thumbnail_url_name)


class PublicEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    actor = serializers.CharField(source="actor_label")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PublicIncidentSerializer(serializers.Serializer):
    """Every field the public may see of a report: nothing else."""

    tracking_code = serializers.CharField()
    category = CategorySummarySerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    priority = serializers.CharField()
    description = serializers.SerializerMethodField()
    description_hidden = serializers.BooleanField()
    address = serializers.CharField()
    location = LocationSerializer()
    reported_at = serializers.DateTimeField()
    area = IncidentAreaSerializer()
    agency = AgencyPublicSerializer()
    acknowledge_by = serializers.DateTimeField()
    resolve_by = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    rejected_at = serializers.DateTimeField()
    rejection_reason = serializers.CharField()
    duplicate_of = serializers.SerializerMethodField()
    public_answer = serializers.CharField()
    supporters_count = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True)
    photos = PublicPhotoSerializer(many=True, source="public_photos")
    timeline = PublicEventSerializer(many=True, source="public_events")

    def get_description(self, incident: Incident) -> str | None:
        return None if incident.description_hidden else incident.description

    def get_duplicate_of(self, incident: Incident) -> str | None:
        return incident.duplicate_of.tracking_code if incident.duplicate_of_id else None


def _render_public_incident(request: Request, tracking_code: str) -> dict[str, Any]:
    incident = selectors.incident_get_public(tracking_code=tracking_code)
    return PublicIncidentSerializer(incident, context={"request": request}).data


# Categories


class CategoryAttributeSerializer(serializers.Serializer):
    code = serializers.CharField()
    datatype = serializers.CharField()
    description = serializers.CharField()
    description_en = serializers.CharField()
    required = serializers.BooleanField()
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


def _optional_int(text: str | None, *, name: str, default: int, maximum: int) -> int:
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or value > maximum:
        raise InvalidInput(
            _("Tham số %(name)s phải là số nguyên từ 0 đến %(maximum)d.")
            % {"name": name, "maximum": maximum},
            code="invalid_number",
        )
    return value


def _optional_choice(text: str | None, *, name: str, choices: list[str]) -> str | None:
    if text in (None, ""):
        return None
    if text not in choices:
        raise InvalidInput(
            _("Tham số %(name)s “%(value)s” không hợp lệ; dùng một trong: %(choices)s.")
            % {"name": name, "value": text, "choices": ", ".join(choices)},
            code="invalid_choice",
        )
    return text


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
        category = CategorySummarySerializer()
        area = IncidentAreaSerializer()
        agency = AgencyPublicSerializer()
        reported_at = serializers.DateTimeField()
        acknowledge_by = serializers.DateTimeField()
        resolve_by = serializers.DateTimeField()
        photos_count = serializers.IntegerField()

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [IncidentCreateThrottle()]
        return []

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
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        filters = selectors.PublicIncidentFilters(
            bbox=selectors.parse_bbox(params.get("bbox")),
            category=params.get("category") or None,
            status=_optional_choice(
                params.get("status"), name="status", choices=IncidentStatus.values
            ),
            area_code=params.get("area") or None,
            reported_from=parse_date(params.get("from"), default=None),
            reported_to=parse_date(params.get("to"), default=None),
        )
        maximum = settings.INCIDENT_LIST_MAX_LIMIT
        document = selectors.incidents_public_feature_collection(
            filters=filters,
            limit=_optional_int(
                params.get("limit"), name="limit", default=min(1000, maximum), maximum=maximum
            ),
            offset=_optional_int(params.get("offset"), name="offset", default=0, maximum=10**9),
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
        responses={201: CreateOutputSerializer, 200: CreateOutputSerializer},
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

    @extend_schema(operation_id="incidents_retrieve", responses={200: PublicIncidentSerializer})
    def get(self, request: Request, tracking_code: str) -> Response:
        return Response(_render_public_incident(request, tracking_code))


class IncidentDuplicatesApi(APIView):
    """Open public reports of the same category near a point: "has someone reported this?"."""

    authentication_classes: list = []

    class OutputItemSerializer(serializers.Serializer):
        tracking_code = serializers.CharField(source="incident.tracking_code")
        distance_metres = serializers.FloatField()
        status = serializers.CharField(source="incident.status")
        description = serializers.SerializerMethodField()
        address = serializers.CharField(source="incident.address")
        reported_at = serializers.DateTimeField(source="incident.reported_at")
        supporters_count = serializers.IntegerField(source="incident.supporters_count")
        location = LocationSerializer(source="incident.location")

        def get_description(self, candidate: selectors.DuplicateCandidate) -> str | None:
            incident = candidate.incident
            return None if incident.description_hidden else incident.description

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
    """ "+1": I am affected too. Once per account, email address or network address."""

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(required=False, allow_blank=True, default="")

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
        email = serializer.validated_data["email"].strip().lower()
        identity = f"email:{email}" if email else client_identity(request)
        incident = services.incident_support(
            incident=selectors.incident_get_public_by_code(tracking_code=tracking_code),
            supporter_identity=identity,
        )
        return Response(self.OutputSerializer(incident).data)


class _ReporterActionApi(APIView):
    """An action of the reporter, proven by the token they received when filing the report."""

    authentication_classes: list = []

    def _incident(self, tracking_code: str) -> Incident:
        return selectors.incident_get_by_code(tracking_code=tracking_code)

    def _render(self, request: Request, incident: Incident) -> Response:
        if not incident.is_public:
            return Response({"tracking_code": incident.tracking_code, "status": incident.status})
        return Response(_render_public_incident(request, incident.tracking_code))


class IncidentRateApi(_ReporterActionApi):
    """The reporter rates the result (1–5), once, after resolution."""

    class InputSerializer(serializers.Serializer):
        reporter_token = serializers.CharField()
        rating = serializers.IntegerField()
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="incidents_rate",
        request=InputSerializer,
        responses={200: PublicIncidentSerializer},
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
        responses={200: PublicIncidentSerializer},
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
        responses={200: PublicIncidentSerializer},
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


# Staff


class StaffPhotoSerializer(PublicPhotoSerializer):
    url_name = "staff-photo"
    thumbnail_url_name = "staff-photo-thumbnail"

    def _url_arguments(self, photo: IncidentPhoto) -> list[object]:
        return [photo.pk]

    is_hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField()
    content_type = serializers.CharField()
    taken_at = serializers.DateTimeField(allow_null=True)
    exif_location = LocationSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class StaffEventSerializer(PublicEventSerializer):
    id = serializers.IntegerField()
    actor_username = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()
    data = serializers.JSONField()

    def get_actor_username(self, event: IncidentEvent) -> str | None:
        return event.actor.get_username() if event.actor_id else None


class ReporterContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="reporter_name")
    phone = serializers.CharField(source="reporter_phone")
    email = serializers.CharField(source="reporter_email")
    may_be_contacted = serializers.BooleanField(source="reporter_may_be_contacted")


class StaffIncidentSummarySerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    category = CategorySummarySerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    priority = serializers.CharField()
    channel = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField()
    location = LocationSerializer()
    reported_at = serializers.DateTimeField()
    area = IncidentAreaSerializer()
    agency = AgencyPublicSerializer()
    assigned_to = serializers.SerializerMethodField()
    acknowledge_by = serializers.DateTimeField()
    resolve_by = serializers.DateTimeField()
    is_public = serializers.BooleanField()
    supporters_count = serializers.IntegerField()

    def get_assigned_to(self, incident: Incident) -> str | None:
        return incident.assigned_to.get_username() if incident.assigned_to_id else None


class StaffIncidentSerializer(StaffIncidentSummarySerializer):
    """Everything about a report; `reporter` is null for staff without a role on it (leaders)."""

    description_hidden = serializers.BooleanField()
    description_hidden_reason = serializers.CharField()
    hidden_reason = serializers.CharField()
    attributes = serializers.JSONField()
    deadlines_from = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    rejected_at = serializers.DateTimeField()
    reopened_at = serializers.DateTimeField()
    reopened_count = serializers.IntegerField()
    transferred_count = serializers.IntegerField()
    rejection_reason = serializers.CharField()
    duplicate_of = serializers.SerializerMethodField()
    public_answer = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField()
    reporter = serializers.SerializerMethodField()
    can_act = serializers.SerializerMethodField()
    photos = StaffPhotoSerializer(many=True, source="photos.all")
    timeline = StaffEventSerializer(many=True, source="events.all")

    def get_duplicate_of(self, incident: Incident) -> str | None:
        return incident.duplicate_of.tracking_code if incident.duplicate_of_id else None

    def get_reporter(self, incident: Incident) -> dict | None:
        if not permissions.can_see_reporter_contact(self.context["request"].user, incident):
            return None
        return ReporterContactSerializer(incident).data

    def get_can_act(self, incident: Incident) -> bool:
        return permissions.can_act(self.context["request"].user, incident)


class StaffIncidentListApi(APIView):
    """The reports of the caller's units (leaders and administrators: all), newest first."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        limit = serializers.IntegerField()
        offset = serializers.IntegerField()
        results = StaffIncidentSummarySerializer(many=True)

    @extend_schema(
        operation_id="staff_incidents_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=IncidentStatus.values),
            OpenApiParameter("category", OpenApiTypes.STR),
            OpenApiParameter("agency", OpenApiTypes.STR, description="Mã đơn vị"),
            OpenApiParameter("assigned_to_me", OpenApiTypes.BOOL),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Quá hạn giải quyết"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Mặc định 50, tối đa 500"),
            OpenApiParameter("offset", OpenApiTypes.INT),
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        limit = _optional_int(params.get("limit"), name="limit", default=50, maximum=500)
        offset = _optional_int(params.get("offset"), name="offset", default=0, maximum=10**9)
        filters = selectors.StaffIncidentFilters(
            status=_optional_choice(
                params.get("status"), name="status", choices=IncidentStatus.values
            ),
            category=params.get("category") or None,
            agency=params.get("agency") or None,
            assigned_to_me=params.get("assigned_to_me") in ("1", "true"),
            overdue=params.get("overdue") in ("1", "true"),
        )
        page, total = selectors.incidents_for_staff(
            user=request.user, filters=filters, limit=limit, offset=offset
        )
        return Response(
            self.OutputSerializer(
                {"count": total, "limit": limit, "offset": offset, "results": page}
            ).data
        )


class StaffIncidentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="staff_incidents_retrieve", responses={200: StaffIncidentSerializer}
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        incident = selectors.incident_get_for_staff(user=request.user, tracking_code=tracking_code)
        return Response(StaffIncidentSerializer(incident, context={"request": request}).data)


class _StaffActionApi(APIView):
    """POST one workflow action on a report of the caller's unit; answers with the report."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="")

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, tracking_code: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = selectors.incident_get_for_staff(user=request.user, tracking_code=tracking_code)
        self.perform(actor=request.user, incident=incident, data=serializer.validated_data)
        try:
            incident = selectors.incident_get_for_staff(
                user=request.user, tracking_code=tracking_code
            )
        except NotFound:
            # Transferred away: the caller's unit no longer sees it in full, only the outcome.
            incident = selectors.incident_get_by_code(tracking_code=tracking_code)
            return Response(StaffIncidentSummarySerializer(incident).data)
        return Response(StaffIncidentSerializer(incident, context={"request": request}).data)


def _staff_action_schema(operation: str, input_serializer: type) -> Any:
    return extend_schema(
        operation_id=f"staff_incidents_{operation}",
        request=input_serializer,
        responses={200: StaffIncidentSerializer},
    )


class StaffAcknowledgeApi(_StaffActionApi):
    @_staff_action_schema("acknowledge", _StaffActionApi.InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_acknowledge(actor=actor, incident=incident, note=data["note"])


class StaffStartApi(_StaffActionApi):
    @_staff_action_schema("start", _StaffActionApi.InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_start(actor=actor, incident=incident, note=data["note"])


class StaffCloseApi(_StaffActionApi):
    @_staff_action_schema("close", _StaffActionApi.InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_close(actor=actor, incident=incident, note=data["note"])


class StaffAssignApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        assignee = serializers.CharField(help_text="Tên đăng nhập của cán bộ được giao")

    @_staff_action_schema("assign", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        assignee = user_model.objects.filter(
            **{user_model.USERNAME_FIELD: data["assignee"]}
        ).first()
        if assignee is None:
            raise InvalidInput(
                _("Không tìm thấy tài khoản “%(user)s”.") % {"user": data["assignee"]},
                code="unknown_user",
            )
        services.incident_assign(actor=actor, incident=incident, assignee=assignee)


class StaffRequestInformationApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        question = serializers.CharField(allow_blank=True)

    @_staff_action_schema("request_information", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_request_information(
            actor=actor, incident=incident, question=data["question"]
        )


class StaffTransferApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(allow_blank=True)
        to_agency = serializers.CharField(required=False, allow_blank=True, default="")
        lat = serializers.CharField(required=False, allow_blank=True, default="")
        lon = serializers.CharField(required=False, allow_blank=True, default="")
        category = serializers.CharField(required=False, allow_blank=True, default="")

    @_staff_action_schema("transfer", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        to_agency = None
        if data["to_agency"]:
            to_agency = Agency.objects.filter(code=data["to_agency"]).first()
            if to_agency is None:
                raise NotFound(
                    _("Không tìm thấy đơn vị “%(code)s”.") % {"code": data["to_agency"]},
                    code="unknown_agency",
                )
        point = parse_point(data["lat"], data["lon"]) if data["lat"] or data["lon"] else None
        services.incident_transfer(
            actor=actor,
            incident=incident,
            reason=data["reason"],
            to_agency=to_agency,
            point=point,
            category_code=data["category"] or None,
        )


class StaffAnswerApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(allow_blank=True)

    @_staff_action_schema("answer", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_answer(actor=actor, incident=incident, answer=data["answer"])


class StaffResolveApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(required=False, allow_blank=True, default="")
        evidence_photo = serializers.FileField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="staff_incidents_resolve",
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={200: StaffIncidentSerializer},
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_resolve(
            actor=actor,
            incident=incident,
            answer=data["answer"],
            evidence_photo=data["evidence_photo"],
        )


class StaffRejectApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=RejectionReason.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @_staff_action_schema("reject", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_reject(
            actor=actor, incident=incident, reason=data["reason"], note=data["note"]
        )


class StaffMarkDuplicateApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        original = serializers.CharField(help_text="Mã tra cứu của phản ánh gốc")
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @_staff_action_schema("mark_duplicate", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_mark_duplicate(
            actor=actor,
            incident=incident,
            original=selectors.incident_get_by_code(tracking_code=data["original"]),
            note=data["note"],
        )


class StaffSetPriorityApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        priority = serializers.ChoiceField(choices=IncidentPriority.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @_staff_action_schema("set_priority", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_set_priority(
            actor=actor, incident=incident, priority=data["priority"], note=data["note"]
        )


class StaffAddNoteApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(allow_blank=True)

    @_staff_action_schema("add_note", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_note_add(actor=actor, incident=incident, note=data["note"])


class ModerationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class StaffHideApi(_StaffActionApi):
    InputSerializer = ModerationReasonSerializer

    @_staff_action_schema("hide", ModerationReasonSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_hide(actor=actor, incident=incident, reason=data["reason"])


class StaffHideTextApi(_StaffActionApi):
    InputSerializer = ModerationReasonSerializer

    @_staff_action_schema("hide_text", ModerationReasonSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: Any, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_text_hide(actor=actor, incident=incident, reason=data["reason"])


class StaffPhotoHideApi(APIView):
    """Hide one photo of a report of the caller's unit from the public."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="staff_photos_hide",
        request=ModerationReasonSerializer,
        responses={200: StaffIncidentSerializer},
    )
    def post(self, request: Request, photo_id: int) -> Response:
        serializer = ModerationReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = selectors.photo_get_for_staff(user=request.user, photo_id=photo_id)
        services.photo_hide(
            actor=request.user, photo=photo, reason=serializer.validated_data["reason"]
        )
        incident = selectors.incident_get_for_staff(
            user=request.user, tracking_code=photo.incident.tracking_code
        )
        return Response(StaffIncidentSerializer(incident, context={"request": request}).data)


def _name_nested_serializers_for_the_schema() -> None:
    """Give each nested Input/Output serializer a schema name of its own ("StaffAssignInput").

    The schema names a component after its class, and every view nests an `InputSerializer`: left
    alone, they would all be one component "Input" in the OpenAPI document.
    """
    for view in list(globals().values()):
        if not (isinstance(view, type) and issubclass(view, APIView)):
            continue
        for attribute, nested in vars(view).items():
            if isinstance(nested, type) and issubclass(nested, serializers.Serializer):
                prefix = view.__name__.lstrip("_").removesuffix("Api")
                name = prefix + attribute.removesuffix("Serializer")
                extend_schema_serializer(component_name=name)(nested)


_name_nested_serializers_for_the_schema()

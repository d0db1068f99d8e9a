"""The REST interface of procedures: the public catalogue, appointment, lookup and statistics,
the agencies list, and the staff operations (one URL per action of the life cycle)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geoapp.api import NOT_FOUND_RESPONSE, query_choice
from geoapp.coordinates import parse_point
from geoapp.exceptions import InvalidInput
from procedures import selectors, services, workflow
from procedures.models import Dossier, Procedure
from wards.selectors import agencies_list


def parse_moment(text: object, *, name: str) -> datetime.datetime:
    """An ISO 8601 moment that must carry its offset (a naive one would shift by 7 hours)."""
    try:
        moment = datetime.datetime.fromisoformat(str(text or "").replace(" ", "+"))
    except ValueError as error:
        raise InvalidInput(
            _("%(name)s phải là thời điểm ISO 8601 có múi giờ.") % {"name": name},
            code="bad_moment",
        ) from error
    return services.require_aware(moment, field=name)


def parse_day(text: object, *, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(text or ""))
    except ValueError as error:
        raise InvalidInput(
            _("%(name)s phải là ngày dạng YYYY-MM-DD.") % {"name": name}, code="bad_date"
        ) from error


class ProcedureOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    field = serializers.CharField()
    level = serializers.CharField()
    time_limit = serializers.SerializerMethodField()
    online_time_limit = serializers.SerializerMethodField()
    cutoff_time = serializers.TimeField(allow_null=True)
    online_level = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)

    def get_time_limit(self, procedure: Procedure) -> dict[str, Any]:
        return {"value": float(procedure.time_limit_value), "unit": procedure.time_limit_unit}

    def get_online_time_limit(self, procedure: Procedure) -> dict[str, Any] | None:
        if procedure.online_time_limit_value is None:
            return None
        return {
            "value": float(procedure.online_time_limit_value),
            "unit": procedure.time_limit_unit,
        }


# Response shapes for the schema: the views answer with plain dictionaries from the selectors.
AppointmentOutputSerializer = inline_serializer(
    "AppointmentOutput",
    {
        "received_at": serializers.DateTimeField(),
        "counted_from": serializers.DateTimeField(),
        "appointment_at": serializers.DateTimeField(),
    },
)
DossierPublicSerializer = inline_serializer(
    "DossierPublic",
    {
        "code": serializers.CharField(),
        "procedure": inline_serializer(
            "DossierPublicProcedure",
            {"code": serializers.CharField(), "name": serializers.CharField()},
        ),
        "status": serializers.CharField(),
        "status_label": serializers.CharField(),
        "receiving_unit": serializers.CharField(),
        "received_at": serializers.DateTimeField(),
        "appointment_at": serializers.DateTimeField(),
        "steps": inline_serializer(
            "DossierPublicStep",
            {
                "action": serializers.CharField(),
                "status": serializers.CharField(),
                "at": serializers.DateTimeField(),
            },
            many=True,
        ),
    },
)
DossierStatisticsSerializer = inline_serializer(
    "DossierStatistics", {"results": serializers.ListField(child=serializers.DictField())}
)
AgencyOutputSerializer = inline_serializer(
    "AgencyOutput",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "area_code": serializers.CharField(allow_null=True),
        "valid_from": serializers.DateField(allow_null=True),
        "valid_to": serializers.DateField(allow_null=True),
    },
    many=True,
)


class ProcedureListApi(APIView):
    @extend_schema(responses=ProcedureOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ProcedureOutputSerializer(selectors.procedures_list(), many=True).data)


class AppointmentApi(APIView):
    @extend_schema(
        operation_id="procedures_appointment",
        description="Ngày hẹn trả của thủ tục cho một hồ sơ nhận vào thời điểm đã cho.",
        parameters=[
            OpenApiParameter(
                "received_at", OpenApiTypes.DATETIME, required=True,
                description="Thời điểm nhận, ISO 8601 có múi giờ",
            ),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=["online", "counter", "post"]),
        ],
        responses={200: AppointmentOutputSerializer},
    )  # fmt: skip
    def get(self, request: Request, code: str) -> Response:
        procedure = services.procedure_get(code=code)
        channel = query_choice(
            request.query_params.get("channel"), name="channel",
            choices=["online", "counter", "post"],
        ) or "counter"  # fmt: skip
        received_at = parse_moment(request.query_params.get("received_at"), name="received_at")
        appointment = services.appointment_for(
            procedure=procedure, received_at=received_at, channel=channel
        )
        return Response(
            {
                "received_at": appointment.received_at.isoformat(),
                "counted_from": appointment.counted_from.isoformat(),
                "appointment_at": appointment.appointment_at.isoformat(),
            }
        )


class DossierLookupApi(APIView):
    @extend_schema(
        operation_id="dossiers_lookup",
        description="Tra cứu hồ sơ theo mã: trạng thái và các bước, không có thông tin người nộp.",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True)],
        responses={200: DossierPublicSerializer, 404: NOT_FOUND_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("code", "")
        if not code.strip():
            raise InvalidInput(_("Hãy nhập mã hồ sơ."), code="code_required")
        return Response(selectors.dossier_public(code=code))


class DossierStatisticsApi(APIView):
    @extend_schema(
        operation_id="dossiers_statistics",
        description="Hồ sơ đã nhận, đã giải quyết, đúng hạn và trễ hạn trong khoảng ngày.",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(selectors.GROUPINGS)),
        ],
        responses={200: DossierStatisticsSerializer},
    )
    def get(self, request: Request) -> Response:
        group_by = request.query_params.get("group_by", "unit")
        results = selectors.dossier_statistics(
            date_from=parse_day(request.query_params.get("from"), name="from"),
            date_to=parse_day(request.query_params.get("to"), name="to"),
            group_by=group_by,
        )
        return Response({"results": results})


_RATE = inline_serializer(
    name="DossierRate",
    fields={
        "numerator": serializers.IntegerField(),
        "denominator": serializers.IntegerField(),
        "value": serializers.FloatField(allow_null=True),
    },
)
DossiersByAreaSerializer = inline_serializer(
    name="DossiersByArea",
    fields={
        "on": serializers.DateField(),
        "results": inline_serializer(
            name="DossiersOfArea",
            many=True,
            fields={
                "area_id": serializers.IntegerField(),
                "area_code": serializers.CharField(),
                "area_name": serializers.CharField(),
                "area_valid_from": serializers.DateField(),
                "valid_on_date": serializers.BooleanField(),
                "received": serializers.IntegerField(),
                "finished": serializers.IntegerField(),
                "finished_late": serializers.IntegerField(),
                "open": serializers.IntegerField(),
                "open_overdue": serializers.IntegerField(),
                "late_rate": _RATE,
                "outline": serializers.JSONField(required=False, allow_null=True),
            },
        ),
    },
)


class DossiersByAreaApi(APIView):
    @extend_schema(
        operation_id="dossiers_by_area",
        description=(
            "Số hồ sơ theo địa bàn trong một ngày và tỷ lệ trễ hạn; chỉ có số đếm, không có "
            "thông tin cá nhân."
        ),
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, required=True),
            OpenApiParameter(
                "outlines", OpenApiTypes.STR, enum=["0", "1"],
                description="1: kèm ranh giới giản lược (GeoJSON) của từng địa bàn",
            ),
        ],
        responses={200: DossiersByAreaSerializer},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        on = parse_day(request.query_params.get("on"), name="on")
        outlines = query_choice(
            request.query_params.get("outlines"), name="outlines", choices=["0", "1"]
        )
        results = selectors.dossiers_by_area(on=on, outlines=outlines == "1")
        return Response({"on": on.isoformat(), "results": results})


class AgencyListApi(APIView):
    @extend_schema(operation_id="agencies_list", responses={200: AgencyOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(agencies_list())


class StaffDossierSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure.code")
    receiving_unit = serializers.CharField(source="receiving_unit.code")
    current_unit = serializers.CharField(source="current_unit.code")
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code", "external_code", "procedure_code", "status", "channel", "receiving_unit",
            "current_unit", "current_step", "received_at", "counted_from",
            "original_appointment_at", "appointment_at", "paused_since", "finished_at",
            "outcome", "apology_letter", "applicant_name", "applicant_id_number",
            "applicant_phone", "applicant_email", "applicant_address", "allowed_actions",
        ]  # fmt: skip

    def get_allowed_actions(self, dossier: Dossier) -> list[str]:
        return workflow.allowed_actions(dossier.status)


class MomentField(serializers.DateTimeField):
    """An ISO 8601 moment that must carry its offset: DRF's own field would read a naive one in
    the server's zone, which for a caller in another zone shifts the deadline silently."""

    def to_internal_value(self, value: Any) -> datetime.datetime:
        return parse_moment(value, name=self.field_name or "")


class DossierReceiveInputSerializer(serializers.Serializer):
    """The body of a receipt, as documented in the schema (the view reads the same keys)."""

    procedure_code = serializers.CharField()
    receiving_unit = serializers.CharField()
    received_at = MomentField(required=False)
    channel = serializers.ChoiceField(choices=["online", "counter", "post"], required=False)
    applicant_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    applicant_id_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    applicant_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    applicant_email = serializers.EmailField(required=False, allow_blank=True)
    applicant_address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    # Text, read by parse_point, which names swapped coordinates in its message.
    lat = serializers.CharField(required=False, help_text="Vĩ độ WGS 84")
    lon = serializers.CharField(required=False, help_text="Kinh độ WGS 84")


class DossierActionInputSerializer(serializers.Serializer):
    at = MomentField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    to_unit = serializers.CharField(required=False, allow_blank=True, max_length=100)
    leg_days = serializers.IntegerField(required=False)
    new_appointment_at = MomentField(required=False)


def _signed_in(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class StaffDossierReceiveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="staff_dossiers_receive",
        request=DossierReceiveInputSerializer,
        responses={201: StaffDossierSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = DossierReceiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        location = None
        if "lat" in data or "lon" in data:
            location = parse_point(data.get("lat"), data.get("lon"))
        dossier = services.dossier_receive(
            procedure_code=data["procedure_code"],
            unit_code=data["receiving_unit"],
            received_at=data.get("received_at") or datetime.datetime.now(datetime.UTC),
            channel=data.get("channel", "counter"),
            actor=_signed_in(request),
            applicant={
                key: data.get(f"applicant_{key}", "")
                for key in ("name", "id_number", "phone", "email", "address")
            },
            location=location,
        )
        return Response(StaffDossierSerializer(dossier).data, status=201)


class StaffDossierDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="staff_dossiers_retrieve", responses={200: StaffDossierSerializer})
    def get(self, request: Request, code: str) -> Response:
        dossier = selectors.dossier_get(code=code)
        services.require_staff_view(actor=_signed_in(request), dossier=dossier)
        return Response(StaffDossierSerializer(dossier).data)


class StaffDossierActionApi(APIView):
    permission_classes = [IsAuthenticated]
    action_name = ""

    # No operation_id here: one class serves every action's URL, so the ids come from the paths.
    @extend_schema(request=DossierActionInputSerializer, responses={200: StaffDossierSerializer})
    def post(self, request: Request, code: str) -> Response:
        serializer = DossierActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dossier = services.dossier_act(
            code=code,
            action=self.action_name,
            actor=_signed_in(request),
            at=data.get("at"),
            note=data.get("note", ""),
            to_unit_code=data.get("to_unit") or None,
            leg_days=data.get("leg_days"),
            new_appointment_at=data.get("new_appointment_at"),
        )
        return Response(StaffDossierSerializer(dossier).data)

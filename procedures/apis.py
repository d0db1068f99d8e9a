"""The REST interface of procedures: the public catalogue, appointment, lookup and statistics,
the agencies list, and the staff operations (one URL per action of the life cycle)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geoapp.api import query_choice
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


class ProcedureListApi(APIView):
    @extend_schema(responses=ProcedureOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ProcedureOutputSerializer(selectors.procedures_list(), many=True).data)


class AppointmentApi(APIView):
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
    def get(self, request: Request) -> Response:
        code = request.query_params.get("code", "")
        if not code.strip():
            raise InvalidInput(_("Hãy nhập mã hồ sơ."), code="code_required")
        return Response(selectors.dossier_public(code=code))


class DossierStatisticsApi(APIView):
    def get(self, request: Request) -> Response:
        group_by = request.query_params.get("group_by", "unit")
        results = selectors.dossier_statistics(
            date_from=parse_day(request.query_params.get("from"), name="from"),
            date_to=parse_day(request.query_params.get("to"), name="to"),
            group_by=group_by,
        )
        return Response({"results": results})


class AgencyListApi(APIView):
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


def _signed_in(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class StaffDossierReceiveApi(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        data: Any = request.data
        location = None
        if data.get("lat") not in (None, "") or data.get("lon") not in (None, ""):
            location = parse_point(data.get("lat"), data.get("lon"))
        dossier = services.dossier_receive(
            procedure_code=str(data.get("procedure_code", "")),
            unit_code=str(data.get("receiving_unit", "")),
            received_at=(
                parse_moment(data["received_at"], name="received_at")
                if data.get("received_at")
                else datetime.datetime.now(datetime.UTC)
            ),
            channel=str(data.get("channel", "counter")),
            actor=_signed_in(request),
            applicant={
                key: str(data.get(f"applicant_{key}", ""))
                for key in ("name", "id_number", "phone", "email", "address")
            },
            location=location,
        )
        return Response(StaffDossierSerializer(dossier).data, status=201)


class StaffDossierDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request, code: str) -> Response:
        dossier = selectors.dossier_get(code=code)
        services.require_staff_view(actor=_signed_in(request), dossier=dossier)
        return Response(StaffDossierSerializer(dossier).data)


class StaffDossierActionApi(APIView):
    permission_classes = [IsAuthenticated]
    action_name = ""

    def post(self, request: Request, code: str) -> Response:
        data: Any = request.data
        leg_days = data.get("leg_days")
        try:
            days = int(leg_days) if leg_days not in (None, "") else None
        except (TypeError, ValueError) as error:
            raise InvalidInput(_("leg_days phải là số nguyên."), code="bad_leg") from error
        dossier = services.dossier_act(
            code=code,
            action=self.action_name,
            actor=_signed_in(request),
            at=parse_moment(data["at"], name="at") if data.get("at") else None,
            note=str(data.get("note", "")),
            to_unit_code=data.get("to_unit") or None,
            leg_days=days,
            new_appointment_at=(
                parse_moment(data["new_appointment_at"], name="new_appointment_at")
                if data.get("new_appointment_at")
                else None
            ),
        )
        return Response(StaffDossierSerializer(dossier).data)

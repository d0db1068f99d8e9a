"""The officials' REST interface: their units' reports, one operation per workflow step.

Scoped to the caller's units (leaders and administrators: everything); a reporter's contact is
rendered only to staff with a role on that report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geoapp.api import name_nested_serializers_for_the_schema, query_choice, query_integer
from geoapp.coordinates import parse_point
from geoapp.exceptions import InvalidInput, NotFound
from incidents import permissions, selectors, services
from incidents.api import output as serializers_out
from incidents.models import (
    Incident,
    IncidentEvent,
    IncidentPhoto,
    IncidentPriority,
    IncidentStatus,
    RejectionReason,
)
from incidents.queue_keyset import (
    SORT_DEADLINE,
    SORT_NEWEST,
    SORT_OLDEST,
    SORT_OVERDUE,
    SORT_URGENCY,
    cursor_parse,
    sort_normalize,
)
from wards.models import Agency

STATUS_OPEN = "open"  # every status a unit still has to work on
API_SORTS = (SORT_URGENCY, SORT_NEWEST, SORT_OVERDUE, SORT_OLDEST, SORT_DEADLINE)


class StaffPhotoSerializer(serializers_out.PublicPhotoSerializer):
    url_name = "staff-photo"
    thumbnail_url_name = "staff-photo-thumbnail"

    def _url_arguments(self, photo: IncidentPhoto) -> list[object]:
        return [photo.pk]

    is_hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField()
    content_type = serializers.CharField()
    taken_at = serializers.DateTimeField(allow_null=True)
    exif_location = serializers_out.LocationSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


def _signed_in(request: Request) -> User:
    """The caller, whom `IsAuthenticated` has already let through as a signed-in user."""
    user = request.user
    assert user.is_authenticated
    return user


class StaffEventSerializer(serializers_out.PublicEventSerializer):
    id = serializers.IntegerField()
    actor_username = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()
    # DRF's metaclass moves declared fields out of the class, so this field does not shadow
    # Serializer.data at run time; the stubs cannot know that.
    data = serializers.JSONField()  # type: ignore[assignment]

    def get_actor_username(self, event: IncidentEvent) -> str | None:
        return event.actor.get_username() if event.actor is not None else None


class ReporterContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="reporter_name")
    phone = serializers.CharField(source="reporter_phone")
    email = serializers.CharField(source="reporter_email")
    may_be_contacted = serializers.BooleanField(source="reporter_may_be_contacted")


class StaffIncidentSummarySerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    category = serializers_out.CategorySummarySerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    priority = serializers.CharField()
    channel = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField()
    location = serializers_out.LocationSerializer()
    reported_at = serializers.DateTimeField()
    area = serializers_out.IncidentAreaSerializer()
    agency = serializers_out.AgencyPublicSerializer()
    assigned_to = serializers.SerializerMethodField()
    acknowledge_by = serializers.DateTimeField()
    resolve_by = serializers.DateTimeField()
    is_public = serializers.BooleanField()
    supporters_count = serializers.IntegerField()

    def get_assigned_to(self, incident: Incident) -> str | None:
        return incident.assigned_to.get_username() if incident.assigned_to is not None else None


class StaffIncidentSerializer(StaffIncidentSummarySerializer):
    """Everything about a report; `reporter` is null for staff without a role on it (leaders)."""

    description_hidden = serializers.BooleanField()
    description_hidden_reason = serializers.CharField()
    hidden_reason = serializers.CharField()
    attributes = serializers.JSONField()
    deadlines_from = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    rejected_at = serializers.DateTimeField(allow_null=True)
    reopened_at = serializers.DateTimeField(allow_null=True)
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
        return incident.duplicate_of.tracking_code if incident.duplicate_of is not None else None

    def get_reporter(self, incident: Incident) -> dict | None:
        if not permissions.can_see_reporter_contact(self.context["request"].user, incident):
            return None
        return ReporterContactSerializer(incident).data

    def get_can_act(self, incident: Incident) -> bool:
        return permissions.can_act(self.context["request"].user, incident)


class StaffIncidentListApi(APIView):
    """The reports of the caller's units (leaders and administrators: all), newest first unless
    `sort` says otherwise. Pages by `cursor` (the `next` and `previous` links; issue 10) cost
    the same at any depth; `offset` still works for the first pages."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        limit = serializers.IntegerField()
        offset = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = StaffIncidentSummarySerializer(many=True)

    @extend_schema(
        operation_id="staff_incidents_list",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=[STATUS_OPEN, *IncidentStatus.values]
            ),
            OpenApiParameter("category", OpenApiTypes.STR),
            OpenApiParameter("agency", OpenApiTypes.STR, description="Mã đơn vị"),
            OpenApiParameter("assigned_to_me", OpenApiTypes.BOOL),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Quá hạn giải quyết"),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(API_SORTS)),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="Từ liên kết next/previous"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Mặc định 50, tối đa 500"),
            OpenApiParameter("offset", OpenApiTypes.INT),
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        limit = query_integer(params.get("limit"), name="limit", default=50, maximum=500)
        offset = query_integer(params.get("offset"), name="offset", default=0, maximum=10**9)
        sort = sort_normalize(
            query_choice(params.get("sort"), name="sort", choices=list(API_SORTS)) or SORT_NEWEST
        )
        cursor_text = params.get("cursor") or ""
        cursor = cursor_parse(cursor_text, sort=sort) if cursor_text else None
        filters = selectors.StaffIncidentFilters(
            status=query_choice(
                params.get("status"), name="status", choices=[STATUS_OPEN, *IncidentStatus.values]
            ),
            category=params.get("category") or None,
            agency=params.get("agency") or None,
            assigned_to_me=params.get("assigned_to_me") in ("1", "true"),
            overdue=params.get("overdue") in ("1", "true"),
            sort=sort,
        )
        page = selectors.incidents_for_staff(
            user=_signed_in(request), filters=filters, limit=limit, offset=offset, cursor=cursor
        )
        return Response(
            self.OutputSerializer(
                {
                    "count": page.total,
                    "limit": limit,
                    "offset": offset if cursor is None else 0,
                    "next": _page_link(request, page.next_cursor),
                    "previous": _page_link(request, page.previous_cursor),
                    "results": page.rows,
                }
            ).data
        )


def _page_link(request: Request, cursor: str | None) -> str | None:
    """This request's address with `cursor` in place of its cursor and offset."""
    if cursor is None:
        return None
    query = request.query_params.copy()
    query.pop("offset", None)
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class StaffIncidentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="staff_incidents_retrieve", responses={200: StaffIncidentSerializer}
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        incident = selectors.incident_get_for_staff(
            user=_signed_in(request), tracking_code=tracking_code
        )
        return Response(StaffIncidentSerializer(incident, context={"request": request}).data)


class _StaffActionApi(APIView):
    """POST one workflow action on a report of the caller's unit; answers with the report."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="")

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, tracking_code: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = selectors.incident_get_for_staff(
            user=_signed_in(request), tracking_code=tracking_code
        )
        self.perform(actor=_signed_in(request), incident=incident, data=serializer.validated_data)
        try:
            incident = selectors.incident_get_for_staff(
                user=_signed_in(request), tracking_code=tracking_code
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_acknowledge(actor=actor, incident=incident, note=data["note"])


class StaffStartApi(_StaffActionApi):
    @_staff_action_schema("start", _StaffActionApi.InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_start(actor=actor, incident=incident, note=data["note"])


class StaffCloseApi(_StaffActionApi):
    @_staff_action_schema("close", _StaffActionApi.InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_close(actor=actor, incident=incident, note=data["note"])


class StaffAssignApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        assignee = serializers.CharField(help_text="Tên đăng nhập của cán bộ được giao")

    @_staff_action_schema("assign", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
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

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_mark_duplicate(
            actor=actor,
            incident=incident,
            original=selectors.duplicate_original_get_for_staff(
                user=actor, tracking_code=data["original"]
            ),
            note=data["note"],
        )


class StaffSetPriorityApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        priority = serializers.ChoiceField(choices=IncidentPriority.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @_staff_action_schema("set_priority", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_set_priority(
            actor=actor, incident=incident, priority=data["priority"], note=data["note"]
        )


class StaffAddNoteApi(_StaffActionApi):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(allow_blank=True)

    @_staff_action_schema("add_note", InputSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_note_add(actor=actor, incident=incident, note=data["note"])


class ModerationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class _StaffModerationApi(_StaffActionApi):
    # The base class's nested serializer is a class of its own to mypy; any serializer fits here.
    InputSerializer = ModerationReasonSerializer  # type: ignore[assignment]


class StaffHideApi(_StaffModerationApi):
    @_staff_action_schema("hide", ModerationReasonSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_hide(actor=actor, incident=incident, reason=data["reason"])


class StaffUnhideApi(_StaffModerationApi):
    """Put a hidden report back on the public pages (the reverse of `hide`)."""

    @_staff_action_schema("unhide", ModerationReasonSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_unhide(actor=actor, incident=incident, reason=data["reason"])


class StaffHideTextApi(_StaffModerationApi):
    @_staff_action_schema("hide_text", ModerationReasonSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_text_hide(actor=actor, incident=incident, reason=data["reason"])


class StaffUnhideTextApi(_StaffModerationApi):
    """Show a hidden text to the public again (the reverse of `hide-text`)."""

    @_staff_action_schema("unhide_text", ModerationReasonSerializer)
    def post(self, request: Request, tracking_code: str) -> Response:
        return super().post(request, tracking_code)

    def perform(self, *, actor: User, incident: Incident, data: dict[str, Any]) -> None:
        services.incident_text_unhide(actor=actor, incident=incident, reason=data["reason"])


class _StaffPhotoModerationApi(APIView):
    """POST one moderation step on a photo of a report of the caller's unit; answers with the
    report."""

    permission_classes = [IsAuthenticated]

    def perform(self, *, actor: User, photo: IncidentPhoto, reason: str) -> None:
        raise NotImplementedError

    def post(self, request: Request, photo_id: int) -> Response:
        serializer = ModerationReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = selectors.photo_get_for_staff(user=_signed_in(request), photo_id=photo_id)
        self.perform(
            actor=_signed_in(request), photo=photo, reason=serializer.validated_data["reason"]
        )
        incident = selectors.incident_get_for_staff(
            user=_signed_in(request), tracking_code=photo.incident.tracking_code
        )
        return Response(StaffIncidentSerializer(incident, context={"request": request}).data)


def _staff_photo_action_schema(operation: str) -> Any:
    return extend_schema(
        operation_id=f"staff_photos_{operation}",
        request=ModerationReasonSerializer,
        responses={200: StaffIncidentSerializer},
    )


class StaffPhotoHideApi(_StaffPhotoModerationApi):
    """Hide one photo of a report of the caller's unit from the public."""

    @_staff_photo_action_schema("hide")
    def post(self, request: Request, photo_id: int) -> Response:
        return super().post(request, photo_id)

    def perform(self, *, actor: User, photo: IncidentPhoto, reason: str) -> None:
        services.photo_hide(actor=actor, photo=photo, reason=reason)


class StaffPhotoUnhideApi(_StaffPhotoModerationApi):
    """Show a hidden photo of a report of the caller's unit to the public again."""

    @_staff_photo_action_schema("unhide")
    def post(self, request: Request, photo_id: int) -> Response:
        return super().post(request, photo_id)

    def perform(self, *, actor: User, photo: IncidentPhoto, reason: str) -> None:
        services.photo_unhide(actor=actor, photo=photo, reason=reason)


name_nested_serializers_for_the_schema(globals())

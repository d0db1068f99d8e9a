"""Admin screens for categories (with their extra questions) and read-mostly views of reports.

Reports change state only through the services (workflow, audit events, notifications), so the
admin shows them read-only; categories and their questions are edited here.
"""

from typing import Any

from django.contrib.gis import admin
from django.http import HttpRequest

from incidents.models import (
    Category,
    CategoryAttribute,
    Incident,
    IncidentEscalation,
    IncidentEvent,
    IncidentPhoto,
)


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "group",
        "acknowledge_within_hours",
        "normal_resolve_within_days",
        "complex_resolve_within_days",
        "default_agency_kind",
        "is_active",
    ]
    list_filter = ["is_active", "group", "default_agency_kind"]
    search_fields = ["code", "name", "name_en", "keywords"]
    inlines = [CategoryAttributeInline]


_EVENT_FIELDS = (
    "created_at",
    "actor_label",
    "action",
    "from_status",
    "to_status",
    "note",
    "is_public",
)


class IncidentEventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    can_delete = False
    fields = _EVENT_FIELDS
    readonly_fields = _EVENT_FIELDS

    def has_add_permission(self, request, obj=None) -> bool:
        return False


_PHOTO_FIELDS = ("kind", "image", "thumbnail", "taken_at", "is_hidden", "hidden_reason")


class IncidentPhotoInline(admin.TabularInline):
    model = IncidentPhoto
    extra = 0
    can_delete = False
    fields = _PHOTO_FIELDS
    readonly_fields = _PHOTO_FIELDS

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.GISModelAdmin):
    list_display = [
        "tracking_code",
        "category",
        "status",
        "priority",
        "agency",
        "reported_at",
        "resolve_by",
        "is_public",
    ]
    list_filter = ["status", "priority", "channel", "category", "is_public"]
    search_fields = ["tracking_code", "description", "address"]
    date_hierarchy = "reported_at"
    inlines = [IncidentPhotoInline, IncidentEventInline]
    # Secrets, and the map's feature text that PostgreSQL generates from the other columns.
    exclude = ["reporter_token_hash", "client_fingerprint", "map_feature_head", "map_feature_tail"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [
            field.name
            for field in Incident._meta.fields
            if field.name not in self.exclude and field.name != "id"
        ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IncidentEscalation)
class IncidentEscalationAdmin(admin.ModelAdmin):
    """Read-only: escalations are written by the escalation job alone (incidents/escalation.py)."""

    list_display = ["escalated_at", "incident", "stage", "deadline", "agency", "notified_addresses"]
    list_filter = ["stage"]
    search_fields = ["incident__tracking_code", "agency__name"]
    raw_id_fields = ["incident", "agency", "event"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

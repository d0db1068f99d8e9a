from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.api_keys import api_client_issue, api_client_rotate_key, api_client_update
from geoapp.models import ApiClient, CalendarDay
from geoapp.services import calendar_day_remove, calendar_day_set


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "day"
    search_fields = ("note",)
    ordering = ("-day",)
    formfield_overrides = {
        # Django's Vietnamese locale defines no input formats, so a typed 10/01/2026 would be
        # read month first as 1 October. Accept the date picker's ISO form and day-first only.
        models.DateField: {"input_formats": ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]},
    }

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> tuple[str, ...]:
        # Moving a declared day to another date would be a removal and a declaration at once;
        # asking for both explicitly keeps the history of the admin log readable.
        return ("day",) if obj is not None else ()

    # Writes go through the services, which also clear the cached calendar on commit.

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: ModelForm, change: bool
    ) -> None:
        saved = calendar_day_set(day=obj.day, kind=obj.kind, note=obj.note)
        obj.pk = saved.pk
        obj.note = saved.note
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_remove(day=obj.day)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset.values_list("day", flat=True):
            calendar_day_remove(day=day)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Integration clients: a new one gets its key once, in a message; the key is never stored."""

    list_display = ("name", "key_prefix", "is_active", "agency", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "key_prefix", "contact_email")
    fields = (
        "name",
        "agency",
        "contact_email",
        "is_active",
        "key_prefix",
        "created_at",
        "last_used_at",
    )
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    actions = ("rotate_keys",)

    def has_delete_permission(self, request: HttpRequest, obj: ApiClient | None = None) -> bool:
        # A client is suspended (is_active) rather than deleted, so that the list keeps who held
        # a key and when it was last used.
        return False

    def save_model(
        self, request: HttpRequest, obj: ApiClient, form: ModelForm, change: bool
    ) -> None:
        if change:
            saved = api_client_update(
                client=obj,
                name=obj.name,
                agency=obj.agency,
                contact_email=obj.contact_email,
                is_active=obj.is_active,
            )
        else:
            saved, raw_key = api_client_issue(
                name=obj.name,
                agency=obj.agency,
                contact_email=obj.contact_email,
                is_active=obj.is_active,
            )
            self._show_key_once(request, saved, raw_key)
        obj.pk = saved.pk
        obj.key_prefix = saved.key_prefix
        obj.key_hash = saved.key_hash
        obj.created_at = saved.created_at
        obj._state.adding = False
        obj._state.db = saved._state.db

    @admin.action(description=gettext_lazy("Cấp khóa mới (khóa cũ ngừng hoạt động ngay)"))
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            rotated, raw_key = api_client_rotate_key(client=client)
            self._show_key_once(request, rotated, raw_key)

    def _show_key_once(self, request: HttpRequest, client: ApiClient, raw_key: str) -> None:
        messages.warning(
            request,
            format_html(
                _(
                    "Khóa API của “{name}”: <code>{key}</code> — hãy sao chép ngay; khóa không được lưu và sẽ không hiển thị lại."
                ),
                name=client.name,
                key=raw_key,
            ),
        )

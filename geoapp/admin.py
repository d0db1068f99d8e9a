from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from geoapp.models import CalendarDay
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

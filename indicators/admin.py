"""The admin site: the catalogue and values read-only (they change through the imports and the
entry and review services, which check roles and write the audit), the validation rules
editable by administrators (configuration, like feedback categories)."""

from __future__ import annotations

from django.contrib import admin

from geoapp.read_only_admin import ReadOnlyAdmin
from indicators.models import Indicator, IndicatorValue, ValidationRule


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_vi", "unit", "kind", "period_type", "computed_from")
    list_filter = ("kind", "period_type", "computed_from")
    search_fields = ("code", "name_vi", "name_en")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "area", "period", "value", "status", "updated_at")
    list_filter = ("status", "indicator")
    search_fields = ("area__code", "area__name", "period")
    list_select_related = ("indicator", "area")
    raw_id_fields = ("area",)


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("indicator", "kind", "lower", "upper", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("indicator__code", "indicator__name_vi")
    autocomplete_fields = ("indicator",)

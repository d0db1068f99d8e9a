from django.contrib.gis import admin

from wards.models import Agency, AgencyMembership, Area, AreaSuccession, RoutingRule


@admin.register(Area)
class AreaAdmin(admin.GISModelAdmin):
    list_display = [
        "code",
        "name",
        "area_type",
        "level",
        "valid_from",
        "valid_to",
        "is_approximate",
    ]
    list_filter = ["level", "area_type", "is_approximate", "valid_from", "valid_to"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["area_km2", "label_point"]


@admin.register(AreaSuccession)
class AreaSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_on", "share"]
    list_filter = ["effective_on"]
    raw_id_fields = ["predecessor", "successor"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["jurisdiction"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category_code", "area", "agency", "note"]
    search_fields = ["category_code", "area__name", "agency__name"]
    raw_id_fields = ["area", "agency"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]

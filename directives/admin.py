"""The admin site shows directives, tasks and their history read-only: every change goes through
the services (the pages, the import command), which check roles and states and write events;
an edit in the admin would do neither."""

from __future__ import annotations

from django.contrib import admin

from directives.models import Directive, ExtensionRequest, Task, TaskEvent
from geoapp.read_only_admin import ReadOnlyAdmin


@admin.register(Directive)
class DirectiveAdmin(ReadOnlyAdmin):
    list_display = ("number", "issued_on", "kind", "signer_name", "subject", "external_id")
    list_filter = ("kind",)
    search_fields = ("number", "subject", "external_id")
    date_hierarchy = "issued_on"


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("directive", "lead_agency", "deadline", "status", "progress_percent")
    list_filter = ("status", "priority")
    search_fields = ("content", "external_id", "directive__number")
    list_select_related = ("directive", "lead_agency")
    exclude = ("place",)


@admin.register(TaskEvent)
class TaskEventAdmin(ReadOnlyAdmin):
    list_display = ("task", "created_at", "action", "actor_label", "from_status", "to_status")
    list_filter = ("action",)
    list_select_related = ("task__directive",)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("task", "requested_at", "requested_deadline", "status", "decided_at")
    list_filter = ("status",)

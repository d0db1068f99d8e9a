"""Read-only admin views of the outbox, subscriptions and escalations.

Rows change only through the services (the outbox protocol, the subscription links, the
escalation job); the admin is for looking: what was sent to whom, what failed and why.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import IncidentEscalation, Notification, Subscription


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "recipient_role",
        "address",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind", "channel", "recipient_role"]
    search_fields = ["dedupe_key", "address", "incident__tracking_code"]
    raw_id_fields = ["incident", "event", "subscription"]
    date_hierarchy = "created_at"


@admin.register(Subscription)
class SubscriptionAdmin(_ReadOnlyAdmin):
    list_display = ["email", "incident", "area", "confirmed_at", "unsubscribed_at", "created_at"]
    list_filter = ["confirmed_at", "unsubscribed_at"]
    search_fields = ["email", "incident__tracking_code", "area__name"]
    raw_id_fields = ["incident", "area"]


@admin.register(IncidentEscalation)
class IncidentEscalationAdmin(_ReadOnlyAdmin):
    list_display = ["escalated_at", "incident", "stage", "deadline", "agency", "notified_addresses"]
    list_filter = ["stage"]
    search_fields = ["incident__tracking_code", "agency__name"]
    raw_id_fields = ["incident", "agency", "event"]

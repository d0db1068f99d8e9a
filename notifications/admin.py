"""Read-only admin views of the outbox and the subscriptions.

Rows change only through the services (the outbox protocol, the subscription links); the admin
is for looking: what was sent to whom, what failed and why.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification, Subscription


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
    # The dedupe key names the subject (e.g. "incident:123:…"): search it for a report's messages.
    search_fields = ["dedupe_key", "address"]
    raw_id_fields = ["subscription"]
    date_hierarchy = "created_at"


@admin.register(Subscription)
class SubscriptionAdmin(_ReadOnlyAdmin):
    list_display = [
        "email",
        "subject_type",
        "subject_id",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
    ]
    list_filter = ["subject_type", "confirmed_at", "unsubscribed_at"]
    search_fields = ["email"]

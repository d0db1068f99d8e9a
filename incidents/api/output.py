"""What the public and the staff API render of a report, its area, unit, photos and events."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request

from incidents import selectors
from incidents.models import (
    Incident,
    IncidentPhoto,
)


class CategorySummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class IncidentAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class AgencyPublicSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()


class LocationSerializer(serializers.Serializer):
    lat = serializers.FloatField(source="y")
    lon = serializers.FloatField(source="x")


class PublicPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    # Photos are served by views that check who may see them (a hidden photo never sits at a
    # public address); the storage's own URL (/media/...) is not served at all.
    url_name = "incident-photo"
    thumbnail_url_name = "incident-photo-thumbnail"

    def _address(self, photo: IncidentPhoto, url_name: str) -> str:
        arguments = self._url_arguments(photo)
        return self.context["request"].build_absolute_uri(reverse(url_name, args=arguments))

    def _url_arguments(self, photo: IncidentPhoto) -> list[object]:
        return [photo.incident.tracking_code, photo.pk]

    def get_url(self, photo: IncidentPhoto) -> str:
        return self._address(photo, self.url_name)

    def get_thumbnail_url(self, photo: IncidentPhoto) -> str:
        return self._address(photo, self.thumbnail_url_name)


class PublicEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    actor = serializers.CharField(source="actor_label")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PublicIncidentSerializer(serializers.Serializer):
    """Every field the public may see of a report: nothing else."""

    tracking_code = serializers.CharField()
    category = CategorySummarySerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    priority = serializers.CharField()
    description = serializers.CharField(source="public_description", allow_null=True)
    # True: the reporter's text (description, address, typed answers) is hidden from the public.
    description_hidden = serializers.BooleanField()
    address = serializers.CharField(source="public_address")
    location = LocationSerializer()
    reported_at = serializers.DateTimeField()
    area = IncidentAreaSerializer()
    agency = AgencyPublicSerializer()
    acknowledge_by = serializers.DateTimeField()
    resolve_by = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    rejected_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    duplicate_of = serializers.SerializerMethodField()
    public_answer = serializers.CharField()
    supporters_count = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True)
    photos = PublicPhotoSerializer(many=True, source="public_photos")
    timeline = PublicEventSerializer(many=True, source="public_events")

    def get_duplicate_of(self, incident: Incident) -> str | None:
        original = incident.public_original
        return original.tracking_code if original is not None else None


def public_incident_render(request: Request, tracking_code: str) -> dict[str, Any]:
    incident = selectors.incident_get_public(tracking_code=tracking_code)
    return PublicIncidentSerializer(incident, context={"request": request}).data

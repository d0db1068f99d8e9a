"""Data: the generic references take the values of the old links to incidents models, and back.

Forward: a notification's report becomes what it is about, its event what occasioned it; the
confirmation of an area subscription (which named no report) is about the area, as new ones
are; a subscription's report or area becomes its subject. Backward: the same values go back to
the old columns, for the rows whose report, event or area still exists.

The content types are named by app label and model, not imported: this app knows no other.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

INCIDENT = ("incidents", "incident")
INCIDENT_EVENT = ("incidents", "incidentevent")
AREA = ("wards", "area")


def _content_type(apps, natural_key, *, create: bool):
    ContentType = apps.get_model("contenttypes", "ContentType")
    app_label, model = natural_key
    if create:
        # A database migrated in one go has no content types yet (they are made after
        # `migrate`); one holding rows to copy has them, but this costs nothing.
        return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]
    return ContentType.objects.filter(app_label=app_label, model=model).first()


def links_to_generic_references(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Subscription = apps.get_model("notifications", "Subscription")
    if not Notification.objects.exists() and not Subscription.objects.exists():
        return
    incident_type = _content_type(apps, INCIDENT, create=True)
    event_type = _content_type(apps, INCIDENT_EVENT, create=True)
    area_type = _content_type(apps, AREA, create=True)

    Notification.objects.filter(incident__isnull=False).update(
        about_type=incident_type, about_id=F("incident_id")
    )
    Notification.objects.filter(event__isnull=False).update(
        occasion_type=event_type, occasion_id=F("event_id")
    )
    Notification.objects.filter(incident__isnull=True, subscription__area__isnull=False).update(
        about_type=area_type,
        about_id=Subquery(
            Subscription.objects.filter(pk=OuterRef("subscription_id")).values("area_id")[:1]
        ),
    )
    Subscription.objects.filter(incident__isnull=False).update(
        subject_type=incident_type, subject_id=F("incident_id")
    )
    Subscription.objects.filter(area__isnull=False).update(
        subject_type=area_type, subject_id=F("area_id")
    )


def generic_references_to_links(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Subscription = apps.get_model("notifications", "Subscription")
    Incident = apps.get_model("incidents", "Incident")
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")
    Area = apps.get_model("wards", "Area")
    incident_type = _content_type(apps, INCIDENT, create=False)
    event_type = _content_type(apps, INCIDENT_EVENT, create=False)
    area_type = _content_type(apps, AREA, create=False)

    if incident_type is not None:
        Notification.objects.filter(
            about_type=incident_type, about_id__in=Incident.objects.values("pk")
        ).update(incident_id=F("about_id"))
        Subscription.objects.filter(
            subject_type=incident_type, subject_id__in=Incident.objects.values("pk")
        ).update(incident_id=F("subject_id"))
    if event_type is not None:
        Notification.objects.filter(
            occasion_type=event_type, occasion_id__in=IncidentEvent.objects.values("pk")
        ).update(event_id=F("occasion_id"))
    if area_type is not None:
        Subscription.objects.filter(
            subject_type=area_type, subject_id__in=Area.objects.values("pk")
        ).update(area_id=F("subject_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_generic_references_added"),
    ]

    operations = [
        migrations.RunPython(links_to_generic_references, generic_references_to_links),
    ]
